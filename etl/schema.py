"""The warehouse's schema and the SQL files beside it: what every file the ETL writes is made of."""

from __future__ import annotations

from importlib import resources

import duckdb

__all__ = ["SCHEMA_VERSION", "sql_text", "init_schema"]

SCHEMA_VERSION = "3"  # 2: organisation colours, judgement tables; 3: exceptions carry their size


def sql_text(name: str) -> str:
    """The text of etl/sql/<name>."""
    return resources.files("etl").joinpath("sql", name).read_text(encoding="utf-8")


def init_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(sql_text("schema.sql"))
    con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
