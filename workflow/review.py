"""What a goal council writes between and at its monthly reviews: commentary on measures, actions,
escalations, and the record of each review held.

Every edit is a new version, never an overwrite: each table keeps one row per version, keyed by the
thing's own id (`commentary_id`, `action_id`, `escalation_id`), with when and by whom it was
recorded. A record "as at" a moment is its newest version recorded at or before it, so a review
pack built for a past month reads exactly what stood then, whatever was written since.

    ReviewRecords       the methods WorkflowStore gains for these records (bound to its engine)
    Commentary, Action, Escalation, ReviewHeld    one record as it stood, as frozen dataclasses
    ReviewError         a record that cannot be written; the message names the field

Text is stored as the person typed it; it is only ever shown as text (or safe Markdown).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    func,
    insert,
    select,
    update,
)

from .errors import WorkflowError

__all__ = ["ReviewRecords", "Commentary", "Action", "Escalation", "ReviewHeld", "ReviewError", "VISIBILITIES",
           "ACTION_STATES", "ESCALATE_TO", "define_tables", "MAX_TEXT", "MAX_TITLE", "action_status"]

VISIBILITIES = ("public", "internal")
ACTION_STATES = ("open", "done")  # "overdue" is worked out: open and past its due date
ESCALATE_TO = ("council", "chair")
MAX_TEXT = 5_000  # characters of commentary, notes, a problem or a decision
MAX_TITLE = 200


class ReviewError(WorkflowError):
    """A review record that cannot be written: `.field` names the field, the message says why."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


def define_tables(metadata: MetaData) -> dict[str, Table]:
    """The review tables, on the workflow database's metadata (migration 2 makes them)."""
    commentary = Table(
        "commentary", metadata,
        Column("id", Integer, primary_key=True),  # one version
        Column("commentary_id", Integer, nullable=False),  # the commentary every version of it shares
        Column("measure_id", String(200), nullable=False),
        Column("period", String(32), nullable=False),  # the period it comments on, e.g. 2026-10
        Column("org_id", String(200), nullable=False),  # the organisation it speaks for (lead or owner)
        Column("what_happened", Text, nullable=False),
        Column("why", Text, nullable=False),
        Column("what_next", Text, nullable=False),
        Column("visibility", String(16), nullable=False),
        Column("withdrawn", Integer, nullable=False, default=0),
        Column("recorded_at", DateTime, nullable=False),  # UTC
        Column("recorded_by", String(200), nullable=False),
        Index("commentary_measure", "measure_id", "period", "recorded_at"),
        Index("commentary_key", "commentary_id", "recorded_at"),
    )
    actions = Table(
        "actions", metadata,
        Column("id", Integer, primary_key=True),
        Column("action_id", Integer, nullable=False),
        Column("council_id", String(200), nullable=False),
        Column("objective_id", String(200)),
        Column("measure_id", String(200)),
        Column("title", String(MAX_TITLE), nullable=False),
        Column("owner_org", String(200), nullable=False),
        Column("owner_person", String(200), nullable=False),
        Column("due", Date, nullable=False),
        Column("state", String(16), nullable=False),
        Column("notes", Text, nullable=False),
        Column("visibility", String(16), nullable=False),
        Column("agreed_at_review", String(7)),  # YYYY-MM: the review that agreed it, if one did
        Column("recorded_at", DateTime, nullable=False),
        Column("recorded_by", String(200), nullable=False),
        Index("actions_council", "council_id", "recorded_at"),
        Index("actions_key", "action_id", "recorded_at"),
    )
    escalations = Table(
        "escalations", metadata,
        Column("id", Integer, primary_key=True),
        Column("escalation_id", Integer, nullable=False),
        Column("council_id", String(200), nullable=False),
        Column("objective_id", String(200)),
        Column("measure_id", String(200)),
        Column("raised_by_org", String(200), nullable=False),
        Column("to_whom", String(16), nullable=False),
        Column("problem", Text, nullable=False),
        Column("decision_asked", Text, nullable=False),
        Column("outcome", Text, nullable=False),  # '' while it awaits a decision
        Column("decided_on", Date),
        Column("recorded_at", DateTime, nullable=False),
        Column("recorded_by", String(200), nullable=False),
        Index("escalations_council", "council_id", "recorded_at"),
        Index("escalations_key", "escalation_id", "recorded_at"),
    )
    reviews = Table(
        "reviews_held", metadata,
        Column("id", Integer, primary_key=True),
        Column("council_id", String(200), nullable=False),
        Column("month", String(7), nullable=False),  # YYYY-MM
        Column("held_on", Date, nullable=False),
        Column("notes", Text, nullable=False),
        Column("recorded_at", DateTime, nullable=False),
        Column("recorded_by", String(200), nullable=False),
        Index("reviews_held_council", "council_id", "month"),
    )
    return {"commentary": commentary, "actions": actions, "escalations": escalations, "reviews_held": reviews}


@dataclass(frozen=True)
class Commentary:
    commentary_id: int
    measure_id: str
    period: str
    org_id: str
    what_happened: str
    why: str
    what_next: str
    visibility: str
    recorded_at: datetime
    recorded_by: str


@dataclass(frozen=True)
class Action:
    action_id: int
    council_id: str
    objective_id: str | None
    measure_id: str | None
    title: str
    owner_org: str
    owner_person: str
    due: date
    state: str  # open | done
    notes: str
    visibility: str
    agreed_at_review: str | None
    recorded_at: datetime  # of this version
    recorded_by: str
    raised_at: datetime  # of the first version

    def status(self, on: date) -> str:
        return action_status(self.state, self.due, on)


def action_status(state: str, due: date, on: date) -> str:
    """An action's status on day `on`: open, done, or overdue (open after its due date)."""
    if state == "done":
        return "done"
    return "overdue" if due < on else "open"


@dataclass(frozen=True)
class Escalation:
    escalation_id: int
    council_id: str
    objective_id: str | None
    measure_id: str | None
    raised_by_org: str
    to_whom: str
    problem: str
    decision_asked: str
    outcome: str
    decided_on: date | None
    recorded_at: datetime
    recorded_by: str
    raised_at: datetime

    @property
    def awaiting(self) -> bool:
        return not self.outcome


@dataclass(frozen=True)
class ReviewHeld:
    council_id: str
    month: str
    held_on: date
    notes: str
    recorded_at: datetime
    recorded_by: str


def _text(field: str, value, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = "" if value is None else str(value).replace("\r\n", "\n").strip()
    if required and not text:
        raise ReviewError(field, "is empty: write something")
    if len(text) > limit:
        raise ReviewError(field, f"is {len(text):,} characters long: at most {limit:,}")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise ReviewError(field, "holds control characters")
    return text


def _choice(field: str, value, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ReviewError(field, f"must be one of {', '.join(allowed)}")
    return value


def _month(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        datetime.strptime(value, "%Y-%m")
    except (TypeError, ValueError) as e:
        raise ReviewError(field, "use YYYY-MM") from e
    return value


def _day(field: str, value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as e:
        raise ReviewError(field, "use YYYY-MM-DD") from e


class ReviewRecords:
    """Methods of WorkflowStore for review records; `self.engine`, `self._audit` and the tables come
    from the store."""

    tables: dict[str, Table]

    def _changed(self, table: str) -> None:
        """Called after each committed write to a review table (the store tells its listeners)."""

    # --- writing ---------------------------------------------------------------------------

    def _new_version(self, table: Table, key: str, ident: int | None, values: dict, by: str, action: str,
                     now: datetime) -> int:
        """Insert one version (a new thing when `ident` is None) and audit it; its thing's id."""
        with self.engine.begin() as con:
            if ident is not None:
                known = con.execute(select(func.count()).select_from(table).where(table.c[key] == ident)).scalar_one()
                if not known:
                    raise ReviewError(key, f"there is no record {ident}")
            row = con.execute(insert(table).values(**{key: ident or 0}, **values, recorded_at=now,
                                                   recorded_by=str(by)[:200])).inserted_primary_key[0]
            if ident is None:
                ident = row
                con.execute(update(table).where(table.c.id == row).values(**{key: row}))
            self._audit(con, by, action, {key: ident, **{k: v for k, v in values.items()
                                                         if k in ("measure_id", "period", "council_id", "state",
                                                                  "visibility", "org_id", "to_whom")}})
        self._changed(table.name)
        return ident

    def write_commentary(self, *, measure_id: str, period: str, org_id: str, what_happened: str, why: str = "",
                         what_next: str = "", visibility: str = "internal", by: str,
                         commentary_id: int | None = None, now: datetime | None = None) -> int:
        """Write (or, given `commentary_id`, revise) an organisation's commentary on a measure's period."""
        values = {"measure_id": _text("measure_id", measure_id, limit=200), "period": _text("period", period, limit=32),
                  "org_id": _text("org_id", org_id, limit=200),
                  "what_happened": _text("what_happened", what_happened), "why": _text("why", why, required=False),
                  "what_next": _text("what_next", what_next, required=False),
                  "visibility": _choice("visibility", visibility, VISIBILITIES), "withdrawn": 0}
        return self._new_version(self.tables["commentary"], "commentary_id", commentary_id, values, by,
                                 "commentary-revised" if commentary_id else "commentary-written", now or _now())

    def withdraw_commentary(self, commentary_id: int, *, by: str, now: datetime | None = None) -> int:
        """Withdraw a commentary: a new version, withdrawn, with the words it had (so a pack read as at a
        moment before it still shows them, and one read after does not)."""
        table = self.tables["commentary"]
        rows = self._as_at(table, "commentary_id", None, table.c.commentary_id == commentary_id)
        if not rows or rows[0].withdrawn:
            raise ReviewError("commentary_id", f"there is no commentary {commentary_id} standing")
        values = {k: getattr(rows[0], k) for k in ("measure_id", "period", "org_id", "what_happened", "why",
                                                    "what_next", "visibility")} | {"withdrawn": 1}
        return self._new_version(table, "commentary_id", commentary_id, values, by, "commentary-withdrawn",
                                 now or _now())

    def add_action(self, *, council_id: str, title: str, owner_org: str, owner_person: str, due, by: str,
                   objective_id: str | None = None, measure_id: str | None = None, notes: str = "",
                   visibility: str = "internal", agreed_at_review: str | None = None,
                   now: datetime | None = None) -> int:
        values = self._action_values(council_id, title, owner_org, owner_person, due, objective_id, measure_id,
                                     notes, visibility, "open", agreed_at_review)
        return self._new_version(self.tables["actions"], "action_id", None, values, by, "action-added",
                                 now or _now())

    def update_action(self, action_id: int, *, by: str, now: datetime | None = None, **changes) -> int:
        """A new version of the action with `changes` (title, owner_org, owner_person, due, state, notes,
        visibility); what is not named stays as it was."""
        current = self.action(action_id)
        if current is None:
            raise ReviewError("action_id", f"there is no action {action_id}")
        unknown = set(changes) - {"title", "owner_org", "owner_person", "due", "state", "notes", "visibility"}
        if unknown:
            raise ReviewError(sorted(unknown)[0], "cannot be changed")
        merged = {**{k: getattr(current, k) for k in ("title", "owner_org", "owner_person", "due", "state", "notes",
                                                       "visibility")}, **changes}
        values = self._action_values(current.council_id, merged["title"], merged["owner_org"],
                                     merged["owner_person"], merged["due"], current.objective_id,
                                     current.measure_id, merged["notes"], merged["visibility"], merged["state"],
                                     current.agreed_at_review)
        action = "action-done" if merged["state"] == "done" and current.state != "done" else "action-updated"
        return self._new_version(self.tables["actions"], "action_id", action_id, values, by, action, now or _now())

    @staticmethod
    def _action_values(council_id, title, owner_org, owner_person, due, objective_id, measure_id, notes, visibility,
                       state, agreed_at_review) -> dict:
        return {"council_id": _text("council_id", council_id, limit=200),
                "objective_id": objective_id or None, "measure_id": measure_id or None,
                "title": _text("title", title, limit=MAX_TITLE), "owner_org": _text("owner_org", owner_org, limit=200),
                "owner_person": _text("owner_person", owner_person, limit=200), "due": _day("due", due),
                "state": _choice("state", state, ACTION_STATES), "notes": _text("notes", notes, required=False),
                "visibility": _choice("visibility", visibility, VISIBILITIES),
                "agreed_at_review": _month("agreed_at_review", agreed_at_review)}

    def raise_escalation(self, *, council_id: str, raised_by_org: str, to_whom: str, problem: str,
                         decision_asked: str, by: str, objective_id: str | None = None,
                         measure_id: str | None = None, now: datetime | None = None) -> int:
        values = {"council_id": _text("council_id", council_id, limit=200), "objective_id": objective_id or None,
                  "measure_id": measure_id or None, "raised_by_org": _text("raised_by_org", raised_by_org, limit=200),
                  "to_whom": _choice("to_whom", to_whom, ESCALATE_TO), "problem": _text("problem", problem),
                  "decision_asked": _text("decision_asked", decision_asked), "outcome": "", "decided_on": None}
        return self._new_version(self.tables["escalations"], "escalation_id", None, values, by, "escalation-raised",
                                 now or _now())

    def decide_escalation(self, escalation_id: int, *, outcome: str, decided_on, by: str,
                          now: datetime | None = None) -> int:
        current = self.escalation(escalation_id)
        if current is None:
            raise ReviewError("escalation_id", f"there is no escalation {escalation_id}")
        values = {k: getattr(current, k) for k in ("council_id", "objective_id", "measure_id", "raised_by_org",
                                                    "to_whom", "problem", "decision_asked")}
        values |= {"outcome": _text("outcome", outcome), "decided_on": _day("decided_on", decided_on)}
        return self._new_version(self.tables["escalations"], "escalation_id", escalation_id, values, by,
                                 "escalation-decided", now or _now())

    def record_review(self, *, council_id: str, month: str, held_on, notes: str = "", by: str,
                      now: datetime | None = None) -> None:
        table = self.tables["reviews_held"]
        values = {"council_id": _text("council_id", council_id, limit=200), "month": _month("month", month),
                  "held_on": _day("held_on", held_on), "notes": _text("notes", notes, required=False)}
        with self.engine.begin() as con:
            con.execute(insert(table).values(**values, recorded_at=now or _now(), recorded_by=str(by)[:200]))
            self._audit(con, by, "review-recorded", {"council_id": council_id, "month": month})

    # --- reading, as at a moment -----------------------------------------------------------

    def _as_at(self, table: Table, key: str, as_at: datetime | None, *where):
        """The newest version of each thing recorded at or before `as_at` (None: now), and when
        each thing was first recorded."""
        cutoff = [table.c.recorded_at <= as_at] if as_at is not None else []
        newest = (select(table.c[key], func.max(table.c.id).label("latest"), func.min(table.c.recorded_at)
                         .label("raised_at"))
                  .where(*cutoff).group_by(table.c[key]).subquery())
        query = (select(table, newest.c.raised_at).join(newest, and_(table.c.id == newest.c.latest))
                 .where(*where).order_by(table.c[key]))
        with self.engine.connect() as con:
            return list(con.execute(query))

    def commentary(self, *, measure_ids=None, period: str | None = None, as_at: datetime | None = None,
                   public_only: bool = False) -> list[Commentary]:
        """The commentary that stood at `as_at` on the given measures (and period), newest period first."""
        t = self.tables["commentary"]
        where = [t.c.withdrawn == 0]
        if measure_ids is not None:
            where.append(t.c.measure_id.in_(list(measure_ids)))
        if period is not None:
            where.append(t.c.period == period)
        if public_only:
            where.append(t.c.visibility == "public")
        rows = self._as_at(t, "commentary_id", as_at, *where)
        found = [Commentary(r.commentary_id, r.measure_id, r.period, r.org_id, r.what_happened, r.why, r.what_next,
                            r.visibility, r.recorded_at, r.recorded_by) for r in rows]
        return sorted(found, key=lambda c: (c.period, c.recorded_at), reverse=True)

    def actions(self, *, council_id: str | None = None, as_at: datetime | None = None,
                public_only: bool = False) -> list[Action]:
        t = self.tables["actions"]
        where = ([t.c.council_id == council_id] if council_id else []) + (
            [t.c.visibility == "public"] if public_only else [])
        return [_action(r) for r in self._as_at(t, "action_id", as_at, *where)]

    def action(self, action_id: int, as_at: datetime | None = None) -> Action | None:
        t = self.tables["actions"]
        rows = self._as_at(t, "action_id", as_at, t.c.action_id == action_id)
        return _action(rows[0]) if rows else None

    def escalations(self, *, council_id: str | None = None, as_at: datetime | None = None) -> list[Escalation]:
        t = self.tables["escalations"]
        where = [t.c.council_id == council_id] if council_id else []
        return [_escalation(r) for r in self._as_at(t, "escalation_id", as_at, *where)]

    def escalation(self, escalation_id: int, as_at: datetime | None = None) -> Escalation | None:
        t = self.tables["escalations"]
        rows = self._as_at(t, "escalation_id", as_at, t.c.escalation_id == escalation_id)
        return _escalation(rows[0]) if rows else None

    def reviews_held(self, council_id: str, as_at: datetime | None = None) -> list[ReviewHeld]:
        """The reviews of a council recorded as held, newest month first (the latest record of each month)."""
        t = self.tables["reviews_held"]
        query = select(t).where(t.c.council_id == council_id).order_by(t.c.month.desc(), t.c.id.desc())
        if as_at is not None:
            query = query.where(t.c.recorded_at <= as_at)
        with self.engine.connect() as con:
            rows = list(con.execute(query))
        seen, out = set(), []
        for r in rows:
            if r.month not in seen:
                seen.add(r.month)
                out.append(ReviewHeld(r.council_id, r.month, r.held_on, r.notes, r.recorded_at, r.recorded_by))
        return out


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # UTC, stored naive, as every workflow record


def _action(r) -> Action:
    return Action(r.action_id, r.council_id, r.objective_id, r.measure_id, r.title, r.owner_org, r.owner_person,
                  r.due, r.state, r.notes, r.visibility, r.agreed_at_review, r.recorded_at, r.recorded_by,
                  r.raised_at)


def _escalation(r) -> Escalation:
    return Escalation(r.escalation_id, r.council_id, r.objective_id, r.measure_id, r.raised_by_org, r.to_whom,
                      r.problem, r.decision_asked, r.outcome, r.decided_on, r.recorded_at, r.recorded_by,
                      r.raised_at)
