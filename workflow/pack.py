"""The review pack of a council's monthly review, as the data stood at the review: pure data, no web.

`build_pack(warehouse, store, council_id, month)` reads, never judges: the judgements stored at publish
(published.judgements), the figures as they stood (published.reader) and the review records as they
stood (workflow.review), all as at the end of the meeting day (UTC). A revision loaded after that
moment, or a record written after it, does not change the pack. It answers for the viewer of the
moment (published.access): the command line reads as OPERATOR, the app as the signed-in user.

What the pack holds, in the standard order of the meeting:

    objectives    each objective's lead, status (its headline's) and measures with their stored status
                  and latest figure; per objective what changed since the council's previous scheduled
                  review (statuses, revised figures), its exceptions, and the newest commentary per
                  measure from its owner or the objective's lead
    actions       open at the review, or done since the previous one (carried until closed), with their
                  status on the meeting day
    escalations   awaiting a decision first, then those decided since the previous review
    health        data health per organisation (figures due, late, missing) in the judgement read

    PackError     an unknown council, a month the schedule does not give it, or no schedule at all

Not as it stood: the definitions are not versioned, so a pack for a past month reads today's
definitions (names, targets, leads, who takes part) beside the figures, judgements and records as
they stood; a measure or objective removed since is not in it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time

import pandas as pd

from goal_councils.status import NOT_JUDGED, StatusResult, roll_up
from published.judgements import review, stored_statuses
from published.reader import Scope, Warehouse

from .errors import WorkflowError
from .review import Action, Commentary, Escalation, ReviewHeld

__all__ = [
    "build_pack", "PackError", "ReviewPack", "ObjectiveSection", "MeasureLine", "StatusChange", "Revision",
    "ExceptionLine", "ActionLine", "EscalationLine", "CommentaryLine", "HealthLine", "PreviousReview",
    "review_moment", "NEAREST",
]

NEAREST = 2  # scheduled months named on each side of a month asked for that is not scheduled
NOT_JUDGED_REASON = "No judgement stood at the review: judgements are made when data is published"


class PackError(WorkflowError):
    """No pack can be built: an unknown council, a month not in its schedule, or no schedule.
    `.nearest` names the council's scheduled months nearest the month asked for (may be empty)."""

    def __init__(self, message: str, nearest: tuple[str, ...] = ()):
        self.nearest = nearest
        super().__init__(message)


@dataclass(frozen=True)
class PreviousReview:
    month: str  # YYYY-MM
    meeting_date: date
    as_at: datetime


@dataclass(frozen=True)
class MeasureLine:
    measure_id: str
    name: str
    owner_id: str
    owner_name: str
    role: str  # headline | contributing
    published: bool
    status: str  # as stored at publish (goal_councils.status); not_judged when no judgement stood
    reason: str
    latest_period: str | None
    latest_value: float | None
    latest_flag: str | None  # provisional, estimated, suppressed (the figure's own status)
    latest_revised: bool
    definition: dict  # the measure's definition row (unit, decimals, frequency, target): to format and chart


@dataclass(frozen=True)
class StatusChange:
    measure_id: str
    measure_name: str
    before: str  # the status at the previous review
    after: str
    reason: str  # why it stands as it does now


@dataclass(frozen=True)
class Revision:
    """A figure (the total) that stood at the previous review and was changed since."""

    measure_id: str
    measure_name: str
    period: str
    before: float | None
    after: float | None
    received_at: datetime


@dataclass(frozen=True)
class ExceptionLine:
    severity: int
    rule: str
    rule_label: str
    measure_id: str
    measure_name: str
    owner_name: str
    period: str | None
    reason: str


@dataclass(frozen=True)
class CommentaryLine:
    commentary: Commentary
    measure_name: str
    org_name: str
    speaks_as: str  # lead, owner, or "lead and owner"


@dataclass(frozen=True)
class ObjectiveSection:
    objective_id: str
    name: str
    statement: str
    lead_id: str | None
    lead_name: str | None
    status: str  # its headline measure's (goal_councils.status.roll_up)
    reason: str
    headline_id: str | None
    measures: tuple[MeasureLine, ...]
    changes: tuple[StatusChange, ...]
    revisions: tuple[Revision, ...]
    exceptions: tuple[ExceptionLine, ...]  # most severe first
    commentary: tuple[CommentaryLine, ...]


@dataclass(frozen=True)
class ActionLine:
    action: Action  # as it stood at the review
    status: str  # open, done or overdue on the meeting day
    carried: bool  # agreed before this month's review: carried forward until closed
    owner_name: str


@dataclass(frozen=True)
class EscalationLine:
    escalation: Escalation  # as it stood at the review
    raised_by_name: str

    @property
    def awaiting(self) -> bool:
        return self.escalation.awaiting


@dataclass(frozen=True)
class HealthLine:
    org_id: str
    org_name: str
    due: int
    on_time: int
    late: int
    missing: int


@dataclass(frozen=True)
class ReviewPack:
    council_id: str
    council_name: str
    goal: str
    chair: str
    month: str  # YYYY-MM
    meeting_date: date
    as_at: datetime  # the end of the meeting day, UTC: everything is read as it stood then
    previous: PreviousReview | None  # the council's previous scheduled review; None: this is its first
    judged_at: datetime | None  # the moment the judgement read was made as at; None: none stood then
    previous_judged: bool  # a judgement stood at the previous review (else no status changes are listed)
    received_to: datetime | None  # when the newest figure the pack reads arrived
    objectives: tuple[ObjectiveSection, ...]
    actions: tuple[ActionLine, ...]
    escalations: tuple[EscalationLine, ...]
    health: tuple[HealthLine, ...]
    last_held: ReviewHeld | None  # the newest review of the council recorded as held before this one


def review_moment(meeting_date: date) -> datetime:
    """The moment a review's pack is read as at: the end of its meeting day (UTC, stored naive)."""
    return datetime.combine(meeting_date, time.max)


def build_pack(warehouse: Warehouse, store, council_id: str, month: str) -> ReviewPack:
    """The pack of `council_id`'s review in `month` (YYYY-MM): see the module's docstring. `store` is
    the WorkflowStore holding the review records. Raises PackError, WarehouseError."""
    meeting, previous = _scheduled(warehouse, council_id, month)
    as_at = review_moment(meeting)
    council = warehouse.councils(council_id=council_id).iloc[0]
    scope = Scope(council=council_id)
    measures = _records(warehouse.measures(scope))
    names = {m["id"]: m["name"] for m in measures}
    orgs = {r.id: r.name for r in warehouse.organisations().itertuples(index=False)}

    statuses = stored_statuses(warehouse, scope, as_at)
    judged = review(warehouse, scope, as_at)
    values = warehouse.values(scope, as_at)
    before_statuses = stored_statuses(warehouse, scope, previous.as_at) if previous else {}
    before_values = warehouse.values(scope, previous.as_at) if previous else None
    changes = _changes(statuses, before_statuses, names) if before_statuses else []
    revisions = _revisions(values, before_values, names) if before_values is not None else []
    exceptions = _exceptions(judged.exceptions)
    latest = _latest(values)

    objectives = _records(warehouse.objectives(council_id=council_id))
    lead_of = {o["objective_id"]: o["lead_id"] for o in objectives}
    commentary = _commentary(store.commentary(measure_ids=list(names), as_at=as_at), measures, lead_of, orgs)
    sections = []
    for o in objectives:
        mine = [m for m in measures if m["objective_id"] == o["objective_id"]]
        lines = tuple(_measure_line(m, statuses.get(m["id"]), latest.get(m["id"])) for m in mine)
        ids = {m["id"] for m in mine}
        rolled = roll_up([statuses[m["id"]] for m in mine if m["role"] == "headline" and m["id"] in statuses],
                         [statuses[m["id"]] for m in mine if m["role"] != "headline" and m["id"] in statuses])
        headline = next((m for m in mine if m["role"] == "headline"), None)
        status, reason = (rolled.status, rolled.reason) if judged.run is not None else (NOT_JUDGED, NOT_JUDGED_REASON)
        sections.append(ObjectiveSection(
            o["objective_id"], o["objective_name"], o["objective_statement"] or "", o["lead_id"], o["lead_name"],
            status, reason, headline["id"] if headline else None, lines,
            tuple(c for c in changes if c.measure_id in ids), tuple(r for r in revisions if r.measure_id in ids),
            tuple(e for e in exceptions if e.measure_id in ids),
            tuple(c for c in commentary if c.commentary.measure_id in ids)))

    since = previous.as_at if previous else None
    held = [h for h in store.reviews_held(council_id, as_at) if h.month < month]
    return ReviewPack(
        council_id, str(council["name"]), _text(council["goal"]), _text(council["chair"]), month, meeting, as_at,
        previous, _moment(judged.run["as_at"]) if judged.run else None, bool(before_statuses),
        _moment(values["received_at"].max()) if len(values) else None, tuple(sections),
        _actions(store.actions(council_id=council_id, as_at=as_at), since, meeting, month, orgs),
        _escalations(store.escalations(council_id=council_id, as_at=as_at), since, orgs),
        tuple(HealthLine(h.org_id, h.org_name, int(h.due), int(h.on_time), int(h.late), int(h.missing))
              for h in judged.health.itertuples(index=False)),
        held[0] if held else None)


# --- the schedule ------------------------------------------------------------------------------


def _scheduled(warehouse: Warehouse, council_id: str, month: str) -> tuple[date, PreviousReview | None]:
    """The meeting day of the council's review in `month`, and its previous scheduled review."""
    if not isinstance(month, str) or len(month) != 7 or not _is_month(month):
        raise PackError(f"{str(month)[:40]!r} is not a month: write it as YYYY-MM, e.g. 2026-10")
    councils = list(warehouse.councils()["id"])
    if council_id not in councils:
        raise PackError(f"unknown council {str(council_id)[:80]!r}: one of {', '.join(councils)}")
    schedule = warehouse.scheduled_reviews()
    if not len(schedule):
        raise PackError("no review schedule is defined: add `reviews:` (start, rotation, day) to the definitions "
                        "and publish them (a load, or `outcomes judge`)")
    mine = schedule[schedule.council_id == council_id]
    months = list(mine["month"])
    if month not in months:
        earlier = [m for m in months if m < month][-NEAREST:]
        later = [m for m in months if m > month][:NEAREST]
        nearest = tuple(earlier + later)
        that_month = schedule[schedule.month == month]
        who = f" ({that_month.council_id.iloc[0]} is reviewed then)" if len(that_month) else (
            f" (the schedule runs from {schedule.month.iloc[0]} to {schedule.month.iloc[-1]})")
        where = f"; the nearest scheduled: {', '.join(nearest)}" if nearest else "; it has no scheduled review"
        raise PackError(f"{council_id} has no review scheduled in {month}{who}{where}", nearest)
    at = months.index(month)
    meeting = _day(mine["meeting_date"].iloc[at])
    if at == 0:
        return meeting, None
    before = _day(mine["meeting_date"].iloc[at - 1])
    return meeting, PreviousReview(months[at - 1], before, review_moment(before))


def _is_month(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y-%m")
    except ValueError:
        return False
    return True


# --- what stood, and what changed --------------------------------------------------------------


def _measure_line(m: dict, status: StatusResult | None, latest: dict | None) -> MeasureLine:
    latest = latest or {}
    return MeasureLine(
        m["id"], m["name"], m["owner_id"], m["owner_name"], m["role"], bool(m["published"]),
        status.status if status else NOT_JUDGED, status.reason if status else NOT_JUDGED_REASON,
        latest.get("period"), latest.get("value"), latest.get("status"), bool(latest.get("revised")), m)


def _latest(values: pd.DataFrame) -> dict[str, dict]:
    """Each measure's newest total with a figure, as a record."""
    found = values[values["value"].notna()].sort_values(["measure_id", "period_start"])
    return {r["measure_id"]: r for r in _records(found.drop_duplicates("measure_id", keep="last"))}


def _changes(now: dict[str, StatusResult], before: dict[str, StatusResult], names: dict[str, str]):
    return [StatusChange(mid, names[mid], before[mid].status if mid in before else NOT_JUDGED, s.status, s.reason)
            for mid, s in now.items()
            if mid in names and s.status != (before[mid].status if mid in before else NOT_JUDGED)]


def _revisions(now: pd.DataFrame, before: pd.DataFrame, names: dict[str, str]) -> list[Revision]:
    """Totals that stood at the previous review and stand differently now (value or its absence)."""
    if not len(now) or not len(before):
        return []
    key = ["measure_id", "period"]
    both = now[key + ["value", "received_at", "period_start"]].merge(
        before[key + ["value", "load_id"]], on=key, suffixes=("", "_before"))
    both = both[[not _same(a, b) for a, b in zip(both["value"], both["value_before"], strict=True)]]
    both = both.sort_values(["measure_id", "period_start"])
    return [Revision(r["measure_id"], names.get(r["measure_id"], r["measure_id"]), r["period"], r["value_before"],
                     r["value"], _moment(r["received_at"])) for r in _records(both)]


def _same(a, b) -> bool:
    return (_number(a) is None and _number(b) is None) or _number(a) == _number(b)


def _exceptions(frame: pd.DataFrame) -> list[ExceptionLine]:
    return [ExceptionLine(int(r["severity"]), r["rule"], r["rule_label"], r["measure_id"], r["measure_name"],
                          r["owner_name"], r["period"], r["reason"]) for r in _records(frame)]


# --- the review records ------------------------------------------------------------------------


def _commentary(found: list[Commentary], measures: list[dict], lead_of: dict, orgs: dict) -> list[CommentaryLine]:
    """Per measure, the newest commentary of its owner and of its objective's lead (one each)."""
    out = []
    for m in measures:
        lead, owner = lead_of.get(m["objective_id"]), m["owner_id"]
        seen = set()
        for c in found:  # newest period first, newest version first
            if c.measure_id != m["id"] or c.org_id not in (lead, owner) or c.org_id in seen:
                continue
            seen.add(c.org_id)
            role = "lead and owner" if c.org_id == lead == owner else "lead" if c.org_id == lead else "owner"
            out.append(CommentaryLine(c, m["name"], orgs.get(c.org_id, c.org_id), role))
    return out


ACTION_ORDER = {"overdue": 0, "open": 1, "done": 2}


def _actions(found: list[Action], since: datetime | None, meeting: date, month: str, orgs: dict):
    """Open at the review, or closed since the previous one; overdue first, then by due date."""
    lines = [ActionLine(a, a.status(meeting), _carried(a, since, month), orgs.get(a.owner_org, a.owner_org))
             for a in found if a.state != "done" or (since is not None and a.recorded_at > since)]
    return tuple(sorted(lines, key=lambda x: (ACTION_ORDER[x.status], x.action.due, x.action.action_id)))


def _carried(a: Action, since: datetime | None, month: str) -> bool:
    """Agreed at an earlier review, or raised before the previous one: brought forward to this one."""
    return (a.agreed_at_review is not None and a.agreed_at_review < month) or (since is not None and
                                                                                 a.raised_at <= since)


def _escalations(found: list[Escalation], since: datetime | None, orgs: dict) -> tuple[EscalationLine, ...]:
    """Awaiting a decision (oldest first), then those decided since the previous review."""
    awaiting = sorted((e for e in found if e.awaiting), key=lambda e: (e.raised_at, e.escalation_id))
    decided = sorted((e for e in found if not e.awaiting and since is not None and e.recorded_at > since),
                     key=lambda e: (e.decided_on or date.min, e.escalation_id))
    return tuple(EscalationLine(e, orgs.get(e.raised_by_org, e.raised_by_org)) for e in awaiting + decided)


# --- small conversions -------------------------------------------------------------------------


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts, a missing cell as None."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _number(x) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA or x is pd.NaT:
        return None
    return float(x)


def _text(x) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)


def _day(x) -> date:
    return pd.Timestamp(x).date()


def _moment(x) -> datetime:
    return pd.Timestamp(x).to_pydatetime()
