"""An objective: the headline measure against its trajectory on top, then every partner
organisation's measures side by side as small multiples on one shared time axis, then a table
of all the objective's measures with changes, status and data freshness."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import dash
import pandas as pd
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from dashboard import components, figures
from dashboard.components import tags
from dashboard.context import current_public_text, current_warehouse
from dashboard.navigation import output_key
from dashboard.pages._shared import as_of_parts, entity_title, page, read_id
from dashboard.public_documents import org_names
from dashboard.series import records, rows_by
from dashboard.summaries import (
    objective_status,
    plan_points,
    summaries,
)
from dashboard.urls import AsOf, href, read_as_of, with_as_of
from published.judgements import stored_judgements
from published.reader import Scope, Warehouse

WINDOWS = {"3": "Last 3 years", "5": "Last 5 years", "10": "Last 10 years"}
DEFAULT_WINDOW = "3"


def _name(warehouse: Warehouse, objective_id: str) -> str | None:
    found = warehouse.objectives(objective_id=objective_id)
    return None if found.empty else str(found.objective_name.iloc[0])


dash.register_page(
    __name__,
    path_template="/objective/<objective_id>",
    name="Objective",
    title=entity_title(_name),
    exists=_name,  # the guard answers 404 for an id that names nothing
    description="An objective's headline measure against plan, and every partner's measures side by side.",
)


def layout(objective_id: str = "", **query):
    return _layout(objective_id=read_id(objective_id), **query)


@page("Objective")
def _layout(warehouse: Warehouse, as_of: AsOf, objective_id: str, **_):
    found_objective = records(warehouse.objectives(objective_id=objective_id))
    if not found_objective:
        return components.not_found("objective", objective_id, as_of)
    objective, scope = found_objective[0], Scope(objective=objective_id)
    partners, measures, plan = (
        records(warehouse.partners(objective_id)),
        records(warehouse.measures(scope)),
        records(warehouse.plan(scope)),
    )
    totals = warehouse.values(scope, as_of.as_at)
    series = rows_by(totals)
    judged = stored_judgements(warehouse, scope, as_of.as_at)  # statuses, timeliness and groups: one statement
    found = summaries(measures, series, judged.statuses, judged.timeliness)
    end = window_end(totals, as_of)
    x_range = window(end, DEFAULT_WINDOW)
    leads = [p for p in partners if p["role"] == "lead"]
    return [
        components.breadcrumbs(
            [
                ("Goal map", href("goal_map", as_of=as_of)),
                (objective["council_name"], href("council", objective["council_id"], as_of)),
                (objective["objective_name"], None),
            ]
        ),
        *as_of_parts(as_of, href("objective", objective_id)),
        components.page_heading(objective["objective_name"], objective.get("objective_statement")),
        components.objective_header(leads[0] if leads else None, objective_status(objective, measures, found), as_of),
        _headline(measures, series, plan, found, as_of),
        _side_by_side(partners, measures, found, panel_figures(measures, series, plan, x_range), x_range, as_of),
        components.measures_section(measures, found, as_of),
        _divergent(judged.groups, measures, as_of),
        _services(warehouse, objective_id, as_of),
        _actions(warehouse, objective, measures, as_of),
        dcc.Store(id="objective-page", data={"objective": objective_id, "as_of": as_of.month, "end": end.isoformat()}),
    ]


def _actions(warehouse: Warehouse, objective: dict, measures: list[dict], as_of: AsOf) -> html.Section:
    """The public actions agreed for the objective or one of the measures shown."""
    actions = current_public_text().actions_for(objective_id=objective["objective_id"],
                                                measure_ids=[m["id"] for m in measures])
    about = {m["id"]: m["name"] for m in measures}
    return components.public_actions_section(
        actions, org_names(warehouse) if actions else {}, about, date.today(), as_of,
        lead=(f"What the organisations of this objective have agreed to do, who owns each action and when it is "
              f"due. {components.TODAY_WORDS if as_of.month else ''}").strip())


def _services(warehouse: Warehouse, objective_id: str, as_of: AsOf) -> html.Section | None:
    """Links to the end-to-end services the objective is served by (dashboard/pages/service.py)."""
    found = records(warehouse.services(objective_id=objective_id))
    if not found:
        return None
    links = [tags.Li(dcc.Link(s["name"], href=with_as_of(f"/service/{quote(s['id'], safe='')}", as_of)))
             for s in found]
    return tags.Section([tags.H2("End-to-end services", className="h4 mt-4"),
                         tags.Ul(links, className="small", id="objective-services")])


def _divergent(found: dict[str, list], measures: list[dict], as_of: AsOf) -> html.Section:
    """Groups that averages hide, across every measure of the objective (worse first); `found`: each
    measure's stored groups (`stored_judgements(...).groups`), in measure id order."""
    names = {m["id"]: m["name"] for m in measures}
    items = [tags.Li([dcc.Link(names[mid], href=href("measure", mid, as_of)), f" — {d.reason}"])
             for mid, groups in found.items() for d in groups if d.worse]
    body = (tags.Ul(items[:12], className="small", id="objective-divergent") if items
            else tags.P("No group of any declared breakdown is moving away from the whole on the worse side.",
                        className="small", id="objective-divergent"))
    return tags.Section([tags.H2("Groups the averages hide", className="h4 mt-4"), body])


def window_end(totals: pd.DataFrame, as_of: AsOf) -> date:
    """The month the shared time axis ends: the newest period with figures (or the as-of month)."""
    newest = totals.period_start.max() if len(totals) else None
    if newest is not None and not pd.isna(newest):
        return date(newest.year, newest.month, 1)
    return as_of.month_start or date.today().replace(day=1)


def window(end: date, years: str) -> tuple[date, date]:
    """The shared time axis: `years` years up to and including the month starting at `end`."""
    span = int(years) if years in WINDOWS else int(DEFAULT_WINDOW)
    months = end.year * 12 + end.month - 1 - (12 * span - 1)
    return date(months // 12, months % 12 + 1, 1), end


def panel_figures(measures: list[dict], series: dict, plan: list[dict], x_range) -> dict[str, dict]:
    """The small multiple of every measure, all on the same time axis."""
    return {
        m["id"]: figures.panel_figure(
            m,
            series.get(m["id"], []),
            plan_points(m, plan),
            colour=figures.org_colour(m["colour_index"]),
            x_range=x_range,
        )
        for m in measures
    }


def _headline(measures, series, plan, found, as_of):
    heads = [m for m in measures if m["role"] == "headline"]
    if not heads:
        return components.notice("No headline measure", "This objective has no headline measure defined yet.")
    measure = heads[0]
    figure = figures.trend_figure(
        measure,
        series.get(measure["id"], []),
        plan_points(measure, plan),
        colour=figures.org_colour(measure["colour_index"]),
        title=figures.chart_title(measure),
    )
    return components.headline_section(measure, found[measure["id"]], figure, as_of)


def _side_by_side(partners, measures, found, panels, x_range, as_of):
    by_owner: dict[str, list[dict]] = {}
    for m in measures:
        by_owner.setdefault(m["owner_id"], []).append(m)
    rows = list(partners)
    named = {p["org_id"] for p in partners}
    # owners of measures here that are not named partners still get their row, after the partners
    for owner, mine in by_owner.items():
        if owner not in named:
            rows.append(
                {
                    "org_id": owner,
                    "org_name": mine[0]["owner_name"],
                    "colour_index": mine[0]["colour_index"],
                    "role": None,
                    "responsibility": "Submits measures for this objective but is not a named partner.",
                }
            )
    blocks = [
        components.partner_block(
            partner,
            [
                components.measure_panel(m, found[m["id"]], panels[m["id"]], as_of)
                for m in by_owner.get(partner["org_id"], [])
            ],
            as_of,
        )
        for partner in rows
    ]
    return components.partners_section(blocks, components.panel_controls(*x_range, WINDOWS, DEFAULT_WINDOW))


# time window -> every small multiple of the objective, on the new shared axis
@callback(
    Output({"type": "objective-panel", "measure": ALL}, "figure"),
    Output("panel-window-caption", "children"),
    Input("panel-window", "value"),
    State("objective-page", "data"),
    prevent_initial_call=True,
)
def redraw_panels(years, page_data):
    objective_id, as_of, end = _checked(page_data)
    x_range, scope, warehouse = window(end, str(years)), Scope(objective=objective_id), current_warehouse()
    series = rows_by(warehouse.values(scope, as_of.as_at, since=x_range[0]))
    drawn = panel_figures(records(warehouse.measures(scope)), series, records(warehouse.plan(scope)), x_range)
    wanted = [output_key(o, "measure") for o in ctx.outputs_list[0]]
    return [drawn.get(m, figures.empty_figure("Not in this objective")) for m in wanted], components.window_caption(
        *x_range
    )


def _checked(page_data) -> tuple[str, AsOf, date]:
    """The page's own store, re-checked: it comes back from the browser."""
    data = page_data if isinstance(page_data, dict) else {}
    as_of = read_as_of(data.get("as_of"))
    try:
        end = date.fromisoformat(str(data.get("end")))
    except ValueError:
        end = as_of.month_start or date.today().replace(day=1)
    return read_id(data.get("objective")), as_of, end
