"""The goal map: every council, its objectives, each objective's lead and headline measure."""

from __future__ import annotations

import logging

import dash
import pandas as pd

from dashboard import components
from dashboard.app import current_warehouse, page_title
from dashboard.data import WarehouseError, WarehouseMissing
from dashboard.formatting import format_period

dash.register_page(
    __name__,
    path="/",
    name="Goal map",
    title=page_title("Goal map"),
    description="Every goal council's objectives, who leads each, and where its headline measure stands.",
    order=0,
    nav=True,
)

log = logging.getLogger(__name__)

LEAD = (
    "Each objective has one accountable lead organisation and one headline measure. "
    "Figures are the latest each organisation has submitted."
)


def layout(**_query):
    warehouse = current_warehouse()
    try:
        objectives, councils, as_of = warehouse.goal_map(), warehouse.councils(), warehouse.as_of()
    except WarehouseMissing:
        return [components.page_heading("Goal map"), components.no_data_notice()]
    except WarehouseError:
        log.exception("goal map: warehouse unreadable")
        return [components.page_heading("Goal map"), components.unreadable_notice()]
    return [components.page_heading("Goal map", LEAD), summary(objectives, councils, as_of.iloc[0])] + [
        components.goal_map_section(council, objectives[objectives.council_id == council["id"]], number)
        for number, council in enumerate(councils.to_dict("records"), 1)
    ]


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
