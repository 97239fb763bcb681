"""The exported static service page in headless Chromium, served by a plain web server (the folder as
written, nothing else): reached from the objective it serves, the latest month's stages with the pinch
point in words, the chart of work waiting drawn by the one shared script with its data table, nothing
of the internal stage, no errors in the console, and axe-core finds nothing serious."""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from outcomes.cli import main
from tests.browser.axe import charts_without_alternative, describe, heading_problems, headings, run_axe, serious
from tests.service_home import DECIDE_WAITING, service_home

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/static-service.png"


@pytest.fixture
def served(tmp_path):
    """The exported folder on a plain web server on a free loopback port: its address."""
    home = service_home(tmp_path / "home")
    out = tmp_path / "site"
    assert main(["--home", str(home.root), "export-site", str(out)]) == 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # no line per request in the test output
        pass


def test_the_exported_service_page_works_on_a_plain_web_server(dash_duo, served):
    driver = dash_duo.driver
    driver.set_window_size(1280, 1000)
    driver.get(served + "objective/claims.html")
    driver.find_element(By.LINK_TEXT, "Claim for support").click()
    wait = WebDriverWait(driver, 10)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".chart .main-svg")))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Claim for support"
    assert driver.title == "Claim for support – Shared Outcomes"
    assert "Pinch point: work waits longest\n⚠ Evidence scanned" in driver.find_element(By.ID, "service-summary").text
    rows = [" ".join(r.text.split()) for r in driver.find_elements(By.CSS_SELECTOR, "#service-stages tbody tr")]
    assert rows == ["Claim received Claims Intake Agency 1,000 1,000 – – 0 – – – –",
                    "Evidence scanned ⚠ Pinch point ScanCo Ltd 1,000 950 – 650 +50 19.8 – 90.0% –"]
    # the chart draws one line, and the table behind it opens
    assert len(driver.find_elements(By.CSS_SELECTOR, ".chart .scatterlayer .trace")) == 1
    driver.find_element(By.CSS_SELECTOR, "details summary").click()
    months = driver.find_elements(By.CSS_SELECTOR, "details tbody tr")
    assert [m.text for m in months[:2]] == ["December 2025 650", "November 2025 600"]
    source = driver.page_source
    assert "Claim decided" not in source and f"{DECIDE_WAITING:,}" not in source
    assert heading_problems(headings(driver)) == [] and charts_without_alternative(driver) == []
    found = serious(run_axe(driver))
    assert not found, describe(found)
    driver.save_screenshot(SCREENSHOT)
    # a stage's measure page is one click away
    driver.find_element(By.LINK_TEXT, "Claims waiting to be scanned").click()
    wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Claims waiting to be scanned"))
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".chart .main-svg")))
    found = serious(run_axe(driver))  # the measure page's chart, too, is named without nesting its controls
    assert not found, describe(found)
    # (the site has no icon: the browser's own guess at /favicon.ico is no link of the page)
    logged = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and "/favicon.ico " not in e["message"]]
    assert not logged, [e["message"] for e in logged]
