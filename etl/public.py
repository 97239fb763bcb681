"""The public warehouse: a second published file holding only what anonymous visitors may see.

Defence in depth. The app answers every anonymous request from this file alone, so a check
missed anywhere on the read side cannot show an internal measure: it is not in the file. It is
written from each newly built warehouse before either is published (etl/warehouse.py), so the
two always come from the same build.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from .schema import init_schema, sql_text

__all__ = ["write_public"]

UNPACKED = "zstd"  # compression the public file is written without (readers read a few rows at a time)


def write_public(full: Path, target: Path) -> None:
    """Write the public warehouse of the (closed, checkpointed) warehouse at `full` to `target`,
    a new file, and checkpoint it."""
    target.unlink(missing_ok=True)
    con = duckdb.connect(str(target))
    try:
        # ZSTD packs a table's long JSON judgements into one block that every read of one measure's
        # judgement must decompress whole (~60 ms at 2,000 measures); stored without it, a page reads
        # only its own rows, for a file a few tens of megabytes larger
        con.execute(f"SET disabled_compression_methods = '{UNPACKED}'")
        init_schema(con)
        con.execute("ATTACH ? AS src (READ_ONLY)", [str(full)])
        con.execute("BEGIN TRANSACTION")
        con.execute(sql_text("public.sql"))
        con.execute("COMMIT")
        con.execute("DETACH src")
        con.execute("CHECKPOINT")
    finally:
        con.close()
