"""WCAG 2.2 AA on every public page type, anonymously, on the tiny warehouse: axe-core (npm) in headless
Chromium with no serious or critical violation; one h1 and headings in order; a skip link to the main
content; a text alternative beside every chart; the keyboard alone from the goal map to a measure's
data table, with a visible focus all the way; no sideways scrolling at 200% zoom."""

from __future__ import annotations

import socket

import duckdb
import pytest
from dash.testing.application_runners import ThreadedRunner
from dash.testing.composite import DashComposite
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from dashboard import Settings, create_app
from etl.home import public_path
from etl.public import write_public
from tests.browser.axe import (
    charts_without_alternative,
    describe,
    focus_visible,
    heading_problems,
    headings,
    run_axe,
    serious,
    wait_until_drawn,
)
from tests.service_home import TINY_SERVICE, add_tiny_service

pytestmark = pytest.mark.browser

MEASURE = "mh-days-to-first-appointment"  # the one with a breakdown (sex) in the tiny warehouse
MEASURE_NAME = "Median days from referral to first appointment"

# every public page type: (address, its h1)
PAGES = {
    "goal map": ("/", "Goal map"),
    "council": ("/council/healthy-lives", "Healthy lives"),
    "objective": ("/objective/mental-health-waits", "Shorter waits for community mental health care"),
    "organisation": ("/org/northfield", "Northfield County Council"),
    "measure": (f"/measure/{MEASURE}", MEASURE_NAME),
    "measure, small multiples": (f"/measure/{MEASURE}?breakdown=sex&view=panels", MEASURE_NAME),
    "search": ("/search?q=days", "Search results for “days”"),
    "exceptions": ("/exceptions", "Exceptions"),
    "methods": ("/methods", None),
    "not found": ("/no/such/page", "Page not found"),
    "sign in": ("/sign-in", "Sign in"),
    "embed": (f"/embed/measure/{MEASURE}", MEASURE_NAME),
    "service": (f"/service/{TINY_SERVICE}", "Community mental health referral"),
}
NO_SKIP_LINK = {"embed"}  # a chart for other sites' iframes: no header to skip
TABBABLE = "a[href], button:not([disabled]), input:not([type=hidden]), select, textarea, summary, [tabindex='0']"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def warehouse(build_tiny_warehouse, tmp_path_factory):
    """The tiny warehouse, its headline measure declaring its breakdown by sex (for the small multiples)."""
    path = build_tiny_warehouse(tmp_path_factory.mktemp("a11y") / "warehouse.duckdb")
    with duckdb.connect(str(path)) as con:
        con.executemany("INSERT INTO measure_breakdowns VALUES (?, 'sex', ?, ?)",
                        [(MEASURE, "female", 1), (MEASURE, "male", 2)])
    add_tiny_service(path)  # an end-to-end service over its measures (tests/service_home.py)
    write_public(path, public_path(path))
    return path


@pytest.fixture(scope="module")
def site(request, warehouse, tmp_path_factory):
    """One server and one browser for the module (as dash_duo, without a start per page)."""
    option = request.config.getoption
    with ThreadedRunner() as server, DashComposite(
        server=server,
        browser=option("webdriver"),
        remote=option("remote"),
        remote_url=option("remote_url"),
        headless=option("headless"),
        options=request.config.hook.pytest_setup_options(),
        download_path=str(tmp_path_factory.mktemp("download")),
        percy_assets_root=option("percy_assets"),
        percy_finalize=option("nopercyfinalize"),
        pause=option("pause"),
    ) as duo:
        duo.start_server(create_app(Settings(warehouse=warehouse)), port=free_port())
        yield duo


@pytest.fixture
def browser(site):
    """The shared browser at its usual size, whatever the test before did."""
    site.driver.set_window_size(1280, 1000)
    return site


def visit(duo, path: str, heading: str | None) -> None:
    duo.driver.get(duo.server_url + path)
    if heading:
        duo.wait_for_text_to_equal("main h1", heading, timeout=20)
    wait_until_drawn(duo.driver)


def skip_link_problems(driver) -> list[str]:
    """The skip link is the first thing Tab reaches, shows its focus, and Enter moves focus to <main>."""
    if driver.execute_script("return document.activeElement === document.body"):
        driver.find_element("tag name", "body").send_keys(Keys.TAB)
        first = focus_visible(driver)
    else:  # a page that puts focus in its form (sign-in): the skip link is back above it
        for _ in range(5):
            first = tab(driver, back=True)
            if first and first["text"] == "Skip to main content":
                break
    if not (first and first["text"] == "Skip to main content"):
        return [f"the first Tab reaches {first}, not the skip link"]
    problems = [] if first["ring"] else [f"the skip link shows no focus: {first}"]
    if not driver.execute_script(f"return document.querySelector({TABBABLE!r}) === document.activeElement"):
        problems.append("the skip link is not the first focusable element")
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    try:
        WebDriverWait(driver, 5).until(lambda d: d.execute_script("return document.activeElement.id") == "main")
    except TimeoutException:
        problems.append("the skip link does not move focus to <main id=main>")
    return problems


@pytest.mark.parametrize("page", list(PAGES))
def test_every_public_page_type_meets_wcag_22_aa(browser, page):
    """axe-core finds nothing serious or critical; one h1 and no heading level skipped; a text
    alternative beside every chart; a skip link first, to the main content. One visit a page."""
    path, heading = PAGES[page]
    visit(browser, path, heading)
    driver = browser.driver
    problems = [] if page in NO_SKIP_LINK else skip_link_problems(driver)
    problems += heading_problems(headings(driver))
    missing = charts_without_alternative(driver)
    problems += [f"charts with no text alternative: {missing}"] if missing else []
    found = serious(run_axe(driver))
    problems += [describe(found)] if found else []
    assert not problems, f"{page} ({path}):\n" + "\n".join(problems)


def tab(driver, back: bool = False) -> dict:
    keys = ActionChains(driver)
    if back:
        keys.key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT)
    else:
        keys.send_keys(Keys.TAB)
    keys.perform()
    return focus_visible(driver)


def tab_to(driver, wanted, limit: int = 150) -> list[dict]:
    """Tab forward until `wanted(focused)`; every element passed shows a focus ring."""
    passed = []
    for _ in range(limit):
        focused = tab(driver)
        assert focused, "focus left the page"
        passed.append(focused)
        assert focused["ring"], f"no visible focus on {focused}"
        if wanted(focused):
            return passed
    pytest.fail(f"not reached in {limit} presses of Tab; passed {[p['text'] for p in passed[-10:]]}")


def test_the_keyboard_alone_reaches_a_measure_and_its_data_table(browser):
    driver = browser.driver
    visit(browser, "/", "Goal map")
    driver.find_element("tag name", "body").send_keys(Keys.TAB)  # the first Tab from the top of the page
    first = focus_visible(driver)
    assert first["text"] == "Skip to main content" and first["ring"], first
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    WebDriverWait(driver, 5).until(lambda d: d.execute_script("return document.activeElement.id") == "main")
    tab_to(driver, lambda f: f["tag"] == "a" and f["text"] == "Healthy lives")
    # one step back and forth again: Shift+Tab leaves a visible focus too
    assert tab(driver, back=True)["ring"]
    tab_to(driver, lambda f: f["tag"] == "a" and f["text"] == "Healthy lives")
    tab_to(driver, lambda f: f["tag"] == "a" and f["text"] == MEASURE_NAME)
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    browser.wait_for_text_to_equal("main h1", MEASURE_NAME, timeout=20)
    wait_until_drawn(driver)

    tab_to(driver, lambda f: f["tag"] == "summary" and f["text"] == "Show the data behind the chart")
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    table = browser.find_element("#measure-table table")
    WebDriverWait(driver, 5).until(lambda _: table.is_displayed())
    assert "March 2025" in table.text


@pytest.mark.parametrize("page", ["goal map", "measure", "measure, small multiples"])
def test_no_sideways_scrolling_at_200_percent_zoom(browser, page):
    browser.driver.set_window_size(640, 900)  # 1280 pixels wide at 200%
    visit(browser, *PAGES[page])
    width, inner = browser.driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];")
    assert width <= inner + 1, f"{page}: the page is {width}px wide in a {inner}px window"


# pages of the demo that the tiny warehouse cannot show: process-behaviour and forecast charts, many panels
DEMO_PAGES = [
    "/measure/applications_received",
    "/measure/low_birth_weight?breakdown=ethnic_group&view=panels",
    "/objective/housing_support_claims",
    "/council/efficient_government",
]


def test_the_demo_pages_with_every_kind_of_chart(dash_duo, demo_home):
    dash_duo.start_server(create_app(Settings(warehouse=demo_home.warehouse)), port=free_port())
    problems = {}
    for path in DEMO_PAGES:
        visit(dash_duo, path, None)
        found = serious(run_axe(dash_duo.driver))
        said = [describe(found)] if found else []
        said += heading_problems(headings(dash_duo.driver))
        missing = charts_without_alternative(dash_duo.driver)
        said += [f"charts with no text alternative: {missing}"] if missing else []
        if path == DEMO_PAGES[0]:  # the page must hold the charts it is here for
            drawn = {e.get_attribute("id") for e in dash_duo.find_elements("#xmr-chart, #forecast-chart")}
            said += [] if drawn == {"xmr-chart", "forecast-chart"} else [f"expected both analysis charts: {drawn}"]
        if said:
            problems[path] = said
    assert not problems, "\n".join(f"{p}:\n  " + "\n  ".join(s) for p, s in problems.items())
