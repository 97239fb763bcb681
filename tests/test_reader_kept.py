"""Answers about definitions are asked of DuckDB once per published file and viewer (published/reader.py
`_kept`): a page that reads councils, objectives and measures again sends no statement for them, a new
publish is read at once, and one viewer's answer never reaches another."""

from __future__ import annotations

import os
import shutil
import threading
from dataclasses import asdict

import duckdb
import pytest

from published.access import OPERATOR, PUBLIC, Viewer, as_viewer, viewer_params
from published.reader import Scope, Warehouse


@pytest.fixture
def copied(demo_home, tmp_path):
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_home.warehouse, path)
    w = Warehouse(path)
    yield w
    w.close()


@pytest.fixture
def sent(monkeypatch):
    """The statements this test's own thread sends (a threaded server left by another test may be asking too)."""
    statements = []
    run = Warehouse._run
    mine = threading.get_ident()

    def counted(opened, sql, params):
        if threading.get_ident() == mine:
            statements.append(sql)
        return run(opened, sql, params)

    monkeypatch.setattr(Warehouse, "_run", staticmethod(counted))
    return statements


def _definitions(w: Warehouse) -> list:
    return [w.councils(), w.council_members(str(w.councils().id.iloc[0])), w.organisations(), w.objectives(),
            w.choices(), w.measures(Scope()), w.partners(str(w.objectives().objective_id.iloc[0])),
            w.plan(Scope()), w.services()]


def test_definitions_are_asked_once_per_published_file(copied, sent):
    first = _definitions(copied)
    asked = len(sent)
    assert asked >= 9
    again = _definitions(copied)
    assert len(sent) == asked  # every answer remembered
    for a, b in zip(first, again, strict=True):
        assert a.equals(b)
    # a caller changing its frame changes no one else's
    again[0].loc[:, "name"] = "changed"
    assert not copied.councils().name.eq("changed").any()


def test_a_new_publish_is_read_at_once(copied, sent, tmp_path):
    before = copied.councils()
    newer = tmp_path / "newer.duckdb"
    shutil.copy(copied.path, newer)
    con = duckdb.connect(str(newer))
    con.execute("UPDATE councils SET name = 'Renamed council' WHERE id = ?", [str(before.id.iloc[0])])
    con.close()
    os.replace(newer, copied.path)  # as the ETL publishes
    after = copied.councils()
    assert after.name.iloc[0] == "Renamed council" and before.name.iloc[0] != "Renamed council"


def test_when_the_answers_kept_are_full_the_least_recently_asked_goes(copied, sent, monkeypatch):
    """Many viewers and scopes fill what is kept: the answer asked longest ago is asked again, not every one."""
    import published.reader as reader

    monkeypatch.setattr(reader, "ANSWERS_KEPT", 3)
    word = "SELECT $word::VARCHAR AS word"
    answers = [lambda w=w: copied._kept(word, {"word": w}) for w in "zabc"]

    def asked() -> int:  # this statement only: another warehouse of the process may be asking meanwhile
        return sum(1 for sql in sent if sql == word)

    answers[0]()
    answers[1]()
    answers[2]()
    answers[0]()  # asked again: now the most recent
    before = asked()
    assert answers[3]().word.iloc[0] == "c"  # full: the least recently asked ("a") goes
    assert asked() == before + 1
    answers[0]()
    answers[2]()
    answers[3]()
    assert asked() == before + 1  # all three still kept
    answers[1]()
    assert asked() == before + 2  # "a" was not


def test_each_viewer_has_its_own_answer(copied):
    with as_viewer(OPERATOR):
        everything = copied.measures(Scope())
    internal = set(everything.id[~everything.published.astype(bool)])
    assert internal  # the demo has internal measures
    with as_viewer(PUBLIC):
        public = copied.measures(Scope())
    assert not internal & set(public.id)
    with as_viewer(OPERATOR):  # and the operator's answer, remembered, is still whole
        assert set(copied.measures(Scope()).id) == set(everything.id)


def test_an_answer_is_kept_under_the_file_that_gave_it_when_a_publish_lands_meanwhile(copied, tmp_path,
                                                                                        monkeypatch):
    newer = tmp_path / "newer.duckdb"
    shutil.copy(copied.path, newer)
    con = duckdb.connect(str(newer))
    con.execute("UPDATE councils SET name = 'Renamed council'")
    con.close()
    read_stamp = Warehouse._read_stamp

    def then_published(self):  # a publish lands just after a reader has taken the stamp it reads
        stamp = read_stamp(self)
        if newer.exists():
            os.replace(newer, copied.path)
        return stamp

    with copied.one_version():  # a request reading the file as it was
        old = copied.query("SELECT name FROM councils ORDER BY position, id").name.tolist()
        monkeypatch.setattr(Warehouse, "_read_stamp", then_published)
        import threading  # another request, not pinned, asks while the publish lands

        other = threading.Thread(target=copied.councils)
        other.start()
        other.join()
        monkeypatch.setattr(Warehouse, "_read_stamp", read_stamp)
        assert copied.councils().name.tolist() == old  # not the newer file's answer
    assert set(copied.councils().name) == {"Renamed council"}  # the next request reads the new file


def _statements_with_a_scope() -> dict[str, str]:
    import published.reader as reader

    return {name: sql for name, sql in vars(reader).items()
            if isinstance(sql, str) and name.isupper() and not name.startswith("_") and reader._SCOPE in sql
            and sql != reader.SCOPE_IDS}


@pytest.mark.parametrize("viewer", [PUBLIC, OPERATOR, Viewer("steward", org="care_agency", name="s"),
                                    Viewer("council_member", councils=("healthy_safe_communities",), name="c")],
                         ids=lambda v: v.role)
def test_a_statement_sent_with_its_measures_as_a_list_answers_what_the_scope_fragment_answers(demo_home, viewer):
    """Each statement's measures (published/sql/scope.sql) are asked once and sent as a list; the answers
    are those of the statement with the fragment in it, for every viewer, scope and statement."""
    statements = _statements_with_a_scope()
    assert len(statements) >= 10
    w = Warehouse(demo_home.warehouse)
    try:
        with as_viewer(OPERATOR):
            measures = w.measures(Scope())
        internal = measures[~measures.published.astype(bool)].iloc[0]
        scopes = [Scope(), Scope(role="headline"), Scope(measure=str(internal.id)),
                  Scope(objective=str(internal.objective_id)), Scope(council=str(measures.council_id.iloc[0])),
                  Scope(owner=str(internal.owner_id)), Scope(partner=str(internal.owner_id)),
                  Scope(measure="no-such-measure")]
        with as_viewer(viewer):
            run = int(w.judgement_run(None)["id"])
            checked = 0
            for name, sql in statements.items():
                for scope in scopes:
                    params = {**asdict(scope), "run": run, "as_at": None, "dimension": "", "breakdown": None,
                              "since": None, "whole": True, "objectives": None, "service": None, "objective": None,
                              "org": None, "limit": 50}
                    params.update({k: v for k, v in asdict(scope).items() if v is not None})
                    as_list = w.query(sql, params)
                    inline = w._execute(sql, {**viewer_params(), **params})
                    if "ORDER BY" not in sql.rsplit(")", 1)[-1]:  # in no order: compared as sets of rows
                        as_list, inline = (f.sort_values(list(f.columns), key=lambda c: c.astype(str))
                                           .reset_index(drop=True) for f in (as_list, inline))
                    assert as_list.equals(inline), (name, scope)
                    checked += len(inline)
            assert checked > 1_000
    finally:
        w.close()


def test_a_statement_retried_on_another_file_works_out_its_measures_there(demo_home, tmp_path, monkeypatch):
    """A statement whose connection fails (invalidated, damaged) is sent again on a fresh one, which may read a
    file published meanwhile: the measures it is about, and the viewer's rights to them, are those of that file."""
    a, b, path = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_home.warehouse, a)
    shutil.copyfile(a, b)
    con = duckdb.connect(str(b))
    made_internal = con.execute("SELECT id FROM measures WHERE published AND role = 'headline' ORDER BY id "
                                "LIMIT 1").fetchone()[0]
    con.execute("UPDATE measures SET published = false WHERE id = ?", [made_internal])  # b: internal now
    con.close()
    shutil.copyfile(a, path)
    w = Warehouse(path)
    answer, failed = Warehouse._answer, []

    def failing_once(self, opened, sql, params):
        if "scope_ids" in sql and not failed:
            failed.append(sql)
            shutil.copyfile(b, tmp_path / "landing")  # a publish lands ...
            os.replace(tmp_path / "landing", path)
            raise duckdb.FatalException("connection invalidated")  # ... and the connection fails
        return answer(self, opened, sql, params)

    viewer = Viewer("council_member", councils=("no-such-council",), name="v")  # no right to an internal measure
    try:
        with as_viewer(viewer):
            assert len(w.values(Scope(measure=made_internal)))  # published in a: seen
            monkeypatch.setattr(Warehouse, "_answer", failing_once)
            with w.one_version():
                w.councils()
                retried = w.values(Scope(measure=made_internal))
            assert failed and retried.empty  # the retry read b, where the viewer may not see it
    finally:
        w.close()
