"""The goal map: every council, its objectives, each objective's lead and headline measure."""

from __future__ import annotations

import dash
import pandas as pd

from dashboard import components
from dashboard.components import goal_map as goal_map_parts
from dashboard.context import current_store, page_title
from dashboard.formatting import format_period
from dashboard.pages._shared import as_of_parts, page
from dashboard.pages.review_due import next_review_due
from dashboard.series import records
from dashboard.urls import AsOf, href
from published.reader import Scope, Warehouse

dash.register_page(
    __name__,
    path="/",
    name="Goal map",
    title=page_title("Goal map"),
    description="Every goal council's objectives, who leads each, and where its headline measure stands.",
    order=0,
    nav=True,
)

@page("Goal map")
def layout(warehouse: Warehouse, as_of: AsOf, **_query):
    as_at = as_of.as_at
    run = warehouse.judgement_run(as_at)
    # with the headlines' statuses in the same statement (those of `with_status`)
    objectives = (warehouse.goal_map(as_at, run["id"]) if run
                  else with_status(warehouse, warehouse.goal_map(as_at), as_at))
    councils, newest = warehouse.councils(as_at), warehouse.as_of(as_at)
    by_council: dict[str, list[dict]] = {}
    for row in records(objectives):
        by_council.setdefault(row["council_id"], []).append(row)
    every = records(councils)
    return [
        *as_of_parts(as_of, href("goal_map")),
        components.page_heading("Goal map", goal_map_parts.lead_text(as_of)),
        next_review(warehouse),
        summary(objectives, councils, newest.iloc[0]),
        components.status_glance(every, by_council),
    ] + [
        components.goal_map_section(council, by_council.get(council["id"], []), number, as_of)
        for number, council in enumerate(every, 1)
    ]


def next_review(warehouse: Warehouse):
    """The viewer's next review and what is due for it (dashboard.pages.review_due), for a signed-in viewer who
    takes part in it; nothing for the public."""
    due = next_review_due(warehouse, current_store())
    return goal_map_parts.next_review_panel(due) if due else None


def with_status(warehouse: Warehouse, objectives: pd.DataFrame, as_at) -> pd.DataFrame:
    """The headline's status, as the judgement run that stood at `as_at` stored it (none: not judged)."""
    run = warehouse.judgement_run(as_at)
    columns = ["measure_id", "status", "rag", "reason"]
    found = warehouse.statuses(run["id"], Scope(role="headline")) if run else pd.DataFrame(columns=columns)
    found = found[columns]
    return objectives.merge(found, on="measure_id", how="left")


def summary(objectives: pd.DataFrame, councils: pd.DataFrame, as_of: pd.Series):
    with_data = objectives.latest_period.notna().sum()
    return components.summary_figures(
        [
            ("Councils", f"{len(councils):,}"),
            ("Objectives", f"{len(objectives):,}"),
            ("Lead organisations", f"{objectives.lead_id.nunique():,}"),
            ("Headlines with data", f"{with_data:,} of {objectives.measure_id.notna().sum():,}"),
            ("Latest period", format_period(as_of["period"], as_of["frequency"])),
        ]
    )
