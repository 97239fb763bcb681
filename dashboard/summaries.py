"""What the pages say about measures and objectives, worked out from query frames: pure, no Dash.

For each measure: its status against plan as the judge stored it at publish (pages never judge:
`published.judgements.stored_statuses`), the latest
value with its flags, the change on the period before and on the same period a year earlier,
and how fresh its figures are (on time, late or missing: `goal_councils.assess.timeliness`,
due `due_days` after a period ends, late when the first figure for a period arrived after
that). For an objective: the roll-up (`goal_councils.status.roll_up`).

Inputs are the frames `published.reader` returns: measure definitions (one row each), totals
(measure_id, period, period_start, value, status, revised), plan points (measure_id,
period_start, value, kind) and receipts (measure_id, period, first_received, ...).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from goal_councils.assess import Timeliness, timeliness
from goal_councils.periods import MONTHS_PER_PERIOD, PeriodError, parse_period
from goal_councils.status import NOT_JUDGED, StatusResult, roll_up

from .formatting import flag_words, format_date, format_period, is_missing
from .series import Row, as_rows, records, records_by, rows_by

__all__ = [
    "WINDOW_DAYS",
    "Freshness",
    "Summary",
    "judged_at",
    "received_since",
    "plan_points",
    "NOT_JUDGED_STATUS",
    "summarise",
    "summaries",
    "objective_status",
    "submission_record",
    "submissions_by_month",
]

WINDOW_DAYS = 365  # submissions are judged over the last year
TIMELINESS_PERIODS = 12


@dataclass(frozen=True)
class Freshness:
    """The newest period that is due: `on_time`, `late`, `missing`, `not_due` (nothing due yet)."""

    state: str
    text: str
    period: str | None = None
    due: date | None = None
    received: datetime | None = None
    late_in_window: int = 0
    due_in_window: int = 0


@dataclass
class Summary:
    """One measure as a page shows it."""

    measure_id: str
    status: StatusResult
    latest_period: str | None = None
    latest_value: float | None = None
    latest_flags: list[str] = field(default_factory=list)
    previous_period: str | None = None
    previous_value: float | None = None
    change: float | None = None
    year_ago_period: str | None = None
    year_ago_value: float | None = None
    change_on_year: float | None = None
    last_received: datetime | None = None
    freshness: Freshness = Freshness("not_due", "Nothing is due yet")

    @property
    def rag(self) -> str:
        return self.status.rag


def judged_at(as_at: datetime | None, now: datetime | None = None) -> datetime:
    """The moment submissions are judged at: the end of the as-of month, never after now."""
    now = now or datetime.now()
    return now if as_at is None else min(as_at, now)


def received_since(moment: datetime) -> date:
    """The earliest period start whose receipt a year's freshness can depend on."""
    return (moment - timedelta(days=3 * WINDOW_DAYS)).date().replace(day=1)


def _number(x) -> float | None:
    return None if is_missing(x) else float(x)


def _point(period, value, frequency: str) -> tuple[date, float] | None:
    if is_missing(period) or is_missing(value):
        return None
    try:
        return parse_period(str(period), frequency).start, float(value)
    except PeriodError:
        return None


def plan_points(measure: Mapping, plan: pd.DataFrame | list[dict] | None) -> dict:
    """Baseline, milestones and final target of a measure as (period start, value) points.

    `plan`: trajectory rows (measure_id, period_start, value, kind) of this or more measures,
    as a frame or as records."""
    frequency = measure["frequency"]
    milestones = sorted(
        (_day(r["period_start"]), float(r["value"]))
        for r in records(plan)
        if r["measure_id"] == measure["id"] and r["kind"] == "milestone"
    )
    return {
        "baseline": _point(measure.get("baseline_period"), measure.get("baseline_value"), frequency),
        "milestones": milestones,
        "final": _point(measure.get("target_period"), measure.get("target_value"), frequency),
    }


def _day(x) -> date:
    if isinstance(x, datetime):
        return x.date()
    return x if isinstance(x, date) else pd.Timestamp(x).date()


# a measure the judge has not judged as at the date shown (judgements are made at publish)
NOT_JUDGED_STATUS = StatusResult(NOT_JUDGED, "Not judged as at this date: statuses are made when data is published")


def _timeliness(measure: Mapping, received: list[dict], at: datetime) -> Timeliness | None:
    """On time / late / missing for the periods due, from the receipts of one measure."""
    if not received:
        return None
    first = {r["period"]: r["first_received"] for r in received}
    since = _day(received[0]["first_period_start"])
    due_days = int(measure.get("due_days") or 0)
    return timeliness(measure["frequency"], due_days, first, at, periods=TIMELINESS_PERIODS, since=since)


def _freshness(measure: Mapping, t: Timeliness | None, at: datetime) -> Freshness:
    if t is None:
        return Freshness("not_due", "Nothing submitted yet")
    if not t.due:
        return Freshness("not_due", "No figure is due yet")
    window = [d for d in t.due if d[1] > (at - timedelta(days=WINDOW_DAYS)).date()]
    late = sum(1 for _, due, got in window if got is not None and got.date() > due)
    period, due, got = t.due[-1]
    name = format_period(period, measure["frequency"])
    counts = {"late_in_window": late, "due_in_window": len(window)}
    if got is None:
        return Freshness(
            "missing",
            f"No figure for {name} yet; it was due {format_date(due, short=True)}",
            period,
            due,
            None,
            **counts,
        )
    days = (got.date() - due).days
    arrived = f"{name} arrived {format_date(got, short=True)}"
    if days > 0:
        return Freshness(
            "late", f"{arrived}, {days} day{'s' if days != 1 else ''} after it was due", period, due, got, **counts
        )
    return Freshness("on_time", f"{arrived}, due {format_date(due, short=True)}", period, due, got, **counts)


def _shifted(frequency: str, period: str, n: int) -> str | None:
    try:
        return parse_period(period, frequency).shift(n).label
    except PeriodError:
        return None


def summarise(
    measure: Mapping,
    totals: pd.DataFrame | list[Row],
    status: StatusResult | None,
    received: pd.DataFrame | list[dict] | None,
    at: datetime,
) -> Summary:
    """A measure's status, latest value and changes, and freshness, as at `at`.

    `totals`: the measure's total series (any order), as a values frame or rows; `status`: its
    status as the judge stored it at publish (None: not judged then; the page does not judge);
    `received`: its receipts (None: freshness not wanted)."""
    frequency = measure["frequency"]
    rows = sorted(as_rows(totals), key=lambda r: r.start)
    summary = Summary(measure["id"], status or NOT_JUDGED_STATUS)
    by_period = {r.period: r for r in rows}
    with_values = [r for r in rows if r.value is not None]
    if with_values:
        latest = with_values[-1]
        summary.latest_period, summary.latest_value = latest.period, latest.value
        summary.latest_flags = flag_words(latest.status, latest.revised)
        for attribute, steps in (("previous", -1), ("year_ago", -(12 // MONTHS_PER_PERIOD[frequency]))):
            period = _shifted(frequency, latest.period, steps)
            row = by_period.get(period)
            setattr(summary, f"{attribute}_period", period)
            if row is not None and row.value is not None:
                setattr(summary, f"{attribute}_value", row.value)
        if summary.previous_value is not None:
            summary.change = summary.latest_value - summary.previous_value
        if summary.year_ago_value is not None:
            summary.change_on_year = summary.latest_value - summary.year_ago_value
    if received is not None:
        receipts = records(received)
        if receipts:
            summary.last_received = max(r["measure_last_received"] for r in receipts)
        summary.freshness = _freshness(measure, _timeliness(measure, receipts, at), at)
    return summary


def summaries(
    measures: pd.DataFrame | list[dict],
    totals: pd.DataFrame | dict[str, list[Row]],
    statuses: Mapping[str, StatusResult],
    received: pd.DataFrame | list[dict] | None,
    at: datetime,
) -> dict[str, Summary]:
    """`summarise` for every measure in `measures`, by measure id (frames are read once)."""
    series = totals if isinstance(totals, dict) else rows_by(totals)
    receipts = None if received is None else records_by(received)
    return {
        m["id"]: summarise(
            m,
            series.get(m["id"], []),
            statuses.get(m["id"]),
            None if receipts is None else receipts.get(m["id"], []),
            at,
        )
        for m in records(measures)
    }


def objective_status(objective: Mapping, measures: pd.DataFrame | list[dict], found: Mapping[str, Summary]):
    """The roll-up of an objective: its headline's status, contributing measures counted."""
    mine = [m for m in records(measures) if m["objective_id"] == objective["objective_id"] and m["id"] in found]
    heads = [found[m["id"]].status for m in mine if m["role"] == "headline"]
    others = [found[m["id"]].status for m in mine if m["role"] != "headline"]
    return roll_up(heads, others)


def submission_record(measure: Mapping, received: pd.DataFrame | list[dict] | None, at: datetime) -> list[dict]:
    """Each figure of a measure that fell due in the last year: period, due date, when it
    arrived and whether on time, late or missing (oldest first)."""
    t = _timeliness(measure, records(received), at)
    if t is None:
        return []
    start = (at - timedelta(days=WINDOW_DAYS)).date()
    return [
        {
            "measure_id": measure["id"],
            "period": period,
            "due": due,
            "received": got,
            "state": "missing" if got is None else ("late" if got.date() > due else "on_time"),
        }
        for period, due, got in t.due
        if due > start
    ]


def submissions_by_month(records: list[dict]) -> pd.DataFrame:
    """Figures due per month (of the due date): how many on time, late and missing."""
    frame = pd.DataFrame(records, columns=["measure_id", "period", "due", "received", "state"])
    if frame.empty:
        return pd.DataFrame(columns=["month", "on_time", "late", "missing"])
    frame["month"] = [date(d.year, d.month, 1) for d in frame.due]
    counts = frame.pivot_table(index="month", columns="state", values="period", aggfunc="count", fill_value=0)
    for state in ("on_time", "late", "missing"):
        if state not in counts:
            counts[state] = 0
    out = counts[["on_time", "late", "missing"]].reset_index()
    out.columns.name = None
    return out.astype({"on_time": int, "late": int, "missing": int})


def share(part: int, whole: int) -> str:
    """`75%` (of a whole that is not zero)."""
    return "–" if not whole else f"{math.floor(100 * part / whole + 0.5)}%"


EXPORT_COLUMNS = ["measure", "period", "breakdown", "value", "status", "revised", "as_of"]


def export_rows(
    measure_id: str, frame: pd.DataFrame, as_of_month: str | None, today: date | None = None
) -> pd.DataFrame:
    """Exactly the rows a measure page shows, for download: one per period and breakdown, oldest
    first; `as_of` is the month the view is as at (or today's date for the latest figures)."""
    as_of = as_of_month or (today or date.today()).isoformat()
    ordered = frame.sort_values(["period_start", "breakdown"]) if len(frame) else frame
    return pd.DataFrame(
        {
            "measure": [measure_id] * len(ordered),
            "period": list(ordered["period"]) if len(ordered) else [],
            "breakdown": list(ordered["breakdown"]) if len(ordered) else [],
            "value": [None if is_missing(v) else float(v) for v in ordered["value"]] if len(ordered) else [],
            "status": [None if is_missing(s) else str(s) for s in ordered["status"]] if len(ordered) else [],
            "revised": [bool(r) for r in ordered["revised"]] if len(ordered) else [],
            "as_of": [as_of] * len(ordered),
        },
        columns=EXPORT_COLUMNS,
    )
