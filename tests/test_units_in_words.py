"""Figures that say their unit, or enough of their decimals: a gap to plan written the way the dashboard writes a
value of the measure's unit, and a forecast's error in the measure's decimals."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard import formatting
from goal_councils.forecast import Forecast
from goal_councils.units import UnitWords, number_text, singular, telling_decimals

# the units and labels of the demo's measures (other than percent and days, whose gaps are points and days), and
# labels that try the rules for money and for one of a thing
UNITS = [
    ("count", "homes", None), ("count", "people", None), ("count", "premises", None), ("count", "cities", None),
    ("count", "businesses", None), ("count", "officers (full-time equivalent)", None), ("count", None, None),
    ("money", "£ million", None), ("money", "£ per claim", None), ("money", "pence per £100 collected", None),
    ("money", "EUR", None), ("money", None, None),
    ("rate", "offences per 1,000 people", 1000), ("rate", None, 100000),
    ("number", "kg per household", None), ("number", "megawatts (MW)", None), ("number", None, None),
    ("index", "gap index (0 = no gap)", None),
]


@pytest.mark.parametrize("unit,label,rate_per", UNITS)
@pytest.mark.parametrize("size,decimals", [(756.0, 0), (1.0, 0), (6.4, 1), (1234.56, 2), (0.12, 2)])
def test_a_gap_reads_as_the_dashboard_writes_a_value_of_its_unit(unit, label, rate_per, size, decimals):
    # the domain cannot import the dashboard's formatting: this holds the two to the same words
    said = UnitWords(unit, label, rate_per).words(size, decimals)
    assert said == formatting.format_value(size, unit, decimals, label, rate_per)


@pytest.fixture(scope="module")
def measure_page(tiny_warehouse):
    from dashboard import Settings, create_app

    create_app(Settings(warehouse=tiny_warehouse))  # the pages register with an app
    from dashboard.pages import measure

    return measure


def _forecast(mae, mape=None, horizon=12):
    return Forecast([1.0] * horizon, [], [], [], [], False, mae, mape, "Holt-Winters")


@pytest.mark.parametrize("decimals,mae,mape,words", [
    # a count's error in whole numbers, not 12.4
    (0, 12.4, 3.2, "Backtest on the last 12 periods: mean absolute error 12 (3.2%)."),
    (0, 1234.5, None, "Backtest on the last 12 periods: mean absolute error 1,235."),  # halves up, as values
    (1, 0.44, 1.0, "Backtest on the last 12 periods: mean absolute error 0.4 (1.0%)."),
    (2, 0.456, None, "Backtest on the last 12 periods: mean absolute error 0.46."),
    # an error its decimals would show as none is told with up to three more
    (0, 0.3, 4.0, "Backtest on the last 12 periods: mean absolute error 0.3 (4.0%)."),
    (0, 0.04, None, "Backtest on the last 12 periods: mean absolute error 0.04."),
    (1, 0.0004, None, "Backtest on the last 12 periods: mean absolute error 0.0004."),
    (0, 0.00001, None, "Backtest on the last 12 periods: mean absolute error 0."),  # past three more: its own
    (0, 0.0, None, "Backtest on the last 12 periods: mean absolute error 0."),
    (0, None, None, "Too short a series to backtest."),
])
def test_a_forecasts_error_is_in_the_measures_decimals(measure_page, decimals, mae, mape, words):
    assert measure_page.backtest_words({"decimals": decimals}, _forecast(mae, mape)) == words


@pytest.mark.parametrize("unit, size, decimals, said", [
    ("days", 1, 0, "1 day"), ("days", 2, 0, "2 days"), ("percent", 1, 0, "1 percentage point"),
    ("percent", 1.0, 1, "1.0 percentage points"),
])
def test_one_day_or_point_of_a_gap_is_said_in_the_singular(unit, size, decimals, said):
    assert UnitWords(unit).words(size, decimals) == said


@pytest.mark.parametrize("label, one", [
    ("sites", "site"), ("job starts", "job start"), ("days per employee", "day per employee"),
    ("young people", "young person"), ("People", "Person"), ("percentage points", "percentage point"),
    ("officers (full-time equivalent)", "officer (full-time equivalent)"), ("tonnes of waste", "tonne of waste"),
    ("suspensions per 1,000 pupils", "suspension per 1,000 pupils"), ("megawatts (MW)", "megawatt (MW)"),
    # the counted thing first, what was done to it after: its first word
    ("jobs created", "job created"), ("homes completed (net)", "home completed (net)"),
    ("pupils with SEN", "pupil with SEN"), ("visits to A&E", "visit to A&E"), ("tonnes CO2e", "tonne CO2e"),
    ("PEOPLE", "PERSON"), (" sites ", "site"),
    # a rate's label names what it is per, not what it counts
    ("per 100,000 people", "per 100,000 people"), ("per 1,000 live births", "per 1,000 live births"),
    # not a plural the rules know, or nothing counted before the qualifier: as written
    ("premises", "premises"), ("engagement index (0 to 100)", "engagement index (0 to 100)"),
    ("pence per £100 collected", "pence per £100 collected"), ("1000s", "1000s"), ("status", "status"),
])
def test_one_of_a_unit_puts_the_thing_it_counts_in_the_singular(label, one):
    assert singular(label) == one
    assert formatting.format_change(1, "count", 0, label) == f"Up 1 {one}"
    assert UnitWords("count", label).words(1, 0) == f"1 {one}"


@pytest.mark.parametrize("unit,label,said", [
    ("count", "people (thousands)", "1.5 people (thousands)"), ("rate", "deaths (per 1,000 live births)",
                                                                 "1.5 deaths (per 1,000 live births)"),
])
def test_a_gap_keeps_a_labels_bracketed_scale(unit, label, said):
    assert UnitWords(unit, label, 1000).words(1.5, 1) == said


@pytest.mark.parametrize("value, decimals, text", [
    (0.25, 1, "0.3"), (2.675, 2, "2.68"), (0.5, 0, "1"), (1234.5, 0, "1,235"), (-0.04, 1, "0.0"), (-2.5, 0, "-3"),
])
def test_the_domain_and_the_pages_write_a_number_alike_halves_up(value, decimals, text):
    # a reason once said "0.2 percentage points below plan" beside figures the page wrote as 80.35 and 80.1
    assert number_text(value, decimals) == formatting.format_number(value, decimals) == text


def test_a_gap_to_plan_is_written_halves_up_as_the_page_writes_its_figures():
    from goal_councils.status import trajectory_status

    plan = [(date(2025, 1, 1), 80.0), (date(2025, 12, 1), 80.0)]
    result = trajectory_status([(date(2025, 9, 1), "2025-09", 80.25)], plan, "down", tolerance=1.0, unit="percent",
                               decimals=1)
    assert result.reason.startswith("0.3 percentage points above plan")  # not 0.2: 0.25 rounds up, as 80.25 shows 80.3


@pytest.mark.parametrize("decimals, size, shown", [(0, 0.3, 1), (0, 0.04, 2), (1, 0.0004, 4), (0, 0.00001, 0),
                                                   (0, 5.0, 0), (2, 0.005, 2), (0, 0.0, 0)])
def test_a_size_is_told_in_enough_decimals_to_show_it_is_not_nil(decimals, size, shown):
    assert telling_decimals(size, decimals) == shown
