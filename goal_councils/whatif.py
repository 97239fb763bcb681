"""The "what if" model of a service: change demand or capacity at one stage by a percentage and
project each stage's backlog and time in stage, and the end-to-end time, week by week.

A deterministic fluid-queue model (work treated as a continuous quantity, no randomness):

    each week, stage by stage in service order (hand-offs only go to later stages):
      inflow    = work joining from outside (the stage's own demand) + what earlier stages
                  hand it (their completions x the share they hand to it)
      completed = min(capacity, backlog + inflow)
      backlog   = backlog + inflow - completed
      time      = handling time + 7 x backlog / completed          (Little's law, in days)

Starting point: the stage's measured figures in the chosen period, as weekly rates (a month's
figure / WEEKS_PER_MONTH). Capacity is the stage's capacity measure; where it has none, the most
it completed in a period of the last twelve (it has shown it can do that much), never less than
it completes now; a stage with neither hands work straight on. The handling time is fixed so
that week 0 reproduces the measured median time in stage (but at least MIN_HANDLING_DAYS, or the
measured median when that is shorter: an empty queue does not make a stage instant). A stage with no
time measure adds no time. The share of its completions a stage hands to each next stage is as
measured (flow.handoffs); the rest leaves the service.

The change multiplies that stage's own demand (demand) or capacity (capacity) by 1 + percent/100
from week 1; the same model without the change is the baseline, so the difference is the
change's effect alone, including downstream: more capacity upstream sends more work on sooner.
End-to-end time is the route average of the stage times, weighted by the volume on each route.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .flow import DAYS_PER_MONTH, Figures, Handoff, routes

__all__ = ["WEEKS_PER_MONTH", "HORIZON_WEEKS", "StageModel", "Projection", "WorkloadPlan", "plan_workload",
           "stage_models", "route_weights", "project",
           "what_if"]

WEEKS_PER_MONTH = DAYS_PER_MONTH / 7
HORIZON_WEEKS = 26
MIN_HANDLING_DAYS = 1.0  # work takes at least a day to pass through a stage, even with nothing queued


@dataclass(frozen=True)
class StageModel:
    """A stage as the model sees it, in weekly rates."""

    own_demand: float  # work joining the stage from outside the service each week
    capacity: float  # most it can complete in a week (math.inf: passes work straight on)
    backlog: float  # work in progress at the start
    handling_days: float | None  # time in stage apart from queueing (None: the stage has no time measure)
    split: dict[str, float]  # next stage -> share of completions handed to it
    completed: float = 0.0  # what it completes in a week at the start


@dataclass(frozen=True)
class Projection:
    weeks: list[int]
    backlog: dict[str, list[float]]  # per stage, per week
    days: dict[str, list[float | None]]  # time in stage, per stage, per week
    end_to_end: list[float | None]  # days, per week


def stage_models(order: list[str], next_of: dict[str, list[str]], figures: dict[str, Figures],
                 flows: list[Handoff], best_completions: dict[str, float]) -> dict[str, StageModel]:
    """The model's starting point from a period's figures; `best_completions`: the most each stage
    completed in a period of the last twelve."""
    inflow: dict[str, float] = {}
    for h in flows:
        inflow[h.target] = inflow.get(h.target, 0.0) + h.volume
    out = {}
    for s in order:
        f = figures.get(s, Figures())
        done = f.completions
        if f.capacity is not None:
            capacity = f.capacity / WEEKS_PER_MONTH
        elif done is not None:
            capacity = max(done, best_completions.get(s, done)) / WEEKS_PER_MONTH
        else:
            capacity = math.inf
        arrivals = f.arrivals if f.arrivals is not None else inflow.get(s, 0.0)
        own = max(0.0, arrivals - inflow.get(s, 0.0)) / WEEKS_PER_MONTH
        backlog = f.backlog or 0.0
        weekly_done = (done if done is not None else arrivals) / WEEKS_PER_MONTH
        handling = None
        if f.time_median is not None:
            queueing = 7 * backlog / weekly_done if weekly_done > 0 else 0.0
            handling = min(f.time_median, max(MIN_HANDLING_DAYS, f.time_median - queueing))
        split = {h.target: h.volume / done for h in flows if h.source == s and done}
        out[s] = StageModel(own, capacity, backlog, handling, split, weekly_done)
    return out


def project(order: list[str], next_of: dict[str, list[str]], models: dict[str, StageModel],
            route_weights: dict[tuple[str, ...], float], *, demand: dict[str, float] | None = None,
            capacity: dict[str, float] | None = None, weeks: int = HORIZON_WEEKS) -> Projection:
    """Run the model for `weeks` weeks; `demand` / `capacity`: stage -> multiplier from week 1."""
    demand, capacity = demand or {}, capacity or {}
    backlog = {s: models[s].backlog for s in order}
    out_backlog = {s: [backlog[s]] for s in order}
    out_days = {s: [_days(models[s], backlog[s], models[s].completed)] for s in order}
    for _ in range(weeks):
        handed: dict[str, float] = {}
        for s in order:
            m = models[s]
            inflow = m.own_demand * demand.get(s, 1.0) + handed.get(s, 0.0)
            work = backlog[s] + inflow
            done = min(m.capacity * capacity.get(s, 1.0), work)
            backlog[s] = work - done
            for target, share in m.split.items():
                handed[target] = handed.get(target, 0.0) + done * share
            out_backlog[s].append(backlog[s])
            out_days[s].append(_days(m, backlog[s], done))
    e2e = [_end_to_end(route_weights, {s: out_days[s][w] for s in order}) for w in range(weeks + 1)]
    return Projection(list(range(weeks + 1)), out_backlog, out_days, e2e)


def _days(m: StageModel, backlog: float, done: float) -> float | None:
    if m.handling_days is None:
        return None
    if done <= 0:
        return m.handling_days if backlog <= 0 else m.handling_days + 7 * backlog / max(m.capacity, 1e-9)
    return m.handling_days + 7 * backlog / done


def _end_to_end(route_weights: dict[tuple[str, ...], float], days: dict[str, float | None]) -> float | None:
    sums, weights = [], []
    for path, w in route_weights.items():
        sums.append(sum(days[s] or 0.0 for s in path))
        weights.append(w)
    if not sums:
        return None
    total = sum(weights)
    return sum(x * w for x, w in zip(sums, weights, strict=True)) / total if total > 0 else sum(sums) / len(sums)


def route_weights(order: list[str], next_of: dict[str, list[str]], figures: dict[str, Figures],
                  flows: list[Handoff]) -> dict[tuple[str, ...], float]:
    """Each route with a measured time, weighted by the smallest hand-off on it."""
    volume = {(h.source, h.target): h.volume for h in flows}
    out = {}
    for path in routes(order, next_of):
        if not any(figures.get(s, Figures()).time_median is not None for s in path):
            continue
        legs = [volume.get((a, b)) for a, b in zip(path, path[1:], strict=False)]
        out[tuple(path)] = min((v for v in legs if v is not None), default=1.0)
    return out


def what_if(order: list[str], next_of: dict[str, list[str]], figures: dict[str, Figures],
            flows: list[Handoff], best_completions: dict[str, float], stage: str, lever: str,
            percent: float, weeks: int = HORIZON_WEEKS) -> tuple[Projection, Projection]:
    """(baseline, with the change): `lever` "demand" or "capacity" at `stage` changed by `percent`."""
    models = stage_models(order, next_of, figures, flows, best_completions)
    weights = route_weights(order, next_of, figures, flows)
    base = project(order, next_of, models, weights, weeks=weeks)
    change = {stage: max(0.0, 1 + percent / 100)}
    changed = project(order, next_of, models, weights, weeks=weeks,
                      **({"demand": change} if lever == "demand" else {"capacity": change}))
    return base, changed


@dataclass(frozen=True)
class WorkloadPlan:
    """What one stage needs to bring its work waiting down to a target by a week, as weekly rates."""

    weeks: int
    demand: float  # work arriving a week (forecast: as now unless changed)
    capacity_now: float  # what it can complete a week now
    capacity_needed: float  # the least weekly capacity that reaches the target in time
    weeks_to_clear_now: float | None  # at today's capacity until nothing waits (None: never)
    backlog: list[float]  # week by week at the capacity needed, week 0 first

    @property
    def extra_share(self) -> float | None:
        """The capacity needed as a share more than now (0.25: a quarter more)."""
        return self.capacity_needed / self.capacity_now - 1 if self.capacity_now > 0 else None


def plan_workload(backlog: float, demand: float, capacity: float, target: float, weeks: int) -> WorkloadPlan:
    """The weekly capacity that takes a stage's work waiting from `backlog` to `target` in `weeks` weeks
    when `demand` arrives each week: demand + (backlog - target) / weeks (never below zero), and the
    backlog week by week at that capacity (a straight line to the target: the fluid model of `project`
    with one stage). `weeks_to_clear_now`: backlog / (capacity - demand) when capacity exceeds demand."""
    if weeks < 1:
        raise ValueError("a plan needs at least one week")
    needed = max(0.0, demand + (backlog - target) / weeks)
    waiting, path = backlog, [backlog]
    for _ in range(weeks):
        waiting = max(0.0, waiting + demand - needed)
        path.append(waiting)
    clear = backlog / (capacity - demand) if capacity > demand else (0.0 if backlog <= 0 else None)
    return WorkloadPlan(weeks, demand, capacity, needed, clear, path)
