"""`outcomes export-site`: the public site as static files. Nothing internal in any byte; every link
resolves inside the folder (so it works from disk); a second export rewrites only what changed."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from etl.load import LoadRequest, load_batch
from outcomes.cli import main
from tests.support import mini_home, write
from workflow import WorkflowStore, default_url

SECRET = "SECRET-MARKER-5b1e"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """The mini home: NEET rate public (its name starting with `=`), youth contacts internal and
    carrying a marker in every text it has."""
    root = tmp_path_factory.mktemp("site")
    home = mini_home(root / "home")
    path = home.definitions / "mini.yaml"
    text = path.read_text().replace("            frequency: quarterly", (
        "            frequency: quarterly\n            published: false\n"
        f"            description: {SECRET} description\n            source: {SECRET} source"))
    text = text.replace("name: Youth service contacts", f"name: Youth service contacts {SECRET}")
    path.write_text(text.replace("name: NEET rate", 'name: "=NEET rate"'))
    a = write(root / "a.csv", "measure_id,period,value,note\nneet-rate,2025-01,11.5,\nneet-rate,2025-02,11.2,@risky\n")
    b = write(root / "b.csv", f"measure_id,period,value,note\nyouth-contacts,2025-Q1,424242,{SECRET} note\n")
    load_batch(home, [LoadRequest("edu", [a], datetime(2025, 3, 10)), LoadRequest("north", [b], datetime(2025, 4, 10))],
               today=date(2025, 5, 1))
    # public text, and internal text and public text about the internal measure, each with the marker
    store = WorkflowStore(default_url(home.root))
    store.write_commentary(measure_id="neet-rate", period="2025-02", org_id="edu", what_happened="Fewer left school",
                           why="A new careers service", what_next="Reach every school by June", visibility="public",
                           by=f"{SECRET} person")
    store.write_commentary(measure_id="neet-rate", period="2025-02", org_id="edu", what_happened=f"{SECRET} why",
                           visibility="internal", by="x")
    store.write_commentary(measure_id="youth-contacts", period="2025-Q1", org_id="north",
                           what_happened=f"{SECRET} contacts", visibility="public", by="x")
    store.add_action(council_id="education", objective_id="neet", title="Careers advisers in every school",
                     owner_org="edu", owner_person=f"{SECRET} owner", due="2025-06-30", visibility="public", by="x")
    store.add_action(council_id="education", objective_id="neet", title=f"{SECRET} action", owner_org="edu",
                     owner_person="x", due="2025-06-30", visibility="internal", by="x")
    store.add_action(council_id="education", objective_id="neet", measure_id="youth-contacts",
                     title=f"{SECRET} about contacts", owner_org="north", owner_person="x", due="2025-06-30",
                     visibility="public", by="x")
    store.close()
    return home


@pytest.fixture(scope="module")
def site(home, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "site"
    assert main(["--home", str(home.root), "export-site", str(out), "--base-url", "https://example.org/outcomes"]) == 0
    return out


def test_every_page_type_is_written_with_the_downloads_and_a_sitemap(site):
    found = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert {"index.html", "council/education.html", "objective/neet.html", "measure/neet-rate.html",
            "data/measure/neet-rate.csv", "data/objective/neet.csv", "data/council/education.csv",
            "sitemap.xml", "api/v1/councils.json", "api/v1/measures.json", "api/v1/councils/education.json",
            "data/organisation/edu.csv"} <= found
    assert len([f for f in found if f.startswith("assets/plotly-")]) == 1  # one shared copy of the charting script
    listed = json.loads((site / "api" / "v1" / "measures.json").read_text())["measures"]
    assert [m["id"] for m in listed] == ["neet-rate"]
    sitemap = (site / "sitemap.xml").read_text()
    assert "<loc>https://example.org/outcomes/measure/neet-rate.html</loc>" in sitemap
    page = (site / "measure" / "neet-rate.html").read_text()
    for said in ("Why is this a priority?", "How are we doing?", "What are we working on?",
                 "Show the data behind the chart", "February 2025", "11.2%", "Department for Education (leads)",
                 "Fewer left school", "A new careers service", "Reach every school by June",
                 "Careers advisers in every school", '<dd class="col-sm-9">Percent (%)</dd>'):
        assert said in page, said
    for page in ("objective/neet.html", "council/education.html"):
        assert "Careers advisers in every school" in (site / page).read_text(), page
    actions = json.loads((site / "api" / "v1" / "actions.json").read_text())["actions"]
    assert [a["title"] for a in actions] == ["Careers advisers in every school"]
    said = json.loads((site / "api" / "v1" / "measures" / "neet-rate" / "commentary.json").read_text())
    assert [c["what_happened"] for c in said["commentary"]] == ["Fewer left school"]


def test_nothing_internal_is_in_any_exported_byte(site):
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert SECRET.encode() not in data and b"youth-contacts" not in data and b"424242" not in data, path
    assert not (site / "measure" / "youth-contacts.html").exists()


def test_every_link_resolves_inside_the_folder_so_it_works_from_disk(site):
    for page in site.rglob("*.html"):
        for target in re.findall(r'(?:href|src)="([^"#]+)', page.read_text()):
            assert not target.startswith(("/", "http:", "https:")), (page, target)
            assert (page.parent / target).resolve().is_file(), (page, target)
        assert re.search(r'<link rel="icon" href="[^"]*assets/favicon-[0-9a-f]+\.ico">', page.read_text()), page


def test_downloads_neutralise_formulas(site):
    csv = (site / "data" / "measure" / "neet-rate.csv").read_text()
    assert csv.splitlines()[0] == "measure_id,measure_name,unit,unit_label,owner,objective,council,period,breakdown," \
                                  "value,status,note"
    assert "'=NEET rate" in csv and "'@risky" in csv and ",=NEET" not in csv


def test_a_second_export_rewrites_only_what_a_load_changed(home, tmp_path):
    out = tmp_path / "site"
    assert main(["--home", str(home.root), "export-site", str(out)]) == 0
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    assert main(["--home", str(home.root), "export-site", str(out)]) == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before  # nothing rewritten

    c = write(tmp_path / "c.csv", "measure_id,period,value\nneet-rate,2025-03,10.9\n")
    load_batch(home, [LoadRequest("edu", [c], datetime(2025, 4, 12))], today=date(2025, 5, 1))
    assert main(["--home", str(home.root), "export-site", str(out)]) == 0
    changed = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and before.get(p) !=
               p.stat().st_mtime_ns}
    assert "measure/neet-rate.html" in changed and "data/measure/neet-rate.csv" in changed
    assert len(changed) < len(before)


def test_without_a_published_warehouse_it_says_what_to_do(tmp_path, capsys):
    assert main(["--home", str(tmp_path / "empty"), "export-site", str(tmp_path / "out")]) == 2
    assert "has nothing published yet" in capsys.readouterr().err
