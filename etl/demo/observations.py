"""The rows each organisation sends, load by load: every figure goes into the load of the month
before it falls due; provisional figures and the revised quarter are sent twice."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np

from etl.demo.discharge import discharge_flow
from etl.demo.figures import groups, totals
from etl.demo.flow import housing_support_flow
from etl.demo.series import bounded, measure_periods, rng_for
from etl.demo.stories import (
    DEMO_END,
    ESTIMATED,
    FINAL_NOTE,
    HISTORY_LABEL,
    HISTORY_TO,
    NOTES,
    PROVISIONAL_MEASURES,
    REVISED_MEASURE,
    REVISED_PERIOD,
    REVISION_DELTA,
    REVISION_LOAD,
    REVISION_NOTE,
    SHAPES,
)
from goal_councils import Definitions, Measure
from goal_councils.periods import Period, period_from_start, shift_period


class Obs(NamedTuple):
    """One row of a submission."""

    measure: str
    period: Period
    group: tuple[tuple[str, str], ...]  # () for the total
    value: float | None  # None: suppressed
    status: str
    note: str
    order: tuple[int, date, int]  # measure position, period, group position


def _load_month(m: Measure, p: Period) -> date:
    """The reporting month whose load carries a period: the month before it falls due."""
    due = p.end + timedelta(days=m.due_days)
    month = shift_period("monthly", date(due.year, due.month, 1), -1)
    return max(month, date(p.end.year, p.end.month, 1))


def _label(month: date) -> str:
    return HISTORY_LABEL if month <= HISTORY_TO else period_from_start("monthly", month)


def _provisional(m: Measure, value: float | None, rng: np.random.Generator) -> float | None:
    """A first estimate that the final figure later replaces."""
    if value is None:
        return None
    if m.unit == "count":
        return float(max(0, round(value * (1 - rng.uniform(0.005, 0.03)))))
    if m.unit == "percent":
        return float(bounded(m, np.array([value + rng.normal(0, 0.3)]))[0])
    return float(bounded(m, np.array([value * (1 + rng.normal(0, 0.02))]))[0])


def _lowered(m: Measure, value: float | None) -> float | None:
    """The revised quarter as first published: REVISION_DELTA too low."""
    if value is None:
        return None
    return float(bounded(m, np.array([value - REVISION_DELTA]))[0])


def _reported(m: Measure, pos: int, p: Period, total: float, by_group, i: int) -> list[Obs]:
    """The total and every group of one measure and period, as finally reported."""
    status, note = "", NOTES.get((m.id, p.label), "")
    if (m.id, p.label) in ESTIMATED:
        status, note = "estimated", ESTIMATED[(m.id, p.label)]
    out = [Obs(m.id, p, (), total, status, note, (pos, p.start, 0))]
    for j, (dim, v, vals) in enumerate(by_group, start=1):
        hidden = bool(np.isnan(vals[i]))
        value = None if hidden else float(vals[i])
        out.append(Obs(m.id, p, ((dim, v),), value, "suppressed" if hidden else "", "", (pos, p.start, j)))
    return out


def observations(defs: Definitions, seed: int):
    """Every row each organisation sends, by (org, load label), and for each load the (due
    date, period end) of the periods that are new in it."""
    periods = {m.id: measure_periods(m, SHAPES.get(m.id)) for m in defs.measures.values()}
    flow = {**housing_support_flow(seed), **discharge_flow(seed)}
    all_totals = totals(defs, periods, seed, flow)
    loads: dict[tuple[str, str], list[Obs]] = defaultdict(list)
    dues: dict[tuple[str, str], list[tuple[date, date]]] = defaultdict(list)
    rng = rng_for(seed, "provisional")
    for pos, m in enumerate(defs.measures.values()):
        by_group = groups(m, periods[m.id], all_totals[m.id], seed, flow)
        provisional = m.id in PROVISIONAL_MEASURES and m.frequency == "monthly"
        for i, p in enumerate(periods[m.id]):
            month = _load_month(m, p)
            final = _reported(m, pos, p, float(all_totals[m.id][i]), by_group, i)
            first, resend_to = final, None
            if provisional and month >= HISTORY_TO:
                # sent as a first estimate, then re-sent final with the next month's load
                first = [o._replace(status=o.status or "provisional") for o in final]
                first[0] = first[0]._replace(value=_provisional(m, first[0].value, rng))
                if month < DEMO_END:
                    resend_to = period_from_start("monthly", shift_period("monthly", month, 1))
                    final[0] = final[0]._replace(note=final[0].note or FINAL_NOTE)
            if m.id == REVISED_MEASURE and p.label == REVISED_PERIOD:
                # first published too low; the revision load brings the true figures
                first = [o._replace(value=_lowered(m, o.value)) for o in final]
                resend_to = REVISION_LOAD
                final[0] = final[0]._replace(note=REVISION_NOTE)
            key = (m.owner, _label(month))
            loads[key].extend(first)
            dues[key].append((p.end + timedelta(days=m.due_days), p.end))
            if resend_to is not None:
                loads[(m.owner, resend_to)].extend(final)
    return loads, dues
