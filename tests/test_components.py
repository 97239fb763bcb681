"""Formatting and pure layout builders: numbers by unit, plain-language changes, chips, goal map rows."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from dash import dcc, html

from dashboard import components, figures
from dashboard.formatting import (
    change_judgement,
    direction_words,
    format_change,
    format_number,
    format_period,
    format_timestamp,
    format_value,
)
from dashboard.summaries import Freshness, Summary
from dashboard.urls import AsOf
from goal_councils.status import STATUS_ORDER, StatusResult
from tests.support import text_of


def all_of(component, kind) -> list:
    found = [component] if isinstance(component, kind) else []
    return found + [c for c in component._traverse() if isinstance(c, kind)]


@pytest.mark.parametrize(
    "value, unit, decimals, unit_label, rate_per, expected",
    [
        (12.34, "percent", 1, None, None, "12.3%"),
        (12.35, "percent", 1, None, None, "12.4%"),  # halves round up, as readers expect
        (100, "percent", 0, None, None, "100%"),
        (1234, "money", 0, None, None, "£1,234"),
        (1234.5, "money", 2, None, None, "£1,234.50"),
        (-250, "money", 0, None, None, "-£250"),
        (1234, "money", 0, "$", None, "$1,234"),
        (5.5, "money", 1, "EUR", None, "5.5 EUR"),
        (1234567, "count", 0, None, None, "1,234,567"),
        (1840, "count", 0, "people", None, "1,840 people"),
        (1, "count", 0, "sites", None, "1 site"),  # one of a unit: its label in the singular
        (1, "count", 0, "cities", None, "1 city"),
        (1, "count", 0, "businesses", None, "1 business"),
        (1, "number", 0, "days per employee (rolling year)", None, "1 day per employee (rolling year)"),
        (1, "count", 0, "status", None, "1 status"),
        (1, "count", 0, "premises", None, "1 premises"),
        (1, "count", 0, "1000s", None, "1 1000s"),
        (1, "days", 0, "days per employee (rolling year)", None, "1 day per employee (rolling year)"),
        (2, "count", 0, "sites", None, "2 sites"),
        (1.0, "number", 1, "points", None, "1.0 points"),
        (12.5, "days", 1, None, None, "12.5 days"),
        (1, "days", 0, None, None, "1 day"),
        (45.23, "rate", 1, None, 100000, "45.2 per 100,000"),
        (45.23, "rate", 1, "per 100,000 population", 100000, "45.2 per 100,000 population"),
        (102.34, "index", 1, None, None, "102.3"),
        (7.5, "number", 1, "points", None, "7.5 points"),
        (-0.01, "number", 1, None, None, "0.0"),  # never "-0.0"
        (None, "percent", 1, None, None, "No data"),
        (float("nan"), "count", 0, None, None, "No data"),
        (pd.NA, "money", 0, None, None, "No data"),
    ],
)
def test_format_value(value, unit, decimals, unit_label, rate_per, expected):
    assert format_value(value, unit, decimals, unit_label, rate_per) == expected


def test_format_number_of_more_digits_than_a_decimal_holds():
    # a number typed on a form (1e302 staff) must still read, not fail the whole answer
    assert format_number(1e30, 1).startswith("1,000,000,000,000,000,0") and format_number(1e30, 1).endswith(".0")
    assert format_number(1234.55, 1) == "1,234.6"  # halves still rounded up where a Decimal holds the number


def test_format_value_is_reexported_by_components():
    assert components.format_value is format_value


@pytest.mark.parametrize(
    "delta, unit, decimals, rate_per, expected",
    [
        (1.23, "percent", 1, None, "Up 1.2 percentage points"),
        (-1, "percent", 0, None, "Down 1 percentage point"),
        (-1.3, "days", 1, None, "Down 1.3 days"),
        (45250, "money", 0, None, "Up £45,250"),
        (-3.45, "rate", 1, 100000, "Down 3.5 per 100,000"),
        (0.01, "count", 0, None, "No change"),
        (None, "count", 0, None, "No data"),
    ],
)
def test_format_change(delta, unit, decimals, rate_per, expected):
    assert format_change(delta, unit, decimals, rate_per=rate_per) == expected


def test_a_change_of_one_says_its_unit_in_the_singular():
    assert format_change(1, "count", 0, "sites") == "Up 1 site"
    assert format_change(-3, "count", 0, "sites") == "Down 3 sites"


@pytest.mark.parametrize(
    "delta, direction, decimals, expected",
    [
        (2.0, "up", 0, "better"),
        (-2.0, "up", 0, "worse"),
        (-2.0, "down", 0, "better"),
        (2.0, "down", 0, "worse"),
        (0.04, "up", 1, "same"),  # rounds to no visible change
        (None, "up", 0, None),
        (1.0, "sideways", 0, None),
    ],
)
def test_change_judgement_depends_on_direction(delta, direction, decimals, expected):
    assert change_judgement(delta, direction, decimals) == expected


def test_direction_words_have_a_word_and_an_arrow():
    assert direction_words("up") == "Higher is better ↑"
    assert direction_words("down") == "Lower is better ↓"


@pytest.mark.parametrize(
    "period, frequency, expected",
    [
        ("2025-03", "monthly", "March 2025"),
        ("2024-Q4", "quarterly", "Oct to Dec 2024"),
        ("2024/25", "financial_year", "2024/25"),
        ("2025", "annual", "2025"),
        ("2010-2012", "annual", "2010-2012"),  # not a contract label: shown as it is
        (None, "monthly", "No data"),
    ],
)
def test_format_period(period, frequency, expected):
    assert format_period(period, frequency) == expected


@pytest.mark.parametrize(
    "moment, expected",
    [
        (datetime(2025, 4, 11, 9, 30), "11 April 2025, 09:30"),
        (pd.Timestamp("2025-04-11 09:30"), "11 April 2025, 09:30"),
        (date(2025, 4, 1), "1 April 2025"),
        (pd.NaT, "No data"),
    ],
)
def test_format_timestamp(moment, expected):
    assert format_timestamp(moment) == expected


@pytest.mark.parametrize(
    "status, word",
    [
        ("on_track", "On track"),
        ("at_risk", "At risk"),
        ("off_track", "Off track"),
        ("no_target", "No target"),
        ("not_enough_data", "Not enough data"),
    ],
)
def test_status_chips_have_an_icon_and_a_word(status, word):
    chip = components.status_chip(status)
    icon, text = chip.children
    assert text == word
    assert icon.children.strip() and getattr(icon, "aria-hidden") == "true"


def test_every_domain_status_has_a_chip():
    assert set(STATUS_ORDER) <= set(components.STATUSES)
    words = [word for _, word, _ in components.STATUSES.values()]
    assert len(set(words)) == len(words)


@pytest.mark.parametrize(
    "judgement, delta, arrow, word",
    [
        ("better", -1.3, "↓", "Better"),
        ("worse", 2.0, "↑", "Worse"),
        ("same", 0.0, "→", "No change"),
    ],
)
def test_change_chips_say_better_or_worse_and_show_the_movement(judgement, delta, arrow, word):
    icon, text = components.change_chip(judgement, delta).children
    assert (icon.children, text) == (arrow, word)


def test_links_are_stable_and_escaped():
    assert components.href("council", "healthy-lives") == "/council/healthy-lives"
    assert components.href("measure", "a/b c") == "/measure/a%2Fb%20c"


def test_footer_says_the_as_of_date_and_latest_period():
    footer = components.footer(
        {"received_at": pd.Timestamp("2025-04-11 09:30"), "period": "2025-03", "frequency": "monthly"}
    )
    assert "Data as of 11 April 2025, 09:30, latest period March 2025." in text_of(footer)
    assert "No data has been published yet." in text_of(components.footer(None))


def test_navbar_has_the_product_name_and_page_links():
    bar = components.navbar("Shared Outcomes", [("Goal map", "/")])
    assert [(link.children, link.href) for link in all_of(bar, dcc.Link)] == [
        ("Shared Outcomes", "/"),
        ("Goal map", "/"),
    ]


def test_no_data_notice_says_how_to_load_some():
    assert "No data has been published yet. Load some with outcomes demo or outcomes load" in text_of(
        components.no_data_notice()
    )


WAITS_ROW = {
    "objective_id": "mental-health-waits",
    "objective_name": "Shorter waits",
    "objective_statement": "Seen within four weeks.",
    "lead_id": "eastvale-nhs",
    "lead_name": "Eastvale NHS Trust",
    "measure_id": "mh-days",
    "measure_name": "Median days to first appointment",
    "unit": "days",
    "unit_label": None,
    "rate_per": None,
    "decimals": 1,
    "direction": "down",
    "frequency": "monthly",
    "latest_period": "2025-03",
    "latest_value": 35.2,
    "latest_status": "provisional",
    "previous_period": "2025-02",
    "previous_value": 36.5,
    "change": -1.3,
    "baseline_period": "2024-03",
    "baseline_value": 41.5,
    "target_period": "2026-03",
    "target_value": 28.0,
}


def test_objective_row_links_and_words():
    row = components.objective_row(WAITS_ROW, "1.1")
    assert [link.href for link in all_of(row, dcc.Link)] == [
        "/objective/mental-health-waits",
        "/org/eastvale-nhs",
        "/measure/mh-days",
    ]
    text = text_of(row)
    for expected in (
        "1.1",
        "Shorter waits",
        "Eastvale NHS Trust",
        "Lower is better ↓ · Monthly",
        "35.2 days",
        "March 2025",
        "Provisional",
        "Better",
        "Down 1.3 days since February 2025",
        "28.0 days by March 2026",
        "From 41.5 days in March 2024",
    ):
        assert expected in text, expected


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"target_value": None, "target_period": None}, "No target set"),
        ({"previous_period": None, "previous_value": None, "change": None}, "No earlier period to compare"),
        (
            {
                "latest_period": None,
                "latest_value": None,
                "latest_status": None,
                "previous_period": None,
                "previous_value": None,
                "change": None,
            },
            "No data Nothing submitted yet",
        ),
        ({"measure_id": None}, "No headline measure is defined for this objective yet."),
        ({"latest_value": None, "latest_status": "suppressed", "change": None}, "No data March 2025 Suppressed"),
        ({"latest_value": None, "latest_status": "suppressed", "change": None}, "Not enough data"),
    ],
)
def test_objective_row_explains_what_is_missing(changes, expected):
    assert expected in text_of(components.objective_row({**WAITS_ROW, **changes}, "1.1"))


def test_goal_map_section_heading_links_to_the_council():
    council = {"id": "healthy-lives", "name": "Healthy lives", "goal": "Live longer.", "chair": "Director"}
    section = components.goal_map_section(council, pd.DataFrame([WAITS_ROW]), 1)
    heading = all_of(section, html.H2)[0]
    assert [link.href for link in all_of(heading, dcc.Link)] == ["/council/healthy-lives"]
    assert "Live longer." in text_of(section)
    assert "Chaired by Director · 1 objective" in text_of(section)


def test_organisations_keep_their_colour():
    colours = figures.org_colours(["a", "b", "c"])
    assert colours == {"a": "#0072B2", "b": "#E69F00", "c": "#009E73"}
    assert figures.org_colours(["a", "b"])["b"] == colours["b"]


# --- council, objective, organisation and measure page pieces ------------------------------------


MEASURE = {
    "id": "days",
    "name": "Days to decide",
    "owner_id": "northfield",
    "owner_name": "Northfield Council",
    "colour_index": 2,
    "role": "contributing",
    "timing": "leading",
    "published": False,
    "unit": "days",
    "unit_label": None,
    "rate_per": None,
    "decimals": 1,
    "direction": "down",
    "frequency": "monthly",
    "target_value": None,
    "target_period": None,
}


def test_links_keep_the_as_of_month():
    assert components.href("objective", "waits", AsOf("2026-03")) == "/objective/waits?as_of=2026-03"
    row = components.objective_row(WAITS_ROW, "1.1", AsOf("2026-03"))
    assert all(link.href.endswith("?as_of=2026-03") for link in all_of(row, dcc.Link))


def test_breadcrumbs_link_every_step_but_the_page_itself():
    nav = components.breadcrumbs([("Goal map", "/"), ("Healthy lives", "/council/h"), ("Waits", None)])
    assert [(link.children, link.href) for link in all_of(nav, dcc.Link)] == [
        ("Goal map", "/"),
        ("Healthy lives", "/council/h"),
    ]
    last = all_of(nav, html.Li)[-1]
    assert (last.children, getattr(last, "aria-current")) == ("Waits", "page")


def test_as_of_notice_says_which_month_and_links_to_the_latest():
    notice = components.as_of_notice(AsOf("2026-03"), "/measure/days")
    assert "Figures as they stood at the end of March 2026." in text_of(notice)
    assert [link.href for link in all_of(notice, dcc.Link)] == ["/measure/days"]
    assert components.as_of_notice(AsOf(), "/") is None
    problem = components.as_of_notice(AsOf(problem="“x” is not a month"), "/")
    assert "Month not recognised. “x” is not a month" in text_of(problem)


def test_unknown_ids_get_a_page_that_says_so_as_plain_text():
    page = components.not_found("measure", "<script>alert(1)</script>")
    text = text_of(page)
    assert "No measure with id “<script>alert(1)</script>”" in text  # Dash renders it as text, never markup
    assert "Go back to the goal map" in text
    assert [link.href for link in all_of(html.Div(page), dcc.Link)][-1] == "/"


def test_measure_tags_mark_leading_indicators_and_internal_measures():
    assert [text_of(tag) for tag in components.measure_badges(MEASURE)] == ["◆ Leading indicator", "Internal"]
    assert [
        text_of(t)
        for t in components.measure_badges({**MEASURE, "role": "headline", "timing": "lagging", "published": True})
    ] == ["Headline", "Lagging"]


def test_freshness_says_late_and_counts_the_year():
    summary = Summary(
        "days",
        StatusResult("no_target", "No target has been set for this measure"),
        freshness=Freshness(
            "late", "October 2026 arrived 20 Nov 2026, 5 days after it was due", late_in_window=9, due_in_window=12
        ),
        last_received=pd.Timestamp("2026-11-20 10:00"),
    )
    text = text_of(components.freshness_block(summary))
    assert text.startswith("! Late October 2026 arrived 20 Nov 2026, 5 days after it was due")
    assert "9 of the last 12 due arrived late" in text
    assert "Last submission 20 Nov 2026" in text


def test_headline_numbers_say_the_period_planned_in_words():
    from dashboard.components.objective import headline_numbers

    quarterly = {**MEASURE, "frequency": "quarterly", "target_value": 8.0, "target_period": "2030-Q4"}
    summary = Summary("days", StatusResult("on_track", "0.3 days below plan", period="2026-Q3", actual=10.6,
                                           plan=10.9))
    text = text_of(headline_numbers(quarterly, summary))
    assert "Plan for Jul to Sep 2026: 10.9 days" in text
    assert "2026-Q3" not in text


def test_contributing_counts_name_every_status_and_never_end_in_a_colon():
    assert text_of(components.rollup_counts({"on_track": 2, "off_track": 1})) == (
        "3 contributing measures: 2 on track · 1 off track")
    assert text_of(components.rollup_counts({"not_judged": 6})) == "6 contributing measures: 6 not judged"
    assert text_of(components.rollup_counts({})) == "No contributing measures"


def test_the_little_law_note_counts_stages_in_words():
    from dashboard.components.service import quality_notes

    stages = [{"stage_id": "a", "name": "A"}, {"stage_id": "b", "name": "B"}]
    one = text_of(quality_notes(stages, {"a": {"little_agrees": True}}, 0.35))
    assert "1 stage has the figures to check." in one and "(s)" not in one
    both = {"a": {"little_agrees": True}, "b": {"little_agrees": True}}
    assert "2 stages have the figures to check." in text_of(quality_notes(stages, both, 0.35))


def test_the_goal_map_says_whose_figures_it_shows_as_at_a_month():
    from dashboard.components.goal_map import lead_text

    assert lead_text(AsOf()).endswith("Figures are the latest each organisation has submitted.")
    assert lead_text(AsOf("2026-03")).endswith(
        "Figures are those each organisation had submitted by the end of March 2026.")


def test_an_organisation_with_nothing_due_gets_the_sentence_without_an_empty_chart():
    from dashboard.components.organisation import timeliness_section

    org = {"id": "health", "name": "Department of Health"}
    empty = timeliness_section(org, [], {"data": [], "layout": {}})
    assert "No figures from Department of Health fell due in the last year." in text_of(empty)
    assert not all_of(empty, dcc.Graph) and not all_of(empty, html.Table)
    due = [{"measure_id": "m", "period": "2026-09", "due": date(2026, 10, 30), "received": None, "state": "missing"}]
    some = timeliness_section(org, due, {"data": [], "layout": {}})
    assert len(all_of(some, dcc.Graph)) == 1 and all_of(some, html.Table)
    assert "In the last year 1 figure from Department of Health fell due: 0 arrived" in text_of(some)


def test_a_definitions_unit_is_said_in_words():
    from dashboard.components.measure import definition_list

    def unit_row(**changed) -> str:
        text = text_of(definition_list({**MEASURE, "description": None, "source": None, "kind": "outcome",
                                        "due_days": 30, "baseline_value": None, **changed}, [], {}))
        return text.split("Unit", 1)[1].split("Direction", 1)[0].strip()

    assert unit_row(unit="percent", unit_label=None, decimals=1) == "Percent (%), 1 decimal place"
    assert unit_row(unit="count", unit_label="sites", decimals=0) == "Sites, whole numbers"
    assert unit_row(unit="money", unit_label="£ million", decimals=1) == "£ million, 1 decimal place"


def test_a_councils_counts_add_up_to_its_objectives_judged_or_not():
    from dashboard.components.council import council_counts
    from goal_councils.status import Rollup

    judged = {"a": Rollup("on_track", "", {}), "b": Rollup("no_target", "", {})}
    assert dict(council_counts(judged)) == {"Objectives": "2", "On track": "1", "At risk": "0", "Off track": "0",
                                            "Not judged against a plan": "1"}
    before = {k: Rollup("not_judged", "", {}) for k in "abc"}  # as at a month before the first judgement
    assert dict(council_counts(before))["Not judged yet"] == "3"


def test_status_block_gives_the_reason_unless_the_chip_says_it_all():
    assert text_of(components.status_block(StatusResult("off_track", "2.0 days above plan"))) == (
        "✕ Off track 2.0 days above plan"
    )
    assert text_of(components.status_block(StatusResult("no_target", "No target has been set"))) == "– No target"


def test_data_table_says_suppressed_and_missing_in_words():
    frame = pd.DataFrame(
        [
            ("2026-01", pd.Timestamp("2026-01-01"), 12.5, None, False, "", "", pd.Timestamp("2026-02-10"), None),
            (
                "2026-02",
                pd.Timestamp("2026-02-01"),
                None,
                "suppressed",
                False,
                "",
                "",
                pd.Timestamp("2026-03-10"),
                "fewer than 5",
            ),
            (
                "2026-01",
                pd.Timestamp("2026-01-01"),
                13.0,
                "provisional",
                True,
                "sex=female",
                "female",
                pd.Timestamp("2026-02-10"),
                None,
            ),
        ],
        columns=["period", "period_start", "value", "status", "revised", "breakdown", "grp", "received_at", "note"],
    )
    total = components.observations_table(MEASURE, frame[frame.breakdown == ""])
    rows = [text_of(r) for r in all_of(total, html.Tr)][1:]
    assert rows == [
        "February 2026 Suppressed Suppressed 10 Mar 2026 fewer than 5",
        "January 2026 12.5 days 10 Feb 2026",
    ]
    by_sex = components.observations_table(MEASURE, frame, ["female", "male"])
    rows = [text_of(r) for r in all_of(by_sex, html.Tr)]
    assert rows == [
        "Period Total female male",
        "February 2026 Suppressed No figure No figure",
        "January 2026 12.5 days 13.0 days (provisional, revised) No figure",
    ]


@pytest.mark.parametrize(
    "url, shown",
    [
        ("https://example.org/", "https://example.org/"),
        ("http://example.org", "http://example.org"),
        ("javascript:alert(1)", None),
        ("//evil.example", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_only_plain_web_addresses_become_links(url, shown):
    assert components.safe_url(url) == shown


def test_search_suggestions_link_with_the_month_and_show_text_as_text():
    results = pd.DataFrame(
        [("measure", "days", "Days to decide", "Northfield"), ("org", "northfield", "Northfield Council", None)],
        columns=["kind", "id", "name", "context"],
    )
    panel = components.search_suggestions(results, "<b>north</b>", AsOf("2026-03"))
    assert [link.href for link in all_of(panel, dcc.Link)] == [
        "/measure/days?as_of=2026-03",
        "/org/northfield?as_of=2026-03",
        "/search?q=%3Cb%3Enorth%3C%2Fb%3E&as_of=2026-03",
    ]
    assert "All results for “<b>north</b>”" in text_of(panel)
    assert components.search_suggestions(results.iloc[0:0], "zzz") is not None
    assert components.search_suggestions(results, "") is None


def test_an_empty_search_says_names_and_descriptions_are_searched():
    empty = pd.DataFrame(columns=["kind", "id", "name", "context"])
    assert "from the name or description of a measure" in text_of(components.search_results(empty, " "))


def test_demand_moves_up_or_down_and_is_neither_better_nor_worse():
    from dashboard.formatting import change_judgement

    assert change_judgement(12, "up", 0, demand=True) == "up"
    assert change_judgement(-12, "down", 0, demand=True) == "down"
    assert change_judgement(0.2, "up", 0, demand=True) == "same"
    assert change_judgement(12, "down", 0) == "worse"
    cell = text_of(components.objective_row({**WAITS_ROW, "demand": True}, "1.1"))
    assert "Better" not in cell and "Worse" not in cell


def test_goal_map_rows_say_the_stored_status_and_councils_count_them():
    row = {**WAITS_ROW, "status": "off_track", "rag": "off_track", "reason": "3.1 points below plan for September 2025"}
    assert "Off track" in text_of(components.objective_row(row, "1.1"))
    assert "3.1 points below plan for September 2025" in text_of(components.objective_row(row, "1.1"))
    assert "Not judged yet" in text_of(components.objective_row(WAITS_ROW, "1.1"))
    frame = pd.DataFrame([row, {**row, "objective_id": "b"}, {**row, "objective_id": "c", "status": "on_track",
                                                                 "rag": "on_track"}])
    counts = text_of(components.status_counts(frame))
    assert counts.index("Off track") < counts.index("On track")
    assert "Off track 2" in counts and "On track 1" in counts


def test_element_is_the_component_dash_would_make():
    from plotly.io.json import to_json_plotly

    from dashboard.components.chips import element

    icon = {"className": "chip-icon", "aria-hidden": "true"}
    made = element(html.Td, [element(html.Span, "✓", **icon), "x"], className="a", colSpan=2)
    assert isinstance(made, html.Td)
    assert to_json_plotly(made) == to_json_plotly(html.Td([html.Span("✓", **icon), "x"], className="a", colSpan=2))
    assert to_json_plotly(element(dcc.Link, "x", href="/a")) == to_json_plotly(dcc.Link("x", href="/a"))
    assert to_json_plotly(element(html.Div)) == to_json_plotly(html.Div())
    with pytest.raises(TypeError, match="Td has no prop 'colspan'"):
        element(html.Td, "x", colspan=2)


def test_tags_make_every_html_component_as_dash_would():
    from plotly.io.json import to_json_plotly

    from dashboard.components import tags

    for name in html.__all__:  # every class: made alike, children given or not
        made = getattr(tags, name)("x", id="a", title="t")
        assert type(made) is getattr(html, name)
        assert to_json_plotly(made) == to_json_plotly(getattr(html, name)("x", id="a", title="t")), name
        assert to_json_plotly(getattr(tags, name)()) == to_json_plotly(getattr(html, name)()), name
    row = tags.Tr([tags.Th("A", scope="row"), tags.Td(["1", tags.Br()], **{"aria-label": "one"})])
    assert to_json_plotly(row) == to_json_plotly(
        html.Tr([html.Th("A", scope="row"), html.Td(["1", html.Br()], **{"aria-label": "one"})]))
    changed = tags.Div("x", title="t", **{"data-x": "1"})  # changed after it was made: encoded as it is now
    changed.children, changed.id = "y", "a"
    assert to_json_plotly(changed) == to_json_plotly(html.Div("y", id="a", title="t", **{"data-x": "1"}))
    swapped = tags.Div("x", title="t")  # a prop taken away and another given: as many attributes as before
    del swapped.title
    swapped.id = "i"
    assert to_json_plotly(swapped) == to_json_plotly(html.Div("x", id="i"))
    relieved = tags.Div("x")  # an attribute that is no prop taken away, and a prop given
    relieved.id = "i"
    del relieved.available_properties
    assert to_json_plotly(relieved) == to_json_plotly(html.Div("x", id="i"))
    with pytest.raises(TypeError, match="Li has no prop 'class_name'"):
        tags.Li("x", class_name="a")
    with pytest.raises(AttributeError, match="no component 'Widget'"):
        tags.Widget  # noqa: B018


@pytest.mark.parametrize("frequency, titles", [
    ("monthly", ["Latest", "Change on the period before", "Change on a year earlier", "Status against plan",
                 "Data freshness"]),
    # a yearly measure's period before is the year before: one change card, not the same one twice
    ("annual", ["Latest", "Change on the year before", "Status against plan", "Data freshness"]),
    ("financial_year", ["Latest", "Change on the year before", "Status against plan", "Data freshness"]),
])
def test_a_yearly_measure_has_one_change_card(frequency, titles):
    summary = Summary("days", StatusResult("no_target", "No target has been set for this measure"))
    cards = components.measure_numbers({**MEASURE, "frequency": frequency}, summary).children
    assert len(cards) == len(titles)
    assert all(text_of(card).startswith(title) for card, title in zip(cards, titles, strict=True))


def test_a_definition_says_which_tolerance_applies_when_none_is_set():
    from dashboard.components.measure import definition_list

    def tolerance_row(milestones=((date(2026, 3, 1), 11.0),), **changed) -> str | None:
        text = text_of(definition_list({**MEASURE, "description": None, "source": None, "kind": "outcome",
                                        "due_days": 30, "baseline_value": None, **changed}, [],
                                       {"milestones": list(milestones)}))
        return text.split("Tolerance", 1)[1].strip() if "Tolerance" in text else None

    assert tolerance_row(target_value=None, tolerance=None, milestones=()) is None  # no plan, nothing to be off
    # a final target alone is judged on progress towards it (growth), where no tolerance applies
    assert tolerance_row(target_value=12.0, target_period="2027-03", tolerance=None, milestones=()) is None
    assert tolerance_row(target_value=12.0, target_period="2027-03", tolerance=None).startswith(
        "None set: 5% of the plan value")
    assert tolerance_row(target_value=12.0, target_period="2027-03", tolerance=0.5, unit="percent",
                         decimals=1).startswith("0.5 percentage points either side")
