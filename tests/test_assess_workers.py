"""Assessments shared over worker processes: the same judgements as one process, and no process left
behind when the load that started them is killed."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.assess_workers import _dealt, _split, assessment_workers
from etl.home import Home
from etl.judge import judge
from etl.load import LoadRequest, load_batch
from etl.synthetic import Scale, write_government

ROOT = Path(__file__).resolve().parents[1]
# two organisations, 20 monthly measures over two years, some of them forecast
TINY = Scale("tiny", 2, 1, 2, 20, 2)
AS_AT = datetime(2026, 12, 1)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    """The published warehouse of a small generated government, judged once."""
    root = tmp_path_factory.mktemp("shared")
    loads = write_government(TINY, root / "government")
    home = Home.at(root / "home").ensure()
    shutil.copytree(root / "government" / "definitions", home.definitions, dirs_exist_ok=True)
    load_batch(home, [LoadRequest(x.org, [x.path], x.received_at, by="test") for x in loads])
    return home.warehouse


def _judged(warehouse: Path, copy: Path, workers: int) -> dict[str, pd.DataFrame]:
    shutil.copy(warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        run = judge(con, as_at=AS_AT, changed=None, made_at=AS_AT, workers=workers).run_id
        return {table: con.execute(f"SELECT * EXCLUDE (run_id) FROM {table} WHERE run_id = ? "  # noqa: S608
                                   "ORDER BY ALL", [run]).df()
                for table in ("assessments", "timeliness", "exceptions")}
    finally:
        con.close()


def test_shared_over_processes_the_judgements_are_those_of_one_process(loaded, tmp_path):
    alone = _judged(loaded, tmp_path / "alone.duckdb", workers=1)
    shared = _judged(loaded, tmp_path / "shared.duckdb", workers=2)
    assert len(alone["assessments"]) == 20
    assert alone["assessments"]["detail"].str.contains('"forecast":{').any(), "some measure is forecast"
    for table, frame in alone.items():
        pd.testing.assert_frame_equal(shared[table], frame, obj=table)


def test_the_costliest_assessments_are_dealt_first_and_evenly():
    measures = pd.DataFrame({"id": [f"m{i}" for i in range(8)], "frequency": "monthly",
                             "demand": [True, False, False, True, False, False, True, True],
                             "timing": None})
    dealt = _dealt(measures, 4)
    assert sorted(i for rows in dealt for i in rows) == list(range(8))
    assert [sum(measures["demand"].iloc[rows]) for rows in dealt] == [1, 1, 1, 1]


@pytest.mark.parametrize("strings", ["object", "string[pyarrow]"])
def test_rows_are_split_by_their_measures_chunk_in_the_frames_own_order(strings):
    frame = pd.DataFrame({"measure_id": pd.array(["b", "a", "c", "b", "x", "a", "c"], dtype=strings),
                          "value": [1, 2, 3, 4, 5, 6, 7]}, index=[10, 11, 12, 13, 14, 15, 16])
    parts = _split(frame, {"a": 0, "b": 2, "c": 2}, 4)
    assert [p["value"].tolist() for p in parts] == [[2, 6], [], [1, 3, 4, 7], []]  # "x" is in no chunk
    assert parts[2].index.tolist() == [10, 12, 13, 16]
    assert [len(p) for p in _split(frame.iloc[0:0], {"a": 0}, 2)] == [0, 0]


@pytest.mark.parametrize(("demand", "others", "cores", "expected"), [
    (0, 30, 2, 1),  # a monthly load's few measures: not worth starting processes
    (4, 30, 2, 1),
    (40, 300, 2, 2),  # a whole government's forecasts
    (40, 300, 1, 1),  # one core: nothing to share
])
def test_processes_are_started_only_when_the_work_outweighs_starting_them(demand, others, cores, expected):
    measures = pd.DataFrame({"id": [f"m{i}" for i in range(demand + others)], "frequency": "monthly",
                             "demand": [True] * demand + [False] * others, "timing": None})
    assert assessment_workers(measures, cores=cores) == expected


# A load's process in miniature: it starts two workers, sets them working for a minute and says so;
# the test kills it.
BUSY = """
import pickle, time
from etl.assess_workers import start_worker
workers = [start_worker() for _ in range(2)]
for w in workers:
    pickle.dump((time.sleep, (60,), {}), w.stdin)
    w.stdin.flush()
print("working", flush=True)
time.sleep(120)
"""


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_workers_exit_when_the_load_that_started_them_is_killed():
    p = subprocess.Popen([sys.executable, "-c", BUSY], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert p.stdout.readline().strip() == "working"
        workers = _children(p.pid)
        assert len(workers) >= 2, "the pool's processes are the load's children"
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        deadline = time.monotonic() + 20
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if _alive(w)], "a worker outlived the killed load"
    finally:
        p.kill()
        p.wait()
        p.stdout.close()
