"""The edges of "as at a month": a month before the first judgement (what fell due is not known, not
nothing), and a month not yet ended (no figures as at its end exist yet: the latest are shown, saying why)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from dash import dcc, html

from dashboard import Settings, components, create_app
from dashboard.components.organisation import submissions_table, timeliness_figures, timeliness_not_judged
from dashboard.navigation import picker_follows_address
from dashboard.summaries import Freshness, Summary
from dashboard.urls import AsOf, NotEnded, as_of_from_search, month_has_ended, read_as_of, view_as_of
from goal_councils.status import StatusResult
from tests.support import text_of

RECEIVED = datetime(2025, 10, 10, 9, 0)  # the only load: in October 2025
FIRST_JUDGED = datetime(2025, 11, 30, 23, 59, 59)  # judgements begin at the end of November 2025
NOV_16 = date(2026, 11, 16)  # a day in a month not yet ended


def _walk(component):
    if isinstance(component, list | tuple):
        for c in component:
            yield from _walk(c)
        return
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            yield from _walk(child)


def all_of(component, kind) -> list:
    return [c for c in _walk(component) if isinstance(c, kind)]


# --- a month before the first judgement: not judged, which is not "nothing fell due" ----------------


@pytest.fixture(scope="module")
def org_page(tmp_path_factory):
    """The organisation page of a home whose figures arrived in October 2025 and were first judged as at the
    end of November 2025: `render(as_of)` lays it out as the public sees it."""
    from etl.load import LoadRequest, load_batch
    from tests.support import mini_home, write

    root = tmp_path_factory.mktemp("as-at-edges")
    home = mini_home(root / "home")
    csv = "measure_id,period,value\n" + "".join(f"neet-rate,2025-{m:02d},{10 + m / 10}\n" for m in range(1, 10))
    load_batch(home, [LoadRequest("edu", [write(root / "a.csv", csv)], RECEIVED)],
               today=date(2026, 11, 24), judged_before=[FIRST_JUDGED])
    app = create_app(Settings(warehouse=home.warehouse, secret_key="k" * 40))
    from dashboard.pages import organisation  # registered with the app just made

    def render(as_of: str | None):
        with app.server.test_request_context("/org/edu"):
            return organisation.layout(org_id="edu", as_of=as_of)

    return render


def test_an_organisation_page_as_at_a_month_before_the_first_judgement_says_not_judged(org_page):
    page = org_page("2025-10")
    text = text_of(page)
    sentence = next(c for c in _walk(page) if getattr(c, "id", None) == "timeliness-sentence")
    assert text_of(sentence) == (
        "The figures due from Department for Education were not judged as at the end of October 2025: timeliness "
        "is judged when data is published, and was first judged as at 30 November 2025. Pick a later month, or the "
        "latest figures, to see it."
    )
    assert "fell due" not in text and "Nothing due" not in text  # never "nothing fell due"
    assert "Figures due in the last year Not judged" in text and "On time" not in text
    assert "Last submission 10 Oct 2025" in text  # the figures did arrive: only their timeliness is unjudged
    assert not all_of(page, dcc.Graph)


def test_an_organisation_page_once_judged_counts_what_fell_due(org_page):
    text = text_of(org_page("2025-11"))
    assert "fell due" in text and "not judged" not in text.lower().replace("not judged as at this date", "")
    assert "On time" in text and "Figures due in the last year Not judged" not in text


def test_the_timeliness_sentence_says_when_judgements_begin_or_that_none_have_been_made():
    org = {"id": "health", "name": "Department of Health"}
    then = timeliness_not_judged(org, AsOf("2026-03"), datetime(2026, 10, 31, 23, 59, 59))
    assert "were not judged as at the end of March 2026" in text_of(then)
    assert "first judged as at 31 October 2026" in text_of(then)
    never = timeliness_not_judged(org, AsOf(), None)
    assert "The figures due from Department of Health have not been judged yet" in text_of(never)
    for section in (then, never):
        assert "fell due" not in text_of(section) and not all_of(section, dcc.Graph) and not all_of(section, html.Table)


def test_the_summary_figures_say_not_judged_rather_than_counting_nothing():
    assert timeliness_figures(None) == [("Figures due in the last year", "Not judged")]
    assert timeliness_figures([]) == [("On time", "0 (–)"), ("Late", "0 (–)"), ("Missing", "0 (–)")]


@pytest.mark.parametrize("freshness, tally", [
    (Freshness("not_judged", "Not judged as at this date: timeliness is judged when data is published"), "Not judged"),
    (Freshness("not_due", "No figure was due in the year to 31 Oct 2026"), "Nothing due"),
])
def test_a_measure_with_no_record_says_whether_it_was_judged(freshness, tally):
    measure = {"id": "m", "name": "M", "objective_name": "O", "frequency": "monthly", "unit": "count", "decimals": 0}
    summary = Summary("m", StatusResult("not_judged", "Not judged"), freshness=freshness)
    table = submissions_table([measure], {"m": summary}, {}, AsOf("2026-03"))
    assert f"{tally} " in text_of(table) + " "


# --- a month not yet ended: not offered, and an address naming it shows the latest figures -----------------


@pytest.mark.parametrize("month, today, ended", [
    ("2026-10", NOV_16, True),
    ("2026-11", NOV_16, False),  # the month under way
    ("2026-12", NOV_16, False),  # a month to come
    ("2027-01", NOV_16, False),
    ("2026-11", date(2026, 12, 1), True),  # ended the day before
    ("2026-11", date(2026, 11, 30), False),  # its last day
    ("2025-12", date(2026, 1, 1), True),  # across a year
])
def test_a_month_has_ended_once_the_next_has_begun(month, today, ended):
    assert month_has_ended(month, today) is ended


def test_a_month_not_yet_ended_is_viewed_as_the_latest_figures_with_why():
    november = view_as_of("2026-11", NOV_16)
    assert isinstance(november, NotEnded)
    assert (november.month, november.as_at, november.value) == (None, None, "latest")
    assert november.problem == ("The figures as at the end of November 2026 can be shown once that month is over; "
                                "showing the latest figures.")
    assert view_as_of("2026-10", NOV_16) == AsOf("2026-10")
    assert view_as_of("2026-11", date(2026, 12, 1)) == AsOf("2026-11")
    for value in (None, "latest", "2026-13", ["2026-03", "2026-04"]):  # not a month: as read_as_of says
        assert view_as_of(value, NOV_16) == read_as_of(value)
    # review packs name their month with read_as_of alone: this month's pack is drawn up before it ends
    assert read_as_of("2026-11") == AsOf("2026-11")


def test_the_address_is_read_on_the_clock():
    assert as_of_from_search("?as_of=2026-11", NOV_16).problem is not None
    assert as_of_from_search("?as_of=2026-10", NOV_16) == AsOf("2026-10")
    assert isinstance(as_of_from_search("?as_of=2999-12"), NotEnded)  # today's clock: 2999 has not ended
    assert as_of_from_search("?as_of=2000-01") == AsOf("2000-01")


def test_the_picker_offers_only_months_that_have_ended():
    months = ["2026-11", "2026-10", "2026-09"]  # loads arrived in each, newest first
    values = [o["value"] for o in components.as_of_picker(months, NOV_16).children[1].options]
    assert values == ["latest", "2026-10", "2026-09"]
    values = [o["value"] for o in components.as_of_picker(months, date(2026, 12, 1)).children[1].options]
    assert values == ["latest", "2026-11", "2026-10", "2026-09"]


def test_an_address_naming_a_month_not_ended_sets_the_picker_to_the_latest_and_adds_no_month():
    options = [{"label": "Latest figures", "value": "latest"}, {"label": "End of March 2026", "value": "2026-03"}]
    assert picker_follows_address("?as_of=2999-12", options) == ("latest", options)


def test_the_notice_says_the_month_is_not_over_rather_than_not_recognised():
    notice = components.as_of_notice(view_as_of("2026-11", NOV_16), "/")
    assert text_of(notice).startswith("Month not over yet. The figures as at the end of November 2026 can be shown")
    assert "Month not recognised" in text_of(components.as_of_notice(read_as_of("2026-13"), "/"))


def test_a_page_asked_for_a_month_not_ended_shows_the_latest_figures_and_says_why(org_page):
    page = org_page("2999-01")
    text = text_of(page)
    assert "Month not over yet. The figures as at the end of January 2999 can be shown once that month is over" in text
    assert "Figures as they stood" not in text
    notice = "Month not over yet. The figures as at the end of January 2999 can be shown once that month is over; " \
             "showing the latest figures. "
    assert text.replace(notice, "") == text_of(org_page(None))  # otherwise the latest view itself
