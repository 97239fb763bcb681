"""What the publish step keeps as the data stands (etl/warehouse.py `keep_newest`): each measure's two newest
totals (table newest_totals) and when its newest figure arrived (newest_received). The goal map, the
judgements read together and the organisation page's freshness, read from them, answer exactly what they
answer when they work them out per request, for every viewer and in both published files; a file published
without them is still answered, by working them out."""

from __future__ import annotations

import os
import shutil

import duckdb
import pandas as pd
import pytest

from etl.warehouse import KEPT_AT_PUBLISH
from published.access import OPERATOR, PUBLIC, Viewer, as_viewer
from published.judgements import stored_judgements, stored_timeliness
from published.reader import Scope, Warehouse

VIEWERS = [PUBLIC, OPERATOR, Viewer("steward", org="care_agency", name="s"),
           Viewer("council_member", councils=("healthy_safe_communities",), name="c")]


def _worked_out(w: Warehouse, read, *args, **named):
    """What `read(w, *args, **named)` answers from a file without kept tables (the statements as at a moment,
    now)."""
    w._keeps = lambda table: False
    try:
        return read(w, *args, **named)
    finally:
        del w._keeps


@pytest.fixture(scope="module", params=["full", "public"])
def warehouse(request, demo_home):
    w = Warehouse(demo_home.warehouse if request.param == "full" else demo_home.public_warehouse)
    yield w
    w.close()


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.role + (v.org or ""))
def test_pages_read_from_kept_tables_what_they_work_out(warehouse, viewer):
    w = warehouse
    assert all(w._keeps(table) for table in KEPT_AT_PUBLISH)
    with as_viewer(viewer):
        run = w.judgement_run(None)["id"]
        for with_run in (run, None):  # the goal map with the headlines' statuses in the same statement, and without
            kept, worked = w.goal_map(None, with_run), _worked_out(w, Warehouse.goal_map, None, with_run)
            assert len(kept) and kept.latest_value.notna().sum() > len(kept) // 2
            pd.testing.assert_frame_equal(kept, worked)
        for scope in (Scope(), Scope(partner="care_agency"), Scope(measure="no-such-measure")):
            kept = stored_timeliness(w, scope, None)
            assert kept == _worked_out(w, stored_timeliness, scope, None)
            assert len(kept.last_received) or scope.measure
            kept = stored_judgements(w, scope, None, whole=True)
            assert repr(kept) == repr(_worked_out(w, stored_judgements, scope, None, whole=True))
            kept = w.latest_year(scope)  # the organisation page's year of totals
            pd.testing.assert_frame_equal(kept, _worked_out(w, Warehouse.latest_year, scope))
            assert len(kept) > 10 or scope.measure


def test_kept_tables_hold_every_measures_newest_figures_and_only_public_ones_in_the_public_file(
        demo_home):
    def read(path):
        con = duckdb.connect(str(path), read_only=True)
        try:
            kept = con.execute("SELECT * FROM newest_totals ORDER BY measure_id, recency").df()
            newest = con.execute(
                "SELECT measure_id, max(period_start) AS period_start FROM observations WHERE dimension = '' "
                "GROUP BY 1 ORDER BY 1").df()
            public = {r[0] for r in con.execute("SELECT id FROM measures WHERE published").fetchall()}
            every = {r[0] for r in con.execute("SELECT id FROM measures").fetchall()}
            received = dict(con.execute("SELECT * FROM newest_received").fetchall())
            assert received == dict(con.execute(  # the newest load that brought any of each measure's rows
                "SELECT o.measure_id, max(l.received_at) FROM observations o JOIN loads l ON l.id = o.load_id "
                "GROUP BY 1").fetchall())
            assert set(received) <= every and len(received) > len(every) // 2
            return kept, newest, public, every
        finally:
            con.close()

    kept, newest, public, every = read(demo_home.warehouse)
    assert set(kept.recency) == {1, 2}
    first = kept[kept.recency == 1].set_index("measure_id").period_start
    assert first.to_dict() == newest.set_index("measure_id").period_start.to_dict()  # every measure with totals
    assert (kept.groupby("measure_id").period_start.first() >= kept.groupby("measure_id").period_start.last()).all()
    assert kept.revised.any()  # the demo's revisions are marked as such
    public_kept, _, _, public_every = read(demo_home.public_warehouse)
    assert public_every == public < every
    assert set(public_kept.measure_id) == set(kept.measure_id) & public
    pd.testing.assert_frame_equal(
        public_kept.reset_index(drop=True),
        kept[kept.measure_id.isin(public)].reset_index(drop=True))


def test_a_file_published_without_kept_totals_has_them_worked_out(demo_home, tmp_path):
    copy = tmp_path / "older.duckdb"
    shutil.copyfile(demo_home.warehouse, copy)
    con = duckdb.connect(str(copy))
    for table in KEPT_AT_PUBLISH:  # as a file published before there were any
        con.execute("DELETE FROM meta WHERE key = ?", [table])
        con.execute(f"DROP TABLE {table}")
    con.close()
    older, current = Warehouse(copy), Warehouse(demo_home.warehouse)
    try:
        assert not any(older._keeps(table) for table in KEPT_AT_PUBLISH)
        with as_viewer(OPERATOR):
            run = current.judgement_run(None)["id"]
            pd.testing.assert_frame_equal(older.goal_map(None, run), current.goal_map(None, run))
            assert stored_timeliness(older, Scope(), None) == stored_timeliness(current, Scope(), None)
    finally:
        older.close()
        current.close()


def _without_kept_tables(path) -> None:
    con = duckdb.connect(str(path))
    for table in KEPT_AT_PUBLISH:
        con.execute("DELETE FROM meta WHERE key = ?", [table])
        con.execute(f"DROP TABLE {table}")
    con.close()


@pytest.mark.parametrize("landing", ["rollback to an older file", "first publish with kept tables"])
def test_what_a_file_keeps_is_remembered_for_that_file_when_another_lands_during_a_request(
        demo_home, tmp_path, landing):
    new, old, path = tmp_path / "new.duckdb", tmp_path / "old.duckdb", tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_home.warehouse, new)
    shutil.copyfile(demo_home.warehouse, old)
    _without_kept_tables(old)
    first, then = (new, old) if landing.startswith("rollback") else (old, new)
    shutil.copyfile(first, path)
    w = Warehouse(path)
    try:
        with as_viewer(OPERATOR):
            expected = w.goal_map()
            with w.one_version():  # a request reading the first file
                w.councils()
                shutil.copyfile(then, tmp_path / "landing")
                os.replace(tmp_path / "landing", path)
                pd.testing.assert_frame_equal(w.goal_map(), expected)
            # the next requests read the file that landed, as it is: kept tables or none
            assert w._keeps("newest_totals") is (then == new)
            pd.testing.assert_frame_equal(w.goal_map(), expected)
            assert stored_timeliness(w, Scope(), None).last_received
    finally:
        w.close()


def _failing_once(monkeypatch, marker: str, landing, path):
    """The first statement containing `marker` finds its connection invalidated just as `landing` is
    published at `path` (the retry reads it)."""
    answer, failed = Warehouse._answer, []

    def answer_or_fail(self, opened, sql, params):
        if marker in sql and not failed:
            failed.append(sql)
            shutil.copyfile(landing, path.with_name("landing"))
            os.replace(path.with_name("landing"), path)
            raise duckdb.FatalException("connection invalidated")
        return answer(self, opened, sql, params)

    monkeypatch.setattr(Warehouse, "_answer", answer_or_fail)
    return failed


def test_a_goal_map_retried_on_an_older_file_is_asked_as_that_file_can_answer(demo_home, tmp_path, monkeypatch):
    older, path = tmp_path / "older.duckdb", tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_home.warehouse, older)
    _without_kept_tables(older)
    con = duckdb.connect(str(older))
    con.execute("ALTER TABLE measures DROP COLUMN categories")  # as before measures could be categorical
    con.close()
    shutil.copyfile(demo_home.warehouse, path)
    with as_viewer(OPERATOR):
        expected = Warehouse(older).goal_map()
        w = Warehouse(path)
        try:
            failed = _failing_once(monkeypatch, "FROM newest_totals", older, path)
            with w.one_version():
                w.councils()
                retried = w.goal_map()
            assert failed
            pd.testing.assert_frame_equal(retried, expected)
        finally:
            w.close()


def test_what_a_retried_question_found_on_another_file_is_not_remembered_for_the_first(
        demo_home, tmp_path, monkeypatch):
    import threading

    older, path = tmp_path / "older.duckdb", tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_home.warehouse, older)
    _without_kept_tables(older)
    shutil.copyfile(older, path)
    w = Warehouse(path)
    started, go, found = threading.Event(), threading.Event(), []

    def request_still_on_the_older_file():
        with as_viewer(OPERATOR), w.one_version():
            w.councils()
            started.set()
            go.wait(30)
            found.append(w.latest_year(Scope()))

    other = threading.Thread(target=request_still_on_the_older_file)
    other.start()
    started.wait(30)
    try:
        failed = _failing_once(monkeypatch, "FROM meta WHERE key", demo_home.warehouse, path)
        with as_viewer(OPERATOR), w.one_version():
            w.councils()
            assert len(w.latest_year(Scope()))  # asked of the older file, answered (retried) by the newer
        assert failed
    finally:
        go.set()
        other.join(30)
        w.close()
    assert len(found) == 1 and len(found[0])  # the older file was not taken to keep newest_year


@pytest.mark.parametrize("first", ["monthly first", "quarterly first"])
def test_of_two_periods_of_one_start_the_one_received_later_is_the_newest(first):
    """A measure whose frequency changed has two periods starting the same day: the newer figure is the one
    received later, whatever order the rows lie in (etl/sql/newest_totals.sql, kept and worked out alike)."""
    from etl.warehouse import kept_fragment

    con = duckdb.connect()
    con.execute("CREATE TABLE loads (id INTEGER, received_at TIMESTAMP)")
    con.execute("INSERT INTO loads VALUES (1, '2026-02-10 09:00'), (2, '2026-04-10 09:00')")
    con.execute("CREATE TABLE observations (measure_id VARCHAR, period VARCHAR, period_start DATE, "
                "breakdown VARCHAR, dimension VARCHAR, value DOUBLE, status VARCHAR, load_id INTEGER)")
    rows = [("m", "2026-01", "2026-01-01", 6.0, 1), ("m", "2026-Q1", "2026-01-01", 7.0, 2)]
    for measure, period, start, value, load in (rows if first == "monthly first" else rows[::-1]):
        con.execute("INSERT INTO observations VALUES (?, ?, ?, '', '', ?, NULL, ?)", [measure, period, start, value,
                                                                                      load])
    con.execute("INSERT INTO observations VALUES ('m', '2025-12', '2025-12-01', '', '', 5.0, NULL, 1)")
    found = con.execute("WITH scope AS (SELECT 'm' AS id), " + kept_fragment("newest_totals")
                        + " SELECT recency, period, value FROM newest_totals_as_at ORDER BY recency",
                        {"as_at": None}).fetchall()
    assert found == [(1, "2026-Q1", 7.0), (2, "2026-01", 6.0)]
