"""Public commentary and actions on the public pages, in headless Chromium on the demo government, as an
anonymous visitor: a measure answers "What are we working on?" from its public commentary and actions;
the objective and council pages list the public actions; internal commentary is nowhere."""

from __future__ import annotations

import pytest

from dashboard import Settings, create_app

pytestmark = pytest.mark.browser

INTERNAL = "Two experienced assessors left in September"  # the demo's internal commentary on the same measure


@pytest.fixture
def demo(dash_duo, demo_home):
    dash_duo.start_server(create_app(Settings(warehouse=demo_home.warehouse)))
    return dash_duo


def visit(duo, path: str, heading: str) -> str:
    duo.driver.get(duo.server_url + path)
    duo.wait_for_text_to_equal("h1", heading, timeout=20)
    return duo.find_element("main").text


def test_a_measure_says_what_happened_why_and_what_is_being_done(demo):
    page = visit(demo, "/measure/hsc_days_to_decide_northfield", "Days to decide a new claim, Northfield")
    how = demo.find_element("#q-how").find_element("xpath", "..").text
    what = demo.find_element("#q-what").find_element("xpath", "..").text
    assert "Our new case-management system went live on 2 June 2025" in how  # why, under "How are we doing?"
    assert "A second team has been trained on the new system" in what
    assert "Train a second Northfield team on the case-management system" in what and "Done" in what
    assert "Northfield Council on October 2026 figures" in what
    assert INTERNAL not in page and "Priya" not in page  # internal text, and who typed it, stay out


def test_the_objective_and_council_pages_list_the_public_actions(demo):
    page = visit(demo, "/objective/end_rough_sleeping", "End rough sleeping")
    table = demo.find_element(".public-actions-table").text
    assert "Open winter shelters two weeks early in every council" in table
    assert "Add an evening outreach shift through the winter" in table and "Open Door Homeless Trust" in table
    assert "Tom Okafor" not in page
    page = visit(demo, "/council/efficient_government", "Efficient, effective and accountable government")
    table = demo.find_element(".public-actions-table").text
    assert "Train a second Northfield team" in table
    assert "Agree a shared target for scanning turnaround" not in page  # an internal action
