"""The only way into the published warehouse: short read-only queries returning DataFrames.

`Warehouse(path)` opens the published DuckDB file lazily, read-only, once per process, and
reopens it when the ETL has published a new file onto the same path (by `os.replace`): every
query stats the path and compares (device, inode, size, mtime). Queries run on a cursor of
their own, so threads (one per request) share the connection safely.

A damaged file is never served in place of a good one. A newly published file that cannot be
opened or read (truncated, corrupted) is logged and remembered as bad, and queries keep being
answered from the version opened before it, or, in a process that had none, from the newest
readable version kept beside it (`versions/N/`, see etl/warehouse.py), until a good file is
published or `outcomes rollback` puts one back. A connection that DuckDB has "invalidated" after
an I/O error is dropped and the query tried once more on a fresh one. `one_version()` holds one
opened version for a block (a request): every query in it reads the same publish, and a query asked
again in the block with the same parameters (a page title re-reading what the page read) is answered
from the block's own copy instead of DuckDB.

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

import functools
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from etl.home import kept_versions_of
from etl.schema import without_comments
from etl.warehouse import kept_fragment, sql_text
from goal_councils.categories import categories_of

from .access import viewer_params

__all__ = ["Warehouse", "WarehouseError", "WarehouseMissing", "Scope"]

CATALOG = "warehouse"
RUNS_REMEMBERED = 256  # judgement runs looked up, per published file and as-at moment
ANSWERS_KEPT = 1_024  # answers about definitions remembered (`Warehouse._kept`), of one published file
BAD_REMEMBERED = 64  # published files found damaged, per process

# the opened version each Warehouse holds inside `one_version()` blocks, by id(warehouse)
_PINNED: ContextVar[dict[int, object] | None] = ContextVar("pinned_versions", default=None)
# inside `one_version()` blocks: each answer already given, by (warehouse, version, statement, parameters)
_ANSWERS: ContextVar[dict[tuple, pd.DataFrame] | None] = ContextVar("answers", default=None)

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


def _text(name: str) -> str:
    """An SQL file of this package without its whole-line comments (they may name parameters)."""
    return without_comments(resources.files("published").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8"))


def _sql(name: str) -> str:
    """The statement in published/sql/<name>.sql with the shared fragments put in."""
    fragments = {"{scope}": _text("scope"), "{orgs}": _text("orgs"), "{values_as_at}": _VALUES_AS_AT}
    text = _text(name)
    for mark, fragment in fragments.items():
        text = text.replace(mark, fragment)
    return text


_VALUES_AS_AT = without_comments(sql_text("values_as_at.sql"))

# Every statement lives in published/sql/<name>.sql; `{scope}`, `{orgs}` and `{values_as_at}` in
# them are the shared fragments (values as at a moment: etl/sql/values_as_at.sql, the one
# definition that the load and the publish step's judge use too).
JUDGED_SCHEMA = 3  # the first schema_version whose judgement tables this reader reads

VALUES, AS_OF, MONTHS = _sql("values"), _sql("as_of"), _sql("months")


def _as_at_or_now(sql: str, cte: str, table: str) -> tuple[str, str]:
    """`sql` with `{cte}` made into the CTE `cte`: worked out as at $as_at by the fragment etl/sql/<table>.sql,
    and, second, read from the table the publish step kept of it for now (etl/warehouse.py `keep_newest`)."""
    fragment = kept_fragment(table)
    mark = "{" + cte + "}"
    if mark not in sql:
        raise RuntimeError(f"a statement has no {mark} to put {table} in")
    return (sql.replace(mark, f"{fragment},\n{cte} AS (SELECT * FROM {table}_as_at)"),
            sql.replace(mark, f"{cte} AS (SELECT * FROM {table} WHERE measure_id IN (SELECT id FROM scope))"))


# the goal map with its headlines' two newest totals; as at a moment, or as kept at publish for now
GOAL_MAP, GOAL_MAP_NOW = _as_at_or_now(_sql("goal_map"), "headline_values", "newest_totals")
# each with every headline's status stored by run $run, in the same statement
GOAL_MAP_STATUS, GOAL_MAP_NOW_STATUS = (sql.replace(")\nSELECT * FROM final ORDER BY", "),\n" + _sql("goal_map_status"))
                                        for sql in (GOAL_MAP, GOAL_MAP_NOW))
if GOAL_MAP_STATUS == GOAL_MAP:  # goal_map.sql no longer ends as goal_map_status.sql expects
    raise RuntimeError("published/sql/goal_map.sql: its final SELECT changed; update goal_map_status.sql")
COUNCILS, COUNCIL_MEMBERS, ORGANISATIONS = _sql("councils"), _sql("council_members"), _sql("organisations")
OBJECTIVES, PARTNERS, MEASURES = _sql("objectives"), _sql("partners"), _sql("measures")
BREAKDOWNS, PLAN, SEARCH = _sql("breakdowns"), _sql("plan"), _sql("search")
# when each measure's newest figure arrived: as at a moment, or as kept at publish for now
LAST_RECEIVED, LAST_RECEIVED_NOW = _as_at_or_now(_sql("last_received"), "received", "newest_received")
# each measure's totals from a year before its newest: as at a moment, or as kept at publish for now
LATEST_YEAR, LATEST_YEAR_NOW = _as_at_or_now(_sql("latest_year"), "latest_year", "newest_year")
# judgements stored at publish (etl/judge.py)
JUDGEMENT_RUN, FIRST_JUDGEMENT = _sql("judgement_run"), _sql("first_judgement")
EXCEPTIONS, HEALTH, ASSESSMENTS = _sql("exceptions"), _sql("health"), _sql("assessments")
EXCEPTION_GROUPS = _sql("exception_groups")
TIMELINESS, STATUSES = _sql("timeliness"), _sql("statuses")
CHOICES = _sql("choices")
JUDGED, JUDGED_NOW = _as_at_or_now(_sql("judged"), "received", "newest_received")
# statuses.sql and judged.sql as a file judged before assessments kept their status and groups apart can answer
# them (Warehouse._parts): taken out of the detail of each newest assessment, as they were before
PARTS_FROM_DETAIL = (
    ("reason, status_json\nFROM assessments",
     "reason, CAST(json_extract(detail, '$.status') AS VARCHAR) AS status_json\nFROM assessments"),
    ("detail, status_json, groups_json FROM assessments", "detail FROM assessments"),
    ("n.status_json, n.groups_json,", "CAST(json_extract(n.detail, '$.status') AS VARCHAR) AS status_json, "
                                      "CAST(json_extract(n.detail, '$.groups') AS VARCHAR) AS groups_json,"),
)
SERVICES = _sql("services")


@dataclass
class _Opened:
    """One opened copy of the published file, and how many queries are using it."""

    connection: duckdb.DuckDBPyConnection
    stamp: tuple
    users: int = 0
    retired: bool = False
    stands_for: tuple | None = None  # the stamp of a damaged published file this one answers in place of


class Warehouse:
    """Read-only access to the published warehouse at `path`; safe to share between threads."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._opened: _Opened | None = None
        self._lock = threading.Lock()
        self._remembered: dict[tuple, dict | None] = {}  # per published file: judgement runs by as_at, columns it has
        self._bad: dict[tuple, str] = {}  # stamps of files found damaged, and what was wrong
        self._kept_stamp: tuple | None = None  # the published file whose answers `_kept_answers` holds
        self._kept_answers: OrderedDict[tuple, pd.DataFrame] = OrderedDict()

    def __repr__(self) -> str:
        return f"Warehouse({str(self.path)!r})"

    # --- queries ---------------------------------------------------------------------------

    def goal_map(self, as_at: datetime | None = None, run: int | None = None) -> pd.DataFrame:
        """One row per objective: council, objective, lead organisation, headline measure with
        its latest total value, the value before it, its target and its categories (a dict, or
        None for a number). `run`: also the headline's status, rag and reason as the judgement
        run stored them (the columns of `statuses`, NULL where it stored none)."""
        now, sql, params = GOAL_MAP_NOW, GOAL_MAP, {**asdict(Scope(role="headline")), "as_at": as_at}
        if run is not None:
            now, sql, params = GOAL_MAP_NOW_STATUS, GOAL_MAP_STATUS, {**params, "run": run}
        return _with_categories(self._now_or_as_at("newest_totals", now, sql, as_at, params, fit=self._fit))

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

    def latest_year(self, scope: Scope, as_at: datetime | None = None) -> pd.DataFrame:
        """The totals of the measures in `scope` from a year before each one's newest figure: what a
        table of latest values and changes needs (the columns of `values`)."""
        return self._now_or_as_at("newest_year", LATEST_YEAR_NOW, LATEST_YEAR, as_at,
                                  {**asdict(scope), "as_at": as_at, "dimension": "", "breakdown": None, "since": None})

    def as_of(self, as_at: datetime | None = None) -> pd.DataFrame:
        """One row: newest `received_at` among loads, number of loads, and the newest period. It reads
        every observation and changes only on publish, so it is remembered per published file, as-at
        moment and viewer."""
        return self._kept(AS_OF, {**asdict(Scope()), "as_at": as_at})

    def _kept(self, sql: str, params: dict) -> pd.DataFrame:
        """The answer to a statement that can change only when a new file is published (definitions, or
        facts of the whole file): asked of DuckDB once per published file, viewer and parameters, then
        remembered (the ANSWERS_KEPT last asked, of the version being read)."""
        named = {**viewer_params(), **params}
        key = (sql, _hashable({name: named.get(name) for name in _parameter_names(sql)}))
        with self.one_version():  # the stamp is that of the file which answers, even if one is published meanwhile
            stamp = self._read_stamp()
            with self._lock:
                if self._kept_stamp == stamp and key in self._kept_answers:
                    self._kept_answers.move_to_end(key)  # the least recently asked go first when it is full
                    return self._kept_answers[key].copy()
            found = self.query(sql, params)
            if self._read_stamp() != stamp:  # retried on another file (the first was invalidated): not filed
                return found.copy()
        with self._lock:
            if self._kept_stamp != stamp:
                self._kept_stamp, self._kept_answers = stamp, OrderedDict()
            self._kept_answers[key] = found
            while len(self._kept_answers) > ANSWERS_KEPT:
                self._kept_answers.popitem(last=False)
        return found.copy()

    def months(self) -> list[str]:
        """The months (`YYYY-MM`) in which loads arrived, newest first."""
        return list(self.query(MONTHS)["month"])

    # Definitions are copied whole into every load and not versioned, so `as_at` does not
    # change them; it is accepted so that callers can pass one `as_at` to every query. They change
    # only with a new published file, so their answers are remembered per file (`_kept`).
    def councils(self, as_at: datetime | None = None, council_id: str | None = None) -> pd.DataFrame:
        """Councils in order, with how many objectives and member organisations each has."""
        return self._kept(COUNCILS, {"council": council_id})

    def council_members(self, council_id: str, as_at: datetime | None = None) -> pd.DataFrame:
        """The member organisations of a council, with their colour index."""
        return self._kept(COUNCIL_MEMBERS, {"council": council_id})

    def organisations(self, as_at: datetime | None = None, org_id: str | None = None) -> pd.DataFrame:
        """Organisations in order, with how many objectives each leads or contributes to."""
        return self._kept(ORGANISATIONS, {**asdict(Scope()), "org": org_id})

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
        return self._kept(OBJECTIVES, {"objective": objective_id, "council": council_id, "partner": partner})

    def choices(self) -> pd.DataFrame:
        """Every council, organisation and objective, as a list is filtered by them: kind ('council',
        'organisation', 'objective'), id, name; each kind in the order `councils`, `organisations` and
        `objectives` give (one statement for the three)."""
        return self._kept(CHOICES, {})

    def partners(self, objective_id: str, as_at: datetime | None = None) -> pd.DataFrame:
        """The lead, then the contributors of an objective, with their written responsibility."""
        return self._kept(PARTNERS, {"objective": objective_id})

    def measures(self, scope: Scope, as_at: datetime | None = None) -> pd.DataFrame:
        """Definitions of the measures in `scope`, with owner, objective and council names,
        the owner's colour index, the declared breakdown names (comma-separated) and the
        categories of a categorical measure (a dict {code: label}; None for a number)."""
        return _with_categories(self._kept(self._fit(MEASURES), asdict(scope)))

    def breakdowns(self, measure_id: str, as_at: datetime | None = None) -> pd.DataFrame:
        """The breakdowns a measure declares, one row per (breakdown, group)."""
        return self._kept(BREAKDOWNS, {"measure": measure_id})

    def judgement_run(self, as_at: datetime | None = None) -> dict | None:
        """The judgement run that stood at `as_at` (None: the newest): id, as_at, made_at. None also
        for a warehouse published before judgements were stored (the next load or `outcomes judge`
        brings it up to date). Remembered per published file, so a page's readers look it up once."""
        def ask() -> dict | None:
            if not self.has_judgements():
                return None
            rows = self.query(JUDGEMENT_RUN, {"as_at": as_at}).to_dict("records")
            return rows[0] if rows else None

        found = self._fact(("judgement_run", as_at), ask)
        return None if found is None else dict(found)

    def _fact(self, name: tuple, ask):
        """`ask()`, remembered per published file under `name`: the file the block reads (pinned inside
        `one_version()`), asked of that same file, so a publish or rollback meanwhile files nothing under
        another file's stamp."""
        with self.one_version():
            key = (self._read_stamp(), *name)
            with self._lock:
                if key in self._remembered:
                    return self._remembered[key]
            found = ask()
            if self._read_stamp() != key[0]:  # retried on another file (the first was invalidated): not filed
                return found
        with self._lock:
            if len(self._remembered) >= RUNS_REMEMBERED:
                self._remembered.clear()
            self._remembered[key] = found
        return found

    def _has(self, name: str, sql: str, params: list) -> bool:
        """Does this published file have what `sql` counts (`n`)? Asked once per published file."""
        return self._fact(("has", name), lambda: bool(self.query(sql, params).n.iloc[0]))

    def _has_column(self, table: str, column: str) -> bool:
        return self._has(f"{table}.{column}", "SELECT count(*) AS n FROM information_schema.columns WHERE "
                         "table_catalog = ? AND table_name = ? AND column_name = ?", [CATALOG, table, column])

    def _fit(self, sql: str) -> str:
        """`sql` as this published file can answer it: a warehouse published before a measure could
        be categorical, or name months with no figure, has no `categories` or `no_figure_in` column, so it
        reads as NULL there (the next publish adds it)."""
        for column in ("categories", "no_figure_in"):
            if not self._has_column("measures", column):
                sql = sql.replace(f"m.{column}", f"NULL::VARCHAR AS {column}")
        return sql

    def _parts(self, sql: str) -> str:
        """`sql` as this published file can answer it: a warehouse judged before assessments kept their status
        and groups apart reads them out of each assessment's detail (the next publish keeps them)."""
        if self._has_column("assessments", "status_json"):
            return sql
        for kept, worked_out in PARTS_FROM_DETAIL:
            sql = sql.replace(kept, worked_out)
        return sql

    def _keeps(self, table: str) -> bool:
        """Did the publish step of this file keep `table` (of etl.warehouse.KEPT_AT_PUBLISH) as its data stands?
        A file published before it did, or written other than by a publish, has it worked out per request."""
        return self._has(f"kept {table}", "SELECT count(*) AS n FROM meta WHERE key = ? AND value = 'kept'", [table])

    def _now_or_as_at(self, table: str, now: str, as_at_sql: str, as_at: datetime | None, params: dict,
                      fit=lambda sql: sql):
        """`now` when asked for now of a file whose publish kept `table`, else `as_at_sql`, each as `fit` makes
        it fit the file; the choice and the answer are of one file, and a retry on another file (published or
        found damaged meanwhile) sends `as_at_sql` as it fits that one."""
        with self.one_version():
            again = functools.partial(fit, as_at_sql)
            if as_at is None and self._keeps(table):
                return self.query(fit(now), params, retry=again)
            return self.query(fit(as_at_sql), params, retry=again)

    def has_judgements(self) -> bool:
        """Was the file published with judgements in the layout this reader reads?"""
        found = self.query("SELECT value FROM meta WHERE key = 'schema_version'")
        return bool(len(found)) and found.value.iloc[0].isdigit() and int(found.value.iloc[0]) >= JUDGED_SCHEMA

    def first_judgement(self) -> datetime | None:
        if not self.has_judgements():
            return None
        found = self.query(FIRST_JUDGEMENT).as_at.iloc[0]
        return None if pd.isna(found) else pd.Timestamp(found).to_pydatetime()

    def exceptions(self, scope: Scope, run: int, objectives: list[str] | None = None) -> pd.DataFrame:
        """The run's exceptions in `scope`, most severe first, with names; `objectives`: only theirs."""
        return self.query(EXCEPTIONS, {**asdict(scope), "run": run, "objectives": objectives})

    def exception_groups(self, scope: Scope, run: int) -> pd.DataFrame:
        """The run's exceptions in `scope` by objective (objective_id, exceptions, worst), in the list's order:
        the most severe first, then as their first exceptions stand in `exceptions`."""
        return self.query(EXCEPTION_GROUPS, {**asdict(scope), "run": run})

    def health(self, scope: Scope, run: int) -> pd.DataFrame:
        """Per organisation, in the run: submissions due, on time, late, missing; stale measures."""
        return self.query(HEALTH, {**asdict(scope), "run": run})

    def assessments(self, scope: Scope, run: int) -> pd.DataFrame:
        """Each measure's newest stored assessment at or before the run, and the run's timeliness (JSON)."""
        return self.query(ASSESSMENTS, {**asdict(scope), "run": run})

    def statuses(self, run: int, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Each measure's stored status in the run: measure_id, status, rag, reason, status_json."""
        with self.one_version():  # the statement fits the file that answers it, a retry's too
            return self.query(self._parts(STATUSES), {**asdict(scope), "run": run},
                              retry=functools.partial(self._parts, STATUSES))

    def timeliness(self, scope: Scope, run: int) -> pd.DataFrame:
        """Each measure's timeliness in the run: measure_id, detail (JSON)."""
        return self.query(TIMELINESS, {**asdict(scope), "run": run})

    def judged(self, scope: Scope, run: int, as_at: datetime | None = None, *, whole: bool = False) -> pd.DataFrame:
        """Each measure in `scope` with what run `run` stored about it, in one statement (what `assessments`
        (`whole`), `statuses`, `timeliness` and `last_received` read, and each assessment's groups):
        measure_id, assessed, assessment (JSON, NULL unless `whole`), status_json, groups_json, timeliness (JSON),
        last_received."""
        return self._now_or_as_at("newest_received", JUDGED_NOW, JUDGED, as_at,
                                  {**asdict(scope), "run": run, "as_at": as_at, "whole": whole}, fit=self._parts)

    def last_received(self, scope: Scope, as_at: datetime | None = None) -> pd.DataFrame:
        """When each measure's newest figure arrived, as at `as_at`: measure_id, last_received."""
        return self._now_or_as_at("newest_received", LAST_RECEIVED_NOW, LAST_RECEIVED, as_at,
                                  {**asdict(scope), "as_at": as_at})

    def plan(self, scope: Scope, as_at: datetime | None = None) -> pd.DataFrame:
        """Trajectory points (baseline, milestones, final) of the measures in `scope`."""
        return self._kept(PLAN, asdict(scope))

    def search(self, text: str, limit: int = 50) -> pd.DataFrame:
        """Councils, objectives, measures and organisations whose name, or the text shown with it,
        holds every word of `text` at the start of a word, case-insensitive; never matched by id
        (published/sql/search.sql says what is searched): columns kind, id, name, context."""
        if not text.strip():
            return pd.DataFrame(columns=["kind", "id", "name", "context"])
        return self.query(SEARCH, {"text": text.strip(), "limit": int(limit)})

    # --- connection ------------------------------------------------------------------------

    def query(self, sql: str, params: list | dict | None = None, *,
              retry: str | Callable[[], str] | None = None) -> pd.DataFrame:
        """Run one read-only statement with bound parameters on a cursor of its own.

        `params` is a list for `?` placeholders or a dict for `$name` ones; a dict may hold
        more names than the statement uses (only those it names are bound).
        A statement sent again on a fresh connection (the first found the file invalidated or damaged, so
        the second may read another version) is sent as `retry` if given (a callable: made once that version
        is known), and always with the measures it is about worked out again there (the scope fragment
        inline)."""
        if isinstance(params, dict):  # answered for the viewer of the moment (published/access.py)
            params = {**viewer_params(), **params}
            if _SCOPE in sql and sql != SCOPE_IDS:
                with self.one_version():  # the measures and the statement read from one file
                    ids = self._kept(SCOPE_IDS, params).id.tolist()
                    return self._execute(_with_scope_ids(sql), {**params, "scope_ids": ids},
                                         retry=(retry or sql, params))
        return self._execute(sql, params, retry=(retry or sql, params))

    def _execute(self, sql: str, params: list | dict | None, retry: tuple | None = None) -> pd.DataFrame:
        sql, params = _bound(sql, params)
        started = time.perf_counter()
        try:
            opened = self._acquire()
            try:
                return self._answer(opened, sql, params)
            except duckdb.Error as e:
                if not self._drop_damaged(opened, e):
                    raise WarehouseError(f"{self.path}: {e}") from e
            finally:
                self._release(opened)
            if retry is not None:  # made before the fresh connection is opened: what it asks, it asks of that one
                again, params = retry
                sql, params = _bound(again() if callable(again) else again, params)
            opened = self._acquire()  # once more: a fresh connection, or an earlier version of a damaged file
            try:
                return self._run(opened, sql, params)
            except duckdb.Error as e:
                raise WarehouseError(f"{self.path}: {e}") from e
            finally:
                self._release(opened)
        finally:
            log.debug("query %s: %.1f ms", _first_line(sql), 1000 * (time.perf_counter() - started))

    def _answer(self, opened: _Opened, sql: str, params: list | dict | None) -> pd.DataFrame:
        """The statement's answer; inside a `one_version()` block, asked of DuckDB once per block."""
        answers = _ANSWERS.get()
        if answers is None:
            return self._run(opened, sql, params)
        key = (id(self), opened.stamp, sql, _hashable(params))
        if key not in answers:
            answers[key] = self._run(opened, sql, params)
        return answers[key].copy()  # callers may change their frame

    @staticmethod
    def _run(opened: _Opened, sql: str, params: list | dict | None) -> pd.DataFrame:
        cursor = opened.connection.cursor()
        try:
            cursor.execute(f"USE {CATALOG}")
            return cursor.execute(sql, params or []).df()
        finally:
            cursor.close()

    def close(self) -> None:
        """Close the connection once queries in flight finish; the next query reopens."""
        with self._lock:
            if self._opened is not None:
                self._retire(self._opened)
                self._opened = None

    @contextmanager
    def one_version(self) -> Iterator[None]:
        """Answer every query inside the block (a request) from one published version, even if a
        new one is published meanwhile; the next block reads the new one. Blocks may nest."""
        pins = _PINNED.get()
        if pins is not None and id(self) in pins:
            yield
            return
        token = _PINNED.set({**(pins or {}), id(self): None})
        answered = _ANSWERS.set({}) if _ANSWERS.get() is None else None
        try:
            yield
        finally:
            held = _PINNED.get().get(id(self))
            if answered is not None:
                _ANSWERS.reset(answered)
            _PINNED.reset(token)
            if held is not None:
                self._release(held)

    def stamp(self) -> tuple:
        """The published file's identity now (device, inode, size, mtime): changes on every publish."""
        return self._stamp()

    @property
    def problem(self) -> str | None:
        """What is wrong with the published file, while an earlier version is answered in its place."""
        with self._lock:
            return self._bad.get(self._path_stamp())

    def _stamp(self) -> tuple:
        try:
            st = os.stat(self.path)
        except FileNotFoundError as e:
            raise WarehouseMissing(
                f"{self.path}: No data has been published yet. Load some with `outcomes demo` or `outcomes load`."
            ) from e
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def _read_stamp(self) -> tuple:
        """The identity of the version this block's queries read (the pinned one inside `one_version()`)."""
        opened = self._acquire()
        try:
            return opened.stamp
        finally:
            self._release(opened)

    def _path_stamp(self) -> tuple | None:
        try:
            return self._stamp()
        except WarehouseMissing:
            return None

    def _acquire(self) -> _Opened:
        pins = _PINNED.get()
        pinned = pins is not None and id(self) in pins
        if pinned and pins[id(self)] is not None:
            with self._lock:
                held = pins[id(self)]
                held.users += 1
                return held
        stamp = self._stamp()
        with self._lock:
            current = self._opened
            if current is None or stamp not in (current.stamp, current.stands_for):
                self._opened = self._open(stamp)
                if current is not None and current is not self._opened:
                    self._retire(current)
            opened = self._opened
            opened.users += 1 + pinned  # a pin holds it until its block ends
            if pinned:
                pins[id(self)] = opened
            return opened

    def _open(self, stamp: tuple) -> _Opened:
        """The file at the path, opened; if it is damaged, the version opened before it, or else the
        newest readable kept version. Caller holds the lock."""
        if stamp not in self._bad:
            try:
                return _Opened(self._connect(self.path), stamp)
            except WarehouseError as e:
                self._mark_bad(stamp, str(e))
        if self._opened is not None and self._opened.stamp not in self._bad:
            log.error("%s: still answering from the version opened before it", self.path)
            self._opened.stands_for = stamp
            return self._opened
        for kept in kept_versions_of(self.path):
            try:
                st = os.stat(kept)
                kept_stamp = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
                if kept_stamp in self._bad or kept_stamp == stamp:
                    continue
                opened = _Opened(self._connect(kept), kept_stamp, stands_for=stamp)
            except (OSError, WarehouseError) as e:
                log.error("%s: the kept version cannot be read either: %s", kept, e)
                continue
            log.error("%s: answering from the kept version %s instead", self.path, kept)
            return opened
        raise WarehouseError(f"{self.path}: the published warehouse is damaged ({self._bad[stamp]}) and no earlier "
                             "version can be read; put one back with `outcomes rollback`")

    def _mark_bad(self, stamp: tuple, what: str) -> None:
        log.error("%s: the published warehouse cannot be read: %s", self.path, what)
        if len(self._bad) >= BAD_REMEMBERED:
            self._bad.clear()
        self._bad[stamp] = what

    def _drop_damaged(self, opened: _Opened, e: duckdb.Error) -> bool:
        """After a query failed: drop a connection DuckDB invalidated, or a file found damaged, so the
        next query opens afresh (True); False for any other error (a mistake in the query)."""
        text = str(e)
        invalidated = isinstance(e, duckdb.FatalException) or "invalidated" in text
        damaged = isinstance(e, duckdb.IOException) or re.search(r"corrupt|checksum", text, re.IGNORECASE)
        if not (invalidated or damaged):
            return False
        with self._lock:
            if damaged and not invalidated:
                self._mark_bad(opened.stamp, text)  # the published file, or the kept version read in its place
            else:
                log.error("%s: the connection was invalidated (%s); reopening", self.path, text)
            if self._opened is opened:
                self._opened = None
                self._retire(opened)
            pins = _PINNED.get()
            if pins is not None and pins.get(id(self)) is opened:  # the request reads the reopened one
                pins[id(self)] = None
                opened.users -= 1
                if opened.retired and opened.users == 0:
                    opened.connection.close()
        return True

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

    @staticmethod
    def _connect(path: Path) -> duckdb.DuckDBPyConnection:
        connection = duckdb.connect(":memory:")
        try:
            connection.execute(f"ATTACH ? AS {CATALOG} (READ_ONLY)", [str(path)])
        except duckdb.Error as e:
            connection.close()
            raise WarehouseError(f"{path}: cannot open the published warehouse: {e}") from e
        return connection

    # --- added for the downloads and the API (published/documents.py) ----------------------

    def partnerships(
        self, *, council_id: str | None = None, objective_id: str | None = None, partner: str | None = None
    ) -> pd.DataFrame:
        """The partner organisations of objectives, lead first, with role and written responsibility:
        those of a council, of one objective, or of every objective `partner` takes part in (in one
        query, where `partners` answers for one objective)."""
        return self.query(_sql("partnerships"), {"council": council_id, "objective": objective_id, "partner": partner})

    # --- added for the monthly review (workflow/pack.py) ------------------------------------

    def scheduled_reviews(self, council_id: str | None = None) -> pd.DataFrame:
        """The review schedule, oldest month first: month (YYYY-MM), council_id, council_name and
        meeting_date; `council_id`: that council's reviews only. Empty when the definitions set no
        schedule, or the file was published before schedules were (the next publish adds it)."""
        found = self.query("SELECT count(*) AS n FROM information_schema.tables WHERE table_catalog = ? "
                           "AND table_name = 'review_schedule'", [CATALOG])
        if not found.n.iloc[0]:
            return pd.DataFrame(columns=["month", "council_id", "council_name", "meeting_date"])
        return self.query(_sql("reviews"), {"council": council_id})

    # --- added for end-to-end services (dashboard/pages/service.py) -------------------------

    def services(self, *, service_id: str | None = None, objective_id: str | None = None) -> pd.DataFrame:
        """End-to-end services in order (id, name, description, little_tolerance, the end-to-end measures
        the viewer may see, objectives comma-separated): one, those serving an objective, or all. Empty
        for a file published before services were (the next publish adds them)."""
        if not self._has_services():
            return pd.DataFrame(columns=["id", "name", "description", "little_tolerance", "end_to_end_median",
                                         "end_to_end_p90", "objectives"])
        return self._kept(SERVICES, {"service": service_id, "objective": objective_id})

    def service_view(self, service_id: str, run: int) -> dict[str, pd.DataFrame]:
        """What the service page shows of run `run`, as this viewer may see it: `stages`, `measures` (by
        stage and figure), `handoffs`, `flow` (per stage and period), `handoff_flow` and `periods` (pinch
        point, end-to-end time). A viewer who may not see every stage is shown the flow computed without
        the stages they may not see (etl/services.py)."""
        params = {"service": service_id, "run": run}
        audience = _text("service_audience")
        names = ("stages", "measures", "handoffs", "flow", "handoff_flow", "periods")
        files = ("service_stages", "service_stage_measures", "service_handoffs", "service_flow",
                 "service_handoff_flow", "service_periods")
        return {name: self.query(_sql(f).replace("{audience}", audience), params)
                for name, f in zip(names, files, strict=True)}

    def _has_services(self) -> bool:
        """Was the file published with services (asked once per published file)?"""
        return self._has("service_periods", "SELECT count(*) AS n FROM information_schema.tables WHERE "
                         "table_catalog = ? AND table_name = 'service_periods'", [CATALOG])

    # --- added for the goal map's next review (dashboard/pages/review_due.py) ---------------

    def review_due(self, council_id: str, run: int | None) -> pd.DataFrame:
        """Each measure of the council the viewer may see, with what is due from it: measure_id, measure_name,
        owner_id, owner_name, lead_id (its objective's), frequency, due_days, and as run `run` stored its
        timeliness, missing (figures due and not received) and latest_period (NULL without a run)."""
        return self.query(self._fit(_sql("review_due")), {**asdict(Scope(council=council_id)), "run": run})


def _with_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """The `categories` column (JSON text in the warehouse) as dicts, parsed once per query."""
    frame["categories"] = pd.Series([categories_of(v) for v in frame["categories"]], index=frame.index, dtype=object)
    return frame


_PARAMETER = re.compile(r"\$([a-z_]+)")


def _hashable(value):
    """Query parameters as a key: lists as tuples, dicts as sorted pairs."""
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    return value


# The measures a statement is about (published/sql/scope.sql: the scope asked for, and only what the viewer
# may see) follow from the definitions alone, so they are asked once per published file, viewer and
# parameters (`_kept`), and a statement is sent with them as a list: DuckDB plans the fragment's joins and
# subqueries at every statement (3-4 ms a statement at state scale, measured interleaved), a list in far less.
_SCOPE = _text("scope").strip()
SCOPE_IDS = f"WITH {_SCOPE}\nSELECT id FROM scope ORDER BY id"
_SCOPE_AS_IDS = "scope AS (SELECT unnest($scope_ids::VARCHAR[]) AS id)"


@functools.lru_cache(maxsize=256)
def _with_scope_ids(sql: str) -> str:
    return sql.replace(_SCOPE, _SCOPE_AS_IDS)


def _bound(sql: str, params: list | dict | None) -> tuple[str, list | dict | None]:
    """`sql` and, of a dict of `params`, only the names it uses."""
    if isinstance(params, dict):
        params = {name: params.get(name) for name in _parameter_names(sql)}
    return sql, params


def _parameter_names(sql: str) -> list[str]:
    return list(dict.fromkeys(_PARAMETER.findall(sql)))


def _first_line(sql: str) -> str:  # of a statement, for the log
    return next((line.strip() for line in sql.splitlines() if line.strip()), "")[:60]
