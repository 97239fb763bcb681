"""Figure builders, without a browser: valid plotly, the app's one look, gaps kept, axes aligned."""

from __future__ import annotations

from datetime import UTC, date

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import figures

MONTHLY = {
    "id": "days",
    "name": "Days to decide a new claim, Northfield",
    "owner_name": "Northfield Council",
    "owner_short_name": "Northfield",
    "frequency": "monthly",
    "direction": "down",
    "unit": "days",
    "unit_label": None,
    "rate_per": None,
    "decimals": 1,
}
QUARTERLY = {**MONTHLY, "id": "rate", "name": "Employment rate", "frequency": "quarterly", "unit": "percent"}
POINTS = {
    "baseline": (date(2024, 1, 1), 20.0),
    "milestones": [(date(2025, 1, 1), 18.0)],
    "final": (date(2026, 1, 1), 15.0),
}
NO_PLAN = {"baseline": None, "milestones": [], "final": None}


def frame(*rows):
    """(period, period start, value, status, revised, breakdown, group) rows."""
    return pd.DataFrame(
        [
            {
                "period": p,
                "period_start": pd.Timestamp(d),
                "value": v,
                "status": s,
                "revised": r,
                "breakdown": b,
                "grp": g,
            }
            for p, d, v, s, r, b, g in rows
        ]
    )


def monthly(*values, start=(2025, 1), status=None, breakdown="", group=""):
    rows = []
    for i, v in enumerate(values):
        y, m = divmod(start[0] * 12 + start[1] - 1 + i, 12)
        rows.append((f"{y}-{m + 1:02d}", f"{y}-{m + 1:02d}-01", v, status, False, breakdown, group))
    return frame(*rows)


def valid(figure: dict) -> go.Figure:
    """plotly's own validation of a figure dict (raises on anything plotly.js would not read)."""
    return go.Figure(figure)


def test_colour_indices_wrap_around_the_palette():
    n = len(figures.ORG_PALETTE)
    assert [figures.org_colour(i) for i in (0, 1, n, n + 1)] == ["#0072B2", "#E69F00", "#0072B2", "#E69F00"]
    assert len(set(figures.ORG_PALETTE)) == n == 14
    assert figures.org_colour(None) == "#0072B2"
    assert "#F0E442" not in figures.OKABE_ITO  # Okabe–Ito's yellow vanishes on white; black replaces it


def test_gaps_are_rows_without_a_value_never_zero():
    gapped = figures.with_gaps(monthly(20.0, None, 19.0, start=(2025, 1)).drop(index=1), "monthly")
    assert list(gapped.period) == ["2025-01", "2025-02", "2025-03"]
    assert gapped.value.tolist()[0] == 20.0 and gapped.value.isna().tolist() == [False, True, False]


def test_trend_figure_draws_actual_solid_and_plan_dashed_with_the_final_target():
    fig = figures.trend_figure(
        MONTHLY, monthly(19.5, 19.0, None, 18.2, status="provisional"), POINTS, colour="#009E73", title="T"
    )
    valid(fig)
    names = [t["name"] for t in fig["data"]]
    assert names == ["Plan (trajectory)", "Final target", "Actual"]
    plan, target, actual = fig["data"]
    assert plan["line"]["dash"] == "dash" and plan["line"]["color"] == figures.NEUTRAL
    assert target["marker"]["symbol"] == "diamond"
    assert actual["line"]["color"] == "#009E73" and "dash" not in actual["line"]
    assert actual["y"] == [19.5, 19.0, None, 18.2] and actual["connectgaps"] is False
    assert actual["text"][0] == "<b>19.5 days</b><br>January 2025<br>Provisional"
    assert actual["text"][2] == ""
    layout = fig["layout"]
    assert layout["title"]["text"] == "T"
    assert layout["yaxis"]["title"]["text"] == "Days"
    assert layout["xaxis"]["title"]["text"] == "Month"
    assert "baseline to" not in layout["title"]["subtitle"]["text"]  # milestones: a trajectory


def test_trend_figure_without_figures_or_plan_says_so():
    fig = figures.trend_figure(MONTHLY, monthly(), NO_PLAN, colour="#000", title="T")
    valid(fig)
    assert fig["data"] == []
    assert fig["layout"]["annotations"][0]["text"] == "No figures have been submitted for this measure yet."


def test_small_multiples_share_one_time_axis_whatever_their_frequency():
    window = (date(2024, 1, 1), date(2025, 12, 1))
    quarters = frame(
        ("2024-Q4", "2024-10-01", 75.0, None, False, "", ""), ("2025-Q1", "2025-01-01", 75.5, None, True, "", "")
    )
    a = figures.panel_figure(MONTHLY, monthly(19.0, 18.5, start=(2025, 1)), POINTS, colour="#000", x_range=window)
    b = figures.panel_figure(QUARTERLY, quarters, NO_PLAN, colour="#000", x_range=window)
    for fig in (a, b):
        valid(fig)
        assert fig["layout"]["xaxis"]["range"] == ["2024-01-01", "2026-01-01"]
        assert fig["layout"]["margin"] == a["layout"]["margin"]
    assert b["data"][-1]["xperiod"] == "M3" and b["data"][-1]["xperiodalignment"] == "middle"
    assert b["data"][-1]["text"][-1] == "<b>75.5%</b><br>Jan to Mar 2025<br>Revised"
    # the plan is cut at the window's edges, interpolated there
    plan = a["data"][0]
    assert plan["x"] == ["2024-01-01", "2025-01-01", "2025-12-01"]
    assert plan["y"][-1] == pytest.approx(15.0 + 3.0 * 31 / 365, abs=0.01)


def test_a_panel_with_nothing_in_its_window_says_so():
    fig = figures.panel_figure(
        MONTHLY, monthly(19.0, start=(2020, 1)), NO_PLAN, colour="#000", x_range=(date(2024, 1, 1), date(2025, 3, 1))
    )
    valid(fig)
    assert fig["layout"]["annotations"][0]["text"] == "No figures submitted for January 2024 to March 2025"


def test_sparkline_reaches_the_final_target():
    fig = figures.sparkline_figure(MONTHLY, monthly(19.0, 18.8), POINTS, colour="#000", start=date(2024, 6, 1))
    valid(fig)
    assert [t["name"] for t in fig["data"]] == ["Plan (trajectory)", "Final target", "Actual"]
    assert fig["data"][0]["x"][0] == "2024-06-01"


def test_breakdown_as_lines_and_as_panels_on_shared_axes():
    data = pd.concat(
        [
            monthly(7.0, 7.1),
            monthly(12.0, 13.0, breakdown="ethnic_group=Black", group="Black"),
            monthly(6.0, None, breakdown="ethnic_group=White", group="White"),
        ]
    )
    lines = figures.breakdown_figure(MONTHLY, data, ["Black", "White"], dimension="ethnic_group", title="T")
    valid(lines)
    assert [t["name"] for t in lines["data"]] == ["Total", "Black", "White"]
    assert lines["data"][2]["y"] == [6.0, None]
    panels = figures.breakdown_figure(
        MONTHLY, data, ["Black", "White"], dimension="ethnic_group", title="T", view="panels"
    )
    valid(panels)
    layout = panels["layout"]
    assert layout["xaxis2"]["matches"] == "x" and layout["yaxis2"]["matches"] == "y"
    assert [a["text"] for a in layout["annotations"]] == ["<b>Black</b>", "<b>White</b>"]
    assert {t["xaxis"] for t in panels["data"]} == {"x", "x2"}


def test_submissions_figure_stacks_on_time_late_and_missing():
    counts = pd.DataFrame([{"month": date(2026, 1, 1), "on_time": 3, "late": 9, "missing": 1}])
    fig = figures.submissions_figure(counts, title="Figures due")
    valid(fig)
    assert [(t["name"], t["y"]) for t in fig["data"]] == [("On time", [3]), ("Late", [9]), ("Missing", [1])]
    assert fig["data"][1]["marker"]["pattern"]["shape"] == "/"  # not told apart by colour alone
    # bars sit mid-month: each month's name is written under its bar, not at the line where it starts
    assert {t["xperiodalignment"] for t in fig["data"]} == {"middle"}
    assert fig["layout"]["xaxis"]["ticklabelmode"] == "period"


@pytest.mark.parametrize(
    "unit, label, prefix, suffix, title",
    [
        ("percent", None, None, "%", "Percent (%)"),
        ("money", None, "£", None, "Pounds (£)"),
        ("money", "£ million", "£", "m", "£ million"),
        ("money", "£ per claim", "£", None, "£ per claim"),
        ("money", "EUR", "", " EUR", "Money (EUR)"),
        ("count", "claims", None, None, "Claims"),
        ("rate", None, None, None, "Per 100,000"),
    ],
)
def test_value_axis_says_the_unit(unit, label, prefix, suffix, title):
    axis = figures.value_axis({"unit": unit, "unit_label": label, "rate_per": 100000})
    assert (axis.get("tickprefix"), axis.get("ticksuffix"), axis["title"]["text"]) == (prefix, suffix, title)
    assert axis["separatethousands"] is True


def test_text_from_definitions_is_never_markup():
    assert figures.plain("<a href='javascript:x'>A & B</a>") == "&lt;a href='javascript:x'&gt;A &amp; B&lt;/a&gt;"
    fig = figures.trend_figure(MONTHLY, monthly(1.0), NO_PLAN, colour="#000", title="<b>x</b>")
    assert fig["layout"]["title"]["text"] == "&lt;b&gt;x&lt;/b&gt;"


def test_unit_labels_in_hover_text_and_the_variation_axis_are_never_markup():
    from goal_councils.xmr import xmr

    label, shown = '<a href="javascript:x">£</a>', '&lt;a href="javascript:x"&gt;£&lt;/a&gt;'
    measure = {**MONTHLY, "unit": "number", "unit_label": label}
    fig = figures.trend_figure(measure, monthly(1.0, 2.0), POINTS, colour="#000", title="t")
    texts = [text for trace in fig["data"] for text in trace["text"]]
    assert texts and all(label not in text for text in texts)
    assert f"<b>2.0 {shown}</b>" in fig["data"][-1]["text"][-1]  # plotly's own bold stays markup
    fig = figures.xmr_figure([f"2025-{m:02d}-01" for m in range(1, 9)], xmr([1.0, 2, 1, 2, 1, 2, 1, 2]),
                             title="t", y_title=label)
    assert fig["layout"]["yaxis"]["title"]["text"].replace("<br>", " ") == shown  # in lines, each escaped
    assert label not in [t.get("name") for t in fig["data"]]


def test_chart_titles_name_the_owner_once():
    assert figures.chart_title(MONTHLY) == "Days to decide a new claim, Northfield, monthly"
    assert figures.chart_title(QUARTERLY) == "Employment rate, Northfield, quarterly"


def test_xmr_and_forecast_figures_are_plain_dicts_with_named_signals():
    from goal_councils.forecast import forecast
    from goal_councils.xmr import xmr

    values = [10.0, 11, 10, 12, 11, 10, 11, 12, 10, 11, 10, 30, 11, 10, 12, 11]
    x = [f"2025-{m:02d}-01" for m in range(1, 13)] + [f"2026-{m:02d}-01" for m in range(1, 5)]
    result = xmr(values)
    fig = figures.xmr_figure(x, result, title="Claims", y_title="count", decimals=0)
    names = [t.get("name") for t in fig["data"]]
    assert "Point beyond a natural process limit" in names and "Moving range" in names
    marked = next(t for t in fig["data"] if t.get("name") == "Point beyond a natural process limit")
    assert marked["x"] == ["2025-12-01"] and marked["y"] == [30.0]
    assert fig["layout"]["yaxis2"]["domain"][1] < fig["layout"]["yaxis"]["domain"][0]  # panels do not overlap
    fc = forecast([float(v) for v in range(1, 25)], 3)
    fig = figures.forecast_figure(x[-4:], values[-4:], ["2026-05-01", "2026-06-01", "2026-07-01"], fc,
                                  title="Claims", y_title="count")
    bands = [t for t in fig["data"] if t.get("fill") == "tonexty"]
    assert [t["name"] for t in bands] == ["95% interval", "80% interval"]
    assert next(t for t in fig["data"] if t.get("name") == "Forecast")["line"]["dash"] == "dash"


def test_missing_is_none_nan_nat_and_pandas_na_in_every_kind():
    import numpy as np

    from dashboard.formatting import is_missing

    for value in (None, float("nan"), np.nan, np.float64("nan"), pd.NA, pd.NaT, "NaT", "<NA>"):
        assert is_missing(value), repr(value)
    for value in (0, 0.0, 1.5, np.float64(2), np.int64(3), "", "x", "nan", False, date(2026, 1, 1)):
        assert not is_missing(value), repr(value)


def test_hover_text_of_a_value_is_the_same_however_often_asked():
    percent = {"unit": "percent", "decimals": 1, "unit_label": None, "rate_per": None, "categories": None}
    money = {**percent, "unit": "money", "decimals": 0, "unit_label": "£ thousands"}
    yes_no = {**percent, "unit": "count", "decimals": 0, "categories": {"1": "Yes", "0": "No"}}
    for _ in range(2):  # the second time from the remembered answers
        assert figures._fmt(percent, 12.34) == "12.3%"
        assert figures._fmt(percent, 12) == "12.0%"
        assert figures._fmt(money, 1234.5) == figures.plain(figures.format_value(1234.5, "money", 0, "£ thousands"))
        assert figures._fmt(yes_no, 1.0) == "Yes"  # categories as a mapping: not remembered, still said
        assert figures._fmt({**percent, "unit_label": "<b>"}, 1.0).endswith("%")


def test_a_date_is_said_as_its_own_day_however_often_asked():
    from datetime import datetime, timedelta, timezone

    from dashboard.formatting import format_date

    utc = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    later = utc.astimezone(timezone(timedelta(hours=1)))  # the same instant, the next day there
    for _ in range(2):
        assert format_date(utc) == "31 March 2026" and format_date(later) == "1 April 2026"
        assert format_date(date(2026, 4, 1), short=True) == "1 Apr 2026"
        assert format_date(pd.Timestamp("2026-11-05 10:00")) == "5 November 2026"


def test_a_long_side_title_is_broken_into_lines_that_stay_beside_their_panel():
    from goal_councils.xmr import xmr

    title = "gap to plan (% of 16 to 24 year olds)"
    fig = figures.xmr_figure([f"2025-{m:02d}-01" for m in range(1, 9)], xmr([1.0, 2, 1, 2, 1, 2, 1, 2]),
                             title="NEET: variation", y_title=title, decimals=1)
    text = fig["layout"]["yaxis"]["title"]["text"]
    assert text == "gap to plan (% of 16 to<br>24 year olds)"
    assert all(len(line) <= figures.AXIS_TITLE_CHARACTERS for line in text.split("<br>"))
    assert figures.lines_of("<b>x</b> y", 24) == "&lt;b&gt;x&lt;/b&gt; y"  # still text, never markup
    assert figures.lines_of(None, 24) == ""


def test_the_limits_are_drawn_from_the_first_point_not_from_the_axis_start():
    from goal_councils.xmr import xmr

    x = [f"2025-{m:02d}-01" for m in range(1, 11)]
    fig = figures.xmr_figure(x, xmr([None, None, 1.0, 2, 1, 2, 1, 2, 1, 2]), title="t", y_title="count")
    band = next(t for t in fig["data"] if t.get("fill") == "tonexty")
    assert band["x"][0] == "2025-03-01" and band["x"][-1] == "2025-10-01"
