"""Cross-site scripting, checked in headless Chromium: script and event-handler payloads in the
definitions (names, descriptions, unit labels, breakdown groups) and in an uploaded file are shown
as text on every page, in chart titles, hover labels and legends, and never run."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from dashboard import Settings, create_app
from dashboard.context import STORE_KEY
from etl.load import LoadRequest, load_batch
from tests.browser.test_goal_council_pages import choose, click
from tests.browser.test_submit import PASSWORD, open_submit, sign_in, upload, verdict
from tests.support import mini_home, write

pytestmark = pytest.mark.browser

# each sets window.__xss if it ever runs as script
SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1">'
SVG = '"><svg onload=window.__xss=1>'
# plotly draws a few tags in titles, hover labels and legends: a link and a bold with a handler
PLOTLY = '<a href="javascript:window.__xss=1">link</a> <b onmouseover="window.__xss=1">bold</b>'
JS_URL = "javascript:window.__xss=1"
# breakdown groups may not hold "=", so no attributes: a script and a tag plotly would draw
GROUP_SCRIPT = "<script>window.__xss++</script>"
GROUP_BOLD = "<b>South</b>"

ORG = f"Education {IMG}"
ORG_SHORT = f"Edu {SVG}"
NORTH = f"Northfield {PLOTLY}"
COUNCIL = f"Council {SCRIPT}"
GOAL = f"Goal {IMG}"
CHAIR = f"Chair {SVG}"
OBJECTIVE = f"Objective {SVG}"
STATEMENT = f"Statement {SCRIPT}"
RESPONSIBILITY = f"Owns {IMG}"
MEASURE = f"Measure {PLOTLY}"
DESCRIPTION = f"Description {SCRIPT}"
SOURCE = f"Source {PLOTLY}"
UNIT = f"{PLOTLY} pupils"
NOTE = f"Note {SVG}"  # a target's note: stored, not shown on any page today
SUBMITTED_NOTE = f"Note {IMG}"
CONTACTS = f"Contacts {IMG}"
# a categorical measure's categories: on its value axis, in its hover labels and its latest figure
YES, NO = f"Yes {IMG}", f"No {PLOTLY}"


def _q(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def _cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'  # a CSV cell, quotes doubled


# the mini definitions, with a payload in every piece of text a page shows
EDITS = {
    "{id: edu, name: Department for Education, kind: department}":
        f"{{id: edu, name: {_q(ORG)}, short_name: {_q(ORG_SHORT)}, kind: department, url: {_q(JS_URL)}}}",
    "{id: north, name: Northfield Council, kind: local_council}":
        f"{{id: north, name: {_q(NORTH)}, kind: local_council}}",
    "region: [North, South]": f"region: [{_q(GROUP_SCRIPT)}, {_q(GROUP_BOLD)}]",
    "name: World-class education": f"name: {_q(COUNCIL)}",
    "goal: Every young person learning or earning": f"goal: {_q(GOAL)}",
    "chair: A. Chair": f"chair: {_q(CHAIR)}",
    "name: Fewer young people not in education, employment or training":
        f"name: {_q(OBJECTIVE)}\n        statement: {_q(STATEMENT)}",
    "responsibility: Owns the outcome": f"responsibility: {_q(RESPONSIBILITY)}",
    "name: NEET rate": f"name: {_q(MEASURE)}\n            description: {_q(DESCRIPTION)}\n"
                       f"            source: {_q(SOURCE)}\n            unit_label: {_q(UNIT)}\n"
                       "            timing: leading",  # leading and monthly: a forecast chart too
    "unit: percent": "unit: number",  # a unit that shows its label
    "trajectory: {2025-01: 10}": f"trajectory: {{2025-01: 10}}\n              note: {_q(NOTE)}",
    "name: Youth service contacts": f"name: {_q(CONTACTS)}\n            categories: {{1: {_q(YES)}, 0: {_q(NO)}}}",
}

TOTALS = "".join(f"neet-rate,{2024 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d},{11 - m / 20 + (m % 3) / 10:.2f},,\n"
                 for m in range(1, 18))
LAST = f"neet-rate,2025-06,10.1,,{_cell(SUBMITTED_NOTE)}\n"  # the submitter's note, in the measure's data table
GROUPS = "".join(f"neet-rate,2025-{m:02d},{10 + m / 10 + i},{_cell(g)},\n"
                 for m in range(1, 7) for i, g in enumerate((GROUP_SCRIPT, GROUP_BOLD)))
NEET = "measure_id,period,value,region,note\n" + TOTALS + LAST + GROUPS
CONTACT_ROWS = "measure_id,period,value\nyouth-contacts,2025-Q1,0\nyouth-contacts,2025-Q2,1\n"

# no inline handler or javascript: address anywhere in the document (SVG's too), and no script or
# frame among the elements the app drew
INERT = """
const found = [];
for (const el of document.querySelectorAll('*')) {
  for (const a of el.attributes) {
    if (a.name.toLowerCase().startsWith('on')) found.push(el.tagName + ' ' + a.name);
    if (/^\\s*javascript:/i.test(a.value)) found.push(el.tagName + ' ' + a.name + '=' + a.value);
  }
}
for (const el of document.getElementById('react-entry-point').querySelectorAll('script, iframe, object, embed')) {
  found.push(el.tagName);
}
return {xss: window.__xss === undefined ? null : String(window.__xss), found: found};
"""

# an image's onerror runs once its load has failed: wait for every image to load or fail, then a moment
SETTLED = """
const done = arguments[arguments.length - 1];
const wait = () => setTimeout(Array.from(document.images).every(i => i.complete) ? done : wait, 50);
wait();
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    root = tmp_path_factory.mktemp("xss")
    home = mini_home(root / "home")
    path = home.definitions / "mini.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in EDITS.items():
        assert text.count(old) == 1, f"the mini definitions changed: {old!r}"
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    received = datetime(2025, 7, 20, 9, 0)
    load_batch(home, [
        LoadRequest("edu", [write(root / "in" / "neet.csv", NEET)], received),
        LoadRequest("north", [write(root / "in" / "contacts.csv", CONTACT_ROWS)], received),
    ], today=date(2025, 9, 1))  # late by then: the exceptions page lists them
    return home


@pytest.fixture
def site(dash_duo, home, tmp_path):
    app = create_app(Settings(warehouse=home.warehouse, workflow_url=f"sqlite:///{tmp_path / 'workflow.sqlite'}",
                              secret_key="k" * 40))
    app.server.config[STORE_KEY].add_user("sam", PASSWORD, "steward", "edu", by="test")
    dash_duo.start_server(app)
    return dash_duo


MOVE_MS = 20  # a quick mouse move (Selenium's default takes 250 ms for each)
PLOTLY_TEXT = (".gtitle", ".ytitle", ".ytick", ".legendtext", ".annotation-text")  # titles, axes, legends, notes


def until(duo, condition, timeout: float = 15):
    return WebDriverWait(duo.driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=(StaleElementReferenceException,)).until(lambda _: condition())


def drawn(duo, selector: str) -> list:
    """The elements under `selector` that take up room on the page (plotly keeps hidden ones)."""
    return duo.driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).filter(e => e.getBoundingClientRect().width > 0);",
        selector)


def visit(duo, path: str, heading: str, charts: int = 0) -> None:
    """Open `path` and wait for the page and its charts; then nothing has run, and the heading
    and the window's title read as typed."""
    duo.driver.get(duo.server_url + path)
    until(duo, lambda: duo.find_element("h1").text and len(drawn(duo, ".js-plotly-plot .main-svg")) >= charts)
    assert_inert(duo)
    assert duo.find_element("h1").text == heading
    title = f"{heading} – Shared Outcomes"
    until(duo, lambda: " – " in duo.driver.title)  # the page's own title, set once its layout is in
    assert duo.driver.title == title
    # the same title in the page's meta tags, which the server writes into the HTML itself
    assert duo.find_element("meta[property='og:title']").get_attribute("content") == title


def assert_inert(duo) -> None:
    """Nothing ran, and nothing that could run was put in the page."""
    duo.driver.execute_async_script(SETTLED)
    assert duo.driver.execute_script(INERT) == {"xss": None, "found": []}


def main_text(duo) -> str:
    return duo.driver.execute_script("const main = document.querySelector('main'); return main ? main.innerText : '';")


def svg_text(duo, selector: str) -> str:
    """The text plotly drew under `selector` (titles, legends, hover labels), as one string per element."""
    return duo.driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent).join('\\n');", selector)


def svg_lines(duo, selector: str) -> str:
    """The text of one title plotly drew in lines (a <br> in its text): the lines joined by spaces."""
    return duo.driver.execute_script(
        "const e = document.querySelector(arguments[0]); const lines = e.querySelectorAll('tspan.line');"
        "return lines.length ? Array.from(lines).map(l => l.textContent).join(' ') : e.textContent;", selector)


def hover(duo, chart: str) -> str:
    """Move the mouse over the chart's last marked point, and read the hover label."""
    last = drawn(duo, f"{chart} .scatterlayer .trace:last-child .point")[-1]
    ActionChains(duo.driver, duration=MOVE_MS).move_to_element(last).perform()
    return until(duo, lambda: svg_text(duo, f"{chart} .hoverlayer .hovertext"))


def sweep(duo, chart: str) -> None:
    """Move the mouse over every piece of text plotly drew in `chart` (a `<b onmouseover>` drawn
    as markup would fire here), and click any link it drew."""
    moves = ActionChains(duo.driver, duration=MOVE_MS)
    for element in drawn(duo, ", ".join(f"{chart} {part}" for part in PLOTLY_TEXT)):
        moves.move_to_element(element)
    moves.perform()
    for link in duo.find_elements(f"{chart} svg a"):
        link.click()


def test_names_and_descriptions_from_the_definitions_are_text_on_every_page(site):
    visit(site, "/", "Goal map")
    shown = main_text(site)
    for text in (COUNCIL, GOAL, CHAIR, OBJECTIVE, STATEMENT, ORG, MEASURE, UNIT):
        assert text in shown

    visit(site, "/council/education", COUNCIL, charts=1)
    shown = main_text(site)
    for text in (GOAL, CHAIR, ORG, NORTH, OBJECTIVE, MEASURE, UNIT):
        assert text in shown

    visit(site, "/objective/neet", OBJECTIVE, charts=3)
    shown = main_text(site)
    for text in (COUNCIL, STATEMENT, RESPONSIBILITY, ORG, NORTH, MEASURE, CONTACTS, SOURCE):
        assert text in shown
    assert svg_text(site, "#headline-chart .gtitle") == f"{MEASURE}, {ORG_SHORT}, monthly"
    sweep(site, "#headline-chart")
    sweep(site, ".panel")
    assert_inert(site)

    visit(site, "/org/edu", ORG, charts=1)
    assert OBJECTIVE in main_text(site) and COUNCIL in main_text(site)
    assert "Website" not in main_text(site)  # a javascript: address is no link
    assert svg_text(site, ".gtitle") == f"Figures due from {ORG_SHORT}, by the month they were due"

    # the measure: heading, definition and source, the submitter's note; the charts' titles, axes,
    # hover labels and legends
    visit(site, "/measure/neet-rate", MEASURE, charts=3)
    shown = main_text(site)
    for text in (DESCRIPTION, SOURCE, UNIT, ORG, COUNCIL, OBJECTIVE):
        assert text in shown
    assert SUBMITTED_NOTE in site.find_element("#measure-table").get_attribute("textContent")
    assert svg_text(site, "#measure-chart .gtitle") == f"{MEASURE}, {ORG_SHORT}, monthly"
    assert svg_text(site, "#measure-chart .ytitle") == UNIT
    assert UNIT in hover(site, "#measure-chart")
    sweep(site, "#measure-chart")
    assert svg_text(site, "#xmr-chart .gtitle") == f"{MEASURE}: variation"
    assert svg_lines(site, "#xmr-chart .ytitle") == f"Gap to plan ({UNIT})"  # a long title, drawn in lines
    assert svg_text(site, "#forecast-chart .gtitle") == f"{MEASURE}: forecast"
    assert svg_text(site, "#forecast-chart .ytitle") == UNIT
    sweep(site, "#xmr-chart")
    sweep(site, "#forecast-chart")
    assert_inert(site)

    # by region, picked on the page: the groups in the legend (each clicked off and on), the hover
    # label, then one panel per group under the group's name
    choose(site, "breakdown-picker", "By region")
    until(site, lambda: svg_text(site, "#measure-chart .legendtext") == f"Total\n{GROUP_SCRIPT}\n{GROUP_BOLD}")
    assert GROUP_BOLD in hover(site, "#measure-chart")
    sweep(site, "#measure-chart")
    for item in site.find_elements("#measure-chart .legend .traces"):
        item.click()
        item.click()
    click(site, site.find_element("#breakdown-view input[value='panels']"))
    until(site, lambda: svg_text(site, "#measure-chart .annotation-text") == f"{GROUP_SCRIPT}\n{GROUP_BOLD}")
    sweep(site, "#measure-chart")
    assert_inert(site)

    visit(site, "/measure/youth-contacts", CONTACTS, charts=1)
    assert YES in main_text(site) and NO in main_text(site)  # the latest category, and the one before
    assert svg_text(site, "#measure-chart .gtitle") == f"{CONTACTS}, {NORTH}, quarterly"
    assert svg_text(site, "#measure-chart .ytick") == f"{NO}\n{YES}"
    assert YES in hover(site, "#measure-chart")
    sweep(site, "#measure-chart")
    assert_inert(site)

    visit(site, "/exceptions", "Exceptions")
    shown = site.wait_for_element("#exceptions-table", timeout=10).get_attribute("textContent")  # groups folded
    for text in (MEASURE, ORG, OBJECTIVE):
        assert text in shown
    assert site.get_logs() == []


def test_search_suggestions_and_results_are_text(site):
    visit(site, "/", "Goal map")
    site.find_element("#site-search").send_keys("bold")
    until(site, lambda: MEASURE in site.find_element("#search-suggestions").text)
    assert NORTH in site.find_element("#search-suggestions").text
    assert_inert(site)
    site.find_element("#site-search").send_keys(Keys.ENTER)
    until(site, lambda: MEASURE in main_text(site) and NORTH in main_text(site))
    assert_inert(site)
    for query, found in (("Council", COUNCIL), ("Objective", OBJECTIVE), ("Education", ORG)):
        site.driver.get(f"{site.server_url}/search?q={query}")
        until(site, lambda found=found: found in main_text(site))
        assert_inert(site)


def test_the_submit_page_shows_definitions_and_uploaded_values_as_text(site, tmp_path):
    sign_in(site, "sam")
    open_submit(site)
    until(site, lambda: f"Figures from {ORG}" in main_text(site))
    assert MEASURE in main_text(site)
    assert_inert(site)
    # a payload in the file's name, its measure column, a breakdown column and its note
    unquoted = IMG.replace('"', "")  # a file name and a bare CSV cell hold no quote (the name is made safe)
    content = ("measure_id,period,value,status,note,region\n"
               f"{SCRIPT},2025-03,1,,,\n"
               f"neet-rate,2025-04,10.4,,{_cell(IMG)},\n"
               f"neet-rate,2025-05,10.2,,,{unquoted}\n")
    upload(site, write(tmp_path / "out" / f"{unquoted}.csv", content))
    until(site, lambda: "cannot be loaded" in verdict(site))
    report = site.find_element("#report").text
    for text in (SCRIPT, IMG, unquoted):
        assert text in report
    assert_inert(site)
