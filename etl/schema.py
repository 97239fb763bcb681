"""The warehouse's schema and the SQL files beside it: what every file the ETL writes is made of."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb

__all__ = ["SCHEMA_VERSION", "sql_text", "without_comments", "init_schema", "read_whole"]

# 2: organisation colours, judgement tables; 3: exceptions carry their size; 4: each measure's newest totals;
# 5: assessments keep their status and groups apart from the detail
SCHEMA_VERSION = "5"


def sql_text(name: str) -> str:
    """The text of etl/sql/<name>."""
    return resources.files("etl").joinpath("sql", name).read_text(encoding="utf-8")


def without_comments(text: str) -> str:
    """SQL without its whole-line comments: a comment may name a parameter, which DuckDB would then expect."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))


def init_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(sql_text("schema.sql"))
    con.execute(sql_text("assessment_parts.sql"))
    con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])


def read_whole(path: Path) -> None:
    """Reopen a warehouse file read-only and read every row of every table: DuckDB checks each block's
    checksum as it reads, so a damaged file raises duckdb.Error (a rollback's check of a kept version, and a
    public file brought up to date from a copy)."""
    check = duckdb.connect(":memory:")
    try:
        check.execute("ATTACH ? AS w (READ_ONLY)", [str(path)])
        tables = [r[0] for r in check.execute("SELECT table_name FROM information_schema.tables WHERE "
                                              "table_catalog = 'w' AND table_type = 'BASE TABLE'").fetchall()]
        for table in tables:  # names from the file's own catalogue, quoted
            check.execute(f'SELECT sum(hash(t)) FROM w."{table.replace(chr(34), chr(34) * 2)}" AS t').fetchone()
    finally:
        check.close()
