"""The warehouse file: schema, definitions copy, and the atomic build-then-publish cycle.

A load never writes the published file. It copies it to `staging/`, changes the copy in one
transaction, numbers it (the next version), checkpoints and closes it, reopens it read-only to
verify, writes its public file, fsyncs both, keeps both in `versions/N/` and only then
`os.replace`s them onto `warehouse.duckdb` and `warehouse.public.duckdb`. A process killed at
any instant leaves at most throw-away files behind, removed by the next load; a write that fails
(a full disk) leaves the published files as they were.

The newest `KEEP_VERSIONS` published versions stay in `versions/N/` (hard links, so the current
one takes no extra space) with a `version.json` saying when and with which loads; `rollback`
puts an earlier one back, both files together.

    PublishError        nothing was published; the published files are as they were
    └── RollbackError   no kept version to return to, or the one asked for is damaged
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from goal_councils import Definitions
from goal_councils.colours import colour_indices, shown_together
from goal_councils.periods import parse_period

from .home import Home, public_path
from .public import write_public
from .schema import SCHEMA_VERSION, init_schema, read_whole, sql_text, without_comments

__all__ = [
    "SCHEMA_VERSION",
    "sql_text",
    "init_schema",
    "sync_definitions",
    "definitions_digest",
    "load_lock",
    "staged_build",
    "keep_newest",
    "kept_fragment",
    "KEPT_AT_PUBLISH",
    "KEEP_VERSIONS",
    "PublishedVersion",
    "published_versions",
    "rollback",
    "PublishError",
    "RollbackError",
]

KEEP_VERSIONS = 5  # published versions kept in HOME/versions/, the current one among them
VERSION_FILE = "version.json"
# tables worked out at every publish as the new build's data stands (`keep_newest`), each by the fragment
# etl/sql/<table>.sql as at now; meta holds '<table>' = 'kept' once a publish has kept it
KEPT_AT_PUBLISH = ("newest_totals", "newest_received", "newest_year")

log = logging.getLogger(__name__)


class PublishError(Exception):
    """The new warehouse could not be built or verified; the published one is untouched."""


class RollbackError(PublishError):
    """There is no kept version to return to, or the one asked for cannot be read."""


def definitions_digest(defs: Definitions) -> str:
    councils = [c.model_dump() for c in defs.councils.values()]
    for measure in (m for c in councils for o in c["objectives"] for m in o["measures"]):
        if not measure["no_figure_in"]:  # only when declared, so that a home declaring none keeps its digest
            del measure["no_figure_in"]
    payload = {
        "organisations": [o.model_dump() for o in defs.organisations.values()],
        "councils": councils,
    }
    if defs.reviews is not None:  # only then, so that a home without a schedule keeps its digest
        payload["reviews"] = defs.reviews.model_dump()
    if defs.services:  # likewise: a home without services keeps its digest
        payload["services"] = [s.model_dump() for s in defs.services.values()]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _definition_frames(defs: Definitions) -> dict[str, pd.DataFrame]:
    colours = colour_indices(defs.organisations, shown_together(defs))
    orgs = [(o.id, o.name, o.short_name, o.kind, o.url, i, colours[o.id])
            for i, o in enumerate(defs.organisations.values())]
    councils, members, objectives, partners, measures, breakdowns, plans = [], [], [], [], [], [], []
    for ci, c in enumerate(defs.councils.values()):
        councils.append((c.id, c.name, c.goal, c.chair, ci))
        members += [(c.id, org, i) for i, org in enumerate(c.members)]
        for oi, o in enumerate(c.objectives):
            objectives.append((o.id, c.id, o.name, o.statement, oi))
            partners += [(o.id, p.org, p.role, p.responsibility, i) for i, p in enumerate(o.partners)]
            for mi, m in enumerate(o.measures):
                t = m.target
                measures.append((
                    m.id, o.id, m.name, m.description, m.owner, m.role, m.kind, m.timing, m.unit,
                    m.unit_label, m.rate_per, m.decimals, m.direction, m.frequency, m.published,
                    m.source, m.tolerance, m.seasonal, m.demand, m.due_days, m.xmr_baseline,
                    t.baseline.period if t and t.baseline else None,
                    t.baseline.value if t and t.baseline else None,
                    t.final.period if t else None, t.final.value if t else None,
                    t.note if t else None, mi,
                    json.dumps(m.categories, ensure_ascii=False) if m.categories else None,
                    json.dumps(m.no_figure_in) if m.no_figure_in else None,
                ))
                breakdowns += [(m.id, b, v, i) for b, vals in m.breakdowns.items() for i, v in enumerate(vals)]
                if t:
                    points = ([(t.baseline.period, t.baseline.value, "baseline")] if t.baseline else [])
                    points += [(p, v, "milestone") for p, v in t.trajectory.items()]
                    points.append((t.final.period, t.final.value, "final"))
                    for p, v, kind in points:
                        period = parse_period(p, m.frequency)
                        plans.append((m.id, period.label, period.start, v, kind))
    cols = {
        "organisations": ["id", "name", "short_name", "kind", "url", "position", "colour_index"],
        "councils": ["id", "name", "goal", "chair", "position"],
        "council_members": ["council_id", "org_id", "position"],
        "objectives": ["id", "council_id", "name", "statement", "position"],
        "objective_partners": ["objective_id", "org_id", "role", "responsibility", "position"],
        "measures": [
            "id", "objective_id", "name", "description", "owner_id", "role", "kind", "timing", "unit",
            "unit_label", "rate_per", "decimals", "direction", "frequency", "published", "source",
            "tolerance", "seasonal", "demand", "due_days", "xmr_baseline", "baseline_period", "baseline_value",
            "target_period", "target_value", "target_note", "position", "categories", "no_figure_in",
        ],
        "measure_breakdowns": ["measure_id", "breakdown", "value", "position"],
        "trajectories": ["measure_id", "period", "period_start", "value", "kind"],
        "review_schedule": ["month", "council_id", "meeting_date"],
    }
    rows = {
        "organisations": orgs, "councils": councils, "council_members": members,
        "objectives": objectives, "objective_partners": partners, "measures": measures,
        "measure_breakdowns": breakdowns, "trajectories": plans,
        "review_schedule": [(r.month, r.council_id, r.meeting_date) for r in defs.reviews.reviews()]
        if defs.reviews else [],
    }
    return {name: pd.DataFrame(rows[name], columns=cols[name]) for name in cols}


def sync_definitions(con: duckdb.DuckDBPyConnection, defs: Definitions) -> None:
    """Replace the definitions tables with `defs` (call inside the load's transaction)."""
    for table, frame in _definition_frames(defs).items():
        con.execute(f"DELETE FROM {table}")  # table names are this module's own constants
        if len(frame):
            con.register("_defs_frame", frame)
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _defs_frame")
            con.unregister("_defs_frame")
    con.execute("INSERT OR REPLACE INTO meta VALUES ('definitions_sha256', ?)", [definitions_digest(defs)])


@contextmanager
def load_lock(home: Home) -> Iterator[None]:
    """One load at a time per home (readers never need it)."""
    home.ensure()
    with open(home.lock, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _clear_stale_staging(home: Home) -> None:
    # only called under the load lock, so any file here belongs to a dead load (or rollback)
    for p in home.staging.glob("*"):
        p.unlink(missing_ok=True)


def _disk_full(e: BaseException) -> bool:
    if isinstance(e, OSError):
        return e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    return "No space left" in str(e) or "File too large" in str(e)


def _write_failed(e: BaseException) -> bool:
    """Did a write to the disk fail (rather than the caller's own logic)?"""
    return isinstance(e, (OSError, duckdb.IOException, duckdb.FatalException)) or _disk_full(e)


def _failed_write(what: str, e: BaseException) -> str:
    """A write that failed, said plainly: a full disk named as such."""
    cause = f"the disk is full ({e.strerror if isinstance(e, OSError) else e})" if _disk_full(e) else str(e)
    return f"{what}: {cause}; nothing was published, the published warehouse is as it was"


# --- the steps of a publish, each a function of its own (tests stop a load at each) ----------------

def _copy_into_staging(published: Path, stage: Path) -> None:
    shutil.copyfile(published, stage)


def _number(con: duckdb.DuckDBPyConnection, home: Home) -> dict:
    """Give the new build the next version number; what version.json says of it."""
    found = con.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    previous = int(found[0]) if found and str(found[0]).isdigit() else 0
    number = max([previous, *(v.number for v in _kept(home))]) + 1
    con.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", [str(number)])
    loads, newest = con.execute("SELECT count(*), max(id) FROM loads").fetchone()
    return {"version": number, "published_at": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
            "loads": loads, "newest_load": newest}


def kept_fragment(table: str) -> str:
    """The CTE fragment etl/sql/<table>.sql (of KEPT_AT_PUBLISH), with the fragment of values as at a moment
    put in where it uses it, without whole-line comments (they name parameters)."""
    return without_comments(sql_text(f"{table}.sql").replace("{values_as_at}", sql_text("values_as_at.sql")))


def keep_newest(con: duckdb.DuckDBPyConnection) -> None:
    """Work out the tables of KEPT_AT_PUBLISH as the new build's data stands: each measure's totals in its
    two newest period starts (the goal map's figures), when its newest figure arrived, and its totals from a
    year before its newest figure (the organisation page's); say so in meta."""
    now = {"as_at": None, "dimension": "", "breakdown": None, "since": None}  # totals, as at now
    con.execute("BEGIN TRANSACTION")
    for table in KEPT_AT_PUBLISH:  # names from the tuple above
        con.execute(f"DELETE FROM {table}")
        sql = (f"INSERT INTO {table} BY NAME WITH scope AS (SELECT id FROM measures), {kept_fragment(table)} "
               f"SELECT * FROM {table}_as_at ORDER BY measure_id")
        con.execute(sql, {name: value for name, value in now.items() if f"${name}" in sql})
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, 'kept')", [table])
    con.execute("COMMIT")


def _checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CHECKPOINT")


def _verify(path: Path) -> None:
    """Reopen a built (or kept) warehouse read-only and read every observation's load."""
    check = duckdb.connect(":memory:")
    try:
        check.execute("ATTACH ? AS w (READ_ONLY)", [str(path)])
        check.execute("SELECT count(*) FROM w.observations JOIN w.loads ON loads.id = observations.load_id").fetchone()
    finally:
        check.close()


def _link(src: Path, dst: Path) -> None:
    """`dst` as a second name of `src` (a copy where the file system has no hard links)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def _keep_version(home: Home, facts: dict, full: Path, public: Path) -> Path:
    """Keep the new build in versions/N.pending/ before it is swapped in (named N/ once it is)."""
    folder = home.versions / f"{facts['version']:06d}.pending"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    _link(full, folder / home.warehouse.name)
    _link(public, folder / home.public_warehouse.name)
    (folder / VERSION_FILE).write_text(json.dumps(facts, indent=1) + "\n", encoding="utf-8")
    _fsync(folder)
    return folder


def _replace(src: Path, dst: Path) -> None:
    os.replace(src, dst)


def _swap(home: Home, full: Path, public: Path) -> None:
    """Put both files in place. The full file first: a process killed in between leaves the public
    file one version behind (never ahead of what the full one holds); the next publish mends it."""
    _replace(full, home.warehouse)
    _replace(public, home.public_warehouse)
    _fsync(home.root)


def _settle_versions(home: Home) -> None:
    """Name a pending version that was swapped in as kept; remove any other (its load died before
    the swap); put the current version's public file in place if a kill left the previous one there;
    keep the newest KEEP_VERSIONS and the current one. Under the load lock."""
    for folder in home.versions.glob("*.pending"):
        final = folder.with_name(folder.name.removesuffix(".pending"))
        if _is_current(home, folder) and not final.exists():
            folder.rename(final)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    kept = _kept(home)
    current = next((v for v in kept if _is_current(home, v.folder)), None)
    public = current.folder / home.public_warehouse.name if current else None
    if public is not None and public.exists() and not _same(public, home.public_warehouse):
        # a publish (or rollback) killed between its two renames: put the public file of the same version
        stage = home.staging / f"mend-{os.getpid()}-{uuid.uuid4().hex[:8]}.duckdb"
        _link(public, stage)
        _replace(stage, home.public_warehouse)
        _fsync(home.root)
        log.warning("the public warehouse was a version behind the full one; now version %s too", current.number)
    for v in kept[KEEP_VERSIONS:]:
        if not _is_current(home, v.folder):
            shutil.rmtree(v.folder, ignore_errors=True)
    if home.versions.exists():
        _fsync(home.versions)


def _is_current(home: Home, folder: Path) -> bool:
    return _same(folder / home.warehouse.name, home.warehouse)


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@contextmanager
def staged_build(home: Home) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict]]:
    """Yield a read-write connection to a fresh copy of the published warehouse.

    The caller does its work inside `BEGIN ... COMMIT` and sets `state["publish"] = True`
    to publish; anything else (an exception, publish left False) throws the copy away. A caller that
    only added rows past the newest load and judgement run to the tables that grow (etl.public.GROWING),
    as loads and judgement runs do, also sets `state["only_added"] = True`: the public file is then
    brought up to date from the published one instead of written whole (etl/public.py).
    Must be used under `load_lock`.
    """
    _clear_stale_staging(home)
    home.versions.mkdir(parents=True, exist_ok=True)
    _settle_versions(home)
    published = home.warehouse
    size = published.stat().st_size if published.exists() else 0
    free = shutil.disk_usage(home.root).free
    if free < 3 * size + 64 * 1024 * 1024:  # the copy, and its public file (smaller than the copy)
        raise PublishError(f"not enough free disk space under {home.root} to build a new warehouse "
                           f"({free // 2**20} MB free, need about {(3 * size) // 2**20 + 64} MB)")
    stage = home.staging / f"build-{os.getpid()}-{uuid.uuid4().hex[:8]}.duckdb"
    public_stage = public_path(stage)
    if published.exists():
        try:
            _copy_into_staging(published, stage)
        except OSError as e:
            stage.unlink(missing_ok=True)
            raise PublishError(_failed_write(f"the published warehouse could not be copied into {home.staging}",
                                             e)) from e
    state = {"publish": False, "only_added": False}
    try:
        con = duckdb.connect(str(stage))
        init_schema(con)
        # the version this build grows from, whose public file the new one can be brought up to date from
        grew_from = con.execute("SELECT max(value) FROM meta WHERE key = 'version'").fetchone()[0]
    except duckdb.Error as e:
        stage.unlink(missing_ok=True)
        if _disk_full(e):
            raise PublishError(_failed_write("the new warehouse could not be written", e)) from e
        raise PublishError(f"the published warehouse {published} cannot be read ({e}); nothing was changed. "
                           "Restore an earlier version with `outcomes rollback`, or move it away to start a new "
                           "one") from e
    try:
        try:
            yield con, state
            if state["publish"]:
                keep_newest(con)
                facts = _number(con, home)
                _checkpoint(con)
        except (duckdb.Error, OSError) as e:
            if not _write_failed(e):
                raise
            raise PublishError(_failed_write("the new warehouse could not be written", e)) from e
        con.close()
        if not state["publish"]:
            return
        try:
            _verify(stage)
        except duckdb.Error as e:
            raise PublishError(f"the new warehouse failed its read-back check: {e}") from e
        wal = stage.with_name(stage.name + ".wal")
        if wal.exists():
            raise PublishError("the new warehouse still has a write-ahead log after CHECKPOINT")
        try:
            write_public(stage, public_stage, previous=home.public_warehouse if published.exists() else None,
                         grew_from=grew_from if state["only_added"] else None)
        except (duckdb.Error, OSError) as e:  # OSError: copying the published public file
            raise PublishError(_failed_write("the public warehouse could not be written", e)) from e
        try:
            _fsync(stage)
            _fsync(public_stage)
            _keep_version(home, facts, stage, public_stage)
        except OSError as e:
            raise PublishError(_failed_write("the new version could not be kept", e)) from e
        try:
            _swap(home, stage, public_stage)
        except OSError as e:
            raise PublishError(_failed_write("the new warehouse could not be put in place", e)) from e
        try:
            _settle_versions(home)
        except OSError as e:  # published already: the next publish settles the versions
            log.warning("published version %s; the kept versions could not be tidied: %s", facts["version"], e)
    finally:
        try:
            con.close()
        except duckdb.Error:
            pass
        for p in (stage, stage.with_name(stage.name + ".wal"), public_stage,
                  public_stage.with_name(public_stage.name + ".wal")):
            p.unlink(missing_ok=True)


# --- kept versions and rollback ---------------------------------------------------------------------

@dataclass(frozen=True)
class PublishedVersion:
    """One kept published version: its number, when it was published and the loads it holds."""

    number: int
    folder: Path
    published_at: str | None
    loads: int | None
    newest_load: int | None
    current: bool = False


def _kept(home: Home) -> list[PublishedVersion]:
    """The kept versions, newest first (`current` not filled in)."""
    found = []
    for folder in home.versions.glob("[0-9]*") if home.versions.exists() else ():
        if not folder.name.isdigit() or not folder.is_dir():
            continue
        try:
            facts = json.loads((folder / VERSION_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            facts = {}
        found.append(PublishedVersion(int(folder.name), folder, facts.get("published_at"), facts.get("loads"),
                                      facts.get("newest_load")))
    return sorted(found, key=lambda v: v.number, reverse=True)


def published_versions(home: Home) -> list[PublishedVersion]:
    """The kept published versions, newest first, the one published now marked `current`."""
    return [PublishedVersion(v.number, v.folder, v.published_at, v.loads, v.newest_load, _is_current(home, v.folder))
            for v in _kept(home)]


def rollback(home: Home, to: int | None = None) -> tuple[PublishedVersion, PublishedVersion | None]:
    """Publish a kept version again, both files together: `to`, or else the newest one older than the
    version published now. Returns (the version now published, the one it replaced, if kept).
    Readers switch to it at their next query, as after a load."""
    if not home.versions.is_dir():
        raise RollbackError(f"no earlier published version is kept in {home.versions}")
    with load_lock(home):
        _clear_stale_staging(home)
        _settle_versions(home)
        versions = published_versions(home)
        current = next((v for v in versions if v.current), None)
        if to is not None:
            target = next((v for v in versions if v.number == to), None)
            if target is None:
                kept = ", ".join(str(v.number) for v in versions) or "none"
                raise RollbackError(f"version {to} is not kept (kept: {kept})")
        elif current is not None:
            target = next((v for v in versions if v.number < current.number), None)
        else:  # the published file is none of the kept ones (replaced by hand?): the newest kept
            target = versions[0] if versions else None
        if target is None:
            raise RollbackError(f"no earlier published version is kept in {home.versions}")
        full, public = target.folder / home.warehouse.name, target.folder / home.public_warehouse.name
        for path in (full, public):
            try:
                read_whole(path)
            except (duckdb.Error, OSError) as e:
                raise RollbackError(f"version {target.number} cannot be read ({e}); choose another with --to "
                                    "(`outcomes rollback --list`)") from e
        stage = home.staging / f"rollback-{os.getpid()}-{uuid.uuid4().hex[:8]}.duckdb"
        public_stage = public_path(stage)
        try:
            _link(full, stage)
            _link(public, public_stage)
            _swap(home, stage, public_stage)
        except OSError as e:
            raise RollbackError(_failed_write(f"version {target.number} could not be put back", e)) from e
        finally:
            stage.unlink(missing_ok=True)
            public_stage.unlink(missing_ok=True)
        now = PublishedVersion(target.number, target.folder, target.published_at, target.loads, target.newest_load,
                               True)
        return now, current
