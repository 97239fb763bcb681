"""Council, objective, organisation and measure pages in headless Chromium, on the demo government:
navigating down the goal map, the "as of" picker, breakdowns, search, downloads, not-found pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from dashboard import Settings, create_app
from dashboard.urls import read_as_of
from etl.demo import LATE_ORG, REVISED_MEASURE, REVISED_PERIOD, REVISION_DELTA, SHIFT_MEASURE
from goal_councils import load_definitions
from published.reader import Scope, Warehouse

pytestmark = pytest.mark.browser

COUNCIL = "Efficient, effective and accountable government"
OBJECTIVE = "Pay housing-support claims promptly and right first time"
PARTNERS = [
    "Aldermere Benefits Agency",
    "DocuScan Solutions Ltd",
    "Northfield Council",
    "Riverside Council",
    "Eastvale Council",
]


@pytest.fixture
def demo(dash_duo, demo_home):
    dash_duo.start_server(create_app(Settings(warehouse=demo_home.warehouse)))
    return dash_duo


def visit(duo, path: str, heading: str | None = None):
    duo.driver.get(duo.server_url + path)
    if heading:
        duo.wait_for_text_to_equal("h1", heading, timeout=15)


def until(duo, condition, timeout: float = 15):
    # a list redrawn while it is read leaves stale elements behind: read it again
    return WebDriverWait(duo.driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda _: condition())


def texts(duo, selector: str) -> list[str]:
    return [e.text for e in duo.find_elements(selector)]


def link(duo, text: str):
    return duo.driver.find_element(By.XPATH, f"//main//a[normalize-space()='{text}']")


def click(duo, element):
    """Scroll the element to the middle of the window first: the page is long, links wrap."""
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def choose(duo, dropdown: str, label: str):
    """Pick an option of a Dash 4 dropdown by its label."""
    click(duo, duo.find_element(f"#{dropdown}"))
    option = duo.driver.find_element(By.XPATH, f"//*[@role='option'][normalize-space()='{label}']")
    option.click()


def plot(duo, selector: str, expression: str):
    """Evaluate `expression` on the plotly graph div under `selector` (as `el`)."""
    return duo.driver.execute_script(
        f"const el = document.querySelector('{selector} .js-plotly-plot'); return el && el.data ? {expression} : null;"
    )


def table_row(duo, label: str) -> str:
    rows = [r.text for r in duo.find_elements("#measure-table tr") if r.text.startswith(label)]
    assert rows, f"no row {label!r}"
    return rows[0]


def test_from_the_goal_map_down_to_a_council_an_objective_and_a_measure(demo, demo_home):
    visit(demo, "/", "Goal map")
    click(demo, demo.find_element("#council-efficient_government a"))  # the section heading, not the glance
    demo.wait_for_text_to_equal("h1", COUNCIL, timeout=15)
    assert texts(demo, ".breadcrumb li") == ["Goal map", COUNCIL]
    assert "Chair: Catherine Lowe, Head of the Public Service" in demo.find_element("main").text
    assert len(demo.find_elements(".objective-card")) == 8
    until(demo, lambda: len(demo.find_elements(".objective-card .main-svg")) >= 8)
    assert "Off track" in demo.find_element(".objective-card").text

    click(demo, link(demo, OBJECTIVE))
    demo.wait_for_text_to_equal("h1", OBJECTIVE, timeout=15)
    assert texts(demo, ".breadcrumb li") == ["Goal map", COUNCIL, OBJECTIVE]
    until(demo, lambda: plot(demo, "#headline-chart", "el.data.length") == 3)
    assert texts(demo, ".partner-name") == PARTNERS
    # five partners, five colours, each beside the name it stands for
    swatches = demo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.partner-name .org-swatch')).map(s => s.style.backgroundColor);")
    assert len(swatches) == 5 and len(set(swatches)) == 5
    responsibilities = texts(demo, ".partner-responsibility")
    assert responsibilities[1].startswith("Scans and indexes claim evidence")
    # every contributor's measures on one shared time axis, so that months line up
    until(demo, lambda: len(demo.find_elements(".panel .main-svg")) >= 30)
    ranges = demo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.panel .js-plotly-plot'))"
        ".filter(el => el.data && el.data.length).map(el => JSON.stringify(el.layout.xaxis.range));"
    )
    assert len(ranges) >= 25 and len(set(ranges)) == 1
    panel = demo.driver.find_element(
        By.XPATH, "//div[contains(@class,'panel')][.//a[normalize-space()='Days to decide a new claim, Northfield']]"
    )
    assert "Leading indicator" in panel.text
    # every measure of the objective but its two internal staff-engagement measures: the public sees 30 of 32
    defined = load_definitions(demo_home.definitions).councils["efficient_government"].objectives
    measures = next(o for o in defined if o.id == "housing_support_claims").measures
    assert (len(measures), sum(not m.published for m in measures)) == (32, 2)
    assert len(demo.find_elements(".measures-table tbody tr")) == 30

    click(demo, link(demo, "Days to decide a new claim, Northfield"))
    demo.wait_for_text_to_equal("h1", "Days to decide a new claim, Northfield", timeout=15)
    assert texts(demo, ".breadcrumb li") == ["Goal map", COUNCIL, OBJECTIVE, "Days to decide a new claim, Northfield"]
    until(demo, lambda: plot(demo, "#measure-chart", "el.data.map(t => t.name)") == ["Actual"])
    definition = demo.find_element(".definition-list").text
    assert "Leading or lagging\nLeading indicator" in definition
    assert "Direction\nLower is better ↓" in definition
    assert demo.driver.current_url.endswith(f"/measure/{SHIFT_MEASURE}")
    # the chart's tools download an image; none sends the chart or its data to a cloud service
    buttons = demo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#measure-chart .modebar-btn')).map(b => b.dataset.title);")
    assert "Download plot as a PNG" in buttons
    assert not [b for b in buttons if "Share" in b or "Edit" in b or "cloud" in b.lower()]
    assert demo.get_logs() == []


def test_the_period_picker_shows_the_figures_as_they_stood_then(demo, demo_home):
    visit(demo, f"/measure/{REVISED_MEASURE}", "Employment rate")
    click(demo, demo.find_element("#measure-data summary"))
    latest = table_row(demo, "Jan to Mar 2026")
    assert "Revised" in latest
    footer = demo.find_element("#data-as-of").text

    choose(demo, "as-of-picker", "End of June 2026")
    until(demo, lambda: demo.driver.current_url.endswith(f"/measure/{REVISED_MEASURE}?as_of=2026-06"))
    # the footer's date follows the month picked
    until(demo, lambda: demo.find_element("#data-as-of").text != footer)
    assert re.match(r"Data as of \d+ June 2026\b", demo.find_element("#data-as-of").text)
    demo.wait_for_contains_text(".as-of-notice", "Figures as they stood at the end of June 2026.", timeout=15)
    click(demo, demo.find_element("#measure-data summary"))
    before = table_row(demo, "Jan to Mar 2026")
    value = lambda row: float(re.search(r"([\d.]+)%", row)[1])  # noqa: E731
    assert "Revised" not in before
    assert value(latest) - value(before) == pytest.approx(REVISION_DELTA)
    assert not [r for r in texts(demo, "#measure-table tr") if r.startswith("Apr to Jun 2026")]
    # every link keeps the month, the navigation too
    hrefs = [a.get_attribute("href") for a in demo.find_elements(".breadcrumb a")]
    assert all(h.endswith("?as_of=2026-06") for h in hrefs) and len(hrefs) == 3
    goal_map_link = ".site-header .navbar-nav .nav-link"  # the first page link (the account link sits above)
    until(demo, lambda: demo.find_element(goal_map_link).get_attribute("href").endswith("/?as_of=2026-06"))

    click(demo, demo.find_elements(".breadcrumb a")[2])
    demo.wait_for_contains_text(".as-of-notice", "end of June 2026", timeout=15)
    assert demo.find_element("#as-of-picker").text == "End of June 2026"
    table = Warehouse(demo_home.warehouse).values(Scope(measure=REVISED_MEASURE), read_as_of("2026-06").as_at)
    assert table[table.period == REVISED_PERIOD].value.iloc[0] == pytest.approx(value(before))

    choose(demo, "as-of-picker", "Latest figures")
    until(demo, lambda: "as_of" not in demo.driver.current_url)
    demo.wait_for_no_elements(".as-of-notice", timeout=15)
    assert demo.get_logs() == []


def test_changing_the_breakdown_redraws_the_chart_and_its_table(demo):
    visit(demo, "/measure/low_birth_weight", "Babies born with a low birth weight")
    until(demo, lambda: plot(demo, "#measure-chart", "el.data.length") is not None)
    choose(demo, "breakdown-picker", "By ethnic group")
    groups = ["Total", "Asian", "Black", "Mixed", "White", "Other"]
    until(demo, lambda: plot(demo, "#measure-chart", "el.data.map(t => t.name)") == groups)
    until(demo, lambda: demo.driver.current_url.endswith("/measure/low_birth_weight?breakdown=ethnic_group"))
    click(demo, demo.find_element("#measure-data summary"))
    assert texts(demo, "#measure-table th")[:7] == ["Period", *groups]

    click(demo, demo.find_element("#breakdown-view input[value='panels']"))
    until(
        demo,
        lambda: plot(demo, "#measure-chart", "Object.keys(el.layout).filter(k => k.startsWith('xaxis')).length") == 5,
    )
    assert plot(demo, "#measure-chart", "el.layout.yaxis3.matches") == "y"
    # the address keeps the choice: a reload (or a shared link) shows the same panels
    until(demo, lambda: demo.driver.current_url.endswith("?breakdown=ethnic_group&view=panels"))
    demo.driver.refresh()
    until(
        demo,
        lambda: plot(demo, "#measure-chart", "Object.keys(el.layout).filter(k => k.startsWith('xaxis')).length") == 5,
    )
    assert demo.find_element("#breakdown-picker").text == "By ethnic group"

    choose(demo, "breakdown-picker", "By region")
    until(
        demo,
        lambda: (
            plot(demo, "#measure-chart", "el.data.filter(t => t.name !== 'Total').map(t => t.name)")
            == ["Northfield", "Riverside", "Eastvale"]
        ),
    )
    assert demo.get_logs() == []


def test_search_finds_measures_objectives_and_organisations_by_name(demo):
    visit(demo, "/", "Goal map")
    box = demo.find_element("#site-search")
    box.send_keys("days to decide")
    demo.wait_for_contains_text("#search-suggestions", "Days to decide a new claim, Northfield", timeout=15)
    box.send_keys(Keys.ENTER)
    demo.wait_for_text_to_equal("h1", "Search results for “days to decide”", timeout=15)
    assert demo.driver.current_url.endswith("/search?q=days+to+decide")
    found = texts(demo, "main li a")
    assert {"Days to decide a new claim, Northfield", "Days to decide a new claim, Eastvale"} <= set(found)

    click(demo, link(demo, "Days to decide a new claim, Eastvale"))
    demo.wait_for_text_to_equal("h1", "Days to decide a new claim, Eastvale", timeout=15)

    box = demo.find_element("#site-search")
    box.send_keys("eastvale")
    demo.wait_for_contains_text("#search-suggestions", "Organisation", timeout=15)
    suggestion = demo.driver.find_element(By.XPATH, "//*[@id='search-suggestions']//a[contains(., 'Eastvale Council')]")
    click(demo, suggestion)
    demo.wait_for_text_to_equal("h1", "Eastvale Council", timeout=15)
    assert demo.get_logs() == []


def _downloaded(folder: Path, name: str) -> Path:
    path = folder / name
    return path if path.exists() and path.stat().st_size else None


def test_downloads_hold_exactly_the_rows_shown(demo, demo_home):
    visit(demo, "/measure/low_birth_weight?as_of=2026-06", "Babies born with a low birth weight")
    choose(demo, "breakdown-picker", "By ethnic group")
    until(demo, lambda: (plot(demo, "#measure-chart", "el.data.length") or 0) == 6)
    folder = Path(demo.download_path)

    click(demo, demo.find_element("#download-csv"))
    csv_file = until(demo, lambda: _downloaded(folder, "low_birth_weight-2026-06.csv"))
    rows = pd.read_csv(csv_file, keep_default_na=False)
    assert list(rows.columns) == ["measure", "period", "breakdown", "value", "status", "revised", "as_of"]
    expected = Warehouse(demo_home.warehouse).values(
        Scope(measure="low_birth_weight"), read_as_of("2026-06").as_at, dimension="ethnic_group"
    )
    assert len(rows) == len(expected)
    assert set(rows.breakdown) == {"", *(f"ethnic_group={g}" for g in ["Asian", "Black", "Mixed", "White", "Other"])}
    assert set(rows.as_of.astype(str)) == {"2026-06"} and rows.period.max() <= "2026-06"

    click(demo, demo.find_element("#download-json"))
    json_file = until(demo, lambda: _downloaded(folder, "low_birth_weight-2026-06.json"))
    records = json.loads(json_file.read_text())
    assert len(records) == len(rows)
    assert set(records[0]) == {"measure", "period", "breakdown", "value", "status", "revised", "as_of"}
    assert demo.get_logs() == []


def test_the_organisation_page_shows_a_late_submitter(demo):
    visit(demo, f"/org/{LATE_ORG}", "Eastvale Council")
    sentence = demo.find_element("#timeliness-sentence").text
    due, on_time, late = (int(x.replace(",", "")) for x in re.findall(r"([\d,]+) (?:figures|arrived|late)", sentence))
    assert late > on_time and due >= late + on_time
    until(demo, lambda: plot(demo, "#submissions-chart", "el.data.map(t => t.name)") == ["On time", "Late", "Missing"])
    assert "Late" in demo.find_element(".submissions-table").text
    roles = demo.find_element(".roles-table").text
    assert OBJECTIVE in roles and "Assesses and decides claims from Eastvale residents." in roles

    visit(demo, "/objective/housing_support_claims", OBJECTIVE)
    eastvale_rows = [r.text for r in demo.find_elements(".measures-table tbody tr") if "Eastvale Council" in r.text]
    counts = [int(m[1]) for r in eastvale_rows if (m := re.search(r"(\d+) of the last \d+ due arrived late", r))]
    assert counts and min(counts) >= 6
    assert demo.get_logs() == []


def test_the_time_window_redraws_every_panel_on_one_axis(demo):
    visit(demo, "/objective/housing_support_claims", OBJECTIVE)
    caption = demo.find_element("#panel-window-caption").text
    assert caption.startswith("Every chart shows November 2023 to October 2026 on the same time axis")
    click(demo, demo.find_element("#panel-window input[value='10']"))
    demo.wait_for_contains_text("#panel-window-caption", "November 2016 to October 2026", timeout=15)
    until(
        demo,
        lambda: (
            set(
                demo.driver.execute_script(
                    "return Array.from(document.querySelectorAll('.panel .js-plotly-plot'))"
                    ".filter(el => el.data && el.data.length).map(el => el.layout.xaxis.range[0]);"
                )
            )
            == {"2016-11-01"}
        ),
    )
    assert demo.get_logs() == []


def test_partners_with_a_measure_or_two_stand_side_by_side_on_a_projector(demo):
    """Seven partners with a measure each fill two lines at 1280 wide, not seven; an organisation with many
    measures takes the width, its panels four to a line; on a phone each block is one column, with nothing
    wider than the screen."""
    def lines(selector: str) -> list[int]:
        return demo.driver.execute_script(
            f"return Array.from(document.querySelectorAll('{selector}'))"
            ".map(e => Math.round(e.getBoundingClientRect().top));")

    demo.driver.set_window_size(1280, 900)
    visit(demo, "/objective/youth_neet", "Fewer young people not in education, employment or training")
    until(demo, lambda: len(demo.find_elements(".partner-block")) == 7)
    tops = lines(".partner-block")
    assert len(set(tops)) == 2 and tops[:4] == [tops[0]] * 4
    visit(demo, "/objective/care_at_home")
    until(demo, lambda: len(demo.find_elements(".partner-block")) >= 3)
    first = lines(".partner-block:first-child .panel")
    assert len(first) >= 5 and first[:4] == [first[0]] * 4 and first[4] > first[0]
    demo.driver.set_window_size(390, 900)
    visit(demo, "/objective/youth_neet", "Fewer young people not in education, employment or training")
    until(demo, lambda: len(demo.find_elements(".partner-block")) == 7)
    assert len(set(lines(".partner-block"))) == 7
    assert demo.driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def test_the_objective_page_as_of_a_month_on_the_tiny_warehouse(dash_duo, tiny_warehouse):
    dash_duo.start_server(create_app(Settings(warehouse=tiny_warehouse)))
    title = "Shorter waits for community mental health care"
    visit(dash_duo, "/objective/mental-health-waits", title)
    numbers = dash_duo.find_element(".stats").text
    assert "35.2 days\nMarch 2025\nProvisional" in numbers
    assert "Down 1.3 days since February 2025" in numbers
    assert "Accountable lead: Eastvale NHS Trust — lead for mental-health-waits" in dash_duo.find_element("main").text

    visit(dash_duo, "/objective/mental-health-waits?as_of=2025-03", title)
    numbers = dash_duo.find_element(".stats").text
    assert "38.0 days\nFebruary 2025\nProvisional" in numbers
    assert dash_duo.find_element("#as-of-picker").text == "End of March 2025"
    assert texts(dash_duo, ".partner-name") == ["Eastvale NHS Trust", "Northfield County Council"]
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize(
    "path, says",
    [
        ("/measure/nope", "No measure with id “nope”"),
        ("/objective/nope", "No objective with id “nope”"),
        ("/org/nope", "No organisation with id “nope”"),
        ("/council/%3Cb%3Ex%3C%2Fb%3E", "No council with id “<b>x</b>”"),
        ("/no/such/page", "There is no page at this address"),
    ],
)
def test_unknown_addresses_get_a_page_that_says_so(dash_duo, tiny_warehouse, path, says):
    dash_duo.start_server(create_app(Settings(warehouse=tiny_warehouse)))
    visit(dash_duo, path, "Page not found")
    assert says in dash_duo.find_element("main").text
    back = dash_duo.driver.find_element(By.XPATH, "//main//a[contains(., 'goal map')]")
    assert back.get_attribute("href") == dash_duo.server_url + "/"
    # the only complaint is the address's own 404, which is the point
    logs = dash_duo.get_logs()
    assert [e["message"] for e in logs] == [
        f"{dash_duo.server_url}{path} - Failed to load resource: the server responded with a status of 404 (NOT FOUND)"]


def test_a_malformed_month_is_explained_not_raised(dash_duo, tiny_warehouse):
    dash_duo.start_server(create_app(Settings(warehouse=tiny_warehouse)))
    visit(dash_duo, "/council/healthy-lives?as_of=2025-13", "Healthy lives")
    notice = dash_duo.find_element(".as-of-notice").text
    assert notice.startswith("Month not recognised. “2025-13” is not a month")
    assert dash_duo.find_element("#as-of-picker").text == "Latest figures"
    assert len(dash_duo.find_elements(".objective-card")) == 2
    assert dash_duo.get_logs() == []
