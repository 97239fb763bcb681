"""Flow arithmetic of an end-to-end service: pure functions over a period's figures per stage.

Figures are per period (a month for a monthly service): volumes (arrivals, completions, capacity,
failure demand) are counts in the period, the backlog is the work in progress at its end, times
are in days. Missing figures are None; a rule that needs one returns None rather than guess.

- **Backlog change** = arrivals - completions (what a stage cannot finish waits in it).
- **Hand-offs** (conservation of volume): what stage S completes is handed to its next stages. A
  next stage that measures its arrivals takes that many (shared between its upstream stages in
  proportion to their completions); one that does not takes all its upstream stages complete. What
  S completes beyond what its next stages receive has **left the service** (refused, withdrawn); a
  negative loss means the next stages receive work from elsewhere too.
- **Little's law**: in a steady state the work in progress L = arrival rate x time in stage. With
  monthly arrivals A and a median time in stage W days, expected L = A x W / DAYS_PER_MONTH. The
  check flags a stage whose measured backlog differs from that by more than the tolerance (a share
  of the expected backlog): either the figures are inconsistent (different counting rules, a
  backlog that counts paused work) or the stage is far from steady (a backlog building up).
- **Pinch point**: the stage whose demand most exceeds its capacity (arrivals / capacity > 1);
  when none is over capacity, the stage where work waits longest (its 90th percentile time in
  stage, else its median, else the backlog's months of work at the current completion rate).
- **End-to-end time**: along every route from a first stage to a last one, the sum of the times of
  the stages that measure them (a stage with no time measure adds none); the median estimate is the
  route average weighted by the volume that takes each route, the 90th percentile estimate is the
  slowest route's sum of stage 90th percentiles (the median where a stage has none). Summing
  percentiles overstates a percentile of the sum, so this is an upper estimate; a service that
  measures its end-to-end time shows the measure beside it.
- **Failure demand share**: failure demand / (arrivals + failure demand) for a count; a percent
  measure (e.g. decisions re-opened) is itself the share. Value demand is the rest.

The "what if" model is in goal_councils/whatif.py.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DAYS_PER_MONTH",
    "Figures",
    "Handoff",
    "LittleCheck",
    "Pinch",
    "backlog_change",
    "end_to_end",
    "failure_share",
    "handoffs",
    "little_check",
    "losses",
    "pinch_point",
    "routes",
    "wait_days",
]

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Figures:
    """One stage's figures in one period (None: not measured)."""

    arrivals: float | None = None
    completions: float | None = None
    backlog: float | None = None
    time_median: float | None = None
    time_p90: float | None = None
    failure_demand: float | None = None
    right_first_time: float | None = None
    capacity: float | None = None
    failure_is_percent: bool = False  # failure demand measured as a percent of completions


@dataclass(frozen=True)
class Handoff:
    source: str
    target: str
    volume: float


@dataclass(frozen=True)
class LittleCheck:
    expected: float  # arrival rate x time in stage
    observed: float  # the measured backlog
    ratio: float  # observed / expected
    agrees: bool  # within the tolerance


@dataclass(frozen=True)
class Pinch:
    stage: str
    reason: str  # "over capacity" or "longest wait"
    size: float  # demand / capacity, or days waited


def backlog_change(arrivals: float | None, completions: float | None) -> float | None:
    """How much the backlog grows in a period: arrivals - completions."""
    if arrivals is None or completions is None:
        return None
    return arrivals - completions


def handoffs(next_of: dict[str, list[str]], figures: dict[str, Figures]) -> list[Handoff]:
    """The volume each stage hands to each of its next stages (see the module docstring)."""
    upstream: dict[str, list[str]] = {}
    for source, targets in next_of.items():
        for target in targets:
            upstream.setdefault(target, []).append(source)
    out = []
    for source, targets in next_of.items():
        done = figures.get(source, Figures()).completions
        if done is None:
            continue
        for target in targets:
            arrived = figures.get(target, Figures()).arrivals
            if arrived is None:
                out.append(Handoff(source, target, done))
                continue
            feeding = [figures.get(u, Figures()).completions for u in upstream[target]]
            total = sum(c for c in feeding if c is not None)
            out.append(Handoff(source, target, arrived * done / total if total > 0 else 0.0))
    return out


def losses(next_of: dict[str, list[str]], figures: dict[str, Figures], flows: list[Handoff]) -> dict[str, float]:
    """What each stage with next stages completed beyond what they received: work that left the service."""
    handed: dict[str, float] = {}
    for h in flows:
        handed[h.source] = handed.get(h.source, 0.0) + h.volume
    return {s: figures[s].completions - handed[s] for s in next_of
            if next_of[s] and s in handed and s in figures and figures[s].completions is not None}


def little_check(backlog: float | None, arrivals: float | None, days: float | None, tolerance: float,
                 days_per_period: float = DAYS_PER_MONTH) -> LittleCheck | None:
    """Little's law: does the backlog match arrivals per period x days in stage / days per period?"""
    if backlog is None or arrivals is None or days is None or arrivals <= 0 or days <= 0:
        return None
    expected = arrivals * days / days_per_period
    ratio = backlog / expected
    return LittleCheck(expected, backlog, ratio, abs(ratio - 1) <= tolerance)


def wait_days(f: Figures, days_per_period: float = DAYS_PER_MONTH) -> float | None:
    """How long work waits in a stage: its 90th percentile time, else its median, else the backlog's
    periods of work at the current completion rate."""
    if f.time_p90 is not None:
        return f.time_p90
    if f.time_median is not None:
        return f.time_median
    if f.backlog is not None and f.completions:
        return f.backlog / f.completions * days_per_period
    return None


def pinch_point(figures: dict[str, Figures]) -> Pinch | None:
    """The stage most over capacity; else the one where work waits longest; None with no figures."""
    over = {s: f.arrivals / f.capacity for s, f in figures.items()
            if f.arrivals is not None and f.capacity and f.arrivals / f.capacity > 1}
    if over:
        stage = max(over, key=lambda s: over[s])
        return Pinch(stage, "over capacity", over[stage])
    waits = {s: w for s, f in figures.items() if (w := wait_days(f)) is not None}
    if not waits:
        return None
    stage = max(waits, key=lambda s: waits[s])
    return Pinch(stage, "longest wait", waits[stage])


def routes(order: list[str], next_of: dict[str, list[str]]) -> list[list[str]]:
    """Every path from a first stage (nothing hands to it) to a last one (it hands to nothing)."""
    fed = {t for targets in next_of.values() for t in targets}
    out: list[list[str]] = []

    def walk(path: list[str]) -> None:
        targets = next_of.get(path[-1], [])
        if not targets:
            out.append(path)
        for t in targets:
            walk([*path, t])

    for stage in order:
        if stage not in fed:
            walk([stage])
    return out


def end_to_end(order: list[str], next_of: dict[str, list[str]], figures: dict[str, Figures],
               flows: list[Handoff]) -> tuple[float | None, float | None]:
    """(median estimate, 90th percentile upper estimate) of the days from first contact to outcome."""
    volume = {(h.source, h.target): h.volume for h in flows}
    medians, weights, p90s = [], [], []
    for path in routes(order, next_of):
        times = [f for f in (figures.get(s, Figures()) for s in path)
                 if f.time_median is not None or f.time_p90 is not None]
        if not times:
            continue  # no stage on the route measures its time
        medians.append(sum(f.time_median if f.time_median is not None else f.time_p90 for f in times))
        p90s.append(sum(f.time_p90 if f.time_p90 is not None else f.time_median for f in times))
        legs = [volume.get((a, b)) for a, b in zip(path, path[1:], strict=False)]
        weights.append(min((v for v in legs if v is not None), default=1.0))
    if not medians:
        return None, None
    total = sum(weights)
    median = (sum(m * w for m, w in zip(medians, weights, strict=True)) / total if total > 0
              else sum(medians) / len(medians))
    return median, max(p90s)


def failure_share(f: Figures) -> float | None:
    """The share (0-1) of a stage's demand that is failure demand."""
    if f.failure_demand is None:
        return None
    if f.failure_is_percent:
        return f.failure_demand / 100
    if f.arrivals is None or f.arrivals + f.failure_demand <= 0:
        return None
    return f.failure_demand / (f.arrivals + f.failure_demand)
