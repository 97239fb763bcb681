"""The publish step's judge: what it stores, what it recomputes, and that readers get it back whole."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from etl.judge import judge
from etl.load import LoadRequest, load_batch, rejudge
from goal_councils.assess import Assessment, assess_measure
from goal_councils.codec import from_json, to_json
from tests.support import mini_home, write


def test_an_assessment_survives_json_whole():
    import pandas as pd

    months = pd.period_range("2023-01", periods=30, freq="M")
    series = pd.DataFrame({"period": [str(p) for p in months], "period_start": [p.start_time.date() for p in months],
                           "value": [100 + (i % 12) * 3 + (40 if i == 27 else 0) for i in range(30)]})
    measure = {"id": "m", "frequency": "monthly", "direction": "down", "unit": "count", "decimals": 0,
               "demand": True, "due_days": 10, "role": "headline"}
    a = assess_measure(measure, series, first_received={"2025-06": datetime(2025, 7, 20)},
                       as_at=datetime(2025, 8, 1))
    assert a.forecast is not None and a.variation is not None and a.variation.signals
    again = from_json(Assessment, to_json(a))
    assert again == a
    assert json.loads(to_json(a))["timeliness"]["due"][0][1] == "2024-08-10"  # dates as ISO text


def _load(home, text: str, received: datetime, org="edu", name="f.csv"):
    return load_batch(home, [LoadRequest(org, [write(home.root.parent / "in" / name, text)], received)],
                      today=received.date())


def _rows(home, sql, params=()):
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def test_a_load_judges_only_the_measures_it_changed(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    _load(home, "measure_id,period,value\nneet-rate,2025-01,11.5\nneet-rate,2025-02,11.2\n",
          datetime(2025, 3, 5), name="a.csv")
    measures = _rows(home, "SELECT count(*) FROM measures")[0][0]
    first = _rows(home, "SELECT id, judged, carried FROM judgement_runs")
    assert first == [(1, measures, 0)]  # a warehouse never judged: every measure in full
    _load(home, "measure_id,period,value\nneet-rate,2025-03,11.0\n", datetime(2025, 4, 5), name="b.csv")
    assert _rows(home, "SELECT id, judged, carried FROM judgement_runs ORDER BY id")[1] == (2, 1, measures - 1)
    # every run holds every measure's timeliness; assessments only for what it judged
    assert _rows(home, "SELECT run_id, count(*) FROM timeliness GROUP BY ALL ORDER BY 1") == [
        (1, measures), (2, measures)]
    assert _rows(home, "SELECT measure_id FROM assessments WHERE run_id = 2") == [("neet-rate",)]
    assert _rows(home, "SELECT period FROM assessments WHERE run_id = 2") == [("2025-03",)]


def test_rejudging_makes_lateness_anew_without_new_figures(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    _load(home, "measure_id,period,value\nneet-rate,2025-01,11.5\n", datetime(2025, 2, 5))
    con = duckdb.connect(str(home.warehouse))  # judged as at two moments, months apart, no figure between
    try:
        then = judge(con, as_at=datetime(2025, 2, 20), changed=None)
        later = judge(con, as_at=datetime(2025, 9, 1), changed=set())
        assert later.judged == 0 and later.carried > 0  # nothing changed: nothing assessed in full

        def missing(run):
            return con.execute("SELECT missing FROM timeliness WHERE measure_id = 'neet-rate' AND run_id = ?",
                               [run]).fetchone()[0]

        def rules(run):
            return {r[0] for r in con.execute(
                "SELECT rule FROM exceptions WHERE run_id = ? AND measure_id = 'neet-rate'", [run]).fetchall()}

        assert missing(later.run_id) > missing(then.run_id)  # months fell due since, with nothing sent
        assert {"missing", "stale"} <= rules(later.run_id)
        assert not {"missing", "stale"} & rules(then.run_id)
    finally:
        con.close()


def test_outcomes_judge_publishes_a_run_without_a_load(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    _load(home, "measure_id,period,value\nneet-rate,2025-01,11.5\n", datetime(2025, 2, 5))
    result = rejudge(home)
    assert (result.run_id, result.judged) == (2, 0)
    assert _rows(home, "SELECT count(*) FROM judgement_runs")[0][0] == 2


def test_a_measure_carried_over_is_judged_exactly_as_one_assessed_in_full(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    _load(home, "measure_id,period,value\nneet-rate,2024-11,12.5\nneet-rate,2025-01,14.5\nneet-rate,2025-02,15.0\n",
          datetime(2025, 3, 5), name="a.csv")
    _load(home, "measure_id,period,value\nyouth-contacts,2025-Q1,10\n", datetime(2025, 3, 6), org="north",
          name="b.csv")
    con = duckdb.connect(str(home.warehouse))
    try:
        moment = datetime(2025, 9, 1)
        full = judge(con, as_at=moment, changed=None)
        carried = judge(con, as_at=moment, changed=set())
        assert (full.judged, carried.judged) == (full.judged, 0) and carried.carried == full.judged

        def rows(table, run):
            columns = "* EXCLUDE (run_id)"
            return con.execute(f"SELECT {columns} FROM {table} WHERE run_id = ? ORDER BY ALL", [run]).fetchall()

        assert rows("exceptions", carried.run_id) == rows("exceptions", full.run_id)
        assert rows("timeliness", carried.run_id) == rows("timeliness", full.run_id)
        assert {r[2] for r in rows("exceptions", carried.run_id)} >= {"off_track", "missing"}  # static and calendar
    finally:
        con.close()


def test_a_reader_sees_the_new_run_as_soon_as_it_is_published(tmp_path: Path):
    from published.reader import Warehouse

    home = mini_home(tmp_path / "home")
    _load(home, "measure_id,period,value\nneet-rate,2025-01,11.5\n", datetime(2025, 2, 5))
    w = Warehouse(home.warehouse)
    assert w.judgement_run()["id"] == 1
    assert w.judgement_run()["id"] == 1  # remembered for this published file
    rejudge(home)
    assert w.judgement_run()["id"] == 2  # a publish is a new file: looked up anew


def test_readers_take_the_run_that_stood_at_the_date(tiny_warehouse):
    from published.judgements import review, stored_assessments
    from published.reader import Scope, Warehouse

    w = Warehouse(tiny_warehouse)
    try:
        before = review(w, Scope(), datetime(2025, 3, 1))
        assert before.run is None and before.first_judged == datetime(2025, 3, 10, 9, 0)
        scope = Scope(measure="mh-days-to-first-appointment")
        assert review(w, scope, datetime(2025, 3, 31)).run["as_at"] < review(w, scope, None).run["as_at"]
        march = stored_assessments(w, scope, datetime(2025, 3, 31)).found
        latest = stored_assessments(w, scope, None).found
        assert march["mh-days-to-first-appointment"].periods[-1] == "2025-02"
        assert latest["mh-days-to-first-appointment"].periods[-1] == "2025-03"
    finally:
        w.close()


def test_judging_every_measure_again_changes_nothing_but_the_run(tmp_path: Path, build_tiny_warehouse):
    path = build_tiny_warehouse(tmp_path / "w.duckdb")
    con = duckdb.connect(str(path))
    try:
        result = judge(con, as_at=datetime(2025, 4, 30), changed=None)
        ex = con.execute("SELECT run_id, severity, rule, measure_id, reason FROM exceptions ORDER BY ALL").df()
        previous, latest = ex[ex.run_id == result.run_id - 1], ex[ex.run_id == result.run_id]
        # the same figures judged a few weeks later: statuses and signals alike; only lateness may move
        steady = lambda f: set(map(tuple, f[~f.rule.isin(["late", "missing", "stale"])].iloc[:, 1:].values))  # noqa: E731
        assert steady(previous) == steady(latest)
    finally:
        con.close()


@pytest.mark.parametrize("bad", [["not", "a", "dict"], {"measure_id": 3}])
def test_stored_text_is_data_not_code(bad):
    with pytest.raises((TypeError, KeyError, AttributeError)):
        from_json(Assessment, json.dumps(bad))


def test_exceptions_of_one_severity_rank_by_how_far_from_plan(tiny_warehouse):
    from published.reader import Scope, Warehouse

    w = Warehouse(tiny_warehouse)
    try:
        ex = w.exceptions(Scope(), w.judgement_run(None)["id"])
    finally:
        w.close()
    sizes = ex["size"].fillna(-1.0)  # no size (not about a plan): after the sized ones
    keys = list(zip(-ex["severity"], -sizes, strict=True))
    assert keys == sorted(keys) and len(keys) > 3


def test_the_size_of_an_exception_is_its_shortfall_as_a_share_of_the_plan():
    from goal_councils.assess import _shortfall
    from goal_councils.status import StatusResult

    assert _shortfall(StatusResult("off_track", "4 days above plan", "2025-06", 39.0, 35.0)) == round(4 / 35, 6)
    assert _shortfall(StatusResult("off_track", "growth too slow")) is None  # no plan figure: unranked


@pytest.mark.parametrize("zone", ["Pacific/Pago_Pago", "Asia/Tokyo", "UTC"])
def test_every_published_figure_is_in_the_judgement_whatever_the_local_clock(tmp_path: Path, zone, monkeypatch):
    """A load received 'now' (UTC) or with a local --received time is never left out of the run
    that publishes it, and runs rise with their ids."""
    import time as clock

    from outcomes.cli import main

    monkeypatch.setenv("TZ", zone)
    clock.tzset()
    try:
        home = mini_home(tmp_path / "home")
        first = write(tmp_path / "a.csv", "measure_id,period,value\nneet-rate,2025-01,11.5\n")
        later = write(tmp_path / "b.csv", "measure_id,period,value\nneet-rate,2025-02,11.1\n")
        assert main(["--home", str(home.root), "load", str(first), "--org", "edu"]) == 0
        sent = datetime.now().replace(microsecond=0).isoformat()  # local time, as a person types it
        assert main(["--home", str(home.root), "load", str(later), "--org", "edu", "--received", sent]) == 0
        runs = _rows(home, "SELECT id, as_at FROM judgement_runs ORDER BY id")
        assert [r[1] for r in runs] == sorted(r[1] for r in runs)
        newest = _rows(home, "SELECT detail FROM assessments WHERE measure_id = 'neet-rate' ORDER BY run_id DESC")
        assert from_json(Assessment, newest[0][0]).periods[-1] == "2025-02"
    finally:
        monkeypatch.delenv("TZ")
        clock.tzset()


def test_a_warehouse_from_before_judgements_is_read_as_not_judged(tmp_path: Path, build_tiny_warehouse):
    from published.judgements import review
    from published.reader import Scope, Warehouse

    path = build_tiny_warehouse(tmp_path / "w.duckdb")
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE judgement_runs; DROP TABLE assessments; DROP TABLE exceptions; DROP TABLE timeliness")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()
    w = Warehouse(path)
    try:
        found = review(w, Scope(), None)
        assert found.run is None and found.first_judged is None  # the page says: run `outcomes judge`
    finally:
        w.close()


def test_rejudge_brings_an_old_warehouse_up_to_date(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    _load(home, "measure_id,period,value\nneet-rate,2025-01,11.5\n", datetime(2025, 2, 5))
    con = duckdb.connect(str(home.warehouse))
    con.execute("UPDATE organisations SET colour_index = NULL")
    con.execute("CHECKPOINT")
    con.close()
    rejudge(home)
    assert all(r[0] is not None for r in _rows(home, "SELECT colour_index FROM organisations"))
