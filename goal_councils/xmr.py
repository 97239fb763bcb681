"""Process-behaviour (XmR) charts: natural process limits and the signals a council reacts to.

Limits (Wheeler): centre line X̄ = mean of the baseline values; average moving range
mR̄ = mean of |x_i - x_(i-1)| over the baseline; natural process limits X̄ ± 2.66·mR̄; upper
range limit 3.268·mR̄. One sigma is 2.66/3·mR̄, so "nearer a limit than the centre" means
beyond X̄ ± 1.33·mR̄ (1.5 sigma).

Baseline: the first BASELINE_POINTS values (or a count the measure sets), never fewer than
MIN_POINTS. Signal rules, each named as the UI names it:

    beyond_limit   a point outside a natural process limit
    run_of_8       8 successive points on the same side of the centre line
    three_of_four  3 of 4 successive points nearer the same limit than the centre
    range_limit    a moving range above the upper range limit (a sudden jump)

Change point: when a run of 8 confirms a sustained shift, the limits are recomputed from
the first point of that run (a new phase, using up to SHIFT_BASELINE_POINTS values from
there, few enough that a later shift does not leak into them), and later points are judged
against the new phase. A phase needs MIN_POINTS values.

Seasonal series are judged on the change from the same period a year earlier (x_t -
x_(t-s)), which removes a stable seasonal pattern; the result says so in `basis`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

__all__ = [
    "RULES", "Signal", "Phase", "XmrResult", "xmr", "seasonal_lag", "looks_seasonal",
    "BASELINE_POINTS", "MIN_POINTS",
]

NPL = 2.66
URL = 3.268
BASELINE_POINTS = 24
SHIFT_BASELINE_POINTS = 12
MIN_POINTS = 8
RUN = 8

RULES = {
    "beyond_limit": "Point beyond a natural process limit",
    "run_of_8": "8 successive points on one side of the centre line",
    "three_of_four": "3 of 4 successive points nearer a limit than the centre",
    "range_limit": "Moving range above the upper range limit",
}


@dataclass(frozen=True)
class Signal:
    index: int  # position in the judged series
    rule: str
    side: str  # 'high' or 'low'

    @property
    def label(self) -> str:
        return RULES[self.rule]


@dataclass(frozen=True)
class Phase:
    start: int  # first index of the phase
    baseline_end: int  # exclusive end of the values the limits were computed from
    centre: float
    mr_bar: float

    @property
    def upper(self) -> float:
        return self.centre + NPL * self.mr_bar

    @property
    def lower(self) -> float:
        return self.centre - NPL * self.mr_bar

    @property
    def upper_range(self) -> float:
        return URL * self.mr_bar


@dataclass
class XmrResult:
    values: list[float | None]  # the judged series (after any seasonal differencing)
    moving_ranges: list[float | None]
    phases: list[Phase]
    signals: list[Signal] = field(default_factory=list)
    basis: str = "values"  # or 'change on the same period a year earlier'

    def phase_at(self, i: int) -> Phase:
        return [p for p in self.phases if p.start <= i][-1]

    @property
    def centre(self) -> list[float]:
        return [self.phase_at(i).centre for i in range(len(self.values))]

    @property
    def upper(self) -> list[float]:
        return [self.phase_at(i).upper for i in range(len(self.values))]

    @property
    def lower(self) -> list[float]:
        return [self.phase_at(i).lower for i in range(len(self.values))]

    def signals_at(self, i: int) -> list[Signal]:
        return [s for s in self.signals if s.index == i]


def _phase(values: Sequence[float | None], start: int, n: int, breaks: Collection[int] = ()) -> Phase | None:
    """Limits from up to `n` present values from `start`; None when fewer than MIN_POINTS. The average moving
    range is of neighbouring present values, none of them across a period with no figure (`breaks`: the
    indices a missing period comes before)."""
    picked: list[tuple[int, float]] = []
    for i in range(start, len(values)):
        if values[i] is not None:
            picked.append((i, values[i]))
            if len(picked) == n:
                break
    if len(picked) < MIN_POINTS:
        return None
    xs = [v for _, v in picked]
    pairs = list(zip(picked, picked[1:], strict=False))
    ranges = [abs(b - a) for (i, a), (j, b) in pairs if not any(i < k <= j for k in breaks)]
    if not ranges:  # every figure a period or more apart (a survey every other year): its own rhythm is all there is
        ranges = [abs(b - a) for (_, a), (_, b) in pairs]
    return Phase(start, picked[-1][0] + 1, sum(xs) / len(xs), sum(ranges) / len(ranges))


def _moving_ranges(values: Sequence[float | None], breaks: Collection[int] = ()) -> list[float | None]:
    out: list[float | None] = [None]
    for i, (a, b) in enumerate(zip(values, values[1:], strict=False), start=1):
        out.append(None if a is None or b is None or i in breaks else abs(b - a))
    return out


def seasonal_lag(frequency: str) -> int | None:
    return {"monthly": 12, "quarterly": 4}.get(frequency)


def looks_seasonal(values: Sequence[float | None], lag: int | None) -> bool:
    """Detect a seasonal pattern: autocorrelation at the seasonal lag of the month-on-month
    changes is clearly positive (> 0.3) over at least three years."""
    if not lag:
        return False
    xs = [v for v in values if v is not None]
    if len(xs) < 3 * lag + 1:
        return False
    d = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    mean = sum(d) / len(d)
    dev = [x - mean for x in d]
    var = sum(x * x for x in dev)
    if var == 0:
        return False
    acf = sum(dev[i] * dev[i - lag] for i in range(lag, len(dev))) / var
    return acf > 0.3


def xmr(
    values: Sequence[float | None],
    *,
    baseline: int | None = None,
    seasonal_lag_periods: int | None = None,
    recompute_on_shift: bool = True,
    planned: Sequence[float | None] | None = None,
    year_earlier: Sequence[int | None] | None = None,
    breaks: Collection[int] = (),
) -> XmrResult | None:
    """Judge a series (oldest first; None = gap). Returns None when there are too few values.

    `seasonal_lag_periods`: judge the change on the same period a year earlier, that many points back; or,
    given `year_earlier` (each point's index of the same period a year before, None where there is none), that
    point, so that a missing figure or a month with no figure by its nature does not shift the comparison.
    `breaks`: the indices a period with no figure comes before (2019 then 2022: two years not assessed); no
    moving range is taken across them.

    `planned`: the plan's value at each point. A series meant to move (a trajectory down to a
    target) is judged on its gap to the plan, not on its values: one flat centre line through a
    deliberate trend would call every point a signal."""
    series: list[float | None] = [_number(v) for v in values]
    basis = "values"
    if planned is not None:
        series = [None if v is None or _number(p) is None else v - _number(p)
                  for v, p in zip(series, planned, strict=True)]
        basis = "gap to the planned trajectory"
    if seasonal_lag_periods:
        lag = seasonal_lag_periods
        back = (list(year_earlier) if year_earlier is not None
                else [i - lag if i >= lag else None for i in range(len(series))])
        series = [None if j is None or series[i] is None or series[j] is None else series[i] - series[j]
                  for i, j in enumerate(back)]
        basis = ("change on the same period a year earlier" if planned is None
                 else "change in the gap to the plan on the same period a year earlier")
    n = baseline or BASELINE_POINTS
    first = next((i for i, v in enumerate(series) if v is not None), None)
    if first is None:
        return None
    breaks = frozenset(breaks)
    phase = _phase(series, first, n, breaks)
    if phase is None:
        return None
    result = XmrResult(series, _moving_ranges(series, breaks), [phase], basis=basis)
    _judge(result, n, recompute_on_shift, breaks)
    return result


def _number(v) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _judge(result: XmrResult, n: int, recompute: bool, breaks: frozenset[int] = frozenset()) -> None:
    series = result.values
    ranges = result.moving_ranges
    signals: list[Signal] = []
    i = result.phases[0].start
    run_start, run_side, length = i, 0, 0
    phases = 0  # the phase whose limits the locals below hold (they are read at every point)
    while i < len(series):
        v = series[i]
        if v is None:
            i += 1
            continue
        if phases != len(result.phases):
            phases = len(result.phases)
            ph = result.phases[-1]
            start, centre, upper, lower, upper_range = ph.start, ph.centre, ph.upper, ph.lower, ph.upper_range
            high, low = ph.centre + NPL / 2 * ph.mr_bar, ph.centre - NPL / 2 * ph.mr_bar
        if v > upper:
            signals.append(Signal(i, "beyond_limit", "high"))
        elif v < lower:
            signals.append(Signal(i, "beyond_limit", "low"))
        mr = ranges[i]
        if mr is not None and mr > upper_range and i > start:
            signals.append(Signal(i, "range_limit", "high" if v > series[i - 1] else "low"))
        # 3 of the last 4 points beyond 1.5 sigma on the same side: the four all present, in this phase
        if (v > high or v < low) and i - 3 >= start:
            a, b, c = series[i - 3], series[i - 2], series[i - 1]
            if a is not None and b is not None and c is not None:
                if v > high and (a > high) + (b > high) + (c > high) >= 2:
                    signals.append(Signal(i, "three_of_four", "high"))
                if v < low and (a < low) + (b < low) + (c < low) >= 2:
                    signals.append(Signal(i, "three_of_four", "low"))
        # runs on one side of the centre
        s = 1 if v > centre else (-1 if v < centre else 0)
        if s == 0 or s != run_side:  # always so when judging again from a change point (run_side 0)
            run_start, run_side, length = i, s, 0
        length += 1  # present points from run_start to i (gaps are skipped above)
        if run_side and length >= RUN:
            if length == RUN:
                signals += [Signal(j, "run_of_8", "high" if run_side > 0 else "low")
                            for j in range(run_start, i + 1) if series[j] is not None]
            else:
                signals.append(Signal(i, "run_of_8", "high" if run_side > 0 else "low"))
            if recompute and length == RUN and run_start > start:
                new = _phase(series, run_start, min(n, SHIFT_BASELINE_POINTS), breaks)
                if new is not None:
                    result.phases.append(new)
                    # judge again from the change point against the new limits
                    signals = [x for x in signals if x.index < run_start or x.rule == "run_of_8"]
                    i, run_side = run_start, 0
                    continue
        i += 1
    seen, unique = set(), []
    for x in signals:
        key = (x.index, x.rule)
        if key not in seen:
            seen.add(key)
            unique.append(x)
    result.signals = sorted(unique, key=lambda x: (x.index, x.rule))
