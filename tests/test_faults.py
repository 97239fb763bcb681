"""Faults: a load killed at each phase of its publish, a full disk, a damaged published file, an
invalidated connection. Each leaves the published warehouse whole (the old version or, past the
swap, the new one; never a mix) and says what happened."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from etl.home import Home
from etl.load import LoadRequest, load_batch
from etl.warehouse import PublishError, RollbackError, load_lock, published_versions, rollback, staged_build
from published.reader import Warehouse, WarehouseError
from tests.support import sha256, write
from tests.test_publish import DEFS  # one government of one measure broken down by site

ROOT = Path(__file__).parents[1]
SITES = 100
MONTHS = [f"{y}-{m:02d}" for y in range(2000, 2026) for m in range(1, 13)]
BEFORE = 24  # observations in the base home
AFTER = BEFORE + 60 * SITES  # and after the load a test kills (then repeats)


def _csv(rows: list[tuple[str, int, str]]) -> str:
    return "measure_id,period,value,site\n" + "".join(f"visits,{p},{v},{s}\n" for p, v, s in rows)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("faults")
    write(d / "defs" / "defs.yaml", DEFS % ", ".join(f"s{i}" for i in range(SITES)))
    small = write(d / "small.csv", _csv([(p, i, "") for i, p in enumerate(MONTHS[:BEFORE])]))
    big = write(d / "big.csv", _csv([(p, (i * 7 + j) % 1000, f"s{j}")
                                     for i, p in enumerate(MONTHS[BEFORE:BEFORE + 60]) for j in range(SITES)]))
    return {"defs": d / "defs", "small": small, "big": big}


@pytest.fixture(scope="module")
def base(tmp_path_factory, files) -> Home:
    """A home with one small load published (version 1)."""
    home = Home.at(tmp_path_factory.mktemp("base") / "home").ensure()
    shutil.copytree(files["defs"], home.definitions, dirs_exist_ok=True)
    load_batch(home, [LoadRequest("stats", [files["small"]], datetime(2025, 1, 10))], today=date(2025, 1, 11))
    return home


def _clone(home: Home, root: Path) -> Home:
    """A copy of a home that keeps its hard links (the published files are their kept versions)."""
    subprocess.run(["cp", "-a", str(home.root), str(root)], check=True)
    return Home.at(root)


@pytest.fixture
def home(tmp_path, base) -> Home:
    return _clone(base, tmp_path / "home")


@pytest.fixture(scope="module")
def two(tmp_path_factory, base, files) -> Home:
    """The base home with the big load published on top (version 2)."""
    found = _clone(base, tmp_path_factory.mktemp("two") / "home")
    _load(found, files)
    return found


@pytest.fixture
def home2(tmp_path, two) -> Home:
    return _clone(two, tmp_path / "home")


def _bump(home: Home, value: int) -> None:
    """Publish a new version at once (the build-and-swap a load uses, without a load): every figure `value`."""
    with load_lock(home), staged_build(home) as (con, state):
        con.execute("BEGIN TRANSACTION")
        con.execute("UPDATE observations SET value = ?", [value])
        con.execute("COMMIT")
        state["publish"] = True


def _count(path: Path) -> tuple[int, str | None]:
    """Observations in a published file, and its version number."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("ATTACH ? AS w (READ_ONLY)", [str(path)])
        n = con.execute("SELECT count(*) FROM w.current_observations").fetchone()[0]
        version = con.execute("SELECT value FROM w.meta WHERE key = 'version'").fetchone()
        return n, version[0] if version else None
    finally:
        con.close()


def _load(home: Home, files, name: str = "big"):
    return load_batch(home, [LoadRequest("stats", [files[name]], datetime(2025, 2, 10))], today=date(2025, 2, 11))


# --- SIGKILL at each phase -------------------------------------------------------------------------

# Run in the killed process before the command line starts: wrap one step of the load so that, on its
# `nth` call, the process writes a marker file (before or after the step) and waits to be killed.
PAUSE = """
import importlib, sys, time
from pathlib import Path
def _pause_at(module, name, when, nth, marker):
    m = importlib.import_module(module)
    real, calls = getattr(m, name), []
    def paused(*args, **kwargs):
        calls.append(1)
        if len(calls) != int(nth):
            return real(*args, **kwargs)
        if when == "after":
            real(*args, **kwargs)
        Path(marker).write_text(name)
        time.sleep(120)
        raise SystemExit("not killed")
    setattr(m, name, paused)
_pause_at(*sys.argv[1:6])
del sys.argv[1:6]
from outcomes.cli import main
sys.exit(main(sys.argv[1:]))
"""

# phase: (module, function, before|after, which call, what is published once the load is killed there)
PHASES = {
    "reading the files": ("etl.extract", "extract", "before", 1, "old"),
    "validating": ("etl.validate", "run_checks", "before", 1, "old"),
    "copying into staging": ("etl.warehouse", "_copy_into_staging", "after", 1, "old"),
    "writing staging": ("etl.judge", "judge", "before", 1, "old"),
    "before the checkpoint": ("etl.warehouse", "_checkpoint", "before", 1, "old"),
    "after the checkpoint": ("etl.warehouse", "_verify", "before", 1, "old"),
    "writing the public file": ("etl.warehouse", "write_public", "before", 1, "old"),
    "just before the swap": ("etl.warehouse", "_swap", "before", 1, "old"),
    "between the two renames": ("etl.warehouse", "_replace", "before", 2, "full new, public old"),
    "just after the swap": ("etl.warehouse", "_swap", "after", 1, "new"),
}


@pytest.fixture(scope="module")
def killed(tmp_path_factory, base, files) -> dict[str, tuple[Home, tuple[str, str], str]]:
    """For every phase, a copy of the base home whose load of the big file was SIGKILLed there (the
    loads run side by side, each waiting at its phase until killed): the home, its published files'
    checksums before, and what the killed process had said."""
    started = {}
    for phase, (module, name, when, nth, _) in PHASES.items():
        root = tmp_path_factory.mktemp("killed")
        home = _clone(base, root / "home")
        marker = root / "reached"
        p = subprocess.Popen([sys.executable, "-c", PAUSE, module, name, when, str(nth), str(marker),
                              "--home", str(home.root), "load", str(files["big"]), "--org", "stats"],
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        started[phase] = (home, (sha256(home.warehouse), sha256(home.public_warehouse)), marker, p)
    found = {}
    deadline = time.monotonic() + 90
    for phase, (home, before, marker, p) in started.items():
        while not marker.exists() and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        reached = marker.exists()
        p.kill()
        said = p.communicate()[1]
        found[phase] = (home, before, f"{'reached' if reached else 'not reached'}, exit {p.returncode}: {said.strip()}")
    return found


@pytest.mark.slow
@pytest.mark.parametrize("phase", list(PHASES))
def test_sigkill_at_each_phase(killed, files, phase):
    home, before, said = killed[phase]
    assert said.startswith(f"reached, exit {-signal.SIGKILL}:"), f"the load did not stop at {phase} ({said})"
    expected = PHASES[phase][-1]
    full, public = _count(home.warehouse), _count(home.public_warehouse)
    if expected == "old":
        assert (sha256(home.warehouse), sha256(home.public_warehouse)) == before
    elif expected == "new":
        assert full == public == (AFTER, "2")
    else:  # each file whole: the full one new, the public one still the version before it
        assert (full, public) == ((AFTER, "2"), (BEFORE, "1"))
    print(f"killed while {phase}: published {expected} (full: {full[0]} rows, version {full[1]}; "
          f"public: {public[0]} rows, version {public[1]})")
    # no stale lock or file stands in the way of the next load, which mends what was left
    started = time.monotonic()
    _load(home, files)
    assert time.monotonic() - started < 30
    assert _count(home.warehouse) == _count(home.public_warehouse) == (AFTER, "2")
    assert list(home.staging.iterdir()) == []
    assert not list(home.versions.glob("*.pending"))
    assert [(v.number, v.current) for v in published_versions(home)] == [(2, True), (1, False)]


# --- a full disk -----------------------------------------------------------------------------------

def test_disk_full_copying_into_staging(home: Home, files, monkeypatch):
    before = sha256(home.warehouse), sha256(home.public_warehouse)

    def full(src, dst):
        Path(dst).write_bytes(b"\0" * 4096)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))

    monkeypatch.setattr("etl.warehouse._copy_into_staging", full)
    with pytest.raises(PublishError, match="the disk is full") as e:
        _load(home, files)
    assert "nothing was published" in str(e.value)
    assert (sha256(home.warehouse), sha256(home.public_warehouse)) == before
    assert list(home.staging.iterdir()) == []
    print(f"disk full while copying: {e.value}")
    monkeypatch.undo()
    _bump(home, 7)
    assert _count(home.warehouse) == (BEFORE, "2")


def test_disk_full_copying_the_public_file(home: Home, files, monkeypatch):
    """A load's public file starts as a copy of the published one (etl/public.py): a full disk there is
    said as such, and nothing is published."""
    before = sha256(home.warehouse), sha256(home.public_warehouse)
    copy = shutil.copyfile

    def full(src, dst):
        if Path(src) != home.public_warehouse:
            return copy(src, dst)
        Path(dst).write_bytes(b"\0" * 4096)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))

    monkeypatch.setattr(shutil, "copyfile", full)
    with pytest.raises(PublishError, match="the public warehouse could not be written: the disk is full") as e:
        _load(home, files)
    assert "nothing was published" in str(e.value)
    assert (sha256(home.warehouse), sha256(home.public_warehouse)) == before
    assert list(home.staging.iterdir()) == []
    monkeypatch.undo()
    _load(home, files)
    assert _count(home.warehouse) == (AFTER, "2")


# The process may write no file beyond a limit (RLIMIT_FSIZE): DuckDB's own writes to the staging
# copy fail with "File too large", as they would on a full disk, after the copy itself succeeded.
LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv.pop(1))
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from outcomes.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_disk_full_while_duckdb_writes(home: Home, files):
    before = sha256(home.warehouse), sha256(home.public_warehouse)
    limit = home.warehouse.stat().st_size + 8192  # the copy fits; the new figures do not
    done = subprocess.run([sys.executable, "-c", LIMITED, str(limit), "--home", str(home.root), "load",
                           str(files["big"]), "--org", "stats"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1, done.stderr
    assert "the disk is full" in done.stderr and "nothing was published" in done.stderr
    assert (sha256(home.warehouse), sha256(home.public_warehouse)) == before
    assert list(home.staging.iterdir()) == []
    print(f"disk full while writing: {done.stderr.strip()}")
    _load(home, files)
    assert _count(home.warehouse) == (AFTER, "2")


# --- a damaged published file, and rollback --------------------------------------------------------

def _truncate(path: Path) -> None:
    """Damage the published file where it lies (its kept copy of this version is the same file)."""
    os.truncate(path, path.stat().st_size // 2)


def _figures(w: Warehouse) -> set[float]:
    return set(w.series("visits", breakdown=None).value)


def test_a_damaged_publish_is_logged_and_the_previous_version_served(home: Home, caplog):
    w = Warehouse(home.warehouse)
    first = _figures(w)
    assert len(first) == BEFORE
    _bump(home, 7)
    _truncate(home.warehouse)  # version 2, damaged as it arrives
    assert _figures(w) == first  # still answering from version 1
    assert "cannot be read" in caplog.text
    assert w.problem
    # a process that starts now answers from the newest readable kept version
    fresh = Warehouse(home.warehouse)
    assert _figures(fresh) == first
    print(f"damaged publish: logged, version 1 still served ({w.problem})")
    # rollback puts version 1 back, both files; readers switch to it; a publish then builds on it
    now, was = rollback(home)
    assert (now.number, was.number) == (1, 2)
    assert _count(home.warehouse) == _count(home.public_warehouse) == (BEFORE, "1")
    assert _figures(w) == first and w.problem is None
    _bump(home, 8)
    assert _figures(w) == {8}
    assert _count(home.warehouse) == _count(home.public_warehouse) == (BEFORE, "3")
    w.close()
    fresh.close()


def test_a_file_that_is_no_warehouse_published_over_a_good_one(home: Home, caplog):
    w = Warehouse(home.warehouse)
    first = _figures(w)
    junk = home.staging / "junk.duckdb"
    junk.write_bytes(b"junk" * 5000)
    os.replace(junk, home.warehouse)  # e.g. a copy to this server that went wrong
    assert _figures(w) == first
    assert "still answering from the version opened before it" in caplog.text
    caplog.clear()
    assert _figures(w) == first
    assert caplog.text == ""  # said once, not at every query
    assert "not a valid DuckDB database" in w.problem
    print(f"a file that is no warehouse: {w.problem}")
    w.close()


def test_one_version_holds_a_request_to_one_publish(home: Home):
    w = Warehouse(home.warehouse)
    with w.one_version():
        first = _figures(w)
        _bump(home, 7)
        assert _figures(w) == first
        with w.one_version():
            assert _figures(w) == first
    assert _figures(w) == {7}
    w.close()


def test_the_app_keeps_serving_and_says_the_newest_figures_could_not_be_read(home: Home):
    """A public visitor of the running app after a damaged publish: the figures published before it,
    a notice above the page naming nothing of the server, and the API answering as before."""
    from dashboard import Settings, create_app

    app = create_app(Settings(warehouse=home.warehouse, secret_key="k" * 40,
                              workflow_url=f"sqlite:///{home.root / 'workflow.sqlite'}"))
    client = app.server.test_client()
    before = client.get("/api/v1/measures/visits/observations?breakdown=total").json["observations"]
    assert "damaged-notice" not in client.get("/_dash-layout").text
    _bump(home, 7)
    _truncate(home.public_warehouse)  # the file the public reads, damaged as it arrives
    after = client.get("/api/v1/measures/visits/observations?breakdown=total")
    assert after.status_code == 200 and after.json["observations"] == before
    layout = client.get("/_dash-layout").text
    assert "damaged-notice" in layout and "The newest figures could not be read" in layout
    assert str(home.root) not in layout and "warehouse" not in layout.lower()


def test_a_damaged_file_with_nothing_kept_says_so(home: Home):
    shutil.rmtree(home.versions)
    home.warehouse.write_bytes(b"not a warehouse" * 100)
    with pytest.raises(WarehouseError, match="outcomes rollback"):
        Warehouse(home.warehouse).as_of()


def test_rollback_to_a_version_and_forward_again(home2: Home):
    assert [(v.number, v.current, v.newest_load) for v in published_versions(home2)] == [(2, True, 2), (1, False, 1)]
    rollback(home2, to=1)
    assert [v.current for v in published_versions(home2)] == [False, True]
    rollback(home2, to=2)
    assert _count(home2.warehouse) == _count(home2.public_warehouse) == (AFTER, "2")
    with pytest.raises(RollbackError, match="version 7 is not kept"):
        rollback(home2, to=7)


def test_rollback_refuses_a_damaged_version(home2: Home):
    os.truncate(home2.versions / "000001" / home2.warehouse.name, 4096)
    with pytest.raises(RollbackError, match="version 1 cannot be read"):
        rollback(home2)
    assert _count(home2.warehouse) == (AFTER, "2")


def test_only_the_newest_versions_are_kept(home2: Home, monkeypatch):
    monkeypatch.setattr("etl.warehouse.KEEP_VERSIONS", 2)
    _bump(home2, 1)
    assert [v.number for v in published_versions(home2)] == [3, 2]


# --- an invalidated connection ---------------------------------------------------------------------

class _Invalidated:
    """A connection as DuckDB leaves it after a fatal I/O error: every statement fails."""

    def cursor(self):
        return self

    def execute(self, *_):
        raise duckdb.FatalException("FATAL Error: database has been invalidated because of a previous fatal error")

    def close(self):
        pass


def test_an_invalidated_connection_is_reopened(home: Home, caplog):
    w = Warehouse(home.warehouse)
    first = _figures(w)  # (not `as_of`, which is remembered per published file and would not ask DuckDB)
    w._opened.connection.close()
    w._opened.connection = _Invalidated()
    assert _figures(w) == first  # reopened, not failed
    assert _figures(w) == first  # and stays open
    assert "invalidated" in caplog.text
    assert w.problem is None  # the file itself is fine
    w.close()


def test_a_query_mistake_is_not_taken_for_damage(home: Home):
    w = Warehouse(home.warehouse)
    with pytest.raises(WarehouseError, match="no_such_table"):
        w.query("SELECT * FROM no_such_table")
    assert w.problem is None
    assert w.as_of().loads[0] == 1
    w.close()


# --- the command line ------------------------------------------------------------------------------

def test_outcomes_rollback_lists_rolls_back_and_is_audited(home2: Home, capsys):
    from outcomes.cli import main
    from workflow import WorkflowStore, default_url

    home = home2
    args = ["--home", str(home.root), "rollback"]
    assert main([*args, "--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[1].split()[:2] == ["*", "2"] and listed[1].split()[-2:] == ["2", "2"]
    assert listed[2].split()[0] == "1"
    assert main(args) == 0
    assert "version 1 (published " in capsys.readouterr().out
    assert _count(home.warehouse) == _count(home.public_warehouse) == (BEFORE, "1")
    assert main([*args, "--to", "9"]) == 1
    assert "version 9 is not kept (kept: 2, 1)" in capsys.readouterr().err
    assert main([*args, "--list", "--to", "2"]) == 2
    assert main([*args, "--to", "2"]) == 0
    assert _count(home.warehouse) == (AFTER, "2")
    log = [e for e in WorkflowStore(default_url(home.root)).audit_log() if e.action == "rollback"]
    assert sorted((e.what["version"], e.what["replaced"]) for e in log) == [(1, 2), (2, 1)]


def test_outcomes_rollback_with_nothing_kept(tmp_path, capsys):
    from outcomes.cli import main

    assert main(["--home", str(tmp_path / "empty"), "rollback", "--list"]) == 0
    assert "no published version is kept" in capsys.readouterr().out
    assert main(["--home", str(tmp_path / "empty"), "rollback"]) == 1
    assert "no earlier published version is kept" in capsys.readouterr().err
    assert not (tmp_path / "empty").exists()  # asking made no home
