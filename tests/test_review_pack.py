"""The monthly review: the schedule in the definitions, the pack built as the data and the review records
stood at the end of the meeting day (never judged anew), its self-contained HTML export (the same inputs
give the same bytes; a revision loaded later leaves a past pack as it was), and `outcomes review-pack`."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from etl.home import Home
from etl.load import LoadRequest, load_batch
from goal_councils import DefinitionsError, load_definitions
from outcomes.cli import main
from published.access import OPERATOR, as_viewer
from published.judgements import review, stored_statuses
from published.reader import Scope, Warehouse
from tests.support import MINI_DEFINITIONS, mini_home, write
from workflow import WorkflowStore, default_url
from workflow.pack import PackError, build_pack

SCHEDULE = "reviews: {start: 2026-01, rotation: [education], day: 25}\n"
OCTOBER, NOVEMBER = datetime(2026, 10, 25, 23, 59, 59), datetime(2026, 11, 25, 23, 59, 59)  # the reviews' ends
SCRIPT = "<script>alert(1)</script>"


def _neet(months) -> str:
    return "".join(f"neet-rate,{y}-{m:02d},{9.0 + 0.1 * ((y * 12 + m) % 3 - 1):.1f}\n" for y, m in months)


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Home:
    """The mini home reviewed every month on the 25th. NEET rate on track at the October review, off
    track at November's (September's figure jumps), with July revised in between; youth contacts
    missing a quarter. Review records written before, between and after the two reviews."""
    root = tmp_path_factory.mktemp("pack")
    home = mini_home(root / "home")
    (home.definitions / "mini.yaml").write_text((home.definitions / "mini.yaml").read_text() + SCHEDULE)
    months = [(y, m) for y in (2024, 2025, 2026) for m in range(1, 13) if (y, m) <= (2026, 8)]
    a = write(root / "a.csv", "measure_id,period,value\n" + _neet(months))
    quarters = [(y, q) for y in (2024, 2025, 2026) for q in range(1, 5) if (y, q) <= (2026, 2)]
    b = write(root / "b.csv", "measure_id,period,value\n" + "".join(
        f"youth-contacts,{y}-Q{q},{400 + 10 * q}\n" for y, q in quarters))
    c = write(root / "c.csv", "measure_id,period,value\nneet-rate,2026-09,11.0\nneet-rate,2026-07,9.4\n")
    load_batch(home, [LoadRequest("edu", [a], datetime(2026, 9, 10, 9)),
                      LoadRequest("north", [b], datetime(2026, 10, 5, 9)),
                      LoadRequest("edu", [c], datetime(2026, 11, 5, 9))],
               today=date(2026, 12, 1), judged_before=[OCTOBER, NOVEMBER])
    _records(WorkflowStore(default_url(home.root)))
    return home


def _records(s: WorkflowStore) -> None:
    s.add_action(council_id="education", title="Contact every young person who left college in July",
                 owner_org="north", owner_person="J. Youth", due="2026-11-15", by="ann", agreed_at_review="2026-10",
                 now=datetime(2026, 10, 25, 10))
    closed = s.add_action(council_id="education", title="Closed early in October", owner_org="edu", owner_person="A",
                          due="2026-10-01", by="ann", now=datetime(2026, 9, 20))
    s.update_action(closed, state="done", by="ann", now=datetime(2026, 10, 10))
    done = s.add_action(council_id="education", title="Publish the NEET action plan", owner_org="edu",
                        owner_person="B. Lead", due="2026-11-30", by="ann", agreed_at_review="2026-10",
                        now=datetime(2026, 10, 25, 10, 5))
    s.update_action(done, state="done", notes="Published on the site", by="ann", now=datetime(2026, 11, 12))
    s.add_action(council_id="education", title=SCRIPT, owner_org="edu", owner_person="C <b>", due="2026-12-20",
                 by="ann", notes="line one\nline two <i>x</i>", now=datetime(2026, 11, 25, 9))
    s.add_action(council_id="education", title="Agreed after the review", owner_org="edu", owner_person="D",
                 due="2026-12-20", by="ann", now=datetime(2026, 11, 26, 9))
    awaiting = s.raise_escalation(council_id="education", raised_by_org="north", to_whom="chair",
                                  problem="No youth worker posts funded", decision_asked="Release £40k", by="cat",
                                  now=datetime(2026, 11, 3))
    s.decide_escalation(awaiting, outcome="Released", decided_on="2026-11-30", by="chair", now=datetime(2026, 11, 30))
    decided = s.raise_escalation(council_id="education", raised_by_org="edu", to_whom="council",
                                 problem="Data sharing blocked", decision_asked="Sign the agreement", by="cat",
                                 now=datetime(2026, 10, 20))
    s.decide_escalation(decided, outcome="Signed", decided_on="2026-11-10", by="chair", now=datetime(2026, 11, 10))
    old = s.raise_escalation(council_id="education", raised_by_org="edu", to_whom="council", problem="Decided long ago",
                             decision_asked="Old", by="cat", now=datetime(2026, 9, 1))
    s.decide_escalation(old, outcome="Done", decided_on="2026-09-20", by="chair", now=datetime(2026, 9, 20))
    note = s.write_commentary(measure_id="neet-rate", period="2026-09", org_id="edu",
                              what_happened="Rose sharply\n<b>why</b>", why="A college closed",
                              what_next="Re-engage", by="ann", now=datetime(2026, 11, 20))
    s.write_commentary(measure_id="neet-rate", period="2026-09", org_id="edu", what_happened="Rewritten after it",
                       by="ann", commentary_id=note, now=datetime(2026, 11, 28))
    s.write_commentary(measure_id="neet-rate", period="2026-09", org_id="north", what_happened="Neither lead nor owner",
                       by="cat", now=datetime(2026, 11, 21))
    s.write_commentary(measure_id="youth-contacts", period="2026-Q2", org_id="north", what_happened="Steady",
                       by="cat", now=datetime(2026, 11, 21))
    s.record_review(council_id="education", month="2026-10", held_on="2026-10-25", notes="Quorate", by="ann",
                    now=datetime(2026, 10, 26))
    s.close()


@pytest.fixture
def pack_of(home):
    """build_pack on the home, as the command line reads it (everything)."""
    warehouse, store = Warehouse(home.warehouse), WorkflowStore(default_url(home.root))

    def build(council="education", month="2026-11"):
        with as_viewer(OPERATOR):
            return build_pack(warehouse, store, council, month)

    yield build
    warehouse.close()
    store.close()


# --- the schedule ------------------------------------------------------------------------------


def _definitions_with(tmp_path: Path, text: str, second: str | None = None) -> Path:
    folder = tmp_path / "definitions"
    shutil.copytree(MINI_DEFINITIONS, folder)
    (folder / "mini.yaml").write_text((folder / "mini.yaml").read_text() + text)
    if second is not None:
        (folder / "second.yaml").write_text(second)
    return folder


def test_month_i_from_the_start_reviews_the_rotation_at_i_mod_n(tmp_path):
    defs = load_definitions(_definitions_with(tmp_path, "reviews:\n  start: 2026-01\n  rotation: [education]\n"))
    schedule = defs.reviews
    assert (schedule.day, schedule.last_month) == (25, "2030-12")  # five years of months by default
    reviews = schedule.reviews()
    assert len(reviews) == 60 and reviews[0].month == "2026-01" and reviews[0].meeting_date == date(2026, 1, 25)
    assert schedule.council_for("2026-07") == "education"
    assert schedule.council_for("2025-12") is None and schedule.council_for("2031-01") is None


def test_a_meeting_day_past_the_end_of_a_month_is_its_last_day(tmp_path):
    defs = load_definitions(_definitions_with(tmp_path, SCHEDULE.replace("day: 25", "day: 31, end: 2026-03")))
    assert [r.meeting_date for r in defs.reviews.reviews()] == [date(2026, 1, 31), date(2026, 2, 28),
                                                                 date(2026, 3, 31)]


@pytest.mark.parametrize("text, line, problem", [
    ("reviews:\n  start: 2026-01\n  rotation:\n    - education\n    - nope\n", 5,
     "reviews: rotation[1]: unknown council 'nope'"),
    ("reviews:\n  start: 2026-13\n  rotation: [education]\n", 2,
     "reviews: start: Value error, '2026-13' is not a month: write it as YYYY-MM, e.g. 2026-01"),
    ("reviews:\n  start: 2026-01\n  rotation: [education]\n  day: 0\n", 4,
     "reviews: day: Input should be greater than or equal to 1"),
    ("reviews:\n  start: 2026-01\n  rotation: []\n", 3,
     "reviews: rotation: List should have at least 1 item after validation, not 0"),
    ("reviews:\n  start: 2026-06\n  rotation: [education]\n  end: 2026-01\n", 4,
     "reviews: end 2026-01 is before start 2026-06"),
    ("reviews: [education]\n", 1, "reviews must be a mapping of start, rotation and day"),
    ("reviews:\n  start: 2026-01\n  rotation: [education]\n  every: month\n", 4,
     "reviews: every: Extra inputs are not permitted"),
])
def test_a_broken_schedule_is_refused_with_file_and_line(tmp_path, text, line, problem):
    folder = _definitions_with(tmp_path, text)
    first = len(MINI_DEFINITIONS.joinpath("mini.yaml").read_text().splitlines())
    with pytest.raises(DefinitionsError) as e:
        load_definitions(folder)
    assert e.value.problems == [f"{folder / 'mini.yaml'}:{first + line}: {problem}"]


def test_a_schedule_defined_twice_is_refused(tmp_path):
    folder = _definitions_with(tmp_path, SCHEDULE, second="# another\n" + SCHEDULE)
    with pytest.raises(DefinitionsError) as e:
        load_definitions(folder)
    first = len(MINI_DEFINITIONS.joinpath("mini.yaml").read_text().splitlines()) + 1
    assert e.value.problems == [f"{folder / 'second.yaml'}:2: reviews: the review schedule is defined twice "
                                f"(first at {folder / 'mini.yaml'}:{first})"]


def test_the_schedule_is_published_in_the_warehouse_and_its_public_copy(home):
    for path in (home.warehouse, home.public_warehouse):
        warehouse = Warehouse(path)
        found = warehouse.scheduled_reviews("education")
        warehouse.close()
        november = found.iloc[10]
        assert len(found) == 60 and (november.month, november.council_id, november.council_name) == (
            "2026-11", "education", "World-class education")
        assert str(november.meeting_date)[:10] == "2026-11-25"


def test_the_demo_reviews_education_in_october_2026_on_the_day_its_previous_review_was_judged():
    from etl.demo import DEMO_PREVIOUS_REVIEW, load_demo_definitions

    schedule = load_demo_definitions().reviews
    assert schedule.council_for("2026-10") == "world_class_education"
    assert schedule.meeting_date("2026-10") == DEMO_PREVIOUS_REVIEW.date()


# --- the pack ----------------------------------------------------------------------------------


def test_the_pack_reads_the_statuses_stored_at_the_review_and_what_changed_since_the_last(home, pack_of):
    pack = pack_of()
    assert (pack.month, pack.meeting_date, pack.previous.month) == ("2026-11", date(2026, 11, 25), "2026-10")
    assert pack.as_at == datetime(2026, 11, 25, 23, 59, 59, 999999) and pack.judged_at == NOVEMBER
    [section] = pack.objectives
    assert (section.objective_id, section.lead_id, section.headline_id) == ("neet", "edu", "neet-rate")
    warehouse = Warehouse(home.warehouse)
    stored = stored_statuses(warehouse, Scope(council="education"), pack.as_at)
    warehouse.close()
    assert {m.measure_id: (m.status, m.reason) for m in section.measures} == {
        k: (v.status, v.reason) for k, v in stored.items()}
    assert section.status == "off_track"
    neet = section.measures[0]
    assert (neet.latest_period, neet.latest_value) == ("2026-09", 11.0)
    assert [(c.measure_id, c.before, c.after) for c in section.changes] == [("neet-rate", "on_track", "off_track")]
    assert [(r.period, r.before, r.after) for r in section.revisions] == [("2026-07", 9.0, 9.4)]


def test_the_exceptions_are_those_stored_at_the_review(home, pack_of):
    [section] = pack_of().objectives
    warehouse = Warehouse(home.warehouse)
    stored = review(warehouse, Scope(council="education"), NOVEMBER).exceptions
    warehouse.close()
    assert [(e.measure_id, e.rule) for e in section.exceptions] == list(zip(stored.measure_id, stored.rule,
                                                                           strict=True))
    assert {"off_track", "missing"} <= {e.rule for e in section.exceptions}


def test_actions_are_carried_forward_until_closed_with_their_status_on_the_meeting_day(pack_of):
    shown = [(a.action.title, a.status, a.carried) for a in pack_of().actions]
    assert shown == [("Contact every young person who left college in July", "overdue", True),
                     (SCRIPT, "open", False),
                     ("Publish the NEET action plan", "done", True)]  # closed before the October review, or later: gone
    october = [(a.action.title, a.status) for a in pack_of(month="2026-10").actions]
    assert october == [("Contact every young person who left college in July", "open"),
                       ("Publish the NEET action plan", "open"), ("Closed early in October", "done")]


def test_escalations_awaiting_come_first_then_those_decided_since_the_last_review(pack_of):
    shown = [(e.escalation.problem, e.awaiting) for e in pack_of().escalations]
    assert shown == [("No youth worker posts funded", True), ("Data sharing blocked", False)]


def test_commentary_is_the_owners_and_leads_as_it_stood_at_the_review(pack_of):
    [section] = pack_of().objectives
    shown = [(c.commentary.measure_id, c.commentary.org_id, c.speaks_as, c.commentary.what_happened)
             for c in section.commentary]
    assert shown == [("neet-rate", "edu", "lead and owner", "Rose sharply\n<b>why</b>"),
                     ("youth-contacts", "north", "owner", "Steady")]


def test_a_month_outside_the_councils_schedule_names_the_nearest(pack_of):
    with pytest.raises(PackError) as e:
        pack_of(month="2031-02")
    assert e.value.nearest == ("2030-11", "2030-12")
    assert "education has no review scheduled in 2031-02 (the schedule runs from 2026-01 to 2030-12)" in str(e.value)
    with pytest.raises(PackError, match="unknown council 'health': one of education"):
        pack_of(council="health")
    with pytest.raises(PackError, match="not a month"):
        pack_of(month="2026-13")


def test_without_a_schedule_the_pack_says_how_to_set_one(tmp_path):
    home = mini_home(tmp_path / "home")
    a = write(tmp_path / "a.csv", "measure_id,period,value\nneet-rate,2026-01,9.1\n")
    load_batch(home, [LoadRequest("edu", [a], datetime(2026, 2, 10))], today=date(2026, 3, 1))
    warehouse, store = Warehouse(home.warehouse), WorkflowStore(f"sqlite:///{tmp_path / 'w.sqlite'}")
    with pytest.raises(PackError, match="no review schedule is defined: add `reviews:`"):
        build_pack(warehouse, store, "education", "2026-02")
    warehouse.close()
    store.close()


# --- the export --------------------------------------------------------------------------------


def _export(home: Home, out: Path, month: str = "2026-11") -> bytes:
    assert main(["--home", str(home.root), "review-pack", "education", month, "-o", str(out)]) == 0
    return out.read_bytes()


@pytest.fixture
def no_workflow_url(monkeypatch):
    monkeypatch.delenv("OUTCOMES_WORKFLOW_URL", raising=False)


def test_the_export_is_one_self_contained_printable_file(home, tmp_path, no_workflow_url):
    page = _export(home, tmp_path / "pack.html").decode("utf-8")
    assert "<script src" not in page and "<link" not in page  # nothing fetched: it opens offline
    assert page.count("<script>") == 2  # plotly.js once, and what draws the charts
    assert 'id="chart-1" data-figure="figure-1"' in page and '<script type="application/json" id="figure-1">' in page
    assert "As the data stood on 25 November 2026: later revisions are not shown." in page
    assert "@page { size: A4 landscape; margin: 12mm; }" in page and ".objective { break-before: page;" in page
    for said in ("Status of every objective", "Off track", "Overdue", "carried forward",
                 "Escalations awaiting a decision",
                 "Decided since the last review", "What changed since the last review", "revised from 9.0% to 9.4%",
                 "Missing submission", "Rose sharply"):
        assert said in page, said


def test_escalations_awaiting_a_decision_lead_the_exported_pack(home, tmp_path, no_workflow_url):
    page = _export(home, tmp_path / "pack.html").decode("utf-8")
    top = page.index('id="escalations-heading"')
    assert page.index("<main>") < top < page.index('id="status-heading"') < page.index('id="objective-1"')
    assert top < page.index("No youth worker posts funded") < page.index('id="status-heading"')


def test_text_people_typed_is_shown_as_text_never_as_html(home, tmp_path, no_workflow_url):
    page = _export(home, tmp_path / "pack.html").decode("utf-8")
    assert SCRIPT not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>why</b>" not in page and "Rose sharply\n&lt;b&gt;why&lt;/b&gt;" in page
    assert "<i>x</i>" not in page and "C &lt;b&gt;" in page


def test_the_same_inputs_give_the_same_bytes_and_a_later_revision_leaves_a_past_pack_as_it_was(
        home, tmp_path, no_workflow_url):
    copy = Home.at(tmp_path / "home")
    shutil.copytree(home.root, copy.root)
    first = _export(copy, tmp_path / "first.html")
    assert _export(copy, tmp_path / "again.html") == first
    december = _export(copy, tmp_path / "december.html")

    revision = write(tmp_path / "d.csv", "measure_id,period,value\nneet-rate,2026-09,10.5\nneet-rate,2026-10,10.2\n")
    load_batch(copy, [LoadRequest("edu", [revision], datetime(2026, 11, 28, 9))], today=date(2026, 12, 1))
    assert _export(copy, tmp_path / "after.html") == first  # November's pack: as the data stood then
    later = _export(copy, tmp_path / "december-after.html", "2026-12")
    assert later != december and b"revised from 11.0% to 10.5%" in later


# --- the command line --------------------------------------------------------------------------


def test_list_prints_every_scheduled_review_one_a_line(home, capsys):
    assert main(["--home", str(home.root), "review-pack", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["education 2026-01", "education 2026-02"] and len(lines) == 60


@pytest.mark.parametrize("args, code, said", [
    (["health", "2026-11", "-o", "{out}"], 1, "outcomes review-pack: unknown council 'health': one of education"),
    (["education", "2025-11", "-o", "{out}"], 1,
     "outcomes review-pack: education has no review scheduled in 2025-11 (the schedule runs from 2026-01 to "
     "2030-12); the nearest scheduled: 2026-01, 2026-02"),
    (["education", "2026-13", "-o", "{out}"], 2, "'2026-13' is not a month: write it as YYYY-MM"),
    (["education", "2026-11"], 2, "give COUNCIL YYYY-MM -o FILE (or --list to see the scheduled reviews)"),
    (["--list", "education", "2026-11"], 2, "--list takes at most a council"),
])
def test_the_command_line_says_what_is_wrong(home, tmp_path, capsys, no_workflow_url, args, code, said):
    out = tmp_path / "pack.html"
    argv = [a.replace("{out}", str(out)) for a in args]
    assert main(["--home", str(home.root), "review-pack", *argv]) == code
    assert said in capsys.readouterr().err
    assert not out.exists()


def test_pdf_without_chromium_says_how_to_get_it(home, tmp_path, capsys, monkeypatch, no_workflow_url):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert main(["--home", str(home.root), "review-pack", "education", "2026-11", "-o",
                 str(tmp_path / "pack.pdf")]) == 2
    assert "writing PDF needs Chromium" in capsys.readouterr().err
    assert not (tmp_path / "pack.pdf").exists()


@pytest.mark.slow  # starts Chromium: about ten seconds
@pytest.mark.skipif(not any(shutil.which(n) for n in ("chromium", "chromium-browser")), reason="needs Chromium")
def test_pdf_is_printed_by_headless_chromium_on_a4_landscape(home, tmp_path, no_workflow_url):
    out = tmp_path / "pack.pdf"
    assert main(["--home", str(home.root), "review-pack", "education", "2026-11", "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    width, height = (float(x) for x in re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", data).groups())
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
