"""What is due for the viewer's next monthly review, for the goal map: read from stored data only.

For a signed-in viewer who takes part in the council reviewed next (dashboard.pages.review_common):

    figures       the council's measures (those the viewer may see) with figures due and not received by
                  the meeting: figures already due and missing, as the newest judgement run stored them,
                  and the next figure when its due date (goal_councils.assess.next_due: the calendar, not
                  a judgement) falls on or before the meeting and the run had not received it
    commentary    the viewer's organisation's measures (those it owns, or whose objective it leads) with
                  no commentary of its own on the newest period received (stewards and leads only)
    actions       the council's open actions the viewer's organisation owns, and how many are overdue
    escalations   how many of the council's escalations await a decision

Nothing is judged or scanned here: one query of the stored timeliness (published/sql/review_due.sql) and
three of the review records, however many measures the council has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dashboard.pages.review_common import councils_seen, review_href, schedule
from dashboard.series import records
from goal_councils.assess import next_due, no_figure_months
from goal_councils.periods import PeriodError, parse_period
from published.access import current_viewer
from published.reader import Warehouse

__all__ = ["DueFigure", "ReviewDue", "next_review_due"]


@dataclass(frozen=True)
class DueFigure:
    measure_name: str
    owner_name: str
    mine: bool  # the viewer's organisation owns the measure
    missing: int  # figures already due and not received, as the judgement run stored it
    period: str | None  # the next figure due before the meeting, if one is
    due: date | None
    frequency: str


@dataclass(frozen=True)
class ReviewDue:
    council_name: str
    month: str
    meeting_date: date
    href: str
    judged: bool  # a judgement run stood (else no figures can be said to be due)
    figures: tuple[DueFigure, ...]  # the viewer's organisation's first
    to_comment: tuple[tuple[str, str, str], ...]  # (measure name, period, frequency) of the viewer's organisation
    org: str | None  # the viewer's organisation, when it may write commentary and own actions
    actions_open: int
    actions_overdue: int
    escalations_awaiting: int


def next_review_due(warehouse: Warehouse, store, today: date | None = None) -> ReviewDue | None:
    """The viewer's next review and what is due for it; None for the public, or when the viewer takes
    part in no review to come. `store`: the workflow store holding the review records."""
    viewer = current_viewer()
    if not viewer.signed_in:
        return None
    today, seen = today or date.today(), councils_seen(warehouse)
    coming = next((r for r in schedule(warehouse) if r["meeting_date"] >= today and r["council_id"] in seen), None)
    if coming is None:
        return None
    council, meeting = coming["council_id"], coming["meeting_date"]
    run = warehouse.judgement_run()
    measures = records(warehouse.review_due(council, run["id"] if run else None))
    org = viewer.org if viewer.role in ("steward", "lead") else None
    figures = sorted((f for f in (_due(r, today, meeting, org) for r in measures) if f), key=lambda f: not f.mine)
    mine = [r for r in measures if org and org in (r["owner_id"], r["lead_id"]) and r["latest_period"]]
    written = {(c.measure_id, c.period) for c in store.commentary(measure_ids=[r["measure_id"] for r in mine])
               if c.org_id == org} if mine else set()
    actions = [a for a in store.actions(council_id=council) if org and a.owner_org == org and a.state != "done"]
    return ReviewDue(
        coming["council_name"], coming["month"], meeting, review_href(council, coming["month"]), run is not None,
        tuple(figures), tuple((r["measure_name"], r["latest_period"], r["frequency"]) for r in mine
                              if (r["measure_id"], r["latest_period"]) not in written),
        org, len(actions), sum(a.status(today) == "overdue" for a in actions),
        sum(e.awaiting for e in store.escalations(council_id=council)))


def _due(row: dict, today: date, meeting: date, org: str | None) -> DueFigure | None:
    """A measure's figures due by the meeting and not received (None: nothing is), or no judgement of it."""
    if row["missing"] is None:  # no timeliness stood in the run: nothing can be said
        return None
    period, due = next_due(row["frequency"], int(row["due_days"] or 0), today,
                           no_figure_in=no_figure_months(row.get("no_figure_in")))
    upcoming = due <= meeting and not _received(row["latest_period"], period, row["frequency"])
    if not row["missing"] and not upcoming:
        return None
    return DueFigure(row["measure_name"], row["owner_name"], org is not None and row["owner_id"] == org,
                     int(row["missing"]), period if upcoming else None, due if upcoming else None, row["frequency"])


def _received(latest: str | None, period: str, frequency: str) -> bool:
    """Had a figure for `period` (or a later one) arrived, as the run stored it?"""
    if not latest:
        return False
    try:
        return parse_period(latest, frequency).start >= parse_period(period, frequency).start
    except PeriodError:
        return False
