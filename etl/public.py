"""The public warehouse: a second published file holding only what anonymous visitors may see.

Defence in depth. The app answers every anonymous request from this file alone, so a check
missed anywhere on the read side cannot show an internal measure: it is not in the file. It is
written from each newly built warehouse before either is published (etl/warehouse.py), so the
two always come from the same build.

Written whole, or, after a build that only added loads and judgement runs (a load, `outcomes judge`:
etl/warehouse.py `staged_build`), brought up to date from the one published before it (a copy of it,
so that readers of the published one are untouched): the small tables (definitions, services, meta)
are written whole again, and the tables that only grow (loads, observations, judgement runs and what
they judged) get the rows added since. It is written whole instead when the one before it is not
of the build the new one grew from, when the definitions (so which measures are public) or the
schema changed, or when the rows appended since it was last written whole reach SORTED_SLACK: a
full write stores observations in readers' order, and appended rows lie outside it. A file brought up
to date is read back whole (every block's checksum), and written whole if any of it cannot be read:
damage in the copy's old blocks is not carried on to the next publish.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from .schema import SCHEMA_VERSION, init_schema, read_whole, sql_text

__all__ = ["write_public", "GROWING"]

UNPACKED = "zstd"  # compression the public file is written without (readers read a few rows at a time)
# the tables that only grow: new loads bring observations (by load id), new runs judgements (by run id)
GROWING = ("loads", "load_files", "observations", "judgement_runs", "assessments", "timeliness", "exceptions")
# rows appended outside readers' order (observations and assessments since the last whole write) before
# the file is written whole again: about one of DuckDB's row groups (122,880 rows), which a query of one
# measure reads whole when the zone maps cannot skip it
SORTED_SLACK = 120_000
# what the public file remembers of its build, in `meta`: the newest load and judgement run of the full
# warehouse it was written from, the version that warehouse had, and the newest load and run at its last
# whole write (for SORTED_SLACK)
THROUGH_LOAD, THROUGH_RUN, OF_VERSION = "public_through_load", "public_through_run", "public_of_version"
SORTED_LOAD, SORTED_RUN = "public_sorted_through_load", "public_sorted_through_run"


def write_public(full: Path, target: Path, *, previous: Path | None = None, grew_from: str | None = None) -> str:
    """Write the public warehouse of the (closed, checkpointed) warehouse at `full` to `target`, a new file,
    and checkpoint it: brought up to date from `previous` (the published public file) when that one was
    written from version `grew_from` of the full warehouse, the version `full` was built on; else whole.
    Returns how: 'whole' or 'appended'."""
    target.unlink(missing_ok=True)
    if previous is not None and grew_from is not None and previous.exists():
        shutil.copyfile(previous, target)
        try:
            if _append(full, target, grew_from):
                read_whole(target)  # the copy's old blocks too: damage in them would be carried on at every publish
                return "appended"
        except duckdb.Error:
            pass  # a copy that cannot be brought up to date, or read back, is written whole from the full warehouse
        target.unlink(missing_ok=True)
        target.with_name(target.name + ".wal").unlink(missing_ok=True)
    _write(full, target, whole=True)
    return "whole"


def _append(full: Path, target: Path, grew_from: str) -> bool:
    """Bring the copy at `target` up to date, if it may be (module docstring); False: write it whole."""
    con = duckdb.connect(str(target))
    try:
        con.execute("ATTACH ? AS src (READ_ONLY)", [str(full)])
        mine = dict(con.execute("SELECT key, value FROM main.meta").fetchall())
        theirs = dict(con.execute("SELECT key, value FROM src.meta").fetchall())
        if (mine.get(OF_VERSION) != grew_from or mine.get("schema_version") != SCHEMA_VERSION
                or mine.get("definitions_sha256") != theirs.get("definitions_sha256")
                or not all(k in mine for k in (THROUGH_LOAD, THROUGH_RUN, SORTED_LOAD, SORTED_RUN))):
            return False
        outside = con.execute(
            "SELECT (SELECT count(*) FROM src.observations WHERE load_id > $load) "
            "+ (SELECT count(*) FROM src.assessments WHERE run_id > $run)",
            {"load": int(mine[SORTED_LOAD]), "run": int(mine[SORTED_RUN])}).fetchone()[0]
        if outside >= SORTED_SLACK:
            return False
        con.execute("DETACH src")
    finally:
        con.close()
    _write(full, target, whole=False, after=(int(mine[THROUGH_LOAD]), int(mine[THROUGH_RUN])),
           sorted_through=(mine[SORTED_LOAD], mine[SORTED_RUN]))
    return True


def _write(full: Path, target: Path, *, whole: bool, after: tuple[int, int] = (-1, -1),
           sorted_through: tuple[str, str] | None = None) -> None:
    con = duckdb.connect(str(target))
    try:
        # ZSTD packs a table's long JSON judgements into one block that every read of one measure's
        # judgement must decompress whole (~60 ms at 2,000 measures); stored without it, a page reads
        # only its own rows, for a file a few tens of megabytes larger
        con.execute(f"SET disabled_compression_methods = '{UNPACKED}'")
        if whole:
            init_schema(con)
        con.execute("ATTACH ? AS src (READ_ONLY)", [str(full)])
        con.execute("SET VARIABLE after_load = ?", [after[0]])
        con.execute("SET VARIABLE after_run = ?", [after[1]])
        con.execute("BEGIN TRANSACTION")
        if not whole:
            small = [t for (t,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                "AND schema_name = 'main'").fetchall() if t not in GROWING]
            for table in small:  # names from the file's own catalogue, quoted
                con.execute(f'DELETE FROM "{table}"' + (" WHERE key <> 'schema_version'" if table == "meta" else ""))
        con.execute(sql_text("public.sql"))
        through = con.execute("SELECT (SELECT coalesce(max(id), 0) FROM src.loads), "
                              "(SELECT coalesce(max(id), 0) FROM src.judgement_runs), "
                              "(SELECT value FROM src.meta WHERE key = 'version')").fetchone()
        load, run = str(through[0]), str(through[1])
        marks = {THROUGH_LOAD: load, THROUGH_RUN: run, OF_VERSION: through[2],
                 SORTED_LOAD: load if whole else sorted_through[0], SORTED_RUN: run if whole else sorted_through[1]}
        con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(marks.items()))
        con.execute("COMMIT")
        con.execute("DETACH src")
        con.execute("CHECKPOINT")
    finally:
        con.close()
