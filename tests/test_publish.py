"""Atomic publish: a load killed at any instant leaves the published warehouse byte-for-byte unchanged."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from etl.home import Home
from etl.load import LoadRequest, load_batch
from tests.support import sha256, write

DEFS = """\
organisations:
  - {id: stats, name: Statistics Office, kind: statistics_office}
breakdowns:
  site: [%s]
councils:
  - id: gov
    name: Efficient government
    objectives:
      - id: o1
        name: Timely statistics
        partners:
          - {org: stats, role: lead, responsibility: Publishes the figures}
        measures:
          - id: visits
            name: Visits
            owner: stats
            role: headline
            unit: count
            direction: up
            frequency: monthly
            breakdowns: [site]
"""
SITES = 60
MONTHS = [f"{y}-{m:02d}" for y in range(1990, 2026) for m in range(1, 13)]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("publish")
    write(d / "defs" / "defs.yaml", DEFS % ", ".join(f"s{i}" for i in range(SITES)))
    small = write(d / "small.csv", "measure_id,period,value,site\n" + "".join(
        f"visits,{p},{i},\n" for i, p in enumerate(MONTHS[:24])))
    lines = ["measure_id,period,value,site\n"]
    lines += [f"visits,{p},{(i * 7 + j) % 1000},s{j}\n" for i, p in enumerate(MONTHS) for j in range(SITES)]
    big = write(d / "big.csv", "".join(lines))
    return {"defs": d / "defs", "small": small, "big": big}


def _home(tmp_path: Path, files) -> Home:
    home = Home.at(tmp_path / "home").ensure()
    for f in files["defs"].iterdir():
        (home.definitions / f.name).write_bytes(f.read_bytes())
    return home


def _cli(home: Home, *args, prelude: str = "") -> subprocess.Popen:
    code = prelude + "import sys; from outcomes.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen([sys.executable, "-c", code, "--home", str(home.root), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=Path(__file__).parents[1])


def _count(home: Home) -> int:
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM current_observations").fetchone()[0]
    finally:
        con.close()


# A kill at each named phase of a load: tests/test_faults.py. Here: kills at instants spread over a whole load.


@pytest.mark.slow
def test_kill_at_random_instants(tmp_path: Path, files):
    base = _home(tmp_path / "base", files)
    assert _cli(base, "load", str(files["small"]), "--org", "stats").wait() == 0
    before = sha256(base.warehouse)
    # time a full load once, to spread the kills over its whole length
    probe = Home.at(tmp_path / "probe")
    shutil.copytree(base.root, probe.root)
    t0 = time.perf_counter()
    assert _cli(probe, "load", str(files["big"]), "--org", "stats").wait() == 0
    full = time.perf_counter() - t0
    torn = 0
    for fraction in (0.2, 0.5, 0.8):
        home = Home.at(tmp_path / f"at-{fraction}")
        shutil.copytree(base.root, home.root)
        p = _cli(home, "load", str(files["big"]), "--org", "stats")
        time.sleep(full * fraction)
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
        p.wait()
        if sha256(home.warehouse) == before:
            torn += p.returncode == -signal.SIGKILL
        else:
            # the kill came after the rename: then the new file must be whole
            assert _count(home) == 24 + len(MONTHS) * SITES, f"a partial warehouse after a kill at {fraction:.0%}"
        load_batch(home, [LoadRequest("stats", [files["big"]])])  # the next load: no stale lock or file in its way
        assert _count(home) == 24 + len(MONTHS) * SITES
        assert list(home.staging.iterdir()) == []
    assert torn >= 2  # most kills landed mid-load and left the published file untouched
