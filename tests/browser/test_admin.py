"""The administrator's page in headless Chromium: an administrator signs in, changes a steward into a
lead, and sees the change in the users table and in the audit log with their own name; a wrong
field is named beside it."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from dashboard import Settings, create_app
from dashboard.context import STORE_KEY
from etl.load import LoadRequest, load_batch
from tests.browser.support import pick, sign_in, squeezed, until
from tests.support import PASSWORD, mini_home, write
from workflow import passwords

pytestmark = pytest.mark.browser

FIRST = "measure_id,period,value\nneet-rate,2025-01,11.5\nneet-rate,2025-02,11.2\n"
SCREENSHOT, ERRORS_SCREENSHOT = "/tmp/admin.png", "/tmp/admin-errors.png"


@pytest.fixture
def site(dash_duo, tmp_path, monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    home = mini_home(tmp_path / "home")
    load_batch(home, [LoadRequest("edu", [write(tmp_path / "in" / "first.csv", FIRST)])])
    app = create_app(Settings(warehouse=home.warehouse, workflow_url=f"sqlite:///{tmp_path / 'workflow.sqlite'}",
                              secret_key="k" * 40))
    store = app.server.config[STORE_KEY]
    store.add_user("ann", PASSWORD, "admin", by="setup")
    store.add_user("sam", PASSWORD, "steward", "edu", by="setup")
    store.add_user("cat", PASSWORD, "council_member", councils=["education"], by="setup")
    dash_duo.start_server(app)
    return dash_duo


def choose(duo, select_id: str, value: str) -> None:
    Select(duo.find_element(f"#{select_id}")).select_by_value(value)


def test_an_administrator_changes_a_role_and_sees_it_in_the_table_and_the_audit_log(site):
    duo = site
    sign_in(duo, "ann")
    duo.driver.find_element(By.LINK_TEXT, "Administration").click()  # the header links it for administrators
    duo.wait_for_text_to_equal("h1", "Administration", timeout=15)
    assert "sam organisation steward Department for Education ✓ Active" in squeezed(duo, "#users-table")

    # choose sam: the form shows the role as stored
    choose(duo, "admin-role-user", "sam")
    until(duo, lambda: duo.find_element("#admin-role-role").get_attribute("value") == "steward")
    assert duo.find_element("#admin-role-org").get_attribute("value") == "edu"

    # a council member on no council: refused, the field says why, nothing changed
    choose(duo, "admin-role-role", "council_member")
    duo.find_element("#admin-role-save").click()
    duo.wait_for_contains_text("#admin-role-councils-error", "A council member needs at least one council they "
                                                             "sit on", timeout=15)
    assert "Nothing was changed" in squeezed(duo, "#role-errors")
    duo.driver.execute_script("document.getElementById('change-heading').scrollIntoView()")
    duo.driver.save_screenshot(ERRORS_SCREENSHOT)
    assert "sam organisation steward" in squeezed(duo, "#users-table")

    # a lead of the same organisation: saved, in the table and in the audit log, by ann
    choose(duo, "admin-role-role", "lead")
    choose(duo, "admin-role-org", "edu")
    duo.find_element("#admin-role-save").click()
    duo.wait_for_contains_text("#admin-role-message", "Saved: sam is now accountable lead of Department for "
                                                      "Education", timeout=15)
    duo.wait_for_contains_text("#users-table", "sam accountable lead Department for Education", timeout=15)
    until(duo, lambda: "user-set-role" in squeezed(duo, "#audit-table"))
    newest = " ".join(duo.driver.find_elements(By.CSS_SELECTOR, "#audit-table tbody tr")[0].text.split())
    assert "ann user-set-role username: sam; before: role steward, org edu; after: role lead, org edu" in newest

    # the audit log filtered by who
    pick(duo, "admin-audit-who", "setup")
    until(duo, lambda: "Entries 1–3 of 3" in squeezed(duo, "#audit-position"))

    duo.find_element("#admin-defs-check").click()
    duo.wait_for_contains_text("#definitions-verdict", "No problems found", timeout=15)
    duo.driver.set_window_size(1280, 900)
    duo.driver.execute_script("window.scrollTo(0, 0)")
    height = duo.driver.execute_script("return document.documentElement.scrollHeight")
    duo.driver.set_window_size(1280, min(height + 140, 4000))  # the whole page: the window's frame takes ~140 px
    duo.driver.save_screenshot(SCREENSHOT)
    assert duo.get_logs() == []
