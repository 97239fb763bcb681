"""End-to-end services in `outcomes export-site`: a page per public service, linked from the objective it
serves, with the latest month's stages, the pinch point in words, end-to-end time, the Little's-law notes
and the trend of work waiting with its data table; the API's copies; and nothing of an internal stage, or
of a service with no public stage, in any byte. The page's words are also checked on hand-made figures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dashboard.service_documents import Service
from dashboard.static_site.services import service_page
from outcomes.cli import main
from tests.service_home import HIDDEN_SECRETS, service_home


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("site-services")
    home = service_home(root / "home", hidden=True)
    out = root / "site"
    assert main(["--home", str(home.root), "export-site", str(out)]) == 0
    return out


def _text(html: str) -> str:
    """A page's words, tags dropped and spaces squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_page_per_public_service_linked_from_the_objective(site):
    assert (site / "service" / "claim.html").is_file()
    assert not (site / "service" / "hidden-queue.html").exists()
    objective = (site / "objective" / "claims.html").read_text()
    assert '<a href="../service/claim.html">Claim for support</a>' in objective
    assert "service/claim.html" in (site / "sitemap.xml").read_text()


def test_the_service_page_shows_the_latest_month(site):
    page = (site / "service" / "claim.html").read_text()
    words = _text(page)
    for said in ("Claim for support", "The latest month: December 2025", "Pay claims promptly",
                 "End-to-end time, median (measured) 41.0 days",
                 "End-to-end time, 9 in 10 people Not measured",  # a stage is hidden: no estimate
                 "Pinch point: work waits longest ⚠ Evidence scanned",
                 "Claim received (Claims Intake Agency) → 1,000 handed on to Evidence scanned",
                 "Little's law", "Figures more than 35% apart", "Every stage that can be checked agrees"):
        assert said in words, said
    # the stage table: who runs each stage, arrived, completed, waiting, change, days, right first time
    rows = [_text(r).strip() for r in re.findall(r"<tr.*?</tr>", page.split('id="service-stages"')[1]
                                                 .split("</table>")[0], re.S)][1:]
    assert rows == ["Claim received Claims Intake Agency 1,000 1,000 – – 0 – – – –",
                    "Evidence scanned ⚠ Pinch point ScanCo Ltd 1,000 950 – 650 +50 19.8 – 90.0% –"]
    # the pinch point is an icon and a word, never colour alone
    assert '<span class="chip chip-bad"><span aria-hidden="true">⚠</span> Pinch point</span>' in page


def test_the_trend_of_work_waiting_is_a_chart_with_its_data_table(site):
    page = (site / "service" / "claim.html").read_text()
    assert ('<figure class="mb-0"><div class="chart" data-figure="figure-data"></div>\n'
            '<figcaption class="chart-summary visually-hidden">Chart of work waiting at the end of each month, by '
            "stage: Evidence scanned 650 in December 2025. Every month&#39;s figure is in the table below."
            "</figcaption></figure>") in page
    figure = json.loads(re.search(r'<script id="figure-data" type="application/json">(.*?)</script>', page,
                                  re.S).group(1))
    assert [t["name"] for t in figure["data"]] == ["Evidence scanned"]
    assert figure["data"][0]["y"] == [100 + 50 * i for i in range(12)]
    table = _text(page.split("Show the data behind the chart")[1].split("</table>")[0])
    assert "Month Evidence scanned" in table
    assert "December 2025 650 November 2025 600" in table and table.rstrip().endswith("January 2025 100")
    assert re.search(r'<script src="\.\./assets/plotly-[0-9a-f]+\.js"></script>', page)


def test_the_api_copies(site):
    listed = json.loads((site / "api" / "v1" / "services.json").read_text())
    assert [(s["id"], [st["id"] for st in s["stages"]]) for s in listed["services"]] == [("claim", ["intake", "scan"])]
    found = json.loads((site / "api" / "v1" / "services" / "claim.json").read_text())
    assert [s["id"] for s in found["stages"]] == ["intake", "scan"]
    assert found["months"][-1]["pinch_point"] == {"stage_id": "scan", "reason": "longest wait", "size": 19.8}
    assert not (site / "api" / "v1" / "services" / "hidden-queue.json").exists()


def test_nothing_internal_in_any_exported_byte(site):
    for path in site.rglob("*"):
        if path.is_file() and not path.name.startswith("plotly-"):  # the charting library's own text
            data = path.read_text(encoding="utf-8", errors="replace")
            assert [s for s in HIDDEN_SECRETS if s in data] == [], path


def test_every_link_of_the_service_page_resolves_inside_the_folder(site):
    page = site / "service" / "claim.html"
    targets = re.findall(r'(?:href|src)="([^"#]+)', page.read_text())
    assert "../measure/scan-waiting.html" in targets and "../objective/claims.html" in targets
    for target in targets:
        assert not target.startswith(("/", "http:", "https:")), target
        assert (page.parent / target).resolve().is_file(), target


# --- the page's words on hand-made figures ---------------------------------------------------------

STAGES = [{"stage_id": "a", "name": "Assess", "org_id": "o1", "org_name": "One Agency", "description": ""},
          {"stage_id": "b", "name": "Build", "org_id": "o2", "org_name": "Two Council", "description": ""}]


def _flow(stage: str, **figures) -> dict:
    return {"stage_id": stage, "period": "2026-03", "period_start": "2026-03-01", **figures}


def _service(periods: list[dict], flow: list[dict]) -> Service:
    row = {"id": "s", "name": "S", "description": "", "little_tolerance": 0.35, "end_to_end_median": None,
           "end_to_end_p90": None, "objectives": ""}
    view = {"stages": STAGES, "measures": [], "handoffs": [{"from_stage": "a", "to_stage": "b"}], "flow": flow,
            "handoff_flow": [{"period": "2026-03", "from_stage": "a", "to_stage": "b", "volume": 80.0}],
            "periods": periods}
    return Service(row, [], view)


def _month(**stored) -> dict:
    return {"period": "2026-03", "period_start": "2026-03-01", "pinch_stage": None, "pinch_reason": None,
            "pinch_size": None, "end_to_end_median": None, "end_to_end_p90": None,
            "end_to_end_median_estimate": None, "end_to_end_p90_estimate": None, **stored}


def test_a_stage_whose_figures_disagree_gets_a_note_and_an_over_capacity_pinch_is_said_so():
    flow = [_flow("a", arrivals=100.0, completions=80.0, left_service=20.0, failure_share=0.25),
            _flow("b", arrivals=80.0, completions=60.0, backlog=300.0, backlog_change=20.0, time_median=10.0,
                  capacity=50.0, little_expected=26.3, little_ratio=11.4, little_agrees=False)]
    page = service_page(_service([_month(pinch_stage="b", pinch_reason="over capacity", pinch_size=1.6,
                                         end_to_end_p90=40.0, end_to_end_median_estimate=12.5)], flow), {})
    assert page["summary"] == [
        {"label": "End-to-end time, 9 in 10 people (measured)", "value": "40.0 days", "icon": None},
        {"label": "End-to-end time, median (estimate)", "value": "12.5 days", "icon": None},
        {"label": "Pinch point: demand above capacity", "value": "Build", "icon": "⚠"}]
    assert page["notes"] == ["Build: 300 waiting, but 80 arriving in the month at 10.0 days each implies about 26 "
                             "(1,040% apart). The organisations may count work waiting or time in stage "
                             "differently, or the stage may be far from steady."]
    assert page["checked"] == 1 and [(r["pinch"], r["capacity"]) for r in page["stages"]] == [(False, "–"),
                                                                                              (True, "50")]
    assert page["flow"][0]["said"] == ["→ 80 handed on to Build", "↘ 20 left the service here",
                                       "↺ failure demand 25.0% of demand"]
    assert page["trend"] == {"stages": ["Build"], "rows": [("March 2026", ["300"])], "summary": (
        "Chart of work waiting at the end of each month, by stage: Build 300 in March 2026. Every month's figure is "
        "in the table below.")}


def test_a_month_without_a_pinch_point_or_end_to_end_time_says_so_and_nothing_judged_shows_no_month():
    page = service_page(_service([_month()], [_flow("a"), _flow("b")]), {})
    assert [(i["label"], i["value"], i["icon"]) for i in page["summary"]] == [
        ("End-to-end time, 9 in 10 people", "Not measured", None), ("End-to-end time, median", "Not measured", None),
        ("Pinch point", "None found", None)]
    assert page["notes"] == [] and page["checked"] == 0 and page["trend"]["rows"] == []
    empty = service_page(_service([], []), {})
    assert empty["month_words"] == "" and empty["stages"][0]["backlog"] == "–" and empty["figure"] is None
