"""Issue 4 in the browser: the measure page's signals and forecast, and the exceptions list."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from etl.demo import DIVERGENT_MEASURE, LATE_ORG, SHIFT_MEASURE
from tests.browser.test_goal_council_pages import choose, click, texts, until, visit

pytestmark = pytest.mark.browser

LATE_NAME = "Eastvale Council"  # the name of LATE_ORG


@pytest.fixture
def demo(dash_duo, demo_home):
    from dashboard import Settings, create_app

    dash_duo.start_server(create_app(Settings(warehouse=demo_home.warehouse)))
    return dash_duo


def test_measure_page_shows_the_shift_and_the_forecast(demo):
    visit(demo, f"/measure/{SHIFT_MEASURE}")
    demo.wait_for_element("#xmr-chart .main-svg", timeout=30)
    signals = " ".join(texts(demo, "#xmr-signals li"))
    assert "Point beyond a natural process limit (high side)" in signals
    demo.wait_for_element("#forecast-chart .main-svg", timeout=30)
    assert "Backtest on the last 12 periods" in demo.find_element("#forecast-note").text
    assert demo.get_logs() == []


def test_divergent_group_on_the_measure_page(demo):
    visit(demo, f"/measure/{DIVERGENT_MEASURE}")
    demo.wait_for_element("#divergent-groups", timeout=30)
    first = texts(demo, "#divergent-groups li")[0]
    assert first.startswith("Black (ethnic group):") and "(worse)" in first


def test_exceptions_list_filters_and_ranks(demo):
    visit(demo, "/exceptions", "Exceptions")
    demo.wait_for_element("#exceptions-table", timeout=5)  # read from the judgements stored at publish
    # grouped by objective, the worst objective first; within each, the most severe first, in words
    groups = demo.find_elements("#exceptions-table details")
    worst = []
    for group in groups:
        cells = [c.get_attribute("textContent")
                 for c in group.find_elements(By.CSS_SELECTOR, "tbody tr td:first-child")]
        severities = [int(c.split("·")[1]) for c in cells]
        assert severities == sorted(severities, reverse=True)
        worst.append(severities[0])
    assert worst == sorted(worst, reverse=True) and worst[0] == 6 and len(groups) > 10
    assert texts(demo, "#exceptions-table tbody tr td:first-child")[0] == "Highest · 6"
    assert "Highest: a headline measure off track." in demo.find_element("#severity-legend").text
    health = texts(demo, "#health-table tbody tr td:first-child")
    assert health[0] == "Eastvale Council" == LATE_NAME  # the least punctual organisation first, by name
    choose(demo, "exc-org", "Eastvale Council")
    until(demo, lambda: {c.get_attribute("textContent") for c in demo.find_elements(
        "#exceptions-table tbody tr td:nth-child(4)")} == {LATE_NAME})
    rules = {c.get_attribute("textContent") for c in demo.find_elements("#exceptions-table tbody tr td:nth-child(2)")}
    assert "Late submission" in rules
    # the filter is kept in the address: a reload shows the same list
    until(demo, lambda: demo.driver.current_url.endswith(f"/exceptions?org={LATE_ORG}"))
    demo.driver.refresh()
    demo.wait_for_element("#exceptions-table", timeout=5)
    assert {c.get_attribute("textContent") for c in demo.find_elements(
        "#exceptions-table tbody tr td:nth-child(4)")} == {LATE_NAME}
    # the methods behind it, served by the app
    click(demo, demo.driver.find_element(By.LINK_TEXT, "How each is judged"))
    demo.wait_for_text_to_equal("h1", "How Shared Outcomes judges a measure", timeout=15)
    assert "Variation around a plan" in demo.find_element("#methods-text").text
    assert demo.get_logs() == []


def test_objective_page_lists_the_group_the_average_hides(demo, demo_home):
    import duckdb

    con = duckdb.connect(str(demo_home.warehouse), read_only=True)
    objective = con.execute("SELECT objective_id FROM measures WHERE id = ?", [DIVERGENT_MEASURE]).fetchone()[0]
    con.close()
    visit(demo, f"/objective/{objective}")
    demo.wait_for_element("#objective-divergent", timeout=30)
    assert "Black (ethnic group)" in demo.find_element("#objective-divergent").text
