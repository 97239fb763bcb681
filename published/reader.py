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

Every query of values takes `as_at`: only loads received at or before that moment count, only
periods that had started by then, and among them the newest load of each (measure, period,
breakdown) wins, i.e. the figures as they stood then.

Queries bind their parameters by name (`$as_at`); `Scope` says which measures a query is about
(one measure, an objective, a council, an owner, or everything an organisation takes part in),
so that a page asks only for the measures it shows.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from etl.warehouse import sql_text

__all__ = ["Warehouse", "WarehouseError", "WarehouseMissing", "Scope"]

CATALOG = "warehouse"

log = logging.getLogger(__name__)


class WarehouseError(Exception):
    """The published warehouse cannot be read.

    WarehouseError
    └── WarehouseMissing   nothing has been published at the path yet
    """


class WarehouseMissing(WarehouseError):
    """No warehouse file at the path: nothing has been published yet."""


@dataclass(frozen=True)
class Scope:
    """Which measures a query is about; every field that is set must hold (None = any).

    `partner`: the measures an organisation owns in the objectives it takes part in, and the
    headline measure of each of those objectives.
    """

    measure: str | None = None
    objective: str | None = None
    council: str | None = None
    owner: str | None = None
    partner: str | None = None
    role: str | None = None


EVERYTHING = Scope()

# Organisations with the index of their colour, chosen at publish so that an organisation has the
# same colour on every page and no two organisations on one page share one (a warehouse published
# before colours were chosen falls back to the organisation's place in the table).
ORGS = """
orgs AS (
    SELECT g.* REPLACE (coalesce(g.colour_index, CAST(row_number() OVER (ORDER BY g.position, g.id) - 1 AS INTEGER))
                        AS colour_index)
    FROM organisations g
)
"""

SCOPE = """
scope AS (
    SELECT m.id FROM measures m JOIN objectives ob ON ob.id = m.objective_id
    WHERE ($measure::VARCHAR IS NULL OR m.id = $measure)
      AND ($objective::VARCHAR IS NULL OR m.objective_id = $objective)
      AND ($council::VARCHAR IS NULL OR ob.council_id = $council)
      AND ($owner::VARCHAR IS NULL OR m.owner_id = $owner)
      AND ($role::VARCHAR IS NULL OR m.role = $role)
      AND ($partner::VARCHAR IS NULL OR m.owner_id = $partner OR (
            m.role = 'headline'
            AND m.objective_id IN (SELECT p.objective_id FROM objective_partners p WHERE p.org_id = $partner)))
)
"""

# Values as they stood at $as_at: the one definition, shared with the publish step's judge
VALUES_AS_AT = sql_text("values_as_at.sql")

GOAL_MAP = f"""
WITH {SCOPE}, {VALUES_AS_AT},
headline_values AS (
    SELECT v.*, row_number() OVER (PARTITION BY v.measure_id ORDER BY v.period_start DESC) AS recency
    FROM values_as_at v
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
           m.decimals, m.direction, m.frequency, m.demand,
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

VALUES = f"""
WITH {SCOPE}, {VALUES_AS_AT}
SELECT measure_id, period, period_start, period_label, breakdown, dimension, grp, value, status,
       note, load_id, received_at, revised
FROM values_as_at ORDER BY measure_id, breakdown, period_start
"""

AS_OF = """
WITH loads_as_at AS (
    SELECT id, received_at FROM loads WHERE received_at <= coalesce($as_at::TIMESTAMP, received_at)
),
newest_period AS (
    SELECT o.period, o.period_start, m.frequency
    FROM observations o
    JOIN loads_as_at l ON l.id = o.load_id
    JOIN measures m ON m.id = o.measure_id
    WHERE o.period_start <= coalesce($as_at::TIMESTAMP, o.period_start)
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

# the months in which loads arrived: the choices of the "as of" picker
MONTHS = """
SELECT DISTINCT strftime(received_at, '%Y-%m') AS month FROM loads ORDER BY month DESC
"""

COUNCILS = """
SELECT c.id, c.name, c.goal, c.chair, c.position,
       (SELECT count(*) FROM objectives o WHERE o.council_id = c.id) AS objectives,
       (SELECT count(*) FROM council_members cm WHERE cm.council_id = c.id) AS members
FROM councils c
WHERE $council::VARCHAR IS NULL OR c.id = $council
ORDER BY c.position, c.id
"""

COUNCIL_MEMBERS = f"""
WITH {ORGS}
SELECT g.id, g.name, g.short_name, g.kind, g.colour_index
FROM council_members cm JOIN orgs g ON g.id = cm.org_id
WHERE cm.council_id = $council
ORDER BY cm.position, g.position, g.id
"""

ORGANISATIONS = f"""
WITH {ORGS}
SELECT g.id, g.name, g.short_name, g.kind, g.url, g.position, g.colour_index,
       (SELECT count(*) FROM objective_partners p WHERE p.org_id = g.id AND p.role = 'lead') AS leads,
       (SELECT count(*) FROM objective_partners p WHERE p.org_id = g.id AND p.role = 'contributor') AS contributes,
       (SELECT count(*) FROM measures m WHERE m.owner_id = g.id) AS measures
FROM orgs g
WHERE $org::VARCHAR IS NULL OR g.id = $org
ORDER BY g.position, g.id
"""

# objectives with their council and lead; with $partner, only those the organisation takes
# part in, with its role and written responsibility
OBJECTIVES = f"""
WITH {ORGS},
leads AS (
    SELECT p.objective_id, g.id, g.name, g.short_name, g.colour_index
    FROM objective_partners p JOIN orgs g ON g.id = p.org_id
    WHERE p.role = 'lead'
),
mine AS (
    SELECT p.objective_id, p.role, p.responsibility FROM objective_partners p WHERE p.org_id = $partner
),
final AS (
    SELECT o.id AS objective_id, o.name AS objective_name, o.statement AS objective_statement,
           o.position AS objective_position,
           c.id AS council_id, c.name AS council_name, c.position AS council_position,
           (SELECT count(*) FROM objectives o2 WHERE o2.council_id = c.id AND
                (o2.position, o2.id) <= (o.position, o.id)) AS objective_number,
           lead.id AS lead_id, lead.name AS lead_name, lead.short_name AS lead_short_name,
           lead.colour_index AS lead_colour_index,
           headline.id AS headline_id,
           mine.role AS partner_role, mine.responsibility AS partner_responsibility
    FROM objectives o
    JOIN councils c ON c.id = o.council_id
    LEFT JOIN leads lead ON lead.objective_id = o.id
    LEFT JOIN measures headline ON headline.objective_id = o.id AND headline.role = 'headline'
    LEFT JOIN mine ON mine.objective_id = o.id
    WHERE ($objective::VARCHAR IS NULL OR o.id = $objective)
      AND ($council::VARCHAR IS NULL OR o.council_id = $council)
      AND ($partner::VARCHAR IS NULL OR mine.role IS NOT NULL)
)
SELECT * FROM final ORDER BY council_position, council_id, objective_position, objective_id
"""

PARTNERS = f"""
WITH {ORGS}
SELECT p.objective_id, g.id AS org_id, g.name AS org_name, g.short_name AS org_short_name,
       g.kind AS org_kind, g.colour_index, p.role, p.responsibility
FROM objective_partners p JOIN orgs g ON g.id = p.org_id
WHERE p.objective_id = $objective
ORDER BY p.role <> 'lead', p.position, g.position, g.id
"""

MEASURES = f"""
WITH {ORGS}, {SCOPE},
declared AS (
    SELECT measure_id, string_agg(DISTINCT breakdown, ',' ORDER BY breakdown) AS breakdowns
    FROM measure_breakdowns WHERE measure_id IN (SELECT id FROM scope) GROUP BY measure_id
)
SELECT m.id, m.objective_id, ob.name AS objective_name, ob.council_id, c.name AS council_name,
       m.name, m.description, m.owner_id, g.name AS owner_name, g.short_name AS owner_short_name,
       g.colour_index, m.role, m.kind, m.timing, m.unit, m.unit_label, m.rate_per, m.decimals,
       m.direction, m.frequency, m.published, m.source, m.tolerance, m.seasonal, m.demand,
       m.due_days, m.xmr_baseline, m.baseline_period, m.baseline_value, m.target_period, m.target_value,
       m.target_note, m.position, coalesce(d.breakdowns, '') AS breakdowns
FROM measures m
JOIN objectives ob ON ob.id = m.objective_id
JOIN councils c ON c.id = ob.council_id
JOIN orgs g ON g.id = m.owner_id
LEFT JOIN declared d ON d.measure_id = m.id
WHERE m.id IN (SELECT id FROM scope)
ORDER BY c.position, ob.position, m.role <> 'headline', m.position, m.id
"""

BREAKDOWNS = """
SELECT breakdown, value FROM measure_breakdowns WHERE measure_id = $measure ORDER BY position, breakdown
"""

PLAN = f"""
WITH {SCOPE}
SELECT t.measure_id, t.period, t.period_start, t.value, t.kind
FROM trajectories t WHERE t.measure_id IN (SELECT id FROM scope)
ORDER BY t.measure_id, t.period_start
"""


# Names (or ids) that contain every word searched for (case-insensitive), best first: a name
# that starts with the text, then councils, organisations, objectives, measures.
# Judgements stored at publish (etl/judge.py): the run that stood at $as_at (NULL = the newest),
# then that run's exceptions and timeliness, and each measure's newest assessment at or before it.
JUDGED_SCHEMA = 3  # the first schema_version whose judgement tables this reader reads

JUDGEMENT_RUN = """
SELECT id, as_at, made_at FROM judgement_runs
WHERE as_at <= coalesce($as_at::TIMESTAMP, as_at)
ORDER BY as_at DESC, id DESC LIMIT 1
"""

FIRST_JUDGEMENT = "SELECT min(as_at) AS as_at FROM judgement_runs"

EXCEPTIONS = f"""
WITH {SCOPE}
SELECT e.severity, e.rule, e.rule_label, e.measure_id, e.period, e.reason, e.size,
       m.name AS measure_name, m.owner_id, g.name AS owner_name, m.objective_id, ob.name AS objective_name, m.role,
       m.frequency
FROM exceptions e
JOIN measures m ON m.id = e.measure_id
JOIN objectives ob ON ob.id = m.objective_id
JOIN organisations g ON g.id = m.owner_id
WHERE e.run_id = $run AND e.measure_id IN (SELECT id FROM scope)
ORDER BY e.severity DESC, e.size DESC NULLS LAST, e.measure_id, e.rule
"""

HEALTH = f"""
WITH {SCOPE},
final AS (
    SELECT t.owner_id AS org_id, g.name AS org_name, sum(t.due)::INTEGER AS due,
           sum(t.on_time)::INTEGER AS on_time, sum(t.late)::INTEGER AS late,
           sum(t.missing)::INTEGER AS missing, count(*) FILTER (WHERE t.stale)::INTEGER AS stale_measures
    FROM timeliness t JOIN organisations g ON g.id = t.owner_id
    WHERE t.run_id = $run AND t.measure_id IN (SELECT id FROM scope)
    GROUP BY t.owner_id, g.name
)
SELECT *, round(on_time / nullif(due, 0), 3) AS on_time_share FROM final
ORDER BY on_time_share NULLS LAST, org_id
"""

ASSESSMENTS = f"""
WITH {SCOPE},
newest AS (
    SELECT measure_id, detail FROM assessments
    WHERE run_id <= $run AND measure_id IN (SELECT id FROM scope)
    QUALIFY row_number() OVER (PARTITION BY measure_id ORDER BY run_id DESC) = 1
)
SELECT n.measure_id, n.detail AS assessment, t.detail AS timeliness
FROM newest n LEFT JOIN timeliness t ON t.run_id = $run AND t.measure_id = n.measure_id
ORDER BY n.measure_id
"""

# each measure's timeliness as the run judged it: the figures due in the year to the run's as-at
TIMELINESS = f"""
WITH {SCOPE}
SELECT measure_id, detail FROM timeliness
WHERE run_id = $run AND measure_id IN (SELECT id FROM scope)
ORDER BY measure_id
"""

# when each measure's newest figure arrived, as at $as_at
LAST_RECEIVED = f"""
WITH {SCOPE}
SELECT o.measure_id, max(l.received_at) AS last_received
FROM observations o JOIN loads l ON l.id = o.load_id
WHERE o.measure_id IN (SELECT id FROM scope) AND l.received_at <= coalesce($as_at::TIMESTAMP, l.received_at)
GROUP BY o.measure_id
"""

# each measure's status as its newest stored assessment at or before the run says (no JSON read)
STATUSES = f"""
WITH {SCOPE}
SELECT measure_id, status, rag, reason, CAST(json_extract(detail, '$.status') AS VARCHAR) AS status_json
FROM assessments WHERE run_id <= $run AND measure_id IN (SELECT id FROM scope)
QUALIFY row_number() OVER (PARTITION BY measure_id ORDER BY run_id DESC) = 1
"""

SEARCH = """
WITH hits AS (
    SELECT 'council' AS kind, c.id, c.name, c.goal AS context, 1 AS kind_order, c.position AS position
    FROM councils c
    UNION ALL
    SELECT 'org', g.id, g.name, g.short_name, 2, g.position
    FROM organisations g
    UNION ALL
    SELECT 'objective', o.id, o.name, c.name, 3, c.position * 1000 + o.position
    FROM objectives o JOIN councils c ON c.id = o.council_id
    UNION ALL
    SELECT 'measure', m.id, m.name, g.name || ' · ' || o.name, 4, m.position
    FROM measures m JOIN objectives o ON o.id = m.objective_id JOIN organisations g ON g.id = m.owner_id
),
final AS (
    SELECT kind, id, name, context, kind_order, position,
           starts_with(lower(name), lower($text)) AS starts
    FROM hits
    WHERE len(list_filter($words::VARCHAR[],
              lambda w: contains(lower(name || ' ' || id), w))) = len($words)
)
SELECT kind, id, name, context FROM final
ORDER BY NOT starts, kind_order, position, name
LIMIT $limit
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
        return self.query(GOAL_MAP, {**asdict(Scope(role="headline")), "as_at": as_at, "dimension": ""})

    def series(self, measure_id: str, breakdown: str | None = "", as_at: datetime | None = None) -> pd.DataFrame:
        """Values of one measure by period (`breakdown=None`: every breakdown, total first)."""
        return self.values(Scope(measure=measure_id), as_at, dimension=None, breakdown=breakdown)

    def values(
        self,
        scope: Scope,
        as_at: datetime | None = None,
        *,
        dimension: str | None = "",
        breakdown: str | None = None,
        since: date | None = None,
    ) -> pd.DataFrame:
        """Values of the measures in `scope` as they stood at `as_at`, by measure, breakdown and
        period. `dimension`: '' totals only (the default), a breakdown name: the totals and
        that breakdown's groups, None: everything. `since`: periods from this date only."""
        params = {**asdict(scope), "as_at": as_at, "dimension": dimension, "breakdown": breakdown, "since": since}
        return self.query(VALUES, params)

    def as_of(self, as_at: datetime | None = None) -> pd.DataFrame:
        """One row: newest `received_at` among loads, number of loads, and the newest period."""
        return self.query(AS_OF, {"as_at": as_at})

    def months(self) -> list[str]:
        """The months (`YYYY-MM`) in which loads arrived, newest first."""
        return list(self.query(MONTHS)["month"])

    # Definitions are copied whole into every load and not versioned, so `as_at` does not
    # change them; it is accepted so that callers can pass one `as_at` to every query.
    def councils(self, as_at: datetime | None = None, council_id: str | None = None) -> pd.DataFrame:
        """Councils in order, with how many objectives and member organisations each has."""
        return self.query(COUNCILS, {"council": council_id})

    def council_members(self, council_id: str, as_at: datetime | None = None) -> pd.DataFrame:
        """The member organisations of a council, with their colour index."""
        return self.query(COUNCIL_MEMBERS, {"council": council_id})

    def organisations(self, as_at: datetime | None = None, org_id: str | None = None) -> pd.DataFrame:
        """Organisations in order, with how many objectives each leads or contributes to."""
        return self.query(ORGANISATIONS, {"org": org_id})

    def objectives(
        self,
        as_at: datetime | None = None,
        *,
        objective_id: str | None = None,
        council_id: str | None = None,
        partner: str | None = None,
    ) -> pd.DataFrame:
        """Objectives with council, number in the council, lead and headline measure id;
        `partner`: only those an organisation takes part in, with its role and responsibility."""
        return self.query(OBJECTIVES, {"objective": objective_id, "council": council_id, "partner": partner})

    def partners(self, objective_id: str, as_at: datetime | None = None) -> pd.DataFrame:
        """The lead, then the contributors of an objective, with their written responsibility."""
        return self.query(PARTNERS, {"objective": objective_id})

    def measures(self, scope: Scope, as_at: datetime | None = None) -> pd.DataFrame:
        """Definitions of the measures in `scope`, with owner, objective and council names,
        the owner's colour index and the declared breakdown names (comma-separated)."""
        return self.query(MEASURES, asdict(scope))

    def breakdowns(self, measure_id: str, as_at: datetime | None = None) -> pd.DataFrame:
        """The breakdowns a measure declares, one row per (breakdown, group)."""
        return self.query(BREAKDOWNS, {"measure": measure_id})

    def judgement_run(self, as_at: datetime | None = None) -> dict | None:
        """The judgement run that stood at `as_at` (None: the newest): id, as_at, made_at. None also
        for a warehouse published before judgements were stored (the next load or `outcomes judge`
        brings it up to date)."""
        if not self.has_judgements():
            return None
        rows = self.query(JUDGEMENT_RUN, {"as_at": as_at}).to_dict("records")
        return rows[0] if rows else None

    def has_judgements(self) -> bool:
        """Was the file published with judgements in the layout this reader reads?"""
        found = self.query("SELECT value FROM meta WHERE key = 'schema_version'")
        return bool(len(found)) and found.value.iloc[0].isdigit() and int(found.value.iloc[0]) >= JUDGED_SCHEMA

    def first_judgement(self) -> datetime | None:
        if not self.has_judgements():
            return None
        found = self.query(FIRST_JUDGEMENT).as_at.iloc[0]
        return None if pd.isna(found) else pd.Timestamp(found).to_pydatetime()

    def exceptions(self, scope: Scope, run: int) -> pd.DataFrame:
        """The run's exceptions in `scope`, most severe first, with names."""
        return self.query(EXCEPTIONS, {**asdict(scope), "run": run})

    def health(self, scope: Scope, run: int) -> pd.DataFrame:
        """Per organisation, in the run: submissions due, on time, late, missing; stale measures."""
        return self.query(HEALTH, {**asdict(scope), "run": run})

    def assessments(self, scope: Scope, run: int) -> pd.DataFrame:
        """Each measure's newest stored assessment at or before the run, and the run's timeliness (JSON)."""
        return self.query(ASSESSMENTS, {**asdict(scope), "run": run})

    def statuses(self, run: int, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Each measure's stored status in the run: measure_id, status, rag, reason, status_json."""
        return self.query(STATUSES, {**asdict(scope), "run": run})

    def timeliness(self, scope: Scope, run: int) -> pd.DataFrame:
        """Each measure's timeliness in the run: measure_id, detail (JSON)."""
        return self.query(TIMELINESS, {**asdict(scope), "run": run})

    def last_received(self, scope: Scope, as_at: datetime | None = None) -> pd.DataFrame:
        """When each measure's newest figure arrived, as at `as_at`: measure_id, last_received."""
        return self.query(LAST_RECEIVED, {**asdict(scope), "as_at": as_at})

    def plan(self, scope: Scope, as_at: datetime | None = None) -> pd.DataFrame:
        """Trajectory points (baseline, milestones, final) of the measures in `scope`."""
        return self.query(PLAN, asdict(scope))

    def search(self, text: str, limit: int = 50) -> pd.DataFrame:
        """Councils, objectives, measures and organisations whose name (or id) contains every
        word of `text`, case-insensitive: columns kind, id, name, context."""
        words = [w for w in text.lower().split() if w][:8]
        if not words:
            return pd.DataFrame(columns=["kind", "id", "name", "context"])
        return self.query(SEARCH, {"text": text.strip(), "words": words, "limit": int(limit)})

    # --- connection ------------------------------------------------------------------------

    def query(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        """Run one read-only statement with bound parameters on a cursor of its own.

        `params` is a list for `?` placeholders or a dict for `$name` ones; a dict may hold
        more names than the statement uses (only those it names are bound)."""
        if isinstance(params, dict):
            params = {name: params.get(name) for name in _parameter_names(sql)}
        started = time.perf_counter()
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
            log.debug("query %s: %.1f ms", _first_line(sql), 1000 * (time.perf_counter() - started))

    def close(self) -> None:
        """Close the connection once queries in flight finish; the next query reopens."""
        with self._lock:
            if self._opened is not None:
                self._retire(self._opened)
                self._opened = None

    def stamp(self) -> tuple:
        """The published file's identity now (device, inode, size, mtime): changes on every publish."""
        return self._stamp()

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


_PARAMETER = re.compile(r"\$([a-z_]+)")


def _parameter_names(sql: str) -> list[str]:
    return list(dict.fromkeys(_PARAMETER.findall(sql)))


def _first_line(sql: str) -> str:
    return next((line.strip() for line in sql.splitlines() if line.strip()), "")[:60]
