"""Issue 4 in the browser: the measure page's signals and forecast, and the exceptions list."""

from __future__ import annotations

import pytest

from etl.demo import DIVERGENT_MEASURE, SHIFT_MEASURE
from tests.browser.test_goal_council_pages import choose, texts, until, visit

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
    assert first.startswith("ethnic group Black:") and "(worse)" in first


def test_exceptions_list_filters_and_ranks(demo):
    visit(demo, "/exceptions", "Exceptions")
    demo.wait_for_element("#exceptions-table", timeout=5)  # read from the judgements stored at publish
    severities = [int(t) for t in texts(demo, "#exceptions-table tbody tr td:first-child")]
    assert severities == sorted(severities, reverse=True) and severities[0] == 6
    health = texts(demo, "#health-table tbody tr td:first-child")
    assert health[0] == "Eastvale Council" == LATE_NAME  # the least punctual organisation first, by name
    choose(demo, "exc-org", "Eastvale Council")
    until(demo, lambda: set(texts(demo, "#exceptions-table tbody tr td:nth-child(4)")) == {LATE_NAME})
    assert "Late submission" in texts(demo, "#exceptions-table tbody tr td:nth-child(2)")
    assert demo.get_logs() == []


def test_objective_page_lists_the_group_the_average_hides(demo, demo_home):
    import duckdb

    con = duckdb.connect(str(demo_home.warehouse), read_only=True)
    objective = con.execute("SELECT objective_id FROM measures WHERE id = ?", [DIVERGENT_MEASURE]).fetchone()[0]
    con.close()
    visit(demo, f"/objective/{objective}")
    demo.wait_for_element("#objective-divergent", timeout=30)
    assert "ethnic group Black" in demo.find_element("#objective-divergent").text
