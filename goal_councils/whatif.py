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
from collections.abc import Sequence
from dataclasses import dataclass

from .flow import DAYS_PER_MONTH, Figures, Handoff, routes

__all__ = ["WEEKS_PER_MONTH", "HORIZON_WEEKS", "StageModel", "Projection", "WorkloadPlan", "plan_workload",
           "stage_models", "route_weights", "project", "what_if", "Staffing", "staffing", "HORIZON_CLEAR"]

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
    demand: float  # work arriving a week, on average over the plan (forecast, or as now)
    capacity_now: float  # what it can complete a week now
    capacity_needed: float  # the least steady weekly capacity that reaches the target in time
    weeks_to_clear_now: float | None  # at today's capacity until nothing waits (None: not within HORIZON_CLEAR)
    backlog: list[float]  # week by week at the capacity needed, week 0 first

    @property
    def extra_share(self) -> float | None:
        """The capacity needed as a share more than now (0.25: a quarter more)."""
        return self.capacity_needed / self.capacity_now - 1 if self.capacity_now > 0 else None


HORIZON_CLEAR = 520  # weeks (ten years): beyond that, "never" is the honest answer


def plan_workload(backlog: float, demand: float | Sequence[float], capacity: float, target: float,
                  weeks: int) -> WorkloadPlan:
    """The steady weekly capacity that takes a stage's work waiting from `backlog` to `target` in `weeks`
    weeks while `demand` arrives: one figure a week, or a figure for each week of the plan (a forecast; its
    last figure holds after it). Needed = (backlog - target + the plan's demand) / weeks, never below zero, and
    never below what the plan's last k weeks alone bring, (their demand - target) / k: the work waiting cannot
    go below nothing, so a queue emptied early and refilled by a late rise must still end at the target. The
    backlog week by week at that capacity (the fluid model of `project` with one stage); and the weeks
    today's `capacity` takes until nothing waits, when it does within HORIZON_CLEAR weeks (a steady demand:
    backlog / (capacity - demand))."""
    if weeks < 1:
        raise ValueError("a plan needs at least one week")
    weekly = [float(demand)] * weeks if isinstance(demand, int | float) else [float(d) for d in demand]
    if not weekly:
        raise ValueError("a plan needs the demand of at least one week")
    weekly = (weekly + [weekly[-1]] * weeks)[:weeks]
    needed, tail = (backlog - target + sum(weekly)) / weeks, 0.0
    for k in range(weeks - 1, 0, -1):  # the last weeks - k weeks' demand, from an empty queue
        tail += weekly[k]
        needed = max(needed, (tail - target) / (weeks - k))
    needed = max(0.0, needed)
    waiting, path = backlog, [backlog]
    for d in weekly:
        waiting = max(0.0, waiting + d - needed)
        path.append(waiting)
    return WorkloadPlan(weeks, sum(weekly) / weeks, capacity, needed, _weeks_to_clear(backlog, weekly, capacity),
                        path)


def _weeks_to_clear(backlog: float, weekly: list[float], capacity: float) -> float | None:
    if backlog <= 0:
        return 0.0
    if len(set(weekly)) == 1:  # steady demand: exact
        return backlog / (capacity - weekly[0]) if capacity > weekly[0] else None
    waiting = backlog
    for week in range(HORIZON_CLEAR):
        d = weekly[min(week, len(weekly) - 1)]
        if waiting + d <= capacity:  # cleared within this week
            return week + waiting / max(capacity - d, 1e-9) if capacity > d else week + 1.0
        waiting += d - capacity
    return None


@dataclass(frozen=True)
class Staffing:
    """The people a plan needs: staff in post, the share of their time lost to leave and absence, and what a
    person at work completes a week (productivity)."""

    staff: float  # in post, full-time equivalent
    absence: float  # share of time on leave or absent, 0 to < 1
    productivity: float  # completed a week by one person at work

    @property
    def capacity(self) -> float:
        """What these staff complete a week, leave and absence allowed for."""
        return self.staff * (1 - self.absence) * self.productivity

    def staff_for(self, capacity: float) -> float | None:
        """The staff in post (full-time equivalent) that complete `capacity` a week."""
        per_person = (1 - self.absence) * self.productivity
        return capacity / per_person if per_person > 0 else None


def staffing(staff: float, absence: float, capacity_now: float, productivity: float | None = None) -> Staffing:
    """Staffing from what the user gives: without a productivity, the one that makes `staff` at work complete
    `capacity_now` a week (what the stage's figures say it does)."""
    if staff <= 0 or not 0 <= absence < 1:
        raise ValueError("staff must be more than 0 and leave and absence a share from 0 to under 1")
    if productivity is None:
        productivity = capacity_now / (staff * (1 - absence))
    return Staffing(staff, absence, productivity)
