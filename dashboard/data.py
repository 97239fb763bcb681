"""The only way into the published warehouse: short read-only queries returning DataFrames.

`Warehouse(path)` opens the published DuckDB file lazily, read-only, once per process, and
reopens it when the ETL has published a new file onto the same path (by `os.replace`): every
query stats the path and compares (device, inode, size, mtime). Queries run on a cursor of
their own, so threads (one per request) share the connection safely.

Why `ATTACH` rather than `duckdb.connect(path)`: DuckDB caches one database instance per path
in the process, so a second `connect` to the replaced path while any cursor still holds the
old instance would hand back the old data. A fresh in-memory instance that attaches the file
read-only always reads the file that is at the path now; the old instance is closed as soon
as the last query using it has finished.

Every query takes `as_at`: only loads received at or before that moment count, and among them
the newest load of each (measure, period, breakdown) wins, i.e. the figures as they stood then.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

__all__ = ["Warehouse", "WarehouseError", "WarehouseMissing"]

CATALOG = "warehouse"


class WarehouseError(Exception):
    """The published warehouse cannot be read.

    WarehouseError
    └── WarehouseMissing   nothing has been published at the path yet
    """


class WarehouseMissing(WarehouseError):
    """No warehouse file at the path: nothing has been published yet."""


# Values as they stood at `as_at` (NULL = now): the newest load per key among loads received
# by then. Parameters: as_at, measure filter (NULL = every measure), breakdown filter (NULL = all).
VALUES_AS_AT = """
versions AS (
    SELECT o.measure_id, o.period, o.period_start, o.period_label, o.breakdown, o.dimension, o.grp,
           o.value, o.status, o.note, o.load_id, l.received_at,
           row_number() OVER key_newest_first AS version_rank,
           count(*) OVER key_all AS versions
    FROM observations o
    JOIN loads l ON l.id = o.load_id
    WHERE l.received_at <= coalesce(?::TIMESTAMP, l.received_at)
      AND o.measure_id = coalesce(?::VARCHAR, o.measure_id)
      AND o.breakdown = coalesce(?::VARCHAR, o.breakdown)
    WINDOW key_newest_first AS (PARTITION BY o.measure_id, o.period, o.breakdown ORDER BY o.load_id DESC),
           key_all AS (PARTITION BY o.measure_id, o.period, o.breakdown)
),
values_as_at AS (
    SELECT * EXCLUDE (version_rank, versions), versions > 1 AS revised
    FROM versions WHERE version_rank = 1
)
"""

GOAL_MAP = f"""
WITH {VALUES_AS_AT},
headline_values AS (
    SELECT v.*, row_number() OVER (PARTITION BY v.measure_id ORDER BY v.period_start DESC) AS recency
    FROM values_as_at v
    JOIN measures m ON m.id = v.measure_id AND m.role = 'headline'
),
leads AS (
    SELECT p.objective_id, g.id, g.name, g.short_name
    FROM objective_partners p JOIN organisations g ON g.id = p.org_id
    WHERE p.role = 'lead'
),
final AS (
    SELECT c.id AS council_id, c.name AS council_name, c.goal AS council_goal,
           c.position AS council_position,
           o.id AS objective_id, o.name AS objective_name, o.statement AS objective_statement,
           o.position AS objective_position,
           lead.id AS lead_id, lead.name AS lead_name, lead.short_name AS lead_short_name,
           m.id AS measure_id, m.name AS measure_name, m.unit, m.unit_label, m.rate_per,
           m.decimals, m.direction, m.frequency,
           latest.period AS latest_period, latest.value AS latest_value,
           latest.status AS latest_status, latest.revised AS latest_revised,
           latest.received_at AS latest_received_at,
           previous.period AS previous_period, previous.value AS previous_value,
           latest.value - previous.value AS change,
           m.baseline_period, m.baseline_value, m.target_period, m.target_value
    FROM objectives o
    JOIN councils c ON c.id = o.council_id
    LEFT JOIN leads lead ON lead.objective_id = o.id
    LEFT JOIN measures m ON m.objective_id = o.id AND m.role = 'headline'
    LEFT JOIN headline_values latest ON latest.measure_id = m.id AND latest.recency = 1
    LEFT JOIN headline_values previous ON previous.measure_id = m.id AND previous.recency = 2
)
SELECT * FROM final ORDER BY council_position, council_id, objective_position, objective_id
"""

SERIES = f"""
WITH {VALUES_AS_AT}
SELECT measure_id, period, period_start, period_label, breakdown, dimension, grp, value, status,
       note, load_id, received_at, revised
FROM values_as_at ORDER BY breakdown, period_start
"""

AS_OF = """
WITH loads_as_at AS (
    SELECT id, received_at FROM loads WHERE received_at <= coalesce(?::TIMESTAMP, received_at)
),
newest_period AS (
    SELECT o.period, o.period_start, m.frequency
    FROM observations o
    JOIN loads_as_at l ON l.id = o.load_id
    JOIN measures m ON m.id = o.measure_id
    ORDER BY o.period_start DESC, m.frequency LIMIT 1
),
final AS (
    SELECT (SELECT max(received_at) FROM loads_as_at) AS received_at,
           (SELECT count(*) FROM loads_as_at) AS loads,
           p.period, p.period_start, p.frequency
    FROM (SELECT 1) LEFT JOIN newest_period p ON true
)
SELECT * FROM final
"""

COUNCILS = """
SELECT c.id, c.name, c.goal, c.chair, c.position,
       (SELECT count(*) FROM objectives o WHERE o.council_id = c.id) AS objectives,
       (SELECT count(*) FROM council_members cm WHERE cm.council_id = c.id) AS members
FROM councils c ORDER BY c.position, c.id
"""

ORGANISATIONS = """
SELECT g.id, g.name, g.short_name, g.kind, g.url, g.position,
       (SELECT count(*) FROM objective_partners p WHERE p.org_id = g.id AND p.role = 'lead') AS leads,
       (SELECT count(*) FROM objective_partners p WHERE p.org_id = g.id AND p.role = 'contributor') AS contributes,
       (SELECT count(*) FROM measures m WHERE m.owner_id = g.id) AS measures
FROM organisations g ORDER BY g.position, g.id
"""


@dataclass
class _Opened:
    """One opened copy of the published file, and how many queries are using it."""

    connection: duckdb.DuckDBPyConnection
    stamp: tuple
    users: int = 0
    retired: bool = False


class Warehouse:
    """Read-only access to the published warehouse at `path`; safe to share between threads."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._opened: _Opened | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Warehouse({str(self.path)!r})"

    # --- queries ---------------------------------------------------------------------------

    def goal_map(self, as_at: datetime | None = None) -> pd.DataFrame:
        """One row per objective: council, objective, lead organisation, headline measure with
        its latest total value, the value before it, and its target."""
        return self.query(GOAL_MAP, [as_at, None, ""])

    def series(self, measure_id: str, breakdown: str | None = "", as_at: datetime | None = None) -> pd.DataFrame:
        """Values of one measure by period (`breakdown=None`: every breakdown, total first)."""
        return self.query(SERIES, [as_at, measure_id, breakdown])

    def as_of(self, as_at: datetime | None = None) -> pd.DataFrame:
        """One row: newest `received_at` among loads, number of loads, and the newest period."""
        return self.query(AS_OF, [as_at])

    # Definitions are copied whole into every load and not versioned, so `as_at` does not
    # change them; it is accepted so that callers can pass one `as_at` to every query.
    def councils(self, as_at: datetime | None = None) -> pd.DataFrame:
        """Councils in order, with how many objectives and member organisations each has."""
        return self.query(COUNCILS)

    def organisations(self, as_at: datetime | None = None) -> pd.DataFrame:
        """Organisations in order, with how many objectives each leads or contributes to."""
        return self.query(ORGANISATIONS)

    # --- connection ------------------------------------------------------------------------

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run one read-only statement with bound parameters on a cursor of its own."""
        opened = self._acquire()
        try:
            cursor = opened.connection.cursor()
            try:
                cursor.execute(f"USE {CATALOG}")
                return cursor.execute(sql, params or []).df()
            finally:
                cursor.close()
        except duckdb.Error as e:
            raise WarehouseError(f"{self.path}: {e}") from e
        finally:
            self._release(opened)

    def close(self) -> None:
        """Close the connection once queries in flight finish; the next query reopens."""
        with self._lock:
            if self._opened is not None:
                self._retire(self._opened)
                self._opened = None

    def _stamp(self) -> tuple:
        try:
            st = os.stat(self.path)
        except FileNotFoundError as e:
            raise WarehouseMissing(
                f"{self.path}: No data has been published yet. Load some with `outcomes demo` or `outcomes load`."
            ) from e
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def _acquire(self) -> _Opened:
        stamp = self._stamp()
        with self._lock:
            if self._opened is None or self._opened.stamp != stamp:
                if self._opened is not None:
                    self._retire(self._opened)
                self._opened = _Opened(self._connect(), stamp)
            self._opened.users += 1
            return self._opened

    def _release(self, opened: _Opened) -> None:
        with self._lock:
            opened.users -= 1
            if opened.retired and opened.users == 0:
                opened.connection.close()

    @staticmethod
    def _retire(opened: _Opened) -> None:
        # caller holds the lock; queries still running on it close it when they finish
        opened.retired = True
        if opened.users == 0:
            opened.connection.close()

    def _connect(self) -> duckdb.DuckDBPyConnection:
        connection = duckdb.connect(":memory:")
        try:
            connection.execute(f"ATTACH ? AS {CATALOG} (READ_ONLY)", [str(self.path)])
        except duckdb.Error as e:
            connection.close()
            raise WarehouseError(f"{self.path}: cannot open the published warehouse: {e}") from e
        return connection
