"""A process-behaviour chart across a period with no figure (2020 and 2021 not assessed, a school's August): no
moving range is taken across it, the line breaks there, and the chart's axes say what is judged in its unit."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard import figures
from goal_councils.assess import gaps_before
from goal_councils.xmr import xmr

STEADY = [10.0, 11.0, 10.0, 11.0, 10.0, 11.0, 10.0, 11.0]


def test_no_moving_range_is_taken_across_a_period_with_no_figure():
    values = [*STEADY, 16.0, 17.0, 16.0, 17.0]  # four years after a two-year pause, six higher
    whole = xmr(values)
    broken = xmr(values, breaks={8})
    assert whole.moving_ranges[8] == 5.0 and broken.moving_ranges[8] is None
    # the limits come from neighbouring years only: the jump across the pause is not ordinary variation
    assert broken.phases[0].mr_bar < whole.phases[0].mr_bar
    assert broken.phases[0].mr_bar == pytest.approx(1.0)


def test_no_moving_range_is_taken_across_a_gap_whose_first_point_has_nothing_judged():
    # a seasonal measure back after a pause: its first change is None, the next is the first to judge
    values = [*STEADY, None, 30.0, 31.0, 30.0, 31.0]
    assert xmr(values, breaks={8}).phases[0].mr_bar == pytest.approx(1.0)


def test_a_series_of_figures_every_other_year_is_judged_in_its_own_rhythm():
    values = [10.0, 12.0, 11.0, 13.0, 12.0, 14.0, 13.0, 15.0, 14.0, 16.0]  # 2006, 2008 ... 2024 as annual
    result = xmr(values, breaks=set(range(1, 10)))
    assert result is not None and result.phases[0].mr_bar == pytest.approx(14 / 9)  # ranges 2, 1, 2, 1 ... 2


@pytest.mark.parametrize("frequency,starts,no_figure,gaps", [
    ("annual", [date(y, 1, 1) for y in (2017, 2018, 2019, 2022, 2023)], (), {3}),
    ("monthly", [date(2025, m, 1) for m in (5, 6, 7, 9, 10)], (8,), set()),  # no August by its nature: no gap
    ("monthly", [date(2025, m, 1) for m in (5, 6, 7, 9, 10)], (), {3}),  # August missing
    ("quarterly", [date(2025, 1, 1), date(2025, 4, 1), date(2025, 10, 1)], (8,), {2}),
    ("monthly", [], (), set()),
])
def test_the_gaps_in_a_series_are_the_periods_missing_from_its_calendar(frequency, starts, no_figure, gaps):
    assert gaps_before(frequency, starts, no_figure) == gaps


def test_the_chart_breaks_its_line_at_a_gap_and_starts_at_the_first_point_judged():
    x = [f"{y}-01-01" for y in (2015, 2016, 2017, 2018, 2019, 2022, 2023, 2024, 2025, 2026)]
    values = [None, None, *STEADY]  # a seasonal or planned series has nothing to judge at first
    result = xmr(values, breaks={5})
    fig = figures.xmr_figure(x, result, title="t", y_title="Change (percentage points)", breaks={5})
    line = next(t for t in fig["data"] if t.get("mode") == "lines+markers")
    assert line["x"][5:7] == ["2022-01-01", "2022-01-01"] and line["y"][5] is None and line["y"][6] == 11.0
    start, end = fig["layout"]["xaxis"]["range"]
    assert "2016-06-01" < start < "2017-01-01" and "2026-06-01" < end < "2026-08-01"  # half a year beyond each
    bars = next(t for t in fig["data"] if t["type"] == "bar")
    assert bars["y"][5] is None


def test_the_forecast_chart_has_the_main_charts_value_axis_and_breaks_where_it_does():
    from goal_councils.forecast import Forecast

    measure = {"unit": "count", "unit_label": "pupils", "decimals": 0}
    fc = Forecast([1200.0] * 2, [1100.0] * 2, [1300.0] * 2, [1000.0] * 2, [1400.0] * 2, False, None, None, "ETS")
    fig = figures.forecast_figure(["2026-06-01", "2026-07-01", "2026-09-01"], [1000.0, 1100.0, 1200.0],
                                  ["2026-10-01", "2026-11-01"], fc, title="t", y_axis=figures.value_axis(measure),
                                  breaks={2})
    assert fig["layout"]["yaxis"]["title"]["text"] == "Pupils" and fig["layout"]["yaxis"]["separatethousands"]
    actual = next(t for t in fig["data"] if t.get("name") == "Actual")
    assert actual["y"] == [1000.0, 1100.0, None, 1200.0]


@pytest.fixture(scope="module")
def measure_page(tiny_warehouse):
    from dashboard import Settings, create_app

    create_app(Settings(warehouse=tiny_warehouse))  # the pages register with an app
    from dashboard.pages import measure

    return measure


@pytest.mark.parametrize("unit,label,basis,axis", [
    ("percent", "% of 16 to 24 year olds", "gap to the planned trajectory", "Gap to plan (percentage points)"),
    ("percent", None, "change on the same period a year earlier", "Change (percentage points)"),
    ("count", "families", "change on the same period a year earlier", "Change (families)"),
    ("percent", None, "values", "Percent (%)"),
    ("count", None, "change on the same period a year earlier", "Change"),
    ("money", "£ million", "gap to the planned trajectory", "Gap to plan (£ million)"),
    ("count", "families", "values", "Families"),
])
def test_the_variation_axis_says_what_is_judged_in_its_unit(measure_page, unit, label, basis, axis):
    assert measure_page.variation_axis({"unit": unit, "unit_label": label, "rate_per": None}, basis) == axis


def test_the_variation_in_words_gives_its_limits_in_the_unit_judged(measure_page):
    from goal_councils.xmr import xmr as judge

    measure = {"name": "Persistent absence", "unit": "percent", "unit_label": None, "rate_per": None,
               "decimals": 1, "categories": None}
    said = measure_page.xmr_summary(measure, judge(STEADY * 2, seasonal_lag_periods=2))
    assert "centre line 0.0 percentage points, natural process limits" in said
    assert "centre line 10.5%" in measure_page.xmr_summary(measure, judge(STEADY))
    money = {**measure, "unit": "money", "unit_label": "£ million"}
    assert "centre line £0.0 million" in measure_page.xmr_summary(money, judge(STEADY * 2, seasonal_lag_periods=2))
    assert measure_page.difference_words(money, -2.72) == "-£2.7 million"
