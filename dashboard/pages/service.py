"""An end-to-end service: how work flows across the organisations that handle it, stage by stage, in a
chosen month (the diagram, demand against capacity, backlog and time in stage, the pinch point, end-to-end
time, failure demand, Little's-law data-quality notes), and a "what if" panel. Everything shown was judged
at publish (etl/services.py); the what-if callback runs the small pure model (goal_councils/whatif.py)
on those stored figures. Stages whose measures the viewer may not see are left out, and so is everything
derived from them (the reader picks the flow computed without them)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import NamedTuple

import dash
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html

from dashboard.auth import allows
from dashboard.components import breadcrumbs, no_judgements_notice, not_found, page_heading
from dashboard.components import service as parts
from dashboard.components.pieces import graph
from dashboard.context import current_store, current_warehouse
from dashboard.formatting import format_number, format_period
from dashboard.pages._shared import as_of_parts, entity_title, page, read_id
from dashboard.reloads import publish_plans
from dashboard.series import records
from dashboard.service_figures import demand_capacity_figure, stage_trend_figure, what_if_figure
from dashboard.urls import AsOf, href, read_as_of, with_as_of
from goal_councils.flow import Figures, Handoff
from goal_councils.periods import shift_period
from goal_councils.plans import PlanProblem, plan_points
from goal_councils.whatif import WEEKS_PER_MONTH, Staffing, WorkloadPlan, plan_workload, staffing, what_if
from published.access import current_viewer
from published.judgements import stored_assessments
from published.reader import Scope, Warehouse, WarehouseError
from workflow.review import ReviewError

log = logging.getLogger(__name__)

LEVERS = ("demand", "capacity")
PERCENT_RANGE = (-90, 200)


def _name(warehouse: Warehouse, service_id: str) -> str | None:
    found = warehouse.services(service_id=service_id)
    return None if found.empty else str(found.name.iloc[0])


dash.register_page(
    __name__,
    path_template="/service/<service_id>",
    name="Service",
    title=entity_title(_name),
    exists=_name,
    description="An end-to-end service across organisations: flow, backlog, pinch point and what if.",
)


def layout(service_id: str = "", **query):
    return _layout(service_id=read_id(service_id), **query)


def _view(warehouse: Warehouse, service_id: str, as_of: AsOf) -> dict | None:
    """The stored service as this viewer may see it, as at the as-of month: None when nothing is judged."""
    run = warehouse.judgement_run(as_of.as_at)
    if run is None:
        return None
    frames = warehouse.service_view(service_id, run["id"])
    return {name: records(frame) for name, frame in frames.items()}


def _rows_in(view: dict, period: str | None) -> dict[str, dict]:
    return {r["stage_id"]: r for r in view["flow"] if r["period"] == period}


@page("Service")
def _layout(warehouse: Warehouse, as_of: AsOf, service_id: str, period: str | None = None, **_):
    found = records(warehouse.services(service_id=service_id))
    if not found:
        return not_found("service", service_id, as_of)
    service = found[0]
    view = _view(warehouse, service_id, as_of)
    if view is not None and not view["stages"]:  # no stage this viewer may see: as if there were no service
        return not_found("service", service_id, as_of)
    objectives = records(warehouse.objectives())
    served = [o for o in objectives if o["objective_id"] in (service["objectives"] or "").split(",")]
    crumbs = [("Goal map", href("goal_map", as_of=as_of))]
    crumbs += [(o["objective_name"], href("objective", o["objective_id"], as_of)) for o in served[:1]]
    head = [breadcrumbs([*crumbs, (service["name"], None)]),
            *as_of_parts(as_of, with_as_of(f"/service/{service_id}")),
            page_heading(service["name"], service.get("description"))]
    if view is None or not view["periods"]:
        return [*head, no_judgements_notice(warehouse.first_judgement())]
    periods = [p["period"] for p in view["periods"]]
    chosen = period if isinstance(period, str) and period in periods else periods[-1]
    stages = view["stages"]
    pinch = next((p["pinch_stage"] for p in view["periods"] if p["period"] == chosen), None)
    return [
        *head,
        html.P(["Serves: ", *_objective_links(served, as_of)], className="small") if served else None,
        html.Div([html.Label("Month shown", htmlFor="service-period", className="form-label fw-semibold mb-1"),
                  dcc.Dropdown(id="service-period", clearable=False, value=chosen,
                               options=[{"label": format_period(p, "monthly"), "value": p}
                                        for p in reversed(periods)])], className="col-md-4 mb-3"),
        html.Div(_period_parts(warehouse, service, view, chosen, as_of), id="service-period-view"),
        html.Section([
            html.H2("Over time", className="h4 mt-4"),
            _trend(stages, view["flow"], "backlog", "Work waiting at the end of each month, by stage",
                   "Work waiting", 0),
            _trend(stages, view["flow"], "time_p90", "Time in stage, 90th percentile, days, by stage", "Days", 1),
            _trend(stages, view["flow"], "time_median", "Time in stage, median, days, by stage", "Days", 1),
        ]),
        html.Section([
            html.H2("What if", className="h4 mt-4"),
            html.P("Change the demand on one stage, or its capacity, and see the work waiting and the time to the "
                   "outcome over the next 26 weeks, from the month shown. A simple flow model of the stored "
                   "figures: see Methods.", className="small"),
            parts.what_if_controls(stages, pinch),
            dcc.Loading(html.Div(id="what-if-result")),
        ]),
        html.Section([
            html.H2("Plan the workload", className="h4 mt-4"),
            html.P("How much a stage must complete each week to bring its work waiting down to a level by a date, "
                   "from the month shown, with demand as its arrivals' forecast says (or, without one, as in "
                   "that month); the work waiting week by week on that plan; and, given the staff, the people it "
                   "needs. Saved, the plan becomes the milestone trajectory of the stage's work-waiting measure: "
                   "its status is judged against the plan from the next publish, which saving starts.",
                   className="small"),
            parts.plan_controls(stages, _rows_in(view, chosen), pinch),
            dcc.Loading(html.Div(id="plan-result")),
            parts.plan_save_panel() if _may_plan_any(service, stages, served) else None,
        ]),
        html.Section([html.H2("Measures of this service", className="h4 mt-4"),
                      parts.measure_links(stages, view["measures"], as_of),
                      html.P(dcc.Link("How these figures are worked out", href="/methods"),
                             className="small")]),
        dcc.Store(id="service-page", data={"service": service_id, "as_of": as_of.month}),
    ]


def _objective_links(served: list[dict], as_of: AsOf) -> list:
    out = []
    for i, o in enumerate(served):
        out += ([", "] if i else []) + [dcc.Link(o["objective_name"], href=href("objective", o["objective_id"], as_of))]
    return out


def _trend(stages, flow, column: str, title: str, y_title: str, decimals: int) -> html.Div:
    figure = stage_trend_figure(stages, flow, column, title=title, y_title=y_title, decimals=decimals)
    if not figure["data"]:
        return html.Div()
    said = [f"{t['name']}: {t['y'][-1]:,.{decimals}f} in the latest month" for t in figure["data"]]
    return graph(figure, summary=f"Chart of {title}. " + "; ".join(said) + ". Every month's figure is on the "
                 "stage's measure pages.")


def _period_parts(warehouse: Warehouse, service: dict, view: dict, period: str, as_of: AsOf) -> list:
    stages = view["stages"]
    rows = _rows_in(view, period)
    found = [p for p in view["periods"] if p["period"] == period]
    pinch = found[0]["pinch_stage"] if found else None
    volumes = [v for v in view["handoff_flow"] if v["period"] == period]
    caption = f"Each stage's figures for {format_period(period, 'monthly')}"
    figure = demand_capacity_figure(stages, rows, title=f"Demand and capacity by stage, "
                                                           f"{format_period(period, 'monthly')}")
    return [
        parts.period_summary(found[0] if found else None, stages, rows),
        _groups(warehouse, service, period, as_of),
        html.Section([html.H2("How work flows", className="h4"),
                      html.P("Each column is a step; arrows say how much each stage handed on, how much left the "
                             "service and how much came back as failure demand.", className="small"),
                      parts.stage_diagram(stages, view["handoffs"], rows, volumes, pinch, as_of)]),
        html.Section([html.H2("Stage by stage", className="h4 mt-3"),
                      graph(figure, summary=caption + ", drawn as bars; the table below holds every figure."),
                      parts.stage_table(stages, rows, pinch, caption),
                      html.P("Load: work arriving as a share of capacity. Change: arrivals minus completions, what "
                             "the month added to the work waiting.", className="small text-body-secondary mt-1")]),
        html.Section([html.H2("Do the figures agree?", className="h4 mt-3"),
                      parts.quality_notes(stages, rows, float(service["little_tolerance"]))]),
    ]


def _groups(warehouse: Warehouse, service: dict, period: str, as_of: AsOf) -> html.Div:
    """The service's own end-to-end measure by user group, where it is broken down (the viewer's scope holds)."""
    measure_id = service.get("end_to_end_p90") or service.get("end_to_end_median")
    if not measure_id:
        return html.Div()
    measure = records(warehouse.measures(Scope(measure=measure_id)))
    if not measure:
        return html.Div()
    rows = records(warehouse.values(Scope(measure=measure_id), as_of.as_at, dimension=None))
    return parts.user_groups(rows, measure[0]["name"], period, as_of, measure_id)


def _read(data) -> tuple[str, AsOf] | None:
    if not isinstance(data, dict) or not isinstance(data.get("service"), str):
        return None
    return data["service"][:200], read_as_of(data.get("as_of"))


def _stored(data) -> tuple[dict, dict] | None:
    """The service and its stored view for the page's store, read again for this caller (never trusted)."""
    found = _read(data)
    if found is None:
        return None
    service_id, as_of = found
    try:
        warehouse = current_warehouse()
        service = records(warehouse.services(service_id=service_id))
        view = _view(warehouse, service_id, as_of) if service else None
    except WarehouseError:
        return None
    return (service[0], view) if view and view["periods"] else None


# month picker -> the month's diagram, table, pinch point and notes
@callback(Output("service-period-view", "children"), Input("service-period", "value"), State("service-page", "data"),
          prevent_initial_call=True)
def show_period(period, data):
    found = _stored(data)
    if found is None or not isinstance(period, str):
        return dash.no_update
    service, view = found
    return _period_parts(current_warehouse(), service, view, period, read_as_of(data.get("as_of")))


# what-if controls -> projected backlog and end-to-end time
@callback(Output("what-if-result", "children"), Input("what-if-stage", "value"), Input("what-if-lever", "value"),
          Input("what-if-percent", "value"), Input("service-period", "value"), State("service-page", "data"))
def show_what_if(stage, lever, percent, period, data):
    found = _stored(data)
    if found is None:
        return html.P("Nothing to project.", className="small")
    _, view = found
    return _what_if(view, stage, lever, percent, period)


# plan controls -> the capacity a stage needs, the people, and its week-by-week profile
PLAN_INPUTS = [Input("plan-stage", "value"), Input("plan-target", "value"), Input("plan-weeks", "value"),
               Input("plan-staff", "value"), Input("plan-absence", "value"), Input("plan-productivity", "value"),
               Input("service-period", "value")]


@callback(Output("plan-result", "children"), *PLAN_INPUTS, State("service-page", "data"))
def show_plan(stage, target, weeks, staff, absence, productivity, period, data):
    found = _stored(data)
    if found is None:
        return html.P("Nothing to plan.", className="small")
    service, view = found
    made = _plan(current_warehouse(), view, _read(data)[1], stage, target, weeks, staff, absence, productivity,
                 period)
    if isinstance(made, str):
        return html.P(made, className="small", id="plan-words")
    out = [parts.plan_words(made.plan, made.stage_name, made.target, made.start, made.by, made.demand_from,
                            made.team)]
    if _may_plan(service, view, stage):
        out.append(_standing(view, stage, _read(data)[1]))
    return html.Div(out)


# save / withdraw -> the plan as the stage's work-waiting measure's milestone trajectory, and a publish
@callback(Output("plan-saved", "children"), Input("plan-save", "n_clicks"), Input("plan-withdraw", "n_clicks"),
          *[State(i.component_id, i.component_property) for i in PLAN_INPUTS], State("service-page", "data"),
          prevent_initial_call=True)
def save_plan(_save, _withdraw, stage, target, weeks, staff, absence, productivity, period, data):
    found = _stored(data)
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
    made = _plan(current_warehouse(), view, _read(data)[1], stage, target, weeks, staff, absence, productivity,
                 period)
    if isinstance(made, str):
        return made
    extra = {"capacity_needed": round(made.plan.capacity_needed, 2), "capacity_now": round(made.plan.capacity_now, 2),
             "demand": round(made.plan.demand, 2), "demand_from": made.demand_from}
    if made.team is not None:
        extra |= {"staff": made.team.staff, "absence": made.team.absence,
                  "productivity": round(made.team.productivity, 3),
                  "staff_needed": round(made.team.staff_for(made.plan.capacity_needed) or 0, 2)}
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
    row = _rows_in(view, period).get(stage) if isinstance(stage, str) else None
    wanted = _number(target)
    if row is None or row.get("backlog") is None or weeks not in parts.PLAN_WEEKS or wanted is None or wanted < 0:
        return ("Choose a stage that measures its work waiting, the work waiting wanted (a number, 0 or more) "
                "and within how many weeks.")
    arrivals = row["arrivals"] if row.get("arrivals") is not None else row.get("completions") or 0.0
    capacity = row.get("capacity") or max(row.get("completions") or 0.0, row.get("best_completions") or 0.0)
    start = _month_end(row["period_start"])
    team = None
    if str(staff or "").strip():
        people, share, each = _number(staff), _number(absence if str(absence or "").strip() else "0"), (
            _number(productivity) if str(productivity or "").strip() else None)
        if people is None or people <= 0 or share is None or not 0 <= share < 100 or (
                str(productivity or "").strip() and (each is None or each <= 0)):
            return ("Give the staff in post as a number more than 0, leave and absence as a percentage from 0 to "
                    "under 100, and what one person completes a week as a number more than 0 (or leave it blank).")
        team = staffing(people, share / 100, capacity / WEEKS_PER_MONTH, each)
        capacity = team.capacity * WEEKS_PER_MONTH
    demand, demand_from = _demand(warehouse, view, stage, start, weeks, as_of, arrivals)
    plan = plan_workload(row["backlog"], demand, capacity / WEEKS_PER_MONTH, wanted, weeks)
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


def _may_plan_any(service: dict, stages: list[dict], served: list[dict]) -> bool:
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
        return html.P("No plan is saved for this stage: its measure's target is what the definitions say.",
                      className="small", id="plan-standing")
    org = records(current_warehouse().organisations())
    names = {o["id"]: o["name"] for o in org}
    who = f"{plan.recorded_by} ({names.get(plan.org_id, 'administrator')})"
    return parts.standing_plan(plan, measure["measure_name"], href("measure", measure["measure_id"], as_of), who)


def _fits(measure_id: str, made: _Made) -> str | None:
    """Why the plan cannot be the measure's trajectory (a plan ending in the month it starts), or None."""
    try:
        plan_points("monthly", made.start, made.plan.backlog, made.target)
    except PlanProblem as e:
        return str(e)
    return None


def _published(said: str, by: str, measure_id: str, what: str) -> str:
    """Start the publish that judges the measure against its new target; what to tell the user."""
    return f"{said} {publish_plans(current_store(), by, plan=what, measure_id=measure_id)}"


def _month_end(start) -> date:
    """The last day of the month starting at `start` (a date or timestamp): where a plan starts."""
    day = date(start.year, start.month, 1)
    return date(day.year + day.month // 12, day.month % 12 + 1, 1) - timedelta(days=1)


def _number(value) -> float | None:
    text = str(value).strip().replace(",", "") if isinstance(value, str | int | float) and not isinstance(
        value, bool) else ""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) < 1e12 else None


def _what_if(view: dict, stage, lever, percent, period) -> html.Div:
    stages = view["stages"]
    order = [s["stage_id"] for s in stages]
    percent = _percent(percent)
    if stage not in order or lever not in LEVERS or percent is None:
        return html.P("Choose a stage, what to change and by how much: a whole number of percent from -90 to 200.",
                      className="small")
    periods = [p["period"] for p in view["periods"]]
    period = period if period in periods else periods[-1]
    rows = _rows_in(view, period)
    next_of = {s: [h["to_stage"] for h in view["handoffs"] if h["from_stage"] == s] for s in order}
    figures = {s: _figures(rows.get(s, {})) for s in order}
    flows = [Handoff(v["from_stage"], v["to_stage"], v["volume"])
             for v in view["handoff_flow"] if v["period"] == period]
    best = {s: r["best_completions"] for s, r in rows.items() if r.get("best_completions") is not None}
    base, changed = what_if(order, next_of, figures, flows, best, stage, lever, percent)
    shown = [stage] + [s for s in order if order.index(s) > order.index(stage) and _downstream(stage, s, next_of)]
    word = "demand" if lever == "demand" else "capacity"
    names = {s["stage_id"]: s["name"] for s in stages}
    title = f"Work waiting if {word} at {names[stage]} changes by {percent:+.0f}%"
    return html.Div([parts.what_if_words(base, changed, stages, shown),
                     graph(what_if_figure(base, changed, stages, shown, title=title),
                           summary=title + ": the list above gives the figures after 26 weeks.")])


def _percent(value) -> float | None:
    """The percentage typed (text like "10", "-25" or "+5%"), within PERCENT_RANGE; None when it is not one."""
    number = _number(value.strip().removesuffix("%") if isinstance(value, str) else value)
    return number if number is not None and PERCENT_RANGE[0] <= number <= PERCENT_RANGE[1] else None


def _downstream(source: str, target: str, next_of: dict[str, list[str]]) -> bool:
    todo, seen = list(next_of.get(source, [])), set()
    while todo:
        s = todo.pop()
        if s == target:
            return True
        if s not in seen:
            seen.add(s)
            todo += next_of.get(s, [])
    return False


def _figures(row: dict) -> Figures:
    keys = ("arrivals", "completions", "backlog", "time_median", "time_p90", "failure_demand", "right_first_time",
            "capacity")
    return Figures(**{k: (None if row.get(k) is None else float(row[k])) for k in keys})
