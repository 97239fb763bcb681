"""The end-to-end service page in headless Chromium: from the objective's link to the service, the stage
diagram with its pinch point marked in words, the month picker, the what-if panel, nothing internal for
the public and the internal stage for someone entitled to it; axe-core finds nothing serious."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from selenium.webdriver.common.keys import Keys

from dashboard import Settings, create_app
from dashboard.context import STORE_KEY
from tests.browser.axe import charts_without_alternative, describe, heading_problems, headings, run_axe, serious
from tests.browser.support import pick, sign_in, squeezed, until
from tests.service_home import DECIDE_WAITING, service_home
from tests.support import PASSWORD
from workflow import passwords

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/h14-browser-service.png"


@pytest.fixture
def site(dash_duo, tmp_path, monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    home = service_home(tmp_path / "home")
    app = create_app(Settings(warehouse=home.warehouse, workflow_url=f"sqlite:///{tmp_path / 'workflow.sqlite'}",
                              secret_key="k" * 40))
    app.server.config[STORE_KEY].add_user("nia", PASSWORD, "steward", "northfield", by="test")
    app.server.config[STORE_KEY].add_user("sal", PASSWORD, "lead", "scanco", by="test")
    dash_duo.start_server(app)
    return dash_duo


def test_the_public_follows_the_objective_to_the_service_and_asks_what_if(site):
    duo = site
    duo.driver.set_window_size(1280, 1000)
    duo.driver.get(duo.server_url + "/objective/claims")
    duo.wait_for_element("#objective-services a", timeout=20).click()
    duo.wait_for_text_to_equal("main h1", "Claim for support", timeout=20)
    # the month shown is the newest; the pinch point is marked with an icon and words
    diagram = squeezed(duo, "#service-diagram")
    assert "Pinch point" in diagram and "Evidence scanned" in diagram and "→ 950 to" not in diagram
    assert "Claim decided" not in duo.driver.page_source  # Northfield's stage is internal
    assert f"{DECIDE_WAITING:,}" not in duo.driver.page_source and "Secret decision queue" not in duo.driver.page_source
    summary = squeezed(duo, "#service-summary")
    assert "End-to-end time, 9 in 10 people" in summary
    assert "Pinch point: work waits longest ⚠ Evidence scanned" in summary
    assert "Claims waiting to be scanned" in squeezed(duo, "#service-measures")
    assert not duo.driver.find_elements("css selector", "#plan-save")  # the public saves no plan
    # the what-if panel: more capacity at scanning clears its growing queue
    until(duo, lambda: "waiting after 26 weeks" in squeezed(duo, "#what-if-words"))
    pick(duo, "what-if-stage", "Evidence scanned")
    field = duo.find_element("#what-if-percent")
    field.clear()
    field.send_keys("20" + Keys.TAB)
    until(duo, lambda: "Evidence scanned: 0 waiting after 26 weeks" in squeezed(duo, "#what-if-words"))
    # the workload plan for the pinch point: the capacity it needs, and the weeks in a table
    until(duo, lambda: "it needs to complete" in squeezed(duo, "#plan-words"))
    target = duo.find_element("#plan-target")
    target.clear()
    target.send_keys("130" + Keys.TAB)
    until(duo, lambda: "To have 130 waiting within 13 weeks (by 1 April 2026) it needs to complete 270 a week"
          in squeezed(duo, "#plan-words"))
    # another month: the diagram follows the picker
    pick(duo, "service-period", "June 2025")
    until(duo, lambda: "June 2025" in squeezed(duo, "#service-summary"))
    assert "Waiting 350" in squeezed(duo, "#service-diagram")
    problems = heading_problems(headings(duo.driver))
    assert problems == [] and charts_without_alternative(duo.driver) == []
    found = serious(run_axe(duo.driver))
    assert not found, describe(found)
    duo.driver.save_screenshot(SCREENSHOT)
    assert duo.get_logs() == []


def test_the_stage_lead_saves_a_plan_that_becomes_the_measures_trajectory(site):
    duo = site
    duo.driver.set_window_size(1280, 1000)
    sign_in(duo, "sal")
    duo.driver.get(duo.server_url + "/service/claim")
    duo.wait_for_text_to_equal("main h1", "Claim for support", timeout=20)
    until(duo, lambda: "it needs to complete" in squeezed(duo, "#plan-words"))
    assert "No plan is saved for this stage" in squeezed(duo, "#plan-standing")
    for field, value in (("#plan-target", "130"), ("#plan-staff", "10")):
        box = duo.find_element(field)
        box.clear()
        box.send_keys(value + Keys.TAB)
    until(duo, lambda: "The plan needs 12.4 in post: 2.4 more." in squeezed(duo, "#plan-staffing"))
    duo.find_element("#plan-save").click()
    until(duo, lambda: "Saved: 130 waiting by 1 April 2026 is now the milestone trajectory of Claims waiting to be "
          "scanned." in squeezed(duo, "#plan-saved"))
    # the publish it started applies the plan: the measure page's target says where its milestones come from
    note = "Milestones from the workload plan for the stage “Evidence scanned”, saved by ScanCo Ltd"

    def published() -> bool:
        duo.driver.get(duo.server_url + "/measure/scan-waiting")
        duo.wait_for_text_to_equal("main h1", "Claims waiting to be scanned", timeout=20)
        return note in duo.driver.page_source

    until(duo, published, timeout=180)  # a publish in the background: slow on a busy machine
    duo.driver.get(duo.server_url + "/service/claim")
    until(duo, lambda: "Saved plan: 130 waiting by 1 April 2026" in squeezed(duo, "#plan-standing"))
    assert "saved by sal (ScanCo Ltd)" in squeezed(duo, "#plan-standing")
    duo.driver.save_screenshot("/tmp/h14-plan-saved.png")
    assert duo.get_logs() == []


def test_someone_entitled_sees_the_internal_stage(site):
    duo = site
    sign_in(duo, "nia")
    duo.driver.get(duo.server_url + "/service/claim")
    duo.wait_for_text_to_equal("main h1", "Claim for support", timeout=20)
    until(duo, lambda: "Claim decided" in squeezed(duo, "#service-diagram"))
    assert "Pinch point: work waits longest ⚠ Claim decided" in squeezed(duo, "#service-summary")
    assert f"{DECIDE_WAITING:,}" in squeezed(duo, "#service-diagram")
