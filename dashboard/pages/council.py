"""A goal council: its goal, chair and members; each objective as a card with lead, status,
headline sparkline against target, and its contributing measures counted by status."""

from __future__ import annotations

from datetime import date

import dash
import pandas as pd
from dash import html

from dashboard import components, figures
from dashboard.components.council import council_counts
from dashboard.context import current_public_text
from dashboard.pages._shared import as_of_parts, entity_title, page, read_id
from dashboard.public_documents import org_names
from dashboard.series import records, rows_by
from dashboard.summaries import objective_status, plan_points, summaries
from dashboard.urls import AsOf, href
from published.judgements import stored_statuses
from published.reader import Scope, Warehouse

SPARKLINE_YEARS = 5


def _name(warehouse: Warehouse, council_id: str) -> str | None:
    # every council, as the page reads them: one statement in a request, not two
    found = warehouse.councils()
    names = found.name[found.id == council_id]
    return None if names.empty else str(names.iloc[0])


dash.register_page(
    __name__,
    path_template="/council/<council_id>",
    name="Council",
    title=entity_title(_name),
    exists=_name,  # the guard answers 404 for an id that names nothing
    description="A goal council's objectives: who leads each, its status against plan and its headline measure.",
)


def layout(council_id: str = "", **query):
    return _layout(council_id=read_id(council_id), **query)


@page("Council")
def _layout(warehouse: Warehouse, as_of: AsOf, council_id: str, **_):
    councils = records(warehouse.councils())
    numbers = {c["id"]: i for i, c in enumerate(councils, 1)}  # as numbered on the goal map
    if council_id not in numbers:
        return components.not_found("council", council_id, as_of)
    council, scope = councils[numbers[council_id] - 1], Scope(council=council_id)
    # every measure's stored status for the roll-ups; figures and plans for the headlines alone,
    # which are all the cards draw
    heads = Scope(council=council_id, role="headline")
    objectives, measures, plan = (
        records(warehouse.objectives(council_id=council_id)),
        records(warehouse.measures(scope)),
        records(warehouse.plan(heads)),
    )
    totals = warehouse.values(heads, as_of.as_at)
    series = rows_by(totals)
    found = summaries(measures, series, stored_statuses(warehouse, scope, as_of.as_at))
    rollups = {o["objective_id"]: objective_status(o, measures, found) for o in objectives}
    start = sparkline_start(totals, as_of)
    cards = [
        _card(o, f"{numbers[council_id]}.{i}", measures, series, plan, found, rollups[o["objective_id"]], start, as_of)
        for i, o in enumerate(objectives, 1)
    ]
    return [
        components.breadcrumbs([("Goal map", href("goal_map", as_of=as_of)), (council["name"], None)]),
        *as_of_parts(as_of, href("council", council_id)),
        components.page_heading(council["name"], council.get("goal")),
        components.council_header(council, warehouse.council_members(council_id), as_of),
        components.summary_figures(council_counts(rollups)),
        components.objective_cards(cards),
        _actions(warehouse, council_id, objectives, measures, as_of),
    ]


def _actions(warehouse: Warehouse, council_id: str, objectives: list[dict], measures: list[dict],
             as_of: AsOf) -> html.Section:
    """The public actions the council has agreed, about any of its objectives or the measures shown."""
    actions = current_public_text().actions_for(council_id=council_id, measure_ids=[m["id"] for m in measures])
    about = {o["objective_id"]: o["objective_name"] for o in objectives} | {m["id"]: m["name"] for m in measures}
    return components.public_actions_section(
        actions, org_names(warehouse) if actions else {}, about, date.today(), as_of,
        lead=(f"What the council has agreed to do, who owns each action and when it is due. "
              f"{components.TODAY_WORDS if as_of.month else ''}").strip())


def sparkline_start(totals: pd.DataFrame, as_of: AsOf) -> date:
    """Cards show the last SPARKLINE_YEARS years up to the newest figure (or the as-of month)."""
    end = totals.period_start.max() if len(totals) else None
    end = end.date() if end is not None and not pd.isna(end) else (as_of.month_start or date.today())
    return date(end.year - SPARKLINE_YEARS, end.month, 1)


def _card(objective, number, measures, series, plan, found, rollup, start, as_of):
    heads = [m for m in measures if m["objective_id"] == objective["objective_id"] and m["role"] == "headline"]
    if not heads:
        return components.objective_card(objective, number, None, None, rollup, None, as_of)
    measure = heads[0]
    figure = figures.sparkline_figure(
        measure,
        series.get(measure["id"], []),
        plan_points(measure, plan),
        colour=figures.org_colour(objective["lead_colour_index"]),
        start=start,
    )
    return components.objective_card(objective, number, measure, found[measure["id"]], rollup, figure, as_of)
