"""Links between pages and the as-of month they carry: checked, quoted, never trusted."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dashboard.urls import AsOf, as_of_from_search, href, read_as_of, search_href, with_as_of


@pytest.mark.parametrize("value", [None, "", "latest"])
def test_no_month_means_the_latest_figures(value):
    as_of = read_as_of(value)
    assert (as_of.month, as_of.problem, as_of.as_at, as_of.value) == (None, None, None, "latest")


@pytest.mark.parametrize(
    "value, as_at, start",
    [
        ("2026-03", datetime(2026, 3, 31, 23, 59, 59, 999999), date(2026, 3, 1)),
        ("2024-02", datetime(2024, 2, 29, 23, 59, 59, 999999), date(2024, 2, 1)),  # a leap year
        (" 2025-12 ", datetime(2025, 12, 31, 23, 59, 59, 999999), date(2025, 12, 1)),
    ],
)
def test_a_month_is_read_as_the_end_of_that_month(value, as_at, start):
    as_of = read_as_of(value)
    assert (as_of.as_at, as_of.month_start, as_of.problem) == (as_at, start, None)
    assert as_of.words == f"the end of {start:%B %Y}"


@pytest.mark.parametrize(
    "value, shown",
    [
        ("2026-13", "“2026-13” is not a month"),
        ("March 2026", "“March 2026” is not a month"),
        ("2026-3", "“2026-3” is not a month"),
        ("1066-10", "“1066-10” is not a month"),
        ("javascript:alert(1)", "“javascript:alert(1)” is not a month"),
        ("x" * 300, "“" + "x" * 40 + "…” is not a month"),
    ],
)
def test_a_malformed_month_becomes_a_readable_problem(value, shown):
    as_of = read_as_of(value)
    assert as_of.month is None and as_of.as_at is None
    assert as_of.problem.startswith(shown)
    assert as_of.problem.endswith("showing the latest figures.")


def test_a_month_given_twice_is_not_guessed():
    assert (
        read_as_of(["2026-03", "2026-04"]).problem == "The month was given more than once; showing the latest figures."
    )


@pytest.mark.parametrize(
    "search, month, problem",
    [
        ("?as_of=2026-03", "2026-03", False),
        ("?q=days&as_of=2026-03", "2026-03", False),
        ("?q=days", None, False),
        ("", None, False),
        (None, None, False),
        ("?as_of=soon", None, True),
        ("?as_of=2026-03&as_of=2026-04", None, True),
    ],
)
def test_the_month_is_read_from_the_query_string(search, month, problem):
    as_of = as_of_from_search(search)
    assert as_of.month == month
    assert (as_of.problem is not None) == problem


def test_links_keep_the_month_and_quote_the_id():
    march = AsOf("2026-03")
    assert href("measure", "hsc_paid", march) == "/measure/hsc_paid?as_of=2026-03"
    assert href("measure", "a/b c?d", march) == "/measure/a%2Fb%20c%3Fd?as_of=2026-03"
    assert href("org", "eastvale") == "/org/eastvale"
    assert href("goal_map", as_of=march) == "/?as_of=2026-03"
    assert href("council", "x", AsOf(problem="bad")) == "/council/x"


def test_search_links_quote_the_text():
    assert search_href("north  days", AsOf("2026-03")) == "/search?q=north+days&as_of=2026-03"
    assert search_href('"><script>') == "/search?q=%22%3E%3Cscript%3E"
    assert len(search_href("a" * 500)) < 120
    assert with_as_of("/objective/x", AsOf()) == "/objective/x"
