"""What the pages say about measures and objectives, worked out from query frames: pure, no Dash.

For each measure: its status against plan and its timeliness as the judge stored them at publish
(pages never judge: `published.judgements.stored_statuses` and `stored_timeliness`), the latest
value with its flags, and the change on the period before and on the same period a year earlier.
Timeliness is put in words here (the newest figure due: on time, late or missing, as at the
judgement). For an objective: the roll-up (`goal_councils.status.roll_up`).

Inputs are the frames `published.reader` returns: measure definitions (one row each), totals
(measure_id, period, period_start, value, status, revised) and plan points (measure_id,
period_start, value, kind).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from goal_councils.assess import Timeliness, no_figure_months, plan_points
from goal_councils.categories import categories_of, label_of
from goal_councils.periods import MONTHS_PER_PERIOD, PeriodError, parse_period
from goal_councils.status import NOT_JUDGED, StatusResult, roll_up
from published.judgements import StoredTimeliness

from .formatting import flag_words, format_date, format_period, is_missing
from .series import Row, as_rows, records, rows_by

__all__ = [
    "Freshness",
    "Summary",
    "plan_points",
    "NOT_JUDGED_STATUS",
    "summarise",
    "summaries",
    "objective_status",
    "submission_record",
    "submissions_by_month",
]



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


def _number(x) -> float | None:
    return None if is_missing(x) else float(x)


# a measure the judge has not judged as at the date shown (judgements are made at publish)
NOT_JUDGED_STATUS = StatusResult(NOT_JUDGED, "Not judged as at this date: statuses are made when data is published")


def _freshness(measure: Mapping, t: Timeliness | None, at: datetime | None) -> Freshness:
    """The stored timeliness of a measure in words: the newest figure due, and the year's late count."""
    if at is None:
        return Freshness("not_judged", "Not judged as at this date: timeliness is judged when data is published")
    if t is None or not t.due:
        return Freshness("not_due", f"No figure was due in the year to {format_date(at, short=True)}")
    period, due, got = t.due[-1]
    name = format_period(period, measure["frequency"])
    counts = {"late_in_window": t.late, "due_in_window": len(t.due)}
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


def _shifted(frequency: str, period: str, n: int, skip: Collection[int] = ()) -> str | None:
    """The period `n` before or after `period`; stepping back, the months in `skip` (a monthly measure's months
    with no figure by its nature) are passed over: the period before September is July where August has none."""
    try:
        found = parse_period(period, frequency).shift(n)
        for _ in range(12):
            if frequency != "monthly" or found.start.month not in skip:
                break
            found = found.shift(-1 if n < 0 else 1)
        return found.label
    except PeriodError:
        return None


def summarise(
    measure: Mapping,
    totals: pd.DataFrame | list[Row],
    status: StatusResult | None,
    timely: StoredTimeliness | None = None,
) -> Summary:
    """A measure's status, latest value and changes (none for a categorical measure), and freshness.

    `totals`: the measure's total series (any order), as a values frame or rows; `status`: its
    status as the judge stored it at publish (None: not judged then; the page does not judge);
    `timely`: timeliness as stored at publish (None: freshness not wanted)."""
    frequency = measure["frequency"]
    rows = sorted(as_rows(totals), key=lambda r: r.start)
    summary = Summary(measure["id"], status or NOT_JUDGED_STATUS)
    by_period = {r.period: r for r in rows}
    with_values = [r for r in rows if r.value is not None]
    if with_values:
        latest = with_values[-1]
        summary.latest_period, summary.latest_value = latest.period, latest.value
        summary.latest_flags = flag_words(latest.status, latest.revised)
        no_figure = no_figure_months(measure.get("no_figure_in"))
        for attribute, steps in (("previous", -1), ("year_ago", -(12 // MONTHS_PER_PERIOD[frequency]))):
            period = _shifted(frequency, latest.period, steps, no_figure if attribute == "previous" else ())
            row = by_period.get(period)
            setattr(summary, f"{attribute}_period", period)
            if row is not None and row.value is not None:
                setattr(summary, f"{attribute}_value", row.value)
        numbers = not categories_of(measure.get("categories"))  # a category's code is not an amount
        if numbers and summary.previous_value is not None:
            summary.change = summary.latest_value - summary.previous_value
        if numbers and summary.year_ago_value is not None:
            summary.change_on_year = summary.latest_value - summary.year_ago_value
    if timely is not None:
        summary.last_received = timely.last_received.get(measure["id"])
        summary.freshness = _freshness(measure, timely.found.get(measure["id"]), timely.at)
    return summary


def summaries(
    measures: pd.DataFrame | list[dict],
    totals: pd.DataFrame | dict[str, list[Row]],
    statuses: Mapping[str, StatusResult],
    timely: StoredTimeliness | None = None,
) -> dict[str, Summary]:
    """`summarise` for every measure in `measures`, by measure id (frames are read once)."""
    series = totals if isinstance(totals, dict) else rows_by(totals)
    return {m["id"]: summarise(m, series.get(m["id"], []), statuses.get(m["id"]), timely) for m in records(measures)}


def objective_status(objective: Mapping, measures: pd.DataFrame | list[dict], found: Mapping[str, Summary]):
    """The roll-up of an objective: its headline's status, contributing measures counted."""
    mine = [m for m in records(measures) if m["objective_id"] == objective["objective_id"] and m["id"] in found]
    heads = [found[m["id"]].status for m in mine if m["role"] == "headline"]
    others = [found[m["id"]].status for m in mine if m["role"] != "headline"]
    return roll_up(heads, others)


def submission_record(measure: Mapping, timely: StoredTimeliness) -> list[dict]:
    """Each figure of a measure that fell due in the year to the judgement: period, due date,
    when it arrived and whether on time, late or missing (oldest first), as stored at publish."""
    t = timely.found.get(measure["id"])
    if t is None:
        return []
    return [
        {
            "measure_id": measure["id"],
            "period": period,
            "due": due,
            "received": got,
            "state": "missing" if got is None else ("late" if got.date() > due else "on_time"),
        }
        for period, due, got in t.due
    ]


def submissions_by_month(records: list[dict]) -> pd.DataFrame:
    """Figures due per month (of the due date): how many on time, late and missing."""
    counts: dict[date, dict[str, int]] = {}
    for r in records:
        if r["period"] is None:
            continue
        month = date(r["due"].year, r["due"].month, 1)
        mine = counts.setdefault(month, {"on_time": 0, "late": 0, "missing": 0})
        mine[r["state"]] = mine.get(r["state"], 0) + 1
    months = sorted(counts)
    return pd.DataFrame({"month": months, **{state: [counts[m][state] for m in months]
                                              for state in ("on_time", "late", "missing")}},
                        columns=["month", "on_time", "late", "missing"]).astype(
                            {"on_time": int, "late": int, "missing": int})


def share(part: int, whole: int) -> str:
    """`75%` (of a whole that is not zero)."""
    return "–" if not whole else f"{math.floor(100 * part / whole + 0.5)}%"


EXPORT_COLUMNS = ["measure", "period", "breakdown", "value", "status", "revised", "as_of"]
CATEGORY_EXPORT_COLUMNS = ["measure", "period", "breakdown", "value", "label", "status", "revised", "as_of"]


def export_rows(
    measure_id: str, frame: pd.DataFrame, as_of_month: str | None, today: date | None = None, categories=None
) -> pd.DataFrame:
    """Exactly the rows a measure page shows, for download: one per period and breakdown, oldest
    first; `as_of` is the month the view is as at (or today's date for the latest figures). A
    categorical measure (`categories`) has a `label` column beside each code."""
    as_of = as_of_month or (today or date.today()).isoformat()
    ordered = frame.sort_values(["period_start", "breakdown"]) if len(frame) else frame
    rows = pd.DataFrame(
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
    labels = categories_of(categories)
    if not labels:
        return rows
    rows["label"] = [label_of(labels, v) for v in rows["value"]]
    return rows[CATEGORY_EXPORT_COLUMNS]
