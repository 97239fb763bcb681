"""An end-to-end service: how work flows across the organisations that handle it, stage by stage, in a
chosen month (the diagram, demand against capacity, backlog and time in stage, the pinch point, end-to-end
time, failure demand, Little's-law data-quality notes), a "what if" panel and the "plan the workload" panel
(dashboard/pages/_service_plan.py). Everything shown was judged
at publish (etl/services.py); the what-if callback runs the small pure model (goal_councils/whatif.py)
on those stored figures. Stages whose measures the viewer may not see are left out, and so is everything
derived from them (the reader picks the flow computed without them)."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboard.components import breadcrumbs, no_judgements_notice, not_found, page_heading, tags
from dashboard.components import service as parts
from dashboard.components.pieces import graph
from dashboard.context import current_warehouse
from dashboard.formatting import format_number, format_period
from dashboard.pages._service_common import number, rows_in, service_view, stored
from dashboard.pages._service_plan import may_plan_any, register_callbacks
from dashboard.pages._shared import as_of_parts, entity_title, page, read_id
from dashboard.series import records
from dashboard.service_figures import demand_capacity_figure, stage_trend_figure, what_if_figure
from dashboard.urls import AsOf, href, read_as_of, with_as_of
from goal_councils.flow import Figures, Handoff
from goal_councils.whatif import what_if
from published.reader import Scope, Warehouse

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


register_callbacks()  # the plan panel's, with this page's


def layout(service_id: str = "", **query):
    return _layout(service_id=read_id(service_id), **query)


@page("Service")
def _layout(warehouse: Warehouse, as_of: AsOf, service_id: str, period: str | None = None, **_):
    found = records(warehouse.services(service_id=service_id))
    if not found:
        return not_found("service", service_id, as_of)
    service = found[0]
    view = service_view(warehouse, service_id, as_of)
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
        tags.P(["Serves: ", *_objective_links(served, as_of)], className="small") if served else None,
        tags.Div([tags.Label("Month shown", htmlFor="service-period", className="form-label fw-semibold mb-1"),
                  dcc.Dropdown(id="service-period", clearable=False, value=chosen,
                               options=[{"label": format_period(p, "monthly"), "value": p}
                                        for p in reversed(periods)])], className="col-md-4 mb-3"),
        tags.Div(_period_parts(warehouse, service, view, chosen, as_of), id="service-period-view"),
        tags.Section([
            tags.H2("Over time", className="h4 mt-4"),
            _trend(stages, view["flow"], "backlog", "Work waiting at the end of each month, by stage",
                   "Work waiting", 0),
            _trend(stages, view["flow"], "time_p90", "Time in stage, 90th percentile, days, by stage", "Days", 1),
            _trend(stages, view["flow"], "time_median", "Time in stage, median, days, by stage", "Days", 1),
        ]),
        tags.Section([
            tags.H2("What if", className="h4 mt-4"),
            tags.P("Change the demand on one stage, or its capacity, and see the work waiting and the time to the "
                   "outcome over the next 26 weeks, from the month shown. A simple flow model of the stored "
                   "figures: see Methods.", className="small"),
            parts.what_if_controls(stages, pinch),
            dcc.Loading(tags.Div(id="what-if-result")),
        ]),
        tags.Section([
            tags.H2("Plan the workload", className="h4 mt-4"),
            tags.P("How much a stage must complete each week to bring its work waiting down to a level by a date, "
                   "from the month shown, with demand as its arrivals' forecast says (or, without one, as in "
                   "that month); the work waiting week by week on that plan; and, given the staff, the people it "
                   "needs. Saved, the plan becomes the milestone trajectory of the stage's work-waiting measure: "
                   "its status is judged against the plan from the next publish, which saving starts.",
                   className="small"),
            parts.plan_controls(stages, rows_in(view, chosen), pinch),
            dcc.Loading(tags.Div(id="plan-result")),
            parts.plan_save_panel() if may_plan_any(service, stages, served) else None,
        ]),
        tags.Section([tags.H2("Measures of this service", className="h4 mt-4"),
                      parts.measure_links(stages, view["measures"], as_of),
                      tags.P(dcc.Link("How these figures are worked out", href="/methods"),
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
        return tags.Div()
    said = [f"{t['name']}: {format_number(t['y'][-1], decimals)} in the latest month" for t in figure["data"]]
    return graph(figure, summary=f"Chart of {title}. " + "; ".join(said) + ". Every month's figure is on the "
                 "stage's measure pages.")


def _period_parts(warehouse: Warehouse, service: dict, view: dict, period: str, as_of: AsOf) -> list:
    stages = view["stages"]
    rows = rows_in(view, period)
    found = [p for p in view["periods"] if p["period"] == period]
    pinch = found[0]["pinch_stage"] if found else None
    volumes = [v for v in view["handoff_flow"] if v["period"] == period]
    caption = f"Each stage's figures for {format_period(period, 'monthly')}"
    figure = demand_capacity_figure(stages, rows, title=f"Demand and capacity by stage, "
                                                           f"{format_period(period, 'monthly')}")
    return [
        parts.period_summary(found[0] if found else None, stages, rows),
        _groups(warehouse, service, period, as_of),
        tags.Section([tags.H2("How work flows", className="h4"),
                      tags.P("Each column is a step; arrows say how much each stage handed on, how much left the "
                             "service and how much came back as failure demand.", className="small"),
                      parts.stage_diagram(stages, view["handoffs"], rows, volumes, pinch, as_of)]),
        tags.Section([tags.H2("Stage by stage", className="h4 mt-3"),
                      graph(figure, summary=caption + ", drawn as bars; the table below holds every figure."),
                      parts.stage_table(stages, rows, pinch, caption),
                      tags.P("Load: work arriving as a share of capacity. Change: arrivals minus completions, what "
                             "the month added to the work waiting.", className="small text-body-secondary mt-1")]),
        tags.Section([tags.H2("Do the figures agree?", className="h4 mt-3"),
                      parts.quality_notes(stages, rows, float(service["little_tolerance"]))]),
    ]


def _groups(warehouse: Warehouse, service: dict, period: str, as_of: AsOf) -> html.Div:
    """The service's own end-to-end measure by user group, where it is broken down (the viewer's scope holds)."""
    measure_id = service.get("end_to_end_p90") or service.get("end_to_end_median")
    if not measure_id:
        return tags.Div()
    measure = records(warehouse.measures(Scope(measure=measure_id)))
    if not measure:
        return tags.Div()
    rows = records(warehouse.values(Scope(measure=measure_id), as_of.as_at, dimension=None))
    return parts.user_groups(rows, measure[0]["name"], period, as_of, measure_id)


# month picker -> the month's diagram, table, pinch point and notes
@callback(Output("service-period-view", "children"), Input("service-period", "value"), State("service-page", "data"),
          prevent_initial_call=True)
def show_period(period, data):
    found = stored(data)
    if found is None or not isinstance(period, str):
        return dash.no_update
    service, view = found
    return _period_parts(current_warehouse(), service, view, period, read_as_of(data.get("as_of")))


# what-if controls -> projected backlog and end-to-end time
@callback(Output("what-if-result", "children"), Input("what-if-stage", "value"), Input("what-if-lever", "value"),
          Input("what-if-percent", "value"), Input("service-period", "value"), State("service-page", "data"))
def show_what_if(stage, lever, percent, period, data):
    found = stored(data)
    if found is None:
        return tags.P("Nothing to project.", className="small")
    _, view = found
    return _what_if(view, stage, lever, percent, period)


def _what_if(view: dict, stage, lever, percent, period) -> html.Div:
    stages = view["stages"]
    order = [s["stage_id"] for s in stages]
    percent = _percent(percent)
    if stage not in order or lever not in LEVERS or percent is None:
        return tags.P("Choose a stage, what to change and by how much: a whole number of percent from -90 to 200.",
                      className="small")
    periods = [p["period"] for p in view["periods"]]
    period = period if period in periods else periods[-1]
    rows = rows_in(view, period)
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
    return tags.Div([parts.what_if_words(base, changed, stages, shown),
                     graph(what_if_figure(base, changed, stages, shown, title=title),
                           summary=title + ": the list above gives the figures after 26 weeks.")])


def _percent(value) -> float | None:
    """The percentage typed (text like "10", "-25" or "+5%"), within PERCENT_RANGE; None when it is not one."""
    found = number(value.strip().removesuffix("%") if isinstance(value, str) else value)
    return found if found is not None and PERCENT_RANGE[0] <= found <= PERCENT_RANGE[1] else None


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
