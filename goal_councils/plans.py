"""A workload plan saved as a measure's milestone trajectory.

A service's "plan the workload" panel projects a stage's work waiting week by week down to a level
by a date (`goal_councils.whatif.plan_workload`). Saved, that projection becomes the milestone
trajectory of the stage's work-waiting measure, and status is judged against it like any trajectory:

    plan_points(frequency, start, weekly, target)   the plan read at the end of each of the measure's
                                                    periods: (start period, now), each whole period
                                                    after it, and the period the plan ends in (target)
    planned_target(measure, plan, note)             the measure's target with the plan in it
    apply_plans(defs, plans)                        the definitions with every saved plan applied, and
                                                    a problem in words for each plan that cannot be

How a plan meets a target the definitions already give (a plan is a commitment for its weeks only):
  - the definitions' milestones inside the plan's span give way to the plan's points;
  - the definitions' baseline stays when it comes before the plan starts (the plan's start then is a
    milestone); otherwise the plan's start is the baseline;
  - a final target after the plan's end stays (the plan's end then is a milestone, and the
    definitions' later milestones stay); otherwise the plan's end is the final target.

A period's point is the plan's work waiting at the period's last day, read off the weekly profile by
straight lines between weeks: what a month-end figure of work waiting is compared with.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from .definitions import Definitions, Measure, Target
from .periods import FY_START_MONTH, parse_period, period_end, period_from_start, shift_period

__all__ = ["SavedPlan", "PlanProblem", "plan_points", "planned_target", "apply_plans", "plan_note", "plans_to_json",
           "plans_from_json"]

_MONTH_STARTS = {"monthly": (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), "quarterly": (1, 4, 7, 10), "annual": (1,)}


MAX_WEEKS = 104  # two years of weeks: a plan longer than that is not a workload plan


class PlanProblem(ValueError):
    """A plan that cannot be a measure's trajectory; the message says why."""


@dataclass(frozen=True)
class SavedPlan:
    """One saved workload plan, as the workflow records keep it."""

    measure_id: str
    service_id: str
    stage_id: str
    start: date  # the day the plan starts from (the end of the month whose figures it starts from)
    weekly: tuple[float, ...]  # work waiting week by week on the plan, week 0 (= start) first
    target: float  # the work waiting wanted at the plan's end
    saved_by: str  # the id of the organisation that saved it; "" for an administrator (a note names no person)
    saved_at: datetime
    extra: Mapping[str, object] = field(default_factory=dict)  # what else the plan said (staff, capacity)

    @property
    def weeks(self) -> int:
        return len(self.weekly) - 1

    @property
    def end(self) -> date:
        return date.fromordinal(self.start.toordinal() + 7 * self.weeks)


def _period_start(frequency: str, day: date) -> date:
    """The start of the period of `frequency` that holds `day`."""
    if frequency == "financial_year":
        year = day.year if day.month >= FY_START_MONTH else day.year - 1
        return date(year, FY_START_MONTH, 1)
    month = max(m for m in _MONTH_STARTS[frequency] if m <= day.month)
    return date(day.year, month, 1)


def _at(weekly: Sequence[float], weeks: float) -> float:
    """The weekly profile read at `weeks` after its start (straight lines between weeks; held after the end)."""
    if weeks >= len(weekly) - 1:
        return float(weekly[-1])
    lo = int(weeks)
    share = weeks - lo
    return float(weekly[lo] + (weekly[lo + 1] - weekly[lo]) * share)


def plan_points(frequency: str, start: date, weekly: Sequence[float], target: float,
                decimals: int = 0) -> list[tuple[str, float]]:
    """(period label, planned value) oldest first: the period holding `start` at the plan's start, each
    period that ends within the plan at its last day, and the period the plan ends in at `target`.
    A plan too short to end in a later period than it starts in is a PlanProblem."""
    if len(weekly) < 2:
        raise PlanProblem("a plan needs at least one week")
    end = date.fromordinal(start.toordinal() + 7 * (len(weekly) - 1))
    first = _period_start(frequency, start)
    last = _period_start(frequency, end)
    if last <= first:
        raise PlanProblem(f"the plan ends in the period it starts in ({period_from_start(frequency, first)}): "
                          "a milestone trajectory needs a plan that reaches a later period")
    points = [(period_from_start(frequency, first), round(float(weekly[0]), decimals))]
    at = shift_period(frequency, first, 1)
    while at < last:
        weeks = (period_end(frequency, at).toordinal() - start.toordinal()) / 7
        points.append((period_from_start(frequency, at), round(_at(weekly, weeks), decimals)))
        at = shift_period(frequency, at, 1)
    points.append((period_from_start(frequency, last), round(float(target), decimals)))
    return points


def plan_note(plan: SavedPlan, stage_name: str | None = None, saved_by: str | None = None) -> str:
    """The target's note that says where its milestones come from; `saved_by`: the organisation in words."""
    where = f" for the stage “{stage_name}”" if stage_name else ""  # a stage's name may hold commas of its own
    who = saved_by or "an administrator"
    return (f"Milestones from the workload plan{where}, saved by {who} on {plan.saved_at:%-d %B %Y}: "
            f"{plan.target:,.0f} waiting by {plan.end:%-d %B %Y}.")


def planned_target(measure: Measure, plan: SavedPlan, note: str) -> Target:
    """`measure`'s target with `plan` in it (see the module's rules); PlanProblem when it cannot be."""
    if measure.is_categorical:
        raise PlanProblem(f"{measure.id} is a categorical measure: it has no trajectory of numbers")
    if measure.direction == "none":
        raise PlanProblem(f"{measure.id} has no direction of good: a plan cannot say which way is on track")
    freq = measure.frequency
    points = plan_points(freq, plan.start, plan.weekly, plan.target, measure.decimals)
    start_of = {label: parse_period(label, freq).start for label, _ in points}
    first, last = start_of[points[0][0]], start_of[points[-1][0]]
    old = measure.target
    kept_base = old.baseline if old and old.baseline and parse_period(old.baseline.period, freq).start < first else None
    kept_final = old.final if old and parse_period(old.final.period, freq).start > last else None
    milestones: dict[str, float] = {}
    for label, value in (old.trajectory.items() if old else ()):
        at = parse_period(label, freq).start
        if (at < first and kept_base is not None and at > parse_period(kept_base.period, freq).start) or (
                at > last and kept_final is not None):
            milestones[label] = value
    inner = points if kept_base is not None else points[1:]
    inner = inner if kept_final is not None else inner[:-1]
    milestones.update(dict(inner))
    baseline = kept_base or {"period": points[0][0], "value": points[0][1]}
    final = kept_final or {"period": points[-1][0], "value": points[-1][1]}
    words = " ".join(x for x in (note, old.note if old and old.note else None) if x)
    ordered = dict(sorted(milestones.items(), key=lambda kv: parse_period(kv[0], freq).start))
    return Target.model_validate({
        "baseline": baseline if isinstance(baseline, dict) else baseline.model_dump(),
        "final": final if isinstance(final, dict) else final.model_dump(),
        "trajectory": ordered, "note": words})


def apply_plans(defs: Definitions, plans: Sequence[SavedPlan]) -> tuple[Definitions, list[str]]:
    """The definitions with each plan's measure given its planned target, and a problem in words for each
    plan left out (its measure gone, or a plan that cannot be its trajectory). The newest plan of a
    measure wins when there are several."""
    problems: list[str] = []
    chosen: dict[str, tuple[SavedPlan, Target]] = {}
    for plan in sorted(plans, key=lambda p: p.saved_at):
        measure = defs.measures.get(plan.measure_id)
        left = f"the workload plan for {plan.measure_id} (saved {plan.saved_at:%Y-%m-%d}) is left out"
        if measure is None:
            problems.append(f"{left}: no measure of that id is defined")
            continue
        service = defs.services.get(plan.service_id)
        stage = next((s for s in service.stages if s.id == plan.stage_id), None) if service else None
        # the note is as public as its measure: it names the stage only where the public sees that stage too
        # (every measure the stage names is published), or where the measure itself is internal
        shown = stage is not None and all(defs.measures[m].published for m in stage.measures.named().values()
                                          if m in defs.measures)
        name = stage.name if stage is not None and (shown or not measure.published) else None
        org = defs.organisations.get(plan.saved_by)
        note = plan_note(plan, name, org.name if org else None)
        try:
            chosen[plan.measure_id] = (plan, planned_target(measure, plan, note))
        except (PlanProblem, ValueError) as e:
            problems.append(f"{left}: {e}")
    if not chosen:
        return defs, problems
    councils = {}
    for cid, council in defs.councils.items():
        objectives = []
        for o in council.objectives:
            measures = [m.model_copy(update={"target": chosen[m.id][1]}) if m.id in chosen else m for m in o.measures]
            objectives.append(o.model_copy(update={"measures": measures}) if measures != list(o.measures) else o)
        councils[cid] = council.model_copy(update={"objectives": objectives})
    return Definitions.build(defs.organisations, defs.breakdowns, councils, defs.reviews, defs.services), problems


def plans_to_json(plans: Sequence[SavedPlan]) -> str:
    """The saved plans as the JSON file the publish step reads (`plans_from_json`)."""
    return json.dumps({"plans": [{
        "measure_id": p.measure_id, "service_id": p.service_id, "stage_id": p.stage_id,
        "start": p.start.isoformat(), "weekly": list(p.weekly), "target": p.target, "saved_by": p.saved_by,
        "saved_at": p.saved_at.isoformat(), "extra": dict(p.extra)} for p in plans]}, indent=1, ensure_ascii=False)


def plans_from_json(text: str) -> list[SavedPlan]:
    """The plans of a file written by `plans_to_json`; PlanProblem naming the plan and field that is wrong."""
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise PlanProblem(f"not JSON: {e}") from e
    rows = doc.get("plans") if isinstance(doc, dict) else None
    if not isinstance(rows, list):
        raise PlanProblem("no list of plans")
    out = []
    for i, row in enumerate(rows, start=1):
        try:
            weekly = tuple(float(v) for v in row["weekly"])
            plan = SavedPlan(str(row["measure_id"]), str(row["service_id"]), str(row["stage_id"]),
                             date.fromisoformat(row["start"]), weekly, float(row["target"]),
                             str(row["saved_by"]), datetime.fromisoformat(row["saved_at"]),
                             dict(row.get("extra") or {}))
        except (KeyError, TypeError, ValueError) as e:
            raise PlanProblem(f"plan {i}: {type(e).__name__}: {e}") from e
        if not 2 <= len(plan.weekly) <= MAX_WEEKS + 1:
            raise PlanProblem(f"plan {i}: weekly: 1 to {MAX_WEEKS} weeks, not {len(plan.weekly) - 1}")
        if not all(math.isfinite(v) and v >= 0 for v in (*plan.weekly, plan.target)):
            raise PlanProblem(f"plan {i}: weekly and target must be finite numbers of 0 or more")
        out.append(plan)
    return out
