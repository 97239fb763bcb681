"""The service page's "plan the workload" panel: a stage's plan from the stored figures (demand from its
arrivals' forecast, the people available), and saving it as the stage's work-waiting measure's milestone
trajectory (goal_councils/plans.py, workflow/plans.py), re-checking the right on the server every time.
A plain module (its name starts with `_`, so it is no page of its own); the service page lays it out."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

import pandas as pd
from dash import Input, Output, State, callback, ctx, html

from dashboard.auth import allows
from dashboard.components import service as parts
from dashboard.components import tags
from dashboard.context import current_store, current_warehouse
from dashboard.formatting import format_number
from dashboard.pages._service_common import month_end, number, read_page, rows_in, stored
from dashboard.reloads import publish_plans
from dashboard.series import records
from dashboard.urls import AsOf, href
from goal_councils.periods import shift_period
from goal_councils.plans import PlanProblem, plan_points
from goal_councils.whatif import WEEKS_PER_MONTH, Staffing, WorkloadPlan, plan_workload, staffing
from published.access import current_viewer
from published.judgements import stored_assessments
from published.reader import Scope, Warehouse
from workflow.review import ReviewError

__all__ = ["may_plan_any", "register_callbacks", "show_plan", "save_plan"]


STAFF = (0.1, 1_000_000)  # staff in post, full-time equivalent: what a stage may have
PER_PERSON = (0.001, 1_000_000_000)  # completed a week by one person at work

# what the panel's controls say, in the order the callbacks take them
PLAN_INPUTS = [Input("plan-stage", "value"), Input("plan-target", "value"), Input("plan-weeks", "value"),
               Input("plan-staff", "value"), Input("plan-absence", "value"), Input("plan-productivity", "value"),
               Input("service-period", "value")]


def register_callbacks() -> None:
    """Register the panel's callbacks for the app about to be created (the service page calls this as Dash
    loads it, once per app)."""
    callback(Output("plan-result", "children"), *PLAN_INPUTS, State("service-page", "data"))(show_plan)
    callback(Output("plan-saved", "children"), Input("plan-save", "n_clicks"), Input("plan-withdraw", "n_clicks"),
             *[State(i.component_id, i.component_property) for i in PLAN_INPUTS], State("service-page", "data"),
             prevent_initial_call=True)(save_plan)


# plan controls -> the capacity a stage needs, the people, and its week-by-week profile
def show_plan(stage, target, weeks, staff, absence, productivity, period, data):
    found = stored(data)
    if found is None:
        return tags.P("Nothing to plan.", className="small")
    service, view = found
    made = _plan(current_warehouse(), view, read_page(data)[1], stage, target, weeks, staff, absence, productivity,
                 period)
    if isinstance(made, str):
        return tags.P(made, className="small", id="plan-words")
    out = [parts.plan_words(made.plan, made.stage_name, made.target, made.start, made.by, made.demand_from,
                            made.team)]
    if _may_plan(service, view, stage):
        out.append(_standing(view, stage, read_page(data)[1]))
    return tags.Div(out)


# save / withdraw -> the plan as the stage's work-waiting measure's milestone trajectory, and a publish
def save_plan(_save, _withdraw, stage, target, weeks, staff, absence, productivity, period, data):
    found = stored(data)
    if found is None:
        return "Nothing to save: the service has no figures."
    service, view = found
    if not _may_plan(service, view, stage):  # re-checked here, whatever the page showed
        return ("Only a lead of the organisation that runs this stage, or of an objective the service serves, "
                "may save its plan.")
    measure = _backlog_measure(view, stage)
    if measure is None:
        return "This stage does not measure its work waiting, so it has no trajectory to save."
    store, viewer = current_store(), current_viewer()
    if ctx.triggered_id == "plan-withdraw":
        try:
            store.withdraw_plan(measure["measure_id"], by=viewer.name)
        except ReviewError:
            return f"No plan stands for {measure['measure_name']}: nothing to withdraw."
        return _published("Withdrawn: the target of " + measure["measure_name"] + " is what the definitions say "
                          "again.", viewer.name, measure["measure_id"], "plan-withdrawn")
    made = _plan(current_warehouse(), view, read_page(data)[1], stage, target, weeks, staff, absence, productivity,
                 period)
    if isinstance(made, str):
        return made
    extra = {"capacity_needed": round(made.plan.capacity_needed, 2), "capacity_now": round(made.plan.capacity_now, 2),
             "demand": round(made.plan.demand, 2), "demand_from": made.demand_from}
    if made.team is not None:
        extra |= {"staff": made.team.staff, "absence": made.team.absence,
                  "productivity": round(made.team.productivity, 3),
                  "staff_needed": round(made.team.staff_for(made.plan.capacity_needed) or 0, 2)}
    latest = view["periods"][-1]["period"]
    if period != latest or read_page(data)[1].month is not None:
        return (f"Not saved: a plan starts from the latest month published ({latest}, with the latest figures): "
                "choose it to save one.")
    problem = _fits(measure["measure_id"], made)
    if problem:
        return f"Not saved: {problem}."
    try:
        store.save_plan(measure_id=measure["measure_id"], service_id=service["id"], stage_id=stage,
                        start=made.start, weekly=made.plan.backlog, target=made.target,
                        org_id=viewer.org or "", by=viewer.name, extra=extra)
    except ReviewError as e:
        return f"Not saved: {e}."
    return _published(f"Saved: {_n(made.target)} waiting by {made.by:%-d %B %Y} is now the milestone trajectory "
                      f"of {measure['measure_name']}.", viewer.name, measure["measure_id"], "plan-saved")


class _Made(NamedTuple):
    plan: WorkloadPlan
    stage_name: str
    target: float
    start: date
    by: date
    demand_from: str
    team: Staffing | None


def _plan(warehouse: Warehouse, view: dict, as_of: AsOf, stage, target, weeks, staff, absence, productivity,
          period) -> _Made | str:
    """The plan the controls describe, from the stored figures (read again for every caller); or what is
    missing, in words."""
    periods = [p["period"] for p in view["periods"]]
    period = period if period in periods else periods[-1]
    row = rows_in(view, period).get(stage) if isinstance(stage, str) else None
    wanted = number(target)
    weeks = weeks if isinstance(weeks, int) and not isinstance(weeks, bool) else None
    if row is None or row.get("backlog") is None or weeks not in parts.PLAN_WEEKS or wanted is None or wanted < 0:
        return ("Choose a stage that measures its work waiting, the work waiting wanted (a number, 0 or more) "
                "and within how many weeks.")
    arrivals = row["arrivals"] if row.get("arrivals") is not None else row.get("completions") or 0.0
    capacity = row.get("capacity") or max(row.get("completions") or 0.0, row.get("best_completions") or 0.0)
    start = month_end(row["period_start"])
    team = None
    if str(staff or "").strip():
        people, share, each = number(staff), number(absence if str(absence or "").strip() else "0"), (
            number(productivity) if str(productivity or "").strip() else None)
        if people is None or not STAFF[0] <= people <= STAFF[1] or share is None or not 0 <= share < 100 or (
                str(productivity or "").strip() and (each is None or not PER_PERSON[0] <= each <= PER_PERSON[1])):
            return (f"Give the staff in post as a number from {STAFF[0]:g} to {STAFF[1]:,.0f}, leave and absence "
                    "as a percentage from 0 to under 100, and what one person completes a week as a number from "
                    f"{PER_PERSON[0]:g} to {PER_PERSON[1]:,.0f} (or leave it blank).")
        team = staffing(people, share / 100, capacity / WEEKS_PER_MONTH, each)
        capacity = team.capacity * WEEKS_PER_MONTH
    demand, demand_from = _demand(warehouse, view, stage, start, weeks, as_of, arrivals)
    plan = plan_workload(row["backlog"], demand, capacity / WEEKS_PER_MONTH, wanted, weeks)
    if plan.backlog[-1] < wanted - 0.5:  # more than would be waiting with nothing completed at all
        return (f"Even with nothing completed, {_n(plan.backlog[-1])} would be waiting after {weeks} weeks: "
                "give a level at or below that.")
    name = next(s["name"] for s in view["stages"] if s["stage_id"] == stage)
    return _Made(plan, name, wanted, start, start + timedelta(weeks=weeks), demand_from, team)


def _demand(warehouse: Warehouse, view: dict, stage: str, start: date, weeks: int, as_of: AsOf,
            month_arrivals: float) -> tuple[list[float] | float, str]:
    """Work arriving at `stage` week by week over a plan from `start`: each week takes its month's arrivals as
    published, or for a month to come the arrivals measure's stored forecast; with neither, the month shown's.
    And where the figures came from, in words."""
    fallback = month_arrivals / WEEKS_PER_MONTH
    measure = next((m for m in view["measures"] if m["stage_id"] == stage and m["figure"] == "arrivals"), None)
    if measure is None:
        return fallback, "as in the month shown"
    mid = measure["measure_id"]
    totals = warehouse.values(Scope(measure=mid), as_of.as_at)
    actual = {pd.Timestamp(d).date(): float(v) for d, v in zip(totals["period_start"], totals["value"], strict=True)}
    assessed = stored_assessments(warehouse, Scope(measure=mid), as_of.as_at).found.get(mid)
    forecast = {}
    if assessed is not None and assessed.forecast is not None and actual:
        last = max(actual)
        forecast = {shift_period("monthly", last, k + 1): v for k, v in enumerate(assessed.forecast.mean)}
    weekly, used = [], set()
    for w in range(weeks):
        day = start + timedelta(days=7 * w + 4)
        month = date(day.year, day.month, 1)
        figure = actual.get(month, forecast.get(month))
        used.add("forecast" if month not in actual and month in forecast else
                 "published" if month in actual else "as shown")
        weekly.append(fallback if figure is None else figure / WEEKS_PER_MONTH)
    said = [w for k, w in (("published", "as published"), ("forecast", "as forecast"),
                           ("as shown", "as in the month shown")) if k in used]
    return weekly, "arrivals " + ", then ".join(said)


def _n(value: float) -> str:
    return format_number(value, 0)


def _backlog_measure(view: dict, stage) -> dict | None:
    return next((m for m in view["measures"] if m["stage_id"] == stage and m["figure"] == "backlog"), None)


def _leads(service: dict) -> set[str]:
    """The lead organisations of the objectives the service serves, as the warehouse says."""
    wanted = set((service.get("objectives") or "").split(","))
    return {o["lead_id"] for o in records(current_warehouse().objectives()) if o["objective_id"] in wanted}


def may_plan_any(service: dict, stages: list[dict], served: list[dict]) -> bool:
    """May the viewer save a plan for any stage: the page shows the save panel."""
    orgs = {s["org_id"] for s in stages} | {o["lead_id"] for o in served}
    return allows(lambda v: v.role == "lead" and v.org in orgs)


def _may_plan(service: dict, view: dict, stage) -> bool:
    """May the viewer save or withdraw `stage`'s plan: a lead of the organisation that runs the stage, or of
    an objective the service serves (an administrator too); read from the warehouse, never the browser."""
    org = next((s["org_id"] for s in view["stages"] if s["stage_id"] == stage), None)
    if org is None:
        return False
    return allows(lambda v: v.role == "lead" and v.org in {org} | _leads(service))


def _standing(view: dict, stage: str, as_of: AsOf) -> html.Div:
    measure = _backlog_measure(view, stage)
    plan = current_store().plan_for(measure["measure_id"]) if measure else None
    if plan is None:
        return tags.P("No plan is saved for this stage: its measure's target is what the definitions say.",
                      className="small", id="plan-standing")
    org = records(current_warehouse().organisations())
    names = {o["id"]: o["name"] for o in org}
    who = f"{plan.recorded_by} ({names.get(plan.org_id, 'administrator')})"
    return parts.standing_plan(plan, measure["measure_name"], href("measure", measure["measure_id"], as_of), who)


def _fits(measure_id: str, made: _Made) -> str | None:
    """Why the plan cannot be the measure's trajectory, as the measure is published (a categorical measure,
    one with no direction of good, a plan ending in the period it starts in), or None."""
    found = records(current_warehouse().measures(Scope(measure=measure_id)))
    if not found:
        return "the measure is not published"
    measure = found[0]
    if measure.get("categories"):
        return f"{measure['name']} is a categorical measure: it has no trajectory of numbers"
    if measure.get("direction") == "none":
        return f"{measure['name']} has no direction of good: a plan cannot say which way is on track"
    try:
        plan_points(measure["frequency"], made.start, made.plan.backlog, made.target)
    except PlanProblem as e:
        return str(e)
    return None


def _published(said: str, by: str, measure_id: str, what: str) -> str:
    """Start the publish that judges the measure against its new target; what to tell the user."""
    return f"{said} {publish_plans(current_store(), by, plan=what, measure_id=measure_id)}"
