"""The goal map in headless Chromium: councils, objectives, leads, formatted values, links, no errors."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from dashboard import Settings, create_app

pytestmark = pytest.mark.browser


def texts(dash_duo, selector: str) -> list[str]:
    return [e.text for e in dash_duo.find_elements(selector)]


def test_goal_map_shows_each_council_with_its_objectives(dash_duo, tiny_warehouse):
    dash_duo.start_server(create_app(Settings(warehouse=tiny_warehouse)))
    dash_duo.wait_for_text_to_equal("h1", "Goal map", timeout=10)

    assert texts(dash_duo, "section h2") == ["At a glance", "1 Healthy lives", "2 Safe communities", "3 A fair economy"]
    # at a glance: each council's objectives by status, linking down to the council's section
    glance = texts(dash_duo, "#status-glance tbody tr")
    assert glance[0].split() == ["1", "Healthy", "lives", "✕", "Off", "track", "1", "!", "At", "risk", "1"]
    assert dash_duo.find_element("#status-glance a").get_attribute("href").endswith("#council-healthy-lives")
    heading_link = dash_duo.find_element("#council-healthy-lives a")
    assert heading_link.get_attribute("href").endswith("/council/healthy-lives")

    rows = dash_duo.find_elements("section[aria-labelledby='council-safe-communities'] tbody tr")
    cells = [[c.text for c in row.find_elements(By.CSS_SELECTOR, "th, td")] for row in rows]
    assert cells[0][:5] == [
        "2.1\nFewer homes burgled\nResidential burglary falls in every district.",
        "Westshire Police",
        "Residential burglaries per 100,000 households\nLower is better ↓ · Monthly",
        "–\nNo target\nNo target has been set for this measure",  # the status the judge stored
        "28.3 per 100,000\nFebruary 2025",
    ]
    assert cells[1][1:5] == [
        "Northfield County Council",
        "People housed on the day they leave prison\nHigher is better ↑ · Monthly",
        "–\nNo target\nNo target has been set for this measure",
        "No data\nNothing submitted yet",
    ]
    # each council's objectives counted by status, worst first, icon and word with the number
    counts = dash_duo.find_element("section[aria-labelledby='council-healthy-lives'] .status-counts").text
    assert counts.split() == ["✕", "Off", "track", "1", "!", "At", "risk", "1"]
    body = dash_duo.find_element("main").text
    for expected in (
        "Shorter waits for community mental health care",
        "Eastvale NHS Trust",
        "Westshire Police",
        "Department for Work and Welfare",
        "35.2 days",  # latest value after the revision load
        "85.9%",
        "28.3 per 100,000",
        "£1,232,650",
        "Down 1.3 days since February 2025",
        "28.0 days by March 2026",
        "No headline measure is defined for this objective yet.",
    ):
        assert expected in body.replace("\n", " "), expected

    links = {a.text: a.get_attribute("href") for a in dash_duo.find_elements("main a")}
    assert links["Shorter waits for community mental health care"].endswith("/objective/mental-health-waits")
    assert links["Westshire Police"].endswith("/org/westshire-police")
    assert links["Children fully vaccinated by age two"].endswith("/measure/vaccinated-by-two")

    assert "Data as of 11 April 2025, 09:30, latest period March 2025." in dash_duo.find_element(".site-footer").text
    assert dash_duo.driver.title == "Goal map – Shared Outcomes"
    assert dash_duo.get_logs() == []


def test_without_a_warehouse_the_page_says_how_to_load_data(dash_duo, tmp_path):
    dash_duo.start_server(create_app(Settings(warehouse=tmp_path / "warehouse.duckdb")))
    dash_duo.wait_for_contains_text("main", "No data has been published yet.", timeout=10)
    assert "outcomes demo" in dash_duo.find_element("main").text
    assert "No data has been published yet." in dash_duo.find_element(".site-footer").text
    assert dash_duo.get_logs() == []
