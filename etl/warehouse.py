"""The warehouse file: schema, definitions copy, and the atomic build-then-publish cycle.

A load never writes the published file. It copies it to `staging/`, changes the copy in one
transaction, checkpoints and closes it, reopens it read-only to verify, fsyncs it and only
then `os.replace`s it onto `warehouse.duckdb`. A process killed at any instant leaves at
most a throw-away staging file, removed by the next load.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from goal_councils import Definitions
from goal_councils.colours import colour_indices, shown_together
from goal_councils.periods import parse_period

from .home import Home, public_path
from .public import write_public
from .schema import SCHEMA_VERSION, init_schema, sql_text

__all__ = [
    "SCHEMA_VERSION",
    "sql_text",
    "init_schema",
    "sync_definitions",
    "definitions_digest",
    "load_lock",
    "staged_build",
    "PublishError",
]

class PublishError(Exception):
    """The new warehouse could not be built or verified; the published one is untouched."""


def definitions_digest(defs: Definitions) -> str:
    payload = {
        "organisations": [o.model_dump() for o in defs.organisations.values()],
        "councils": [c.model_dump() for c in defs.councils.values()],
    }
    if defs.reviews is not None:  # only then, so that a home without a schedule keeps its digest
        payload["reviews"] = defs.reviews.model_dump()
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
            "target_period", "target_value", "target_note", "position", "categories",
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
    # only called under the load lock, so any file here belongs to a dead load
    for p in home.staging.glob("*"):
        p.unlink(missing_ok=True)


@contextmanager
def staged_build(home: Home) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict]]:
    """Yield a read-write connection to a fresh copy of the published warehouse.

    The caller does its work inside `BEGIN ... COMMIT` and sets `state["publish"] = True`
    to publish; anything else (an exception, publish left False) throws the copy away.
    Must be used under `load_lock`.
    """
    _clear_stale_staging(home)
    published = home.warehouse
    size = published.stat().st_size if published.exists() else 0
    free = shutil.disk_usage(home.root).free
    if free < 3 * size + 64 * 1024 * 1024:  # the copy, and its public file (smaller than the copy)
        raise PublishError(f"not enough free disk space under {home.root} to build a new warehouse "
                           f"({free // 2**20} MB free, need about {(3 * size) // 2**20 + 64} MB)")
    stage = home.staging / f"build-{os.getpid()}-{uuid.uuid4().hex[:8]}.duckdb"
    public_stage = public_path(stage)
    if published.exists():
        shutil.copyfile(published, stage)
    state = {"publish": False}
    try:
        con = duckdb.connect(str(stage))
        init_schema(con)
    except duckdb.Error as e:
        stage.unlink(missing_ok=True)
        raise PublishError(f"the published warehouse {published} cannot be read ({e}); nothing was changed. "
                           "Restore it from a backup, or move it away to start a new one") from e
    try:
        yield con, state
        if state["publish"]:
            con.execute("CHECKPOINT")
        con.close()
        if not state["publish"]:
            return
        try:
            check = duckdb.connect(str(stage), read_only=True)
            check.execute("SELECT count(*) FROM observations JOIN loads ON loads.id = observations.load_id").fetchone()
            check.close()
        except duckdb.Error as e:
            raise PublishError(f"the new warehouse failed its read-back check: {e}") from e
        wal = stage.with_name(stage.name + ".wal")
        if wal.exists():
            raise PublishError("the new warehouse still has a write-ahead log after CHECKPOINT")
        try:
            write_public(stage, public_stage)
        except duckdb.Error as e:
            raise PublishError(f"the public warehouse could not be written: {e}") from e
        _fsync(stage)
        _fsync(public_stage)
        # the full file first: a process killed in between leaves the public file one publish
        # behind (never ahead of what the full one holds), and the next publish mends it
        os.replace(stage, published)
        os.replace(public_stage, public_path(published))
        _fsync(published.parent)
    finally:
        try:
            con.close()
        except duckdb.Error:
            pass
        for p in (stage, stage.with_name(stage.name + ".wal"), public_stage,
                  public_stage.with_name(public_stage.name + ".wal")):
            p.unlink(missing_ok=True)
