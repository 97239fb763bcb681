"""End-to-end services at publish: their definitions copied into the warehouse, and their flow judged.

    sync_services(con, defs)            the `services:` definitions into the service tables
    judge_services(con, run_id, as_at)  per service, stage and period: the figures, backlog change,
                                        hand-offs and losses, Little's-law check, failure-demand share;
                                        per period the pinch point and end-to-end time; and the
                                        exceptions "growing backlog" and "falling right first time"

Every run stores each service twice (`audience`): from every stage ('all'), and from the stages whose
measures are all published ('public'), so that a viewer who may not see a stage is shown a flow
computed without it (nothing derived from an internal figure). The rules are in goal_councils/flow.py.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import numpy as np
import pandas as pd

from goal_councils import Definitions
from goal_councils.flow import (
    Figures,
    backlog_change,
    end_to_end,
    failure_share,
    handoffs,
    little_check,
    losses,
    pinch_point,
)

from .schema import sql_text

__all__ = ["SERVICE_RULES", "sync_services", "judge_services"]

# exception rule -> (severity, label): goal_councils.assess ranks its own rules on the same scale
SERVICE_RULES = {"growing_backlog": (3, "Growing backlog"), "falling_right_first_time": (3, "Falling right first time")}
GROWING_PERIODS = 3  # a backlog that rose this many periods running ...
GROWING_SHARE = 0.10  # ... by more than this share of where it started
FALLING_PERIODS = 3  # right first time fell this many periods running ...
FALLING_POINTS = 2.0  # ... to this many points below its average over the year before
BEST_OF_PERIODS = 12  # a stage's capacity, where it has no measure: the most it completed in this many periods

TABLES = ("services", "service_objectives", "service_stages", "service_handoffs", "service_stage_measures")
VALUES = f"""
WITH scope AS (SELECT id FROM measures WHERE id IN (SELECT unnest($ids::VARCHAR[]))), {sql_text("values_as_at.sql")}
SELECT measure_id, period, period_start, value FROM values_as_at WHERE dimension = ''
"""


def sync_services(con: duckdb.DuckDBPyConnection, defs: Definitions) -> None:
    """Replace the service tables with the services of `defs` (inside the load's transaction)."""
    rows: dict[str, list[tuple]] = {t: [] for t in TABLES}
    for i, s in enumerate(defs.services.values()):
        rows["services"].append((s.id, s.name, s.description, s.little_tolerance, s.end_to_end_median,
                                 s.end_to_end_p90, i))
        rows["service_objectives"] += [(s.id, o, j) for j, o in enumerate(s.objectives)]
        for j, stage in enumerate(s.stages):
            named = stage.measures.named()
            public = all(defs.measures[m].published for m in named.values())
            rows["service_stages"].append((s.id, stage.id, stage.name, stage.org, stage.description, j, public))
            rows["service_handoffs"] += [(s.id, stage.id, t) for t in stage.next]
            rows["service_stage_measures"] += [(s.id, stage.id, f, m) for f, m in named.items()]
    for table in TABLES:
        con.execute(f"DELETE FROM {table}")  # table names are this module's own constants
        if rows[table]:
            con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[table][0]))})", rows[table])


def judge_services(con: duckdb.DuckDBPyConnection, run_id: int, as_at: datetime) -> int:
    """Store run `run_id`'s flow judgements of every service as at `as_at`; returns how many services."""
    services = con.execute("SELECT * FROM services ORDER BY position").df()
    if not len(services):
        return 0
    stages = con.execute("SELECT * FROM service_stages ORDER BY service_id, position").df()
    links = con.execute("SELECT * FROM service_handoffs").df()
    named = con.execute("SELECT sm.*, m.unit, m.published, m.name AS measure_name FROM service_stage_measures sm "
                        "JOIN measures m ON m.id = sm.measure_id").df()
    ends = [m for m in pd.concat([services.end_to_end_median, services.end_to_end_p90]).dropna()]
    published = dict(con.execute("SELECT id, published FROM measures").fetchall())
    ids = sorted(set(named.measure_id) | set(ends))
    values = con.execute(VALUES, {"ids": ids, "as_at": as_at, "dimension": "", "since": None,
                                  "breakdown": None}).df()
    series = {m: dict(zip(g.period, g.value, strict=True)) for m, g in values.groupby("measure_id")}
    starts = dict(zip(values.period, values.period_start, strict=False))
    flow_rows, handoff_rows, period_rows, exceptions = [], [], [], []
    for s in services.to_dict("records"):
        mine = stages[stages.service_id == s["id"]]
        for audience in ("all", "public"):
            shown = mine if audience == "all" else mine[mine.public]
            order = list(shown.stage_id)
            next_of = {st: [t for t in links[(links.service_id == s["id"]) & (links.from_stage == st)].to_stage
                            if t in order] for st in order}
            figures_of = {(st, f): m for st, f, m in named[named.service_id == s["id"]][
                ["stage_id", "figure", "measure_id"]].itertuples(index=False)}
            units = dict(zip(named.measure_id, named.unit, strict=False))
            periods = sorted({p for (st, _), m in figures_of.items() if st in order for p in series.get(m, {})},
                             key=lambda p: starts[p])
            ends_shown = {k: s[k] if s[k] and (audience == "all" or published.get(s[k])) else None
                          for k in ("end_to_end_median", "end_to_end_p90")}
            best: dict[str, list[float]] = {st: [] for st in order}
            for p in periods:
                figs = {st: _figures(st, p, figures_of, series, units) for st in order}
                flows = handoffs(next_of, figs)
                lost = losses(next_of, figs, flows)
                pinch = pinch_point(figs)
                # the stage times added up are an end-to-end time only over every stage: where one is hidden
                # from this audience, that sum would pass for a whole journey it is not
                median, p90 = end_to_end(order, next_of, figs, flows) if len(shown) == len(mine) else (None, None)
                for st in order:
                    f = figs[st]
                    if f.completions is not None:
                        best[st] = [*best[st], f.completions][-BEST_OF_PERIODS:]
                    check = little_check(f.backlog, f.arrivals if f.arrivals is not None else f.completions,
                                         f.time_median, s["little_tolerance"])
                    flow_rows.append((run_id, audience, s["id"], st, p, starts[p], f.arrivals, f.completions,
                                      f.backlog, backlog_change(f.arrivals, f.completions), f.time_median, f.time_p90,
                                      f.failure_demand, failure_share(f), f.right_first_time, f.capacity,
                                      max(best[st]) if best[st] else None, lost.get(st),
                                      check.expected if check else None, check.ratio if check else None,
                                      check.agrees if check else None))
                handoff_rows += [(run_id, audience, s["id"], p, h.source, h.target, h.volume) for h in flows]
                period_rows.append((run_id, audience, s["id"], p, starts[p], pinch.stage if pinch else None,
                                    pinch.reason if pinch else None, pinch.size if pinch else None, median, p90,
                                    *(series.get(ends_shown[k], {}).get(p) for k in ("end_to_end_median",
                                                                                     "end_to_end_p90"))))
            if audience == "all":
                exceptions += _exceptions(run_id, order, figures_of, series, starts)
    _insert(con, "service_flow", flow_rows)
    _insert(con, "service_handoff_flow", handoff_rows)
    _insert(con, "service_periods", period_rows)
    # a carried measure's exceptions were copied from its last assessment's run: these are made anew
    con.execute("DELETE FROM exceptions WHERE run_id = ? AND list_contains(?, rule)", [run_id, list(SERVICE_RULES)])
    if exceptions:
        con.executemany("INSERT INTO exceptions (run_id, severity, rule, rule_label, measure_id, period, reason, size) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", sorted(set(exceptions)))
    return len(services)


def _figures(stage: str, period: str, figures_of: dict, series: dict, units: dict) -> Figures:
    def value(figure: str):
        m = figures_of.get((stage, figure))
        v = series.get(m, {}).get(period) if m else None
        return None if v is None or pd.isna(v) else float(v)

    fd = figures_of.get((stage, "failure_demand"))
    return Figures(value("arrivals"), value("completions"), value("backlog"), value("time_median"),
                   value("time_p90"), value("failure_demand"), value("right_first_time"), value("capacity"),
                   failure_is_percent=bool(fd) and units.get(fd) == "percent")


def _exceptions(run_id: int, order: list[str], figures_of: dict, series: dict, starts: dict) -> list[tuple]:
    """Growing backlogs and falling right-first-time, each on its measure at its newest period."""
    out = []
    for st in order:
        backlog = figures_of.get((st, "backlog"))
        points = _newest(series.get(backlog, {}), starts, GROWING_PERIODS + 1)
        if len(points) == GROWING_PERIODS + 1 and all(b > a for a, b in zip(points.values, points.values[1:],
                                                                           strict=False)):
            first, last = points.iloc[0], points.iloc[-1]
            if first > 0 and (last - first) / first > GROWING_SHARE:
                severity, label = SERVICE_RULES["growing_backlog"]
                out.append((run_id, severity, "growing_backlog", label, backlog, points.index[-1],
                            f"rose {GROWING_PERIODS} periods running, from {first:,.0f} to {last:,.0f} "
                            f"(+{100 * (last - first) / first:.0f}%)", round((last - first) / first, 4)))
        rft = figures_of.get((st, "right_first_time"))
        points = _newest(series.get(rft, {}), starts, FALLING_PERIODS + 1 + 12)
        recent, before = points.iloc[-(FALLING_PERIODS + 1):], points.iloc[:-(FALLING_PERIODS + 1)]
        if len(recent) == FALLING_PERIODS + 1 and len(before) >= 6 and all(
                b < a for a, b in zip(recent.values, recent.values[1:], strict=False)):
            usual = float(np.mean(before.values))
            if usual - recent.iloc[-1] >= FALLING_POINTS:
                severity, label = SERVICE_RULES["falling_right_first_time"]
                out.append((run_id, severity, "falling_right_first_time", label, rft, recent.index[-1],
                            f"fell {FALLING_PERIODS} periods running, to {recent.iloc[-1]:.1f}% "
                            f"({usual - recent.iloc[-1]:.1f} points below its average of {usual:.1f}% the year before)",
                            round((usual - recent.iloc[-1]) / usual, 4)))
    return out


def _newest(values: dict, starts: dict, n: int) -> pd.Series:
    """The newest `n` values of a series (by period start), oldest first, gaps dropped."""
    found = pd.Series({p: v for p, v in values.items() if v is not None and not pd.isna(v)}, dtype=float)
    return found.loc[sorted(found.index, key=lambda p: starts[p])][-n:] if len(found) else found


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Rows in the table's column order, in one statement."""
    if not rows:
        return
    columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]  # table names are this module's own
    con.register("_service_rows", pd.DataFrame(rows, columns=columns))
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _service_rows")
    finally:
        con.unregister("_service_rows")
