"""Signing in and out in headless Chromium: the form by keyboard, "Signed in as" in the header, sign-out,
and back to the page signing in started from."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from dashboard import Settings, create_app
from dashboard.context import STORE_KEY

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def test_sign_in_see_who_is_signed_in_and_sign_out(dash_duo, tiny_warehouse, tmp_path):
    app = create_app(Settings(warehouse=tiny_warehouse, workflow_url=f"sqlite:///{tmp_path / 'workflow.sqlite'}",
                              secret_key="k" * 40))
    store = app.server.config[STORE_KEY]
    store.add_user("sam", PASSWORD, "steward", "northfield", by="test")
    dash_duo.start_server(app)
    dash_duo.wait_for_text_to_equal("h1", "Goal map", timeout=10)

    dash_duo.wait_for_text_to_equal(".account a", "Sign in", timeout=10)
    dash_duo.find_element(".account a").click()
    dash_duo.wait_for_text_to_equal("h1", "Sign in", timeout=10)
    assert dash_duo.driver.title == "Sign in – Shared Outcomes"

    # a wrong password: the error summary names the problem and links to the field
    dash_duo.find_element("#username").send_keys("sam")
    dash_duo.find_element("#password").send_keys("not the password" + Keys.ENTER)
    dash_duo.wait_for_contains_text("#error-summary", "The username or password is not right", timeout=10)
    assert dash_duo.find_element("#error-summary a").get_attribute("href").endswith("#username")
    assert dash_duo.find_element("#username").get_attribute("value") == "sam"  # kept; the password is not
    assert dash_duo.find_element("#password").get_attribute("value") == ""

    # the right one, by keyboard only
    dash_duo.find_element("#password").send_keys(PASSWORD + Keys.ENTER)
    dash_duo.wait_for_text_to_equal("h1", "Goal map", timeout=10)
    dash_duo.wait_for_text_to_equal("#signed-in-as", "Signed in as sam (organisation steward)", timeout=10)
    account = " ".join(dash_duo.find_element(".account").text.split())
    assert account == "Signed in as sam (organisation steward) · Sign out"

    dash_duo.driver.find_element(By.CSS_SELECTOR, ".account button[type=submit]").click()
    dash_duo.wait_for_text_to_equal(".account a", "Sign in", timeout=10)
    assert not dash_duo.find_elements("#signed-in-as")
    assert [e.action for e in reversed(store.audit_log(limit=3))] == ["sign-in-failed", "sign-in", "sign-out"]
    # the one failed attempt answered 401, which the browser notes; nothing else went wrong
    assert [e["message"] for e in dash_duo.get_logs()] == [
        f"{dash_duo.server_url}/sign-in - Failed to load resource: the server responded with a status of 401 "
        "(UNAUTHORIZED)"]


def test_signing_in_from_a_measure_or_an_objective_page_comes_back_to_it(dash_duo, tiny_warehouse, tmp_path):
    app = create_app(Settings(warehouse=tiny_warehouse, workflow_url=f"sqlite:///{tmp_path / 'workflow.sqlite'}",
                              secret_key="k" * 40))
    app.server.config[STORE_KEY].add_user("sam", PASSWORD, "steward", "northfield", by="test")
    dash_duo.start_server(app)
    driver, site = dash_duo.driver, dash_duo.server_url

    def sign_in_from(page: str, heading: str) -> None:
        """On `page` (path and query): "Sign in" carries it, and signing in comes back to it."""
        until = WebDriverWait(driver, 10).until
        until(lambda _: dash_duo.find_element("#sign-in-link").get_attribute("href") == (
            f"{site}/sign-in?next={quote(page, safe='/')}"))
        dash_duo.find_element("#sign-in-link").click()
        dash_duo.wait_for_text_to_equal("h1", "Sign in", timeout=10)
        dash_duo.find_element("#username").send_keys("sam")
        dash_duo.find_element("#password").send_keys(PASSWORD + Keys.ENTER)
        dash_duo.wait_for_text_to_equal("h1", heading, timeout=10)
        assert driver.current_url == site + page
        dash_duo.wait_for_text_to_equal("#signed-in-as", "Signed in as sam (organisation steward)", timeout=10)

    measure, objective = "Residential burglaries per 100,000 households", "Fewer homes burgled"
    driver.get(f"{site}/measure/burglary-rate?as_of=2025-03")  # a page opened by its address
    dash_duo.wait_for_text_to_equal("h1", measure, timeout=10)
    sign_in_from("/measure/burglary-rate?as_of=2025-03", measure)
    driver.find_element(By.CSS_SELECTOR, ".account button[type=submit]").click()
    dash_duo.wait_for_text_to_equal(".account a", "Sign in", timeout=10)

    # a page reached by a link: Dash changes the address without building the header again
    driver.get(f"{site}/measure/burglary-rate")
    dash_duo.wait_for_text_to_equal("h1", measure, timeout=10)
    driver.execute_script("window.__same_page = true;")
    driver.find_element(By.LINK_TEXT, objective).click()
    dash_duo.wait_for_text_to_equal("h1", objective, timeout=10)
    assert driver.execute_script("return window.__same_page === true")  # no page load: the link followed
    sign_in_from("/objective/burglary", objective)
