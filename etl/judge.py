"""Judge: the publish step that turns published figures into stored judgements.

Runs inside a load's transaction, before the atomic swap (and on its own with `outcomes judge`).
Pages, callbacks and the command line only read what it stores; nothing fits a model in a request.

    judge(con, as_at=..., changed=...)   one judgement run as at `as_at`:
      - measures whose inputs changed (new figures, new definitions, never judged) are assessed
        in full by `goal_councils.assess` (status, XmR signals, divergent groups, forecast);
      - every other measure keeps its newest assessment (and the exceptions it raised), with its
        timeliness made anew, because lateness moves with the calendar even when no figure arrives;
      - every measure gets its timeliness and its exception rows in this run.

Tables (etl/sql/schema.sql): judgement_runs, assessments (written for judged measures only;
readers take each measure's newest at or before a run), timeliness and exceptions (every measure,
every run). A reader "as at T" takes the newest run whose `as_at` is on or before T. The end-to-end
services' flow is judged in the same run (etl/services.py: service_flow, service_handoff_flow,
service_periods, and exceptions of their own rules).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

from goal_councils.assess import (
    TIMELINESS_RULES,
    Timeliness,
    datetimes_of,
    exception_rows,
    no_figure_months,
    timeliness,
    timeliness_rows,
)
from goal_councils.codec import to_json

from .assess_workers import assess_shared, assessment_workers
from .services import judge_services
from .warehouse import sql_text

__all__ = ["JudgeResult", "judge", "judged_measures"]

SCOPE_OF = """
scope AS (SELECT id FROM measures WHERE id IN (SELECT unnest($ids::VARCHAR[])))
"""
VALUES = f"""
WITH {SCOPE_OF}, {sql_text("values_as_at.sql")}
SELECT measure_id, period, period_start, dimension, grp, value FROM values_as_at
"""
# when each period first arrived; `total_start`: the period's start when it has a total figure
# (the first of those is where a measure's timeliness begins, as in goal_councils.assess)
FIRST_RECEIVED = """
SELECT o.measure_id, o.period, min(l.received_at) AS first_received,
       min(o.period_start) FILTER (WHERE o.dimension = '') AS total_start
FROM observations o JOIN loads l ON l.id = o.load_id
WHERE l.received_at <= $as_at AND o.period_start <= $as_at
GROUP BY o.measure_id, o.period
"""
# a carried measure's exceptions that do not move with the calendar, as its newest assessment raised
# them (in the run that made it): copied, not recomputed, so no assessment is read back
CARRY_EXCEPTIONS = """
INSERT INTO exceptions (run_id, severity, rule, rule_label, measure_id, period, reason, size)
SELECT $run, e.severity, e.rule, e.rule_label, e.measure_id, e.period, e.reason, e.size
FROM exceptions e
JOIN (SELECT measure_id, max(run_id) AS run_id FROM assessments
      WHERE measure_id IN (SELECT unnest($ids::VARCHAR[])) GROUP BY measure_id) newest
  ON newest.measure_id = e.measure_id AND newest.run_id = e.run_id
WHERE NOT list_contains($calendar_rules::VARCHAR[], e.rule)
"""


@dataclass(frozen=True)
class JudgeResult:
    run_id: int
    judged: int  # assessed in full
    carried: int  # newest assessment kept, timeliness made anew
    seconds: float


def _values(con: duckdb.DuckDBPyConnection, params: dict) -> pd.DataFrame:
    """The measures' values as at a moment, as `.df()` gives them, by way of Arrow: text columns
    arrive as Arrow strings without a Python object each (3.6 million rows: about 5 s against 9 s)."""
    frame = con.sql(VALUES, params=params).to_arrow_table().to_pandas(date_as_object=False)
    frame["period_start"] = frame["period_start"].astype("datetime64[us]")
    return frame


def judged_measures(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Measures that have a stored assessment."""
    return {r[0] for r in con.execute("SELECT DISTINCT measure_id FROM assessments").fetchall()}


def judge(con: duckdb.DuckDBPyConnection, *, as_at: datetime, changed: Iterable[str] | None = None,
          made_at: datetime | None = None, workers: int | None = None) -> JudgeResult:
    """Store one judgement run as at `as_at`; `changed` None judges every measure in full.

    `workers`: processes that share the full assessments (1: this process alone); by default
    every usable core when the work outweighs starting them (etl.assess_workers)."""
    started = time.perf_counter()
    measures = con.execute("SELECT * FROM measures ORDER BY position, id").df()
    ids = list(measures["id"])
    stored = judged_measures(con)
    fresh = set(ids) if changed is None else ({*changed} & set(ids)) | (set(ids) - stored)
    run_id = con.execute("SELECT coalesce(max(id), 0) + 1 FROM judgement_runs").fetchone()[0]

    received = con.execute(FIRST_RECEIVED, {"as_at": as_at}).df()
    judged = measures[measures["id"].isin(fresh)]
    made = assess_shared(  # each with its JSON, written where it was made
        judged,
        _values(con, {"ids": sorted(fresh), "as_at": as_at, "dimension": None, "since": None, "breakdown": None}),
        con.execute("SELECT * FROM trajectories WHERE measure_id IN (SELECT unnest($ids::VARCHAR[]))",
                    {"ids": sorted(fresh)}).df(),
        received[received["measure_id"].isin(fresh)],
        as_at=as_at, workers=workers or assessment_workers(judged),
    )
    full = {m: x.assessment for m, x in made.items()}
    carried = _carried(measures[~measures["id"].isin(fresh)], received, as_at)
    timely = {**carried, **{m: a.timeliness for m, a in full.items()}}

    con.execute("INSERT INTO judgement_runs VALUES (?, ?, ?, ?, ?, ?)",
                [run_id, as_at, made_at or datetime.now().replace(microsecond=0), len(full), len(carried),
                 round(time.perf_counter() - started, 3)])
    _insert(con, "assessments", pd.DataFrame(
        [(run_id, m, a.status.status, a.status.rag, a.status.reason, a.status.period, made[m].detail)
         for m, a in full.items()],
        columns=["run_id", "measure_id", "status", "rag", "reason", "period", "detail"]))
    con.execute(sql_text("assessment_parts.sql"))
    owner = dict(zip(measures["id"], measures["owner_id"], strict=True))
    _insert(con, "timeliness", pd.DataFrame(
        [(run_id, m, owner[m], len(t.due), t.on_time, t.late, t.missing, t.stale, t.latest_period, to_json(t))
         for m, t in timely.items()],
        columns=["run_id", "measure_id", "owner_id", "due", "on_time", "late", "missing", "stale",
                 "latest_period", "detail"]))
    con.execute(CARRY_EXCEPTIONS, {"run": run_id, "ids": sorted(carried), "calendar_rules": list(TIMELINESS_RULES)})
    frequency = dict(zip(measures["id"], measures["frequency"], strict=True))
    _insert(con, "exceptions", pd.DataFrame(
        [{"run_id": run_id, **row} for a in full.values() for row in exception_rows(a)]
        + [{"run_id": run_id, **row} for m, t in carried.items() for row in timeliness_rows(m, frequency[m], t)],
        columns=["run_id", "severity", "rule", "rule_label", "measure_id", "period", "reason", "size"]))
    judge_services(con, run_id, as_at)  # flow of the end-to-end services, and their exceptions
    seconds = round(time.perf_counter() - started, 3)
    con.execute("UPDATE judgement_runs SET seconds = ? WHERE id = ?", [seconds, run_id])
    return JudgeResult(run_id, len(full), len(carried), seconds)


def _carried(measures: pd.DataFrame, received: pd.DataFrame, as_at: datetime) -> dict[str, Timeliness]:
    """The timeliness, made anew as at `as_at`, of each measure that keeps its newest assessment.

    It starts where the measure's total series starts, and skips the months the measure has no figure
    in (as `assess_measure` has it), so a carried measure is timed exactly as a measure assessed in full."""
    if not len(measures):
        return {}
    firsts: dict[str, dict] = {}
    for measure_id, period, first in zip(received["measure_id"].tolist(), received["period"].tolist(),
                                         datetimes_of(received["first_received"]), strict=True):
        firsts.setdefault(measure_id, {})[period] = first
    starts = received.dropna(subset=["total_start"]).groupby("measure_id")["total_start"].min()
    since: dict[str, date] = {m: d.date() for m, d in starts.items()}
    return {m["id"]: timeliness(m["frequency"], int(m.get("due_days") or 0), firsts.get(m["id"], {}), as_at,
                                since=since.get(m["id"]), no_figure_in=no_figure_months(m.get("no_figure_in")))
            for m in measures.to_dict("records")}


def _insert(con, table: str, frame: pd.DataFrame) -> None:
    if not len(frame):
        return
    con.register("_judged", frame)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _judged")  # table names are this module's own
    finally:
        con.unregister("_judged")
