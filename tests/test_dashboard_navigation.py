"""The frame's callbacks as plain functions: the picker and the address follow each other."""

from __future__ import annotations

import pytest

from dashboard.navigation import address_with_month, picker_follows_address

OPTIONS = [{"label": "Latest figures", "value": "latest"}, {"label": "End of March 2026", "value": "2026-03"}]


@pytest.mark.parametrize(
    "pathname, search, month, expected",
    [
        ("/objective/x", "", "2026-03", "/objective/x?as_of=2026-03"),
        ("/objective/x", "?as_of=2026-03", None, "/objective/x"),
        ("/search", "?q=north+days&as_of=2026-02", "2026-03", "/search?q=north+days&as_of=2026-03"),
        ("//evil.example/x", "", "2026-03", "/?as_of=2026-03"),
        ("javascript:alert(1)", "", None, "/"),
        (None, None, None, "/"),
    ],
)
def test_the_address_keeps_its_page_and_changes_only_the_month(pathname, search, month, expected):
    assert address_with_month(pathname, search, month) == expected


def test_the_picker_shows_the_month_of_the_address():
    assert picker_follows_address("?as_of=2026-03", OPTIONS) == ("2026-03", OPTIONS)
    assert picker_follows_address("", OPTIONS) == ("latest", OPTIONS)
    assert picker_follows_address("?as_of=rubbish", OPTIONS) == ("latest", OPTIONS)


def test_a_month_without_loads_is_added_to_the_picker():
    value, options = picker_follows_address("?as_of=2020-01", OPTIONS)
    assert value == "2020-01"
    assert options[-1] == {"label": "End of January 2020", "value": "2020-01"}
