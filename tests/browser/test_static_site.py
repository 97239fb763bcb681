"""The exported static site opened straight from disk in headless Chromium: charts drawn by the one
shared script, the data table behind them, links between pages, no errors in the console."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from outcomes.cli import main

pytestmark = pytest.mark.browser


def test_the_exported_site_works_from_disk(dash_duo, tmp_path):
    from datetime import date, datetime

    from etl.load import LoadRequest, load_batch
    from tests.support import mini_home, write

    home = mini_home(tmp_path / "home")
    a = write(tmp_path / "a.csv", "measure_id,period,value\nneet-rate,2025-01,11.5\nneet-rate,2025-02,11.2\n")
    load_batch(home, [LoadRequest("edu", [a], datetime(2025, 3, 10))], today=date(2025, 5, 1))
    out = tmp_path / "site"
    assert main(["--home", str(home.root), "export-site", str(out)]) == 0

    driver = dash_duo.driver
    driver.get((out / "index.html").as_uri())
    assert driver.find_element(By.TAG_NAME, "h1").text == "Goals and how we are doing"
    driver.find_element(By.LINK_TEXT, "NEET rate").click()
    wait = WebDriverWait(driver, 10)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".chart .main-svg")))
    assert driver.find_element(By.TAG_NAME, "h1").text == "NEET rate"
    assert driver.title == "NEET rate – Shared Outcomes"
    driver.find_element(By.CSS_SELECTOR, "details summary").click()
    rows = driver.find_elements(By.CSS_SELECTOR, "details tbody tr")
    assert [r.text for r in rows] == ["February 2025 11.2%", "January 2025 11.5%"]
    driver.find_element(By.LINK_TEXT, "Fewer young people not in education, employment or training").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "table caption")))
    assert "NEET rate" in driver.find_element(By.CSS_SELECTOR, "table").text
    assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
