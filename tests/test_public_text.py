"""The public text file (workflow/public_text.py): public commentary and actions copied out of the
workflow records for anonymous visitors, the API and the static site. Only public text about public
measures gets in; no person's name; a failed write leaves the last good copy; the app rewrites it
after every write to commentary or actions; the demo's records come with the demo."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy.exc import OperationalError

from dashboard import Settings, create_app
from dashboard.context import STORE_KEY
from etl.load import LoadRequest, load_batch
from tests.support import mini_home, write
from workflow import WorkflowStore, default_url
from workflow.demo import write_demo_review
from workflow.public_text import PublicAction, PublicText, PublicTextFile, public_text_path

SECRET = "MARKER-internal-7c2"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """The mini home (NEET rate public; youth contacts made internal), published."""
    root = tmp_path_factory.mktemp("text")
    home = mini_home(root / "home")
    path = home.definitions / "mini.yaml"
    path.write_text(path.read_text().replace("            frequency: quarterly",
                                             "            frequency: quarterly\n            published: false"))
    a = write(root / "a.csv", "measure_id,period,value\nneet-rate,2025-01,11.5\nneet-rate,2025-02,11.2\n")
    b = write(root / "b.csv", "measure_id,period,value\nyouth-contacts,2025-Q1,42\n")
    load_batch(home, [LoadRequest("edu", [a], datetime(2025, 3, 10)), LoadRequest("north", [b], datetime(2025, 4, 10))],
               today=date(2025, 5, 1))
    return home


@pytest.fixture
def store(tmp_path):
    found = WorkflowStore(f"sqlite:///{tmp_path / 'workflow.sqlite'}")
    yield found
    found.close()


def plant(store: WorkflowStore) -> None:
    """Public text, and beside it internal text, withdrawn text and public text about the internal measure."""
    store.write_commentary(measure_id="neet-rate", period="2025-02", org_id="edu", what_happened="Fewer left school",
                           why="A careers service", what_next="Every school by June", visibility="public",
                           by=f"{SECRET} person", now=datetime(2025, 3, 12, 9))
    store.write_commentary(measure_id="neet-rate", period="2025-01", org_id="edu", what_happened="January was flat",
                           visibility="public", by="x", now=datetime(2025, 2, 12, 9))
    store.write_commentary(measure_id="neet-rate", period="2025-02", org_id="north", what_happened=SECRET,
                           visibility="internal", by="x")
    store.write_commentary(measure_id="youth-contacts", period="2025-Q1", org_id="north", what_happened=SECRET,
                           visibility="public", by="x")
    made_internal = store.write_commentary(measure_id="neet-rate", period="2024-12", org_id="edu",
                                           what_happened=SECRET, visibility="public", by="x")
    store.write_commentary(commentary_id=made_internal, measure_id="neet-rate", period="2024-12", org_id="edu",
                           what_happened=SECRET, visibility="internal", by="x")
    store.add_action(council_id="education", objective_id="neet", measure_id="neet-rate", title="Careers advisers",
                     owner_org="edu", owner_person=f"{SECRET} owner", due="2025-06-30", visibility="public", by="x",
                     notes="In every school")
    done = store.add_action(council_id="education", objective_id="neet", title="Survey schools", owner_org="north",
                            owner_person="x", due="2025-03-31", visibility="public", by="x")
    store.update_action(done, state="done", by="x")
    store.add_action(council_id="education", objective_id="neet", title=SECRET, owner_org="edu", owner_person="x",
                     due="2025-06-30", visibility="internal", by="x")
    store.add_action(council_id="education", objective_id="neet", measure_id="youth-contacts", title=SECRET,
                     owner_org="north", owner_person="x", due="2025-06-30", visibility="public", by="x")
    hidden = store.add_action(council_id="education", objective_id="neet", title=SECRET, owner_org="edu",
                              owner_person="x", due="2025-06-30", visibility="public", by="x")
    store.update_action(hidden, visibility="internal", by="x")


def test_only_public_text_about_public_measures_is_copied_and_no_person_is_named(home, store, tmp_path):
    plant(store)
    target = tmp_path / "text.json"
    written = PublicTextFile(target).write(store, home.public_warehouse)
    raw = target.read_text()
    assert SECRET not in raw and '"x"' not in raw
    assert [(c.measure_id, c.period, c.what_happened) for c in written.commentary] == [
        ("neet-rate", "2025-02", "Fewer left school"), ("neet-rate", "2025-01", "January was flat")]
    assert written.commentary[0].updated == date(2025, 3, 12)
    assert [(a.title, a.owner_org, a.state) for a in written.actions] == [
        ("Careers advisers", "edu", "open"), ("Survey schools", "north", "done")]  # open before done
    assert PublicTextFile(target).read() == written
    assert json.loads(raw)["format"] == 1


def test_a_failed_write_keeps_the_last_good_copy(home, store, tmp_path, monkeypatch):
    plant(store)
    text_file = PublicTextFile(tmp_path / "text.json")
    before = text_file.write(store, home.public_warehouse)
    saved = text_file.path.read_bytes()

    def broken(**_):
        raise OperationalError("SELECT", {}, Exception("the database went away"))

    monkeypatch.setattr(store, "actions", broken)
    with pytest.raises(OperationalError):
        text_file.write(store, home.public_warehouse)
    assert text_file.path.read_bytes() == saved and text_file.read() == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no half-written copy left


def test_an_absent_or_damaged_file_reads_as_no_text(tmp_path):
    text_file = PublicTextFile(tmp_path / "text.json")
    assert text_file.read() == PublicText()
    text_file.path.write_text('{"format": 1, "commentary": [{"measure_id": ')
    assert text_file.read() == PublicText()
    text_file.path.write_text('{"format": 99, "commentary": [], "actions": []}')
    assert text_file.read() == PublicText()


def _action(ident: int, council: str, objective: str | None, measure: str | None, state: str = "open") -> PublicAction:
    return PublicAction(ident, council, objective, measure, f"action {ident}", "edu", date(2025, 6, 30), state, "",
                        date(2025, 3, 1))


@pytest.mark.parametrize("asked, shows, expected", [
    ({"council_id": "education"}, ["neet-rate"], [1, 2, 4]),  # 3: a measure not shown (made internal since)
    ({"objective_id": "neet"}, ["neet-rate", "youth-contacts"], [1, 2, 3]),
    ({"objective_id": "neet"}, ["neet-rate"], [1, 2]),
    ({"objective_id": "neet"}, [], [2]),  # a measure page of another measure: the objective's own actions
    ({"council_id": "health"}, ["neet-rate"], []),
])
def test_actions_for_a_page_leave_out_measures_it_does_not_show(asked, shows, expected):
    text = PublicText((), (_action(1, "education", "neet", "neet-rate"), _action(2, "education", "neet", None),
                           _action(3, "education", "neet", "youth-contacts"), _action(4, "education", "jobs", None)))
    assert [a.action_id for a in text.actions_for(**asked, measure_ids=shows)] == expected


@pytest.mark.parametrize("state, due, on, status", [
    ("open", date(2025, 6, 30), date(2025, 6, 30), "open"),
    ("open", date(2025, 6, 30), date(2025, 7, 1), "overdue"),
    ("done", date(2025, 6, 30), date(2025, 7, 1), "done"),
])
def test_an_action_is_overdue_when_open_after_its_due_date(state, due, on, status):
    assert PublicAction(1, "c", None, None, "t", "o", due, state, "", due).status(on) == status


def test_the_app_writes_the_file_at_start_and_after_every_write_to_commentary_or_actions(home, tmp_path):
    app = create_app(Settings(warehouse=home.warehouse, secret_key="k" * 40,
                              workflow_url=f"sqlite:///{tmp_path / 'workflow.sqlite'}"))
    path = public_text_path(home.warehouse)
    assert json.loads(path.read_text())["commentary"] == []
    client = app.server.test_client()
    assert client.get("/api/v1/measures/neet-rate/commentary").json["commentary"] == []
    store = app.server.config[STORE_KEY]
    said = store.write_commentary(measure_id="neet-rate", period="2025-02", org_id="edu",
                                  what_happened="Fewer left school", visibility="public", by="x")
    assert [c["what_happened"] for c in client.get("/api/v1/measures/neet-rate/commentary").json["commentary"]] == [
        "Fewer left school"]
    store.write_commentary(commentary_id=said, measure_id="neet-rate", period="2025-02", org_id="edu",
                           what_happened="Fewer left school", visibility="internal", by="x")  # made internal
    assert client.get("/api/v1/measures/neet-rate/commentary").json["commentary"] == []
    store.add_action(council_id="education", objective_id="neet", title="Careers advisers", owner_org="edu",
                     owner_person="x", due="2025-06-30", visibility="public", by="x")
    assert [a["title"] for a in client.get("/api/v1/actions").json["actions"]] == ["Careers advisers"]


def test_the_demo_review_records_are_written_once(tmp_path):
    store = WorkflowStore(default_url(tmp_path))
    first = write_demo_review(store)
    assert first > 5 and write_demo_review(store) == 0  # never twice, never over what people wrote
    assert {c.visibility for c in store.commentary()} == {"public", "internal"}
    assert any(a.state == "done" for a in store.actions()) and store.escalations()
    store.close()


def test_an_unchanged_text_leaves_the_file_alone(home, store, tmp_path):
    plant(store)
    text_file = PublicTextFile(tmp_path / "text.json")
    text_file.write(store, home.public_warehouse)
    before = text_file.path.stat().st_mtime_ns
    store.write_commentary(measure_id="neet-rate", period="2025-02", org_id="edu", what_happened="internal only",
                           visibility="internal", by="x")  # nothing public changes
    text_file.write(store, home.public_warehouse)
    assert text_file.path.stat().st_mtime_ns == before


def test_text_written_through_another_app_server_arrives_with_the_refresh(home, tmp_path):
    import time

    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    app = create_app(Settings(warehouse=home.warehouse, secret_key="k" * 40, workflow_url=url,
                              text_refresh_seconds=0.2))
    client = app.server.test_client()
    assert client.get("/api/v1/actions").json == {"actions": []}
    other = WorkflowStore(url)  # another app server's store: this app hears nothing of its writes
    other.add_action(council_id="education", objective_id="neet", title="Careers advisers", owner_org="edu",
                     owner_person="x", due="2025-06-30", visibility="public", by="x")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not client.get("/api/v1/actions").json["actions"]:
        time.sleep(0.1)
    assert [a["title"] for a in client.get("/api/v1/actions").json["actions"]] == ["Careers advisers"]
    other.close()
