"""Categorical measures (codes with labels): shown as their categories, never judged as numbers."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import figures
from dashboard.components import latest_block, observations_table, status_chip, summary_change
from dashboard.formatting import format_value
from dashboard.summaries import export_rows, summarise
from goal_councils.assess import assess_measure, exception_rows
from goal_councils.categories import categories_of, code_of, label_of, numeric_codes
from goal_councils.definitions import Measure
from goal_councils.status import CATEGORICAL, TARGET_MET, StatusResult

AS_AT = datetime(2026, 12, 1)
BINARY = {"1": "Yes", "0": "No", "-1": "Not applicable"}
LAWS = {  # an annual Open SDG binary indicator; the warehouse holds its categories as JSON text
    "id": "laws-online", "name": "National legislation published online", "owner_name": "Statistics office",
    "owner_short_name": "ONS", "frequency": "annual", "direction": "none", "unit": "number", "unit_label": None,
    "rate_per": None, "decimals": 0, "due_days": 90, "role": "headline",
    "categories": '{"1": "Yes", "0": "No", "-1": "Not applicable"}',
}
CODES = {2016: -1, 2017: -1, 2018: 0, 2019: 0, 2020: 0, 2021: 0, 2022: 0, 2023: 0, 2024: 0, 2025: 1}


def annual(codes: dict[int, int]) -> pd.DataFrame:
    return pd.DataFrame({"period": [str(y) for y in codes], "period_start": [date(y, 1, 1) for y in codes],
                         "value": [float(v) for v in codes.values()], "status": [None] * len(codes),
                         "revised": [False] * len(codes), "breakdown": [""] * len(codes),
                         "received_at": [datetime(y + 1, 2, 1) for y in codes], "note": [None] * len(codes)})


@pytest.mark.parametrize("given", [BINARY, '{"1": "Yes", "0": "No", "-1": "Not applicable"}', {1: "Yes", 0: "No",
                                                                                                -1: "Not applicable"}])
def test_categories_read_from_a_dict_or_their_json(given):
    assert categories_of(given) == BINARY


@pytest.mark.parametrize("nothing", [None, float("nan"), "", "{}", {}, "not json", "[1, 2]"])
def test_a_number_measure_has_no_categories(nothing):
    assert categories_of(nothing) is None


def test_codes_and_labels():
    assert [code_of(x) for x in (1, 1.0, True, " 1 ", -1.0)] == ["1", "1", "1", "1", "-1"]
    assert label_of(BINARY, 1.0) == "Yes" and label_of(BINARY, -1) == "Not applicable"
    assert label_of(BINARY, 2.0) == "Code 2 (no label declared)" and label_of(BINARY, None) is None
    assert numeric_codes(BINARY) == [(-1.0, "Not applicable"), (0.0, "No"), (1.0, "Yes")]


def test_a_categorical_target_is_one_of_its_codes():
    base = dict(id="m", name="M", owner="o", unit="number", direction="none", frequency="annual",
                categories={1: True, 0: False})  # YAML reads `1: Yes` as true
    assert Measure(**base).categories == {"1": "Yes", "0": "No"}
    assert Measure(**base, target={"final": {"period": "2030", "value": 1}}).is_categorical
    with pytest.raises(ValueError, match=r"the final target 2 is not one of the codes \(1, 0\)"):
        Measure(**base, target={"final": {"period": "2030", "value": 2}})
    with pytest.raises(ValueError, match="no trajectory of milestones"):
        Measure(**base, target={"final": {"period": "2030", "value": 1}, "trajectory": {"2028": 0}})


# --- the judge ----------------------------------------------------------------------------------


def test_a_categorical_measure_is_not_judged_as_a_number():
    # 40 monthly codes with a jump that a number measure would call a signal, and groups and a
    # forecast asked for: none of them is worked out for codes
    months = pd.period_range("2023-01", periods=40, freq="M")
    series = pd.DataFrame({"period": [str(p) for p in months], "period_start": [p.start_time.date() for p in months],
                           "value": [0.0] * 36 + [1.0] * 4})
    groups = pd.DataFrame([{"dimension": "region", "grp": g, "period": str(p), "value": v}
                           for g, v in (("North", 1.0), ("South", 0.0)) for p in months])
    m = {**LAWS, "frequency": "monthly", "demand": True, "due_days": 15}
    a = assess_measure(m, series, groups=groups, as_at=AS_AT, with_forecast=True)
    assert a.variation is None and a.recent_signals == [] and a.groups == [] and a.forecast is None
    assert a.forecast_miss is None
    assert a.status == StatusResult(CATEGORICAL, "Categorical: shown as its categories, not judged against a target",
                                    "2026-04", 1.0, method="categorical")
    # a number measure with the same figures would have signals: the test can tell the two apart
    number = assess_measure({**m, "categories": None}, series, groups=groups, as_at=AS_AT, with_forecast=False)
    assert number.variation is not None and number.variation.signals
    # missing figures are still exceptions: nothing has come since April 2026
    rules = {r["rule"] for r in exception_rows(a)}
    assert "missing" in rules and not rules & {"signal", "divergent", "forecast_miss", "off_track", "at_risk"}


@pytest.mark.parametrize(
    "codes, status, reason",
    [
        (CODES, TARGET_MET, "Target reached: Yes in 2025"),
        ({**CODES, 2025: 0}, CATEGORICAL, "Categorical: the target, Yes, is not reached (No in 2025)"),
        ({}, CATEGORICAL, "Categorical: the target, Yes, is not reached (no figure yet)"),
    ],
)
def test_a_categorical_target_is_reached_or_not(codes, status, reason):
    m = {**LAWS, "target_period": "2030", "target_value": 1.0}
    a = assess_measure(m, annual(codes)[["period", "period_start", "value"]], as_at=AS_AT)
    assert (a.status.status, a.status.reason) == (status, reason)
    assert a.status.plan is None  # no plan figure: nothing to rank a shortfall by


# --- what the pages show ------------------------------------------------------------------------


def test_the_latest_value_is_its_label():
    assert format_value(1.0, "number", 0, categories=BINARY) == "Yes"
    assert format_value(-1.0, "number", 0, categories=LAWS["categories"]) == "Not applicable"
    assert format_value(1.0, "number", 0) == "1"  # a number measure is unchanged
    summary = summarise(LAWS, annual(CODES), None)
    assert (summary.latest_value, summary.change, summary.change_on_year) == (1.0, None, None)  # codes: no change
    block = str(latest_block(LAWS, summary))
    assert "'Yes'" in block and "'2025'" in block
    assert "figure-unit" not in block  # a label is never split into a number and a unit


def test_the_change_is_the_category_before_in_words_never_a_number_or_a_chip():
    summary = summarise(LAWS, annual(CODES), None)
    block = str(summary_change(LAWS, summary))
    assert "Was No in 2024" in block and "chip" not in block and "Up" not in block
    same = str(summary_change(LAWS, summarise(LAWS, annual({**CODES, 2025: 0}), None)))
    assert "Same as 2024" in same and "chip" not in same


def test_the_data_table_shows_labels():
    table = str(observations_table(LAWS, annual(CODES)))
    assert "'Yes'" in table and "'Not applicable'" in table and "'1'" not in table


def test_downloads_carry_a_label_beside_each_code():
    rows = export_rows("laws-online", annual(CODES), "2026-11", categories=LAWS["categories"])
    assert list(rows.columns) == ["measure", "period", "breakdown", "value", "label", "status", "revised", "as_of"]
    assert rows[["period", "value", "label"]].tail(2).values.tolist() == [["2024", 0.0, "No"], ["2025", 1.0, "Yes"]]
    assert "label" not in export_rows("x", annual(CODES), "2026-11").columns  # a number measure: as before


def test_the_measure_chart_has_the_category_labels_on_its_value_axis():
    points = {"baseline": None, "milestones": [], "final": (date(2030, 1, 1), 1.0)}
    figure = figures.trend_figure(LAWS, annual(CODES), points, colour="#0072B2", title="Laws")
    go.Figure(figure)  # plotly reads it
    axis = figure["layout"]["yaxis"]
    assert axis["tickvals"] == [-1.0, 0.0, 1.0] and axis["ticktext"] == ["Not applicable", "No", "Yes"]
    assert axis["title"]["text"] == "Category"
    actual = next(t for t in figure["data"] if t["name"] == "Actual")
    assert actual["line"]["shape"] == "hv" and all(size == 7 for size in actual["marker"]["size"])
    assert actual["text"][-1].startswith("<b>Yes</b>")
    # the target is a category: its marker, never a dashed path between categories
    assert [t["name"] for t in figure["data"]] == ["Final target", "Actual"]
    assert "Yes" in figure["data"][0]["text"][0]
    assert figure["layout"]["title"]["subtitle"]["text"] == "The category of each period; the target category (diamond)"


def test_small_multiples_of_a_categorical_measure_use_its_labels_too():
    panel = figures.panel_figure(LAWS, annual(CODES), {"final": None}, colour="#000",
                                 x_range=(date(2020, 1, 1), date(2025, 1, 1)))
    go.Figure(panel)
    assert panel["layout"]["yaxis"]["ticktext"] == ["Not applicable", "No", "Yes"]
    assert panel["layout"]["annotations"][0]["text"] == "Category"


@pytest.mark.parametrize("status, word", [(CATEGORICAL, "Categorical"), (TARGET_MET, "Target met")])
def test_categorical_statuses_are_words(status, word):
    assert word in str(status_chip(status))


# --- the published reader -----------------------------------------------------------------------


def test_the_reader_returns_the_categories_with_the_measure(tmp_path: Path):
    from published.reader import Scope, Warehouse
    from tests.support import categorical_home

    w = Warehouse(categorical_home(tmp_path / "home").warehouse)
    found = w.measures(Scope()).set_index("id")["categories"].to_dict()
    assert found == {"laws-online": BINARY, "library-visits": None}
    assert w.goal_map().set_index("measure_id")["categories"].to_dict() == {"laws-online": BINARY}
