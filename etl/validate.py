"""Validate: judge every submitted row at once, in DuckDB, against the definitions.

Each rule is one file in `etl/sql/checks/`, a query returning the offending rows as
(file, row, column, value, reason). All rules run over the whole submission and every
problem is collected; nothing is judged row by row in Python.
"""

from __future__ import annotations

from datetime import date
from importlib import resources

import duckdb
import pandas as pd

from .extract import STANDARD_COLUMNS, Extracted, Problem
from .warehouse import sql_text

__all__ = ["stage_submission", "run_checks", "CHECKS"]


def _check_names() -> list[str]:
    folder = resources.files("etl").joinpath("sql", "checks")
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))


CHECKS = _check_names()


def stage_submission(con: duckdb.DuckDBPyConnection, files: list[Extracted]) -> None:
    """Put the rows of all files into temp tables `sub` and `sub_columns`, and the views over them.

    Breakdown columns are renamed bd_0..bd_n so that no text from a file header ever
    becomes an SQL identifier; `sub_columns` says which name each stands for.
    """
    names: list[str] = []
    for x in files:
        for b in x.breakdown_columns:
            if b not in names:
                names.append(b)
    col_of = {b: f"bd_{i}" for i, b in enumerate(names)}
    frames, columns = [], []
    for x in files:
        f = x.frame.rename(columns=col_of).copy()
        for c in col_of.values():
            if c not in f:
                f[c] = ""
        f.insert(0, "file", x.name)
        frames.append(f[["file", *STANDARD_COLUMNS, *col_of.values()]])
        columns += [(x.name, col_of[b], b) for b in x.breakdown_columns]
    sub = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["file", *STANDARD_COLUMNS])
    for c in sub.columns:
        if c != "row":
            sub[c] = sub[c].fillna("").astype(str)
    sub["row"] = sub["row"].astype("int64")
    con.execute("DROP TABLE IF EXISTS sub")
    con.register("_sub", sub)
    con.execute("CREATE TEMP TABLE sub AS SELECT * FROM _sub")
    con.unregister("_sub")
    con.execute("DROP TABLE IF EXISTS sub_columns")
    con.execute("CREATE TEMP TABLE sub_columns (file VARCHAR, col VARCHAR, name VARCHAR)")
    if columns:
        con.executemany("INSERT INTO sub_columns VALUES (?, ?, ?)", columns)
    if not col_of:
        # UNPIVOT needs at least one column to turn; an always-empty one keeps the views uniform
        con.execute("ALTER TABLE sub ADD COLUMN bd_0 VARCHAR DEFAULT ''")
    con.execute(sql_text("macros.sql"))
    con.execute(sql_text("parsed.sql"))


def run_checks(con: duckdb.DuckDBPyConnection, org: str, today: date) -> list[Problem]:
    """Every problem of the staged submission, ordered by file and row."""
    params = {"org": org, "today": today}
    parts = []
    for name in CHECKS:
        query = sql_text(f"checks/{name}")
        used = {k: v for k, v in params.items() if f"${k}" in query}
        parts.append(con.execute(query, used).fetchall())
    rows = sorted({r for part in parts for r in part}, key=lambda r: (r[0], r[1], r[2] or "", r[4]))
    return [Problem(f, r, c, v, reason) for f, r, c, v, reason in rows]
