"""A measure by a breakdown reads in words: each line, legend entry, panel and hover names its group as
the group is called ("Northfield", never the key "region=Northfield" or "region Northfield"), the breakdown
is named above the chart, and every hover value carries the measure's unit as the total's does."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard import figures

REFERRALS = {
    "id": "jobcoach_youth_referrals",
    "name": "Young jobseekers referred to a youth job coach",
    "frequency": "monthly",
    "direction": "up",
    "unit": "count",
    "unit_label": "referrals",
    "rate_per": None,
    "decimals": 0,
}
NEET = {**REFERRALS, "id": "neet_rate", "name": "Young people not in education, employment or training",
        "frequency": "quarterly", "unit": "percent", "unit_label": "% of 16 to 24 year olds", "decimals": 1}
GROUPS = ["Northfield", "Riverside", "Eastvale"]
NEWEST = {"jobcoach_youth_referrals": (914.0, 378.0), "neet_rate": (10.6, 10.6)}  # the demo's, total and Northfield


def by_region(measure: dict, periods: list[tuple[str, str]]) -> pd.DataFrame:
    """The columns `Warehouse.values(..., dimension="region")` gives: the total ('' key) and each region,
    whose newest figures are the total's and Northfield's in `NEWEST`."""
    total, northfield = NEWEST[measure["id"]]
    rows = []
    for key, group, last in [("", "", total)] + [(f"region={g}", g, northfield + i) for i, g in enumerate(GROUPS)]:
        for i, (period, start) in enumerate(periods):
            rows.append({"period": period, "period_start": pd.Timestamp(start), "breakdown": key,
                         "dimension": "region" if key else "", "grp": group, "value": last - len(periods) + 1 + i,
                         "status": None, "revised": False})
    return pd.DataFrame(rows)


MONTHS = [("2026-09", "2026-09-01"), ("2026-10", "2026-10-01")]
QUARTERS = [("2026-Q2", "2026-04-01"), ("2026-Q3", "2026-07-01")]


def chart(measure: dict, periods: list[tuple[str, str]], view: str) -> dict:
    return figures.breakdown_figure(measure, by_region(measure, periods), GROUPS, dimension="region", title="T",
                                    view=view)


def texts(figure: dict) -> list[str]:
    """Every word the chart shows a reader: names, hover texts, titles and panel headings."""
    layout = figure["layout"]
    shown = [t["name"] for t in figure["data"]] + [s for t in figure["data"] for s in t["text"]]
    shown += [layout["title"]["text"], layout["title"]["subtitle"]["text"]]
    return shown + [a["text"] for a in layout.get("annotations", [])]


@pytest.mark.parametrize("view", ["lines", "panels"])
@pytest.mark.parametrize("measure, periods", [(REFERRALS, MONTHS), (NEET, QUARTERS)])
def test_groups_are_named_as_they_are_called_never_by_their_key(measure, periods, view):
    figure = chart(measure, periods, view)
    names = [t["name"] for t in figure["data"] if t["name"] != "Total"]
    assert names == GROUPS
    assert not [s for s in texts(figure) if "region=" in s or re.search(r"region (Northfield|Riverside|Eastvale)", s)]
    assert figure["layout"]["title"]["subtitle"]["text"].startswith("By region: ")


@pytest.mark.parametrize("view", ["lines", "panels"])
@pytest.mark.parametrize(
    "measure, periods, total, northfield",
    [
        (REFERRALS, MONTHS, "Total: <b>914 referrals</b><br>October 2026",
         "Northfield: <b>378 referrals</b><br>October 2026"),
        (NEET, QUARTERS, "Total: <b>10.6%</b><br>Jul to Sep 2026", "Northfield: <b>10.6%</b><br>Jul to Sep 2026"),
    ],
)
def test_each_group_hover_carries_the_unit_as_the_total_does(measure, periods, total, northfield, view):
    figure = chart(measure, periods, view)
    hover = {t["name"]: t["text"][-1] for t in figure["data"]}
    assert hover["Total"] == total
    assert hover["Northfield"] == northfield
