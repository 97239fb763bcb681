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
SITES = 300
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


# Deterministic kill points: the process SIGKILLs itself inside a named step of the publish.
KILL_AT = {
    "copying the warehouse": ("shutil", "copyfile"),
    "syncing definitions": ("etl.load", "sync_definitions"),
    "inserting observations": ("etl.load", "sql_text"),
    "fsync of the new file": ("etl.warehouse", "_fsync"),
    "the rename itself": ("os", "replace"),
}


@pytest.mark.slow
@pytest.mark.parametrize("step", list(KILL_AT))
def test_kill_inside_a_step(tmp_path: Path, files, step):
    home = _home(tmp_path, files)
    assert _cli(home, "load", str(files["small"]), "--org", "stats").wait() == 0
    before = sha256(home.warehouse)
    module, name = KILL_AT[step]
    prelude = (f"import os, signal, importlib; m = importlib.import_module('{module}'); "
               f"setattr(m, '{name}', lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)); ")
    p = _cli(home, "load", str(files["big"]), "--org", "stats", prelude=prelude)
    assert p.wait() == -signal.SIGKILL
    assert sha256(home.warehouse) == before
    # the next load cleans the throw-away file and succeeds
    assert _cli(home, "load", str(files["big"]), "--org", "stats").wait() == 0
    assert _count(home) == 24 + len(MONTHS) * SITES
    assert list(home.staging.iterdir()) == []


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
    for fraction in (0.1, 0.3, 0.5, 0.7, 0.85, 0.95):
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
        assert _cli(home, "load", str(files["big"]), "--org", "stats").wait() == 0
        assert _count(home) == 24 + len(MONTHS) * SITES
    assert torn >= 3  # most kills landed mid-load and left the published file untouched
