"""The review records (commentary, actions, escalations, reviews held) in the workflow database: the
same tests on SQLite and on a real PostgreSQL server. Every edit is a version; a record is read as it
stood at a moment, so an old review pack reads what stood then."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import inspect, text

from tests.postgres import postgres_server
from workflow import WorkflowStore
from workflow.review import ReviewError
from workflow.store import MIGRATIONS, metadata

OCT, NOV, DEC = datetime(2026, 10, 31, 23, 59), datetime(2026, 11, 30, 23, 59), datetime(2026, 12, 31, 23, 59)


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory):
    with postgres_server(tmp_path_factory.mktemp("postgres")) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'workflow.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url")
        from sqlalchemy import create_engine

        engine = create_engine(url)
        metadata.drop_all(engine)  # each test starts from an empty database
        engine.dispose()
    found = WorkflowStore(url)
    yield found
    found.close()


def test_the_schema_is_made_by_numbered_migrations_applied_once(store):
    tables = set(inspect(store.engine).get_table_names())
    assert {"users", "audit_log", "commentary", "actions", "escalations", "reviews_held", "schema_migrations"} <= tables
    with store.engine.connect() as con:
        versions = [v for (v,) in con.execute(text("SELECT version FROM schema_migrations ORDER BY version"))]
    assert versions == [m[0] for m in MIGRATIONS]
    from workflow.store import migrate

    assert migrate(store.engine) == []  # nothing left to apply


def test_a_database_made_before_migrations_is_brought_up_to_date(tmp_path):
    from sqlalchemy import create_engine

    from workflow.store import audit_log, sign_in_failures, users

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(url)
    for table in (users, audit_log, sign_in_failures):  # what the first release made, with no record of it
        table.create(engine)
    engine.dispose()
    store = WorkflowStore(url)
    assert {"commentary", "actions"} <= set(inspect(store.engine).get_table_names())
    store.close()


def test_an_action_is_carried_until_done_and_reads_as_it_stood(store):
    ident = store.add_action(council_id="education", title="Agree a youth guarantee pilot", owner_org="edu",
                             owner_person="A. Lead", due="2026-11-20", by="ann", agreed_at_review="2026-10",
                             now=datetime(2026, 10, 20))
    store.update_action(ident, notes="Two councils signed up", by="ann", now=datetime(2026, 11, 10))
    store.update_action(ident, state="done", by="bob", now=datetime(2026, 12, 5))
    at_nov, at_dec = store.action(ident, as_at=NOV), store.action(ident, as_at=DEC)
    assert at_nov.state == "open" and at_nov.notes == "Two councils signed up"
    assert at_nov.status(date(2026, 11, 30)) == "overdue" and at_nov.status(date(2026, 11, 1)) == "open"
    assert at_dec.status(date(2026, 12, 31)) == "done" and at_dec.recorded_by == "bob"
    assert at_dec.raised_at == datetime(2026, 10, 20)
    assert store.action(ident, as_at=datetime(2026, 10, 1)) is None  # not yet agreed
    assert [a.action_id for a in store.actions(council_id="education", as_at=OCT)] == [ident]
    assert store.actions(council_id="health") == []
    actions = [e.action for e in store.audit_log(limit=10)]
    assert actions[:3] == ["action-done", "action-updated", "action-added"]


def test_commentary_is_versioned_and_public_only_filters(store):
    first = store.write_commentary(measure_id="neet", period="2026-Q3", org_id="edu", what_happened="Rose 0.2",
                                   why="Seasonal", what_next="Watch", visibility="internal", by="ann",
                                   now=datetime(2026, 11, 12))
    store.write_commentary(measure_id="neet", period="2026-Q3", org_id="edu", what_happened="Rose 0.2 points",
                           visibility="public", by="ann", commentary_id=first, now=datetime(2026, 12, 2))
    assert [c.what_happened for c in store.commentary(measure_ids=["neet"], as_at=NOV)] == ["Rose 0.2"]
    assert store.commentary(measure_ids=["neet"], as_at=NOV, public_only=True) == []
    [now] = store.commentary(measure_ids=["neet"], public_only=True)
    assert (now.what_happened, now.visibility, now.why) == ("Rose 0.2 points", "public", "")


def test_a_withdrawn_commentary_is_a_version_read_as_it_stood_and_listeners_hear_of_it(store):
    heard = []
    store.on_change(heard.append)
    first = store.write_commentary(measure_id="neet", period="2026-10", org_id="edu", what_happened="Rose",
                                   visibility="public", by="ann", now=datetime(2026, 11, 12))
    assert store.withdraw_commentary(first, by="lee", now=datetime(2026, 12, 2)) == first
    assert [c.what_happened for c in store.commentary(measure_ids=["neet"], as_at=NOV)] == ["Rose"]
    assert store.commentary(measure_ids=["neet"]) == [] and store.commentary(public_only=True) == []
    assert heard == ["commentary", "commentary"]
    assert [e.action for e in store.audit_log(action="commentary-withdrawn")] == ["commentary-withdrawn"]
    with pytest.raises(ReviewError, match="commentary_id: there is no commentary"):
        store.withdraw_commentary(first, by="lee")  # already withdrawn
    with pytest.raises(ReviewError, match="commentary_id: there is no commentary"):
        store.withdraw_commentary(999, by="lee")
    assert len(heard) == 2


def test_an_escalation_awaits_a_decision_until_one_is_recorded(store):
    ident = store.raise_escalation(council_id="education", raised_by_org="north", to_whom="chair",
                                   problem="No youth worker posts funded", decision_asked="Release £40k", by="cat",
                                   now=datetime(2026, 11, 3))
    store.decide_escalation(ident, outcome="Released from the shared fund", decided_on="2026-12-04", by="chair",
                            now=datetime(2026, 12, 4))
    assert store.escalation(ident, as_at=NOV).awaiting
    decided = store.escalation(ident)
    assert not decided.awaiting and decided.decided_on == date(2026, 12, 4) and decided.problem.startswith("No")


def test_a_review_held_is_recorded_once_a_month(store):
    store.record_review(council_id="education", month="2026-10", held_on="2026-10-28", notes="Quorate", by="ann")
    store.record_review(council_id="education", month="2026-10", held_on="2026-10-29", by="ann")
    [held] = store.reviews_held("education")
    assert held.held_on == date(2026, 10, 29)


@pytest.mark.parametrize("call, field", [
    (lambda s: s.add_action(council_id="c", title="", owner_org="o", owner_person="p", due="2026-12-01", by="a"),
     "title"),
    (lambda s: s.add_action(council_id="c", title="t", owner_org="o", owner_person="p", due="soon", by="a"), "due"),
    (lambda s: s.add_action(council_id="c", title="t" * 201, owner_org="o", owner_person="p", due="2026-12-01",
                            by="a"), "title"),
    (lambda s: s.write_commentary(measure_id="m", period="2026-10", org_id="o", what_happened="x",
                                  visibility="secret", by="a"), "visibility"),
    (lambda s: s.raise_escalation(council_id="c", raised_by_org="o", to_whom="minister", problem="p",
                                  decision_asked="d", by="a"), "to_whom"),
    (lambda s: s.update_action(999, state="done", by="a"), "action_id"),
    (lambda s: s.write_commentary(measure_id="m", period="2026-10", org_id="o", what_happened="a\x00b", by="a"),
     "what_happened"),
])
def test_a_record_that_cannot_be_written_names_its_field_and_writes_nothing(store, call, field):
    with pytest.raises(ReviewError) as e:
        call(store)
    assert e.value.field == field
    assert store.actions() == [] and store.commentary() == [] and store.escalations() == []
