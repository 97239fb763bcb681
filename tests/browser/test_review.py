"""The monthly review in headless Chromium: an accountable lead signs in, follows the goal map's "Next
review" link to the pack, writes a commentary, adds two actions, marks one done and raises an
escalation; the next month's pack carries the open action and the escalation forward. Script typed
into a form stays text."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from dashboard import Settings, create_app
from dashboard.context import STORE_KEY
from etl.load import LoadRequest, load_batch
from tests.browser.axe import describe, heading_problems, headings, run_axe, serious
from tests.browser.support import sign_in, squeezed, until
from tests.support import PASSWORD, mini_home, write
from tests.test_review_page import DEFINITIONS, MONTH, NEXT_MONTH, RECEIVED, month_words
from workflow import passwords

pytestmark = pytest.mark.browser

FIGURES = "measure_id,period,value\nneet-rate,2026-01,11\nneet-rate,2026-02,10.5\n"
SCRIPT = "<script>window.hacked = 1</script>"
SCREENSHOT, NEXT_SCREENSHOT = "/tmp/review.png", "/tmp/review-next.png"


@pytest.fixture
def site(dash_duo, tmp_path, monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    home = mini_home(tmp_path / "home")
    for path in home.definitions.glob("*.yaml"):
        path.unlink()
    write(home.definitions / "review.yaml", DEFINITIONS)
    load_batch(home, [LoadRequest("edu", [write(tmp_path / "in" / "edu.csv", FIGURES)], RECEIVED)])
    app = create_app(Settings(warehouse=home.warehouse, workflow_url=f"sqlite:///{tmp_path / 'workflow.sqlite'}",
                              secret_key="k" * 40))
    app.server.config[STORE_KEY].add_user("lee", PASSWORD, "lead", "edu", by="test")
    dash_duo.start_server(app)
    return dash_duo


def unfold(duo, form_id: str) -> None:
    """Open a folded form (its <summary>), in view."""
    summary = duo.find_element(f"#{form_id}-fold summary")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", summary)
    if not duo.find_element(f"#{form_id}-fold").get_attribute("open"):
        summary.click()
    until(duo, lambda: duo.find_element(f"#{form_id}").is_displayed())


def fill(duo, values: dict[str, str]) -> None:
    """Type into text fields and choose in selects, by id."""
    for ident, value in values.items():
        field = duo.find_element(f"#{ident}")
        if field.tag_name == "select":
            Select(field).select_by_value(value)
        elif field.get_attribute("type") == "date":  # typed as the browser's locale shows a date: set it instead
            duo.driver.execute_script(
                "const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;"
                "set.call(arguments[0], arguments[1]);"
                "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", field, value)
        else:
            field.clear()
            field.send_keys(value)


def press(duo, button_id: str) -> None:
    button = duo.find_element(f"#{button_id}")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    button.click()


def whole_page(duo, path: str) -> None:
    duo.driver.set_window_size(1280, 900)
    duo.driver.execute_script("window.scrollTo(0, 0)")
    height = duo.driver.execute_script("return document.documentElement.scrollHeight")
    duo.driver.set_window_size(1280, min(height + 140, 6000))  # the window's frame takes ~140 px
    duo.driver.save_screenshot(path)
    duo.driver.set_window_size(1280, 900)


def test_a_lead_writes_the_review_and_the_next_pack_carries_what_is_open(site):
    duo = site
    sign_in(duo, "lee")
    # the goal map names the next review, and links to its pack
    duo.wait_for_contains_text("#next-review", f"Next review: World-class education on 28 {month_words(MONTH)}",
                               timeout=15)
    # and what is due for it: the figures not received, Education's commentary not written yet
    assert "NEET rate (Department for Education)" in squeezed(duo, "#next-review-due")
    assert "NEET rate, February 2026" in squeezed(duo, "#next-review-due")
    duo.find_element("#next-review a").click()
    duo.wait_for_text_to_equal("h1", "Monthly review: World-class education", timeout=15)
    assert squeezed(duo, "#review-month") == month_words(MONTH)
    assert duo.driver.current_url == f"{duo.server_url}/review/education/{MONTH}"
    assert "NEET rate" in squeezed(duo, ".status-table")

    # commentary on the measure Education owns
    unfold(duo, "review-c-form")
    fill(duo, {"review-c-measure": "neet-rate", "review-c-period": "2026-02",
               "review-c-happened": f"Fewer young people left training. {SCRIPT}", "review-c-why": "The autumn push",
               "review-c-next": "Keep the advisers in schools"})
    press(duo, "review-c-save")
    duo.wait_for_contains_text("#review-c-message", "Saved", timeout=15)
    listed = squeezed(duo, "#review-commentary-list")
    assert "NEET rate, February 2026" in listed and SCRIPT in listed  # shown as text, never run
    assert duo.driver.execute_script("return window.hacked") is None

    # two actions; the second is done at once
    for title, person in (("Write to every school about outreach", "Pat Jones"), ("Share the referral list", "Sam")):
        unfold(duo, "review-a-form")
        fill(duo, {"review-a-title": title, "review-a-org": "north", "review-a-person": person,
                   "review-a-due": "2099-06-30", "review-a-link": "objective:outreach"})
        press(duo, "review-a-save")
        duo.wait_for_contains_text("#review-actions-table", title, timeout=15)
    unfold(duo, "review-d-form")
    Select(duo.find_element("#review-d-action")).select_by_visible_text("Share the referral list (Sam, due 30 Jun "
                                                                         "2099)")
    press(duo, "review-d-save")
    duo.wait_for_contains_text("#review-d-message", "Marked done", timeout=15)
    rows = [" ".join(r.text.split()) for r in duo.driver.find_elements(By.CSS_SELECTOR, ".actions-table tbody tr")]
    assert any("Write to every school" in r and "Open" in r for r in rows), rows
    assert any("Share the referral list" in r and "Done" in r for r in rows), rows

    # an escalation to the council, raised for Education (the lead's own organisation)
    unfold(duo, "review-e-form")
    fill(duo, {"review-e-problem": "Outreach funding ends in May", "review-e-decision": "Agree who pays from June"})
    press(duo, "review-e-save")
    duo.wait_for_contains_text("#review-escalations-table", "Outreach funding ends in May", timeout=15)
    assert "Department for Education" in squeezed(duo, "#review-escalations-table")
    assert "Awaiting a decision" in squeezed(duo, "#review-escalations-table")
    whole_page(duo, SCREENSHOT)

    # the next month's pack: the escalation still awaits a decision; the open action is carried forward
    link = duo.driver.find_element(By.PARTIAL_LINK_TEXT, f"Next review: {month_words(NEXT_MONTH)}")
    link.click()
    duo.wait_for_contains_text("#review-month", month_words(NEXT_MONTH), timeout=15)
    until(duo, lambda: "Outreach funding ends in May" in squeezed(duo, "#review-escalations-table"))
    rows = [" ".join(r.text.split()) for r in duo.driver.find_elements(By.CSS_SELECTOR, ".actions-table tbody tr")]
    assert len(rows) == 1 and "Write to every school" in rows[0] and "Carried forward" in rows[0], rows
    assert f"Previous review: {month_words(MONTH)}" in duo.driver.find_element(By.TAG_NAME, "main").text
    whole_page(duo, NEXT_SCREENSHOT)
    for fold in ("review-e-form", "review-a-form", "review-c-form", "review-r-form"):  # the forms too, opened
        unfold(duo, fold)
    found = serious(run_axe(duo.driver))
    assert not found and not heading_problems(headings(duo.driver)), describe(found)
    assert duo.get_logs() == []


def test_an_old_address_leads_to_the_pack_where_a_lead_revises_then_withdraws_its_commentary(site):
    duo = site
    sign_in(duo, "lee")
    duo.driver.get(f"{duo.server_url}/review?council=education&month={MONTH}")  # the address packs had before
    until(duo, lambda: duo.driver.current_url == f"{duo.server_url}/review/education/{MONTH}")
    duo.wait_for_text_to_equal("h1", "Monthly review: World-class education", timeout=15)
    unfold(duo, "review-c-form")
    fill(duo, {"review-c-measure": "neet-rate", "review-c-period": "2026-02", "review-c-happened": "First words",
               "review-c-why": "A reason"})
    press(duo, "review-c-save")
    duo.wait_for_contains_text("#review-c-message", "Saved", timeout=15)

    # choosing it fills in its words; the revision replaces them on the page
    unfold(duo, "review-r-form")
    Select(duo.find_element("#review-r-commentary")).select_by_index(1)
    until(duo, lambda: duo.find_element("#review-r-happened").get_attribute("value") == "First words")
    assert duo.find_element("#review-r-why").get_attribute("value") == "A reason"
    typed = duo.find_element("#review-r-happened")  # filled by the server: select it all and type over it
    typed.send_keys(Keys.CONTROL, "a")
    typed.send_keys(Keys.DELETE)
    typed.send_keys("Revised words")
    press(duo, "review-r-save")
    duo.wait_for_contains_text("#review-r-message", "Revised", timeout=15)
    listed = squeezed(duo, "#review-commentary-list")
    assert "Revised words" in listed and "First words" not in listed

    Select(duo.find_element("#review-r-commentary")).select_by_index(1)
    until(duo, lambda: duo.find_element("#review-r-happened").get_attribute("value") == "Revised words")
    press(duo, "review-w-save")
    duo.wait_for_contains_text("#review-r-message", "Withdrawn", timeout=15)
    assert "Revised words" not in squeezed(duo, "#review-commentary-list")
    assert "No commentary of yours stands to revise" in squeezed(duo, "#review-r-form")
    whole_page(duo, "/tmp/review-revised.png")
    assert duo.get_logs() == []
