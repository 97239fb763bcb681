"""Submitting figures in headless Chromium: a steward signs in, uploads a broken file, reads the
report, uploads the fixed file, loads it and sees the figures on the measure page; another
organisation's steward fails to submit for that measure. Script in uploaded values stays text."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard import Settings, create_app
from dashboard.context import STORE_KEY
from etl.load import LoadRequest, load_batch
from tests.browser.support import sign_in, until
from tests.support import PASSWORD, mini_home, write
from workflow import passwords

pytestmark = pytest.mark.browser

FIRST = "measure_id,period,value\nneet-rate,2025-01,11.5\nneet-rate,2025-02,11.2\n"
BROKEN = ("measure_id,period,value,status,note\n"
          "neet-rate,2025-13,10.9,,\n"
          "neet-rate,2025-04,abc,,\n"
          "youth-contacts,2025-Q2,5,,\n")
FIXED = ("measure_id,period,value,status,note\n"
         "neet-rate,2025-03,10.9,,\n"
         "neet-rate,2025-04,10.4,,\n")
THEIRS = "measure_id,period,value\nneet-rate,2025-04,99.9\n"  # edu's measure, sent by north's steward


@pytest.fixture
def site(dash_duo, tmp_path, monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    home = mini_home(tmp_path / "home")
    load_batch(home, [LoadRequest("edu", [write(tmp_path / "in" / "first.csv", FIRST)])])
    app = create_app(Settings(warehouse=home.warehouse, workflow_url=f"sqlite:///{tmp_path / 'workflow.sqlite'}",
                              secret_key="k" * 40))
    store = app.server.config[STORE_KEY]
    store.add_user("sam", PASSWORD, "steward", "edu", by="test")
    store.add_user("nora", PASSWORD, "steward", "north", by="test")
    dash_duo.start_server(app)
    return dash_duo


def sign_out(duo) -> None:
    duo.driver.find_element(By.CSS_SELECTOR, ".account button[type=submit]").click()
    duo.wait_for_text_to_equal(".account a", "Sign in", timeout=15)


def open_submit(duo) -> None:
    duo.driver.get(duo.server_url + "/submit")
    duo.wait_for_text_to_equal("h1", "Submit figures", timeout=15)


def upload(duo, path: Path) -> None:
    """Choose a file in the upload control (its file input is hidden, as a drop zone's is)."""
    field = duo.driver.find_element(By.CSS_SELECTOR, "#submit-upload input[type=file]")
    duo.driver.execute_script("arguments[0].style.display = 'block';", field)
    field.send_keys(str(path))


def verdict(duo) -> str:
    """The report's verdict once there is one, read in one step (the report is redrawn while it loads)."""
    return until(duo, lambda: duo.driver.execute_script(
        "const found = document.getElementById('report-verdict'); return found ? found.innerText : '';"))


def cells(duo, selector: str) -> list[list[str]]:
    return [[c.text for c in row.find_elements(By.CSS_SELECTOR, "td")]
            for row in duo.driver.find_elements(By.CSS_SELECTOR, f"{selector} tbody tr")]


def test_a_steward_fixes_a_broken_file_loads_it_and_another_organisation_cannot(site, tmp_path):
    sign_in(site, "sam")
    open_submit(site)
    assert "Figures from Department for Education" in site.find_element("main").text

    # a broken file: every problem, by file, row, column, value and reason; nothing to load
    upload(site, write(tmp_path / "out" / "march.csv", BROKEN))
    until(site, lambda: "cannot be loaded" in verdict(site))
    assert verdict(site) == "march.csv cannot be loaded: 3 problems to fix. Nothing has been published."
    assert [row[1:] for row in cells(site, "#problems-table")] == [
        ["march.csv", "2", "period", "2025-13", "not a period (use YYYY, YYYY-MM, YYYY-Qn, YYYY-MM-DD or YYYY/YY)"],
        ["march.csv", "3", "value", "abc", "value is not a number"],
        ["march.csv", "4", "measure_id", "youth-contacts", "measure is owned by north, not by edu"],
    ]
    assert not site.find_element("#submit-confirm").is_enabled()
    assert "3 problem(s) found in march.csv" in site.find_element("#submit-status").text  # said, in a live region
    assert site.find_element("#submit-status").get_attribute("aria-live") == "polite"

    # "Upload a corrected file" takes the keyboard back to the upload
    site.find_element("#submit-again").send_keys(Keys.ENTER)
    until(site, lambda: site.driver.execute_script("return document.activeElement.id") == "upload-heading")

    upload(site, write(tmp_path / "out" / "march-fixed.csv", FIXED))
    until(site, lambda: "passed every check" in verdict(site))
    assert verdict(site) == "march-fixed.csv passed every check: 2 figures would be added or changed."
    assert [row[1:5] for row in cells(site, "#preview-table")] == [["neet-rate", "2025-03", "Total", "10.9"],
                                                                    ["neet-rate", "2025-04", "Total", "10.4"]]
    site.find_element("#submit-confirm").click()
    site.wait_for_contains_text("#result-verdict", "Loaded and published march-fixed.csv", timeout=30)
    assert "march-fixed.csv" in site.find_element("#history-section").text

    # the figures on the measure page
    site.driver.find_element(By.CSS_SELECTOR, "#changed-measures a").click()
    site.wait_for_text_to_equal("h1", "NEET rate", timeout=15)
    table = until(site, lambda: site.find_element("#measure-table").get_attribute("textContent"))
    assert "10.9" in table and "10.4" in table
    sign_out(site)

    # another organisation's steward: the page is for north, and edu's measure is refused
    sign_in(site, "nora")
    open_submit(site)
    assert "Figures from Northfield Council" in site.find_element("main").text
    upload(site, write(tmp_path / "out" / "theirs.csv", THEIRS))
    until(site, lambda: "cannot be loaded" in verdict(site))
    assert [row[1:] for row in cells(site, "#problems-table")] == [
        ["theirs.csv", "2", "measure_id", "neet-rate", "measure is owned by edu, not by north"]]
    assert not site.find_element("#submit-confirm").is_enabled()
    site.driver.get(site.server_url + "/measure/neet-rate")
    site.wait_for_text_to_equal("h1", "NEET rate", timeout=15)
    table = until(site, lambda: site.find_element("#measure-table").get_attribute("textContent"))
    assert "10.4" in table and "99.9" not in table


def test_script_in_an_uploaded_file_is_shown_as_text_and_never_runs(site, tmp_path):
    sign_in(site, "sam")
    open_submit(site)
    script = "<script>window.__xss = 1</script>"
    handler = '<img src=x onerror="window.__xss = 2">'
    quoted = '"' + handler.replace('"', '""') + '"'
    content = f"measure_id,period,value,status,note\n{script},2025-03,1,,\nneet-rate,2025-04,10.4,,{quoted}\n"
    upload(site, write(tmp_path / "out" / "xss.csv", content))
    until(site, lambda: "cannot be loaded" in verdict(site))
    report = site.find_element("#report")
    assert script in report.text and handler in report.text
    assert not report.find_elements(By.CSS_SELECTOR, "script, img, iframe")
    assert site.driver.execute_script("return window.__xss === undefined")


def test_a_file_up_to_the_limit_reaches_the_server_and_one_over_is_refused_in_the_browser(site, tmp_path):
    sign_in(site, "sam")
    open_submit(site)
    # just under 10 MB: through the request guard to the server's check (binary, so refused at once)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "nearly.csv").write_bytes(b"\0" * (10 * 2**20 - 1))
    upload(site, tmp_path / "out" / "nearly.csv")
    until(site, lambda: "was not accepted" in verdict(site))
    assert verdict(site).startswith("nearly.csv was not accepted: this is not a text file")
    # just over: refused before it leaves the browser
    big = "measure_id,period,value\n" + "neet-rate,2025-03,1\n" * (10 * 2**20 // 20)  # 10 MB and 24 bytes
    upload(site, write(tmp_path / "out" / "big.csv", big))
    until(site, lambda: "big.csv was not accepted" in verdict(site))
    assert verdict(site) == "big.csv was not accepted: it is larger than 10 MB. Nothing has been published."
    assert "larger than 10 MB" in site.find_element("#submit-status").text
    assert not list((tmp_path / "home").glob("uploads/*/*"))  # neither was stored


def test_the_file_dialog_opens_from_the_keyboard(site):
    sign_in(site, "sam")
    open_submit(site)
    # the dialog itself is the system's: notice that the file input was asked to open, and stop it there
    site.driver.execute_script(
        "document.querySelector('#submit-upload input[type=file]').addEventListener('click', e => {"
        " window.__opened = true; e.preventDefault(); });")
    site.driver.execute_script("document.getElementById('upload-heading').focus();")
    site.driver.switch_to.active_element.send_keys(Keys.TAB)  # the next stop after the heading
    assert site.driver.execute_script("return document.activeElement.id") == "submit-choose"
    site.driver.switch_to.active_element.send_keys(Keys.ENTER)
    until(site, lambda: site.driver.execute_script("return window.__opened === true"))


def test_a_public_visitor_sees_only_the_sign_in_notice(site):
    site.driver.get(site.server_url + "/submit")
    site.wait_for_text_to_equal("h1", "Submit figures", timeout=15)
    main = site.find_element("main").text
    assert "Sign in as a steward to submit figures" in main and "Department for Education" not in main
    assert not site.find_elements("#submit-upload")
