"""A categorical measure and one with no direction of good, in headless Chromium, on a tiny home:
the label shown as the latest figure, categories on the chart's axis, and no better/worse anywhere."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from selenium.webdriver.common.by import By

from dashboard import Settings, create_app
from tests.browser.test_goal_council_pages import _downloaded, click, plot, texts, until, visit
from tests.support import categorical_home

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return categorical_home(tmp_path_factory.mktemp("categorical") / "home")


@pytest.fixture
def app(dash_duo, home):
    dash_duo.start_server(create_app(Settings(warehouse=home.warehouse)))
    return dash_duo


def change_chips(duo) -> list:
    """The chips of the change cards of the measure page's numbers (one for a yearly measure, two else)."""
    cards = [card for card in duo.find_elements(".stats > .col") if card.text.startswith("Change on")]
    assert cards, "no change card"
    return [chip for card in cards for chip in card.find_elements(By.CSS_SELECTOR, ".chip")]


def test_a_categorical_measure_shows_its_label_and_its_categories(app):
    visit(app, "/measure/laws-online", "National legislation published online")
    cards = app.find_element(".stats").text
    assert "Latest\nYes\n2025" in cards
    assert "Was No in 2024" in cards  # the category before, never "Up 1"
    assert "Target met" in cards and "Target reached: Yes in 2025" in cards
    assert change_chips(app) == []  # the category before in words: no chip, so neither better nor worse
    assert "Better" not in cards and "Worse" not in cards
    until(app, lambda: plot(app, "#measure-chart", "el.layout.yaxis.ticktext") == ["Not applicable", "No", "Yes"])
    assert "A categorical measure" in app.find_element("#xmr-signals").text
    assert app.find_elements("#xmr-chart") == [] and app.find_elements("#forecast-chart") == []
    app.find_element("#measure-data summary").click()
    assert texts(app, "#measure-table tbody tr")[0].startswith("2025 Yes")
    # the download carries the label beside each code
    click(app, app.find_element("#download-csv"))
    rows = pd.read_csv(until(app, lambda: _downloaded(Path(app.download_path), "laws-online-latest.csv")))
    assert list(rows.columns) == ["measure", "period", "breakdown", "value", "label", "status", "revised", "as_of"]
    assert rows[["period", "value", "label"]].values.tolist()[-2:] == [[2024, 0.0, "No"], [2025, 1.0, "Yes"]]
    assert app.get_logs() == []


def test_a_measure_with_no_direction_of_good_moves_up_without_being_better(app):
    visit(app, "/measure/library-visits", "Library visits")
    cards = app.find_element(".stats").text
    assert "Up 940 since September 2026" in cards
    assert "No direction" in cards and "No direction of good: not judged against a target" in cards
    assert [c.get_attribute("class") for c in change_chips(app)] == ["chip chip-neutral"] * 2
    assert "Better" not in cards and "Worse" not in cards
    app.wait_for_element("#xmr-chart .main-svg", timeout=30)
    signals = app.find_element("#xmr-signals").text
    assert "October 2026: Point beyond a natural process limit (high side)" in signals
    assert "better" not in signals and "worse" not in signals
    assert app.get_logs() == []


def test_the_goal_map_and_exceptions_say_it_in_words(app):
    visit(app, "/", "Goal map")
    row = app.find_element(".goal-table tbody tr").text
    assert "Yes\n2025" in row and "Was No in 2024" in row and "Categorical: Yes, No, Not applicable" in row
    visit(app, "/exceptions", "Exceptions")
    app.wait_for_element("#exceptions-table", timeout=10)
    rules = {c.get_attribute("textContent") for c in app.find_elements("#exceptions-table tbody tr td:nth-child(2)")}
    assert "Late submission" in rules and "Variation signal" not in rules
    assert app.get_logs() == []
