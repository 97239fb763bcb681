"""Workload plans saved as milestone trajectories: who saved which plan for which measure, and when.

A service page's "plan the workload" panel (dashboard/pages/service.py) saves a stage's week-by-week
projection here; the newest plan of a measure not withdrawn is the one a publish applies to it
(goal_councils/plans.py, etl/plans.py). Every save and withdrawal is a new row, never an overwrite,
audited as `plan-saved` / `plan-withdrawn`.

The publish step never reads this database: it reads `HOME/milestone-plans.json`, which
`PlansFile.write(store)` makes from the plans standing now (organisation, never person), after every
save or withdrawal in the app (dashboard/reloads.py) and before every command-line publish.

    PlanRecords      the methods WorkflowStore gains: save_plan, withdraw_plan, plans, plan_for
    MilestonePlan    one saved plan as it stands, with who saved it
    PlansFile        the file the publish step reads
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
)

from goal_councils.plans import MAX_WEEKS, SavedPlan, plans_to_json

from .review import ReviewError

__all__ = ["PlanRecords", "MilestonePlan", "PlansFile", "define_plan_table", "MAX_WEEKS"]



def define_plan_table(metadata: MetaData) -> Table:
    """The saved plans' table, on the workflow database's metadata (migration 3 makes it)."""
    return Table(
        "milestone_plans", metadata,
        Column("id", Integer, primary_key=True),  # one version; the newest of a measure is its plan
        Column("measure_id", String(200), nullable=False),
        Column("service_id", String(200), nullable=False),
        Column("stage_id", String(200), nullable=False),
        Column("start", Date, nullable=False),  # the day the plan starts from
        Column("weekly", Text, nullable=False),  # JSON list: work waiting week by week, week 0 first
        Column("target", Float, nullable=False),
        Column("org_id", String(200), nullable=False),  # the organisation that saved it ("" an administrator)
        Column("extra", Text, nullable=False),  # JSON object: what else the plan said
        Column("withdrawn", Integer, nullable=False, default=0),
        Column("recorded_at", DateTime, nullable=False),  # UTC
        Column("recorded_by", String(200), nullable=False),
        Index("milestone_plans_measure", "measure_id", "id"),
    )


@dataclass(frozen=True)
class MilestonePlan:
    id: int
    measure_id: str
    service_id: str
    stage_id: str
    start: date
    weekly: tuple[float, ...]
    target: float
    org_id: str
    recorded_at: datetime
    recorded_by: str
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def saved(self) -> SavedPlan:
        """The plan as the publish step reads it: the organisation, not the person."""
        return SavedPlan(self.measure_id, self.service_id, self.stage_id, self.start, self.weekly, self.target,
                         self.org_id, self.recorded_at, dict(self.extra))


def _id(field_name: str, value) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > 200:
        raise ReviewError(field_name, "give an id of 1 to 200 characters")
    return text


def _weekly(values) -> list[float]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise ReviewError("weekly", "give the work waiting week by week as a list of numbers")
    if not 2 <= len(values) <= MAX_WEEKS + 1:
        raise ReviewError("weekly", f"a plan has 1 to {MAX_WEEKS} weeks")
    out = []
    for i, v in enumerate(values):
        number = float(v) if isinstance(v, int | float) and not isinstance(v, bool) else math.nan
        if not math.isfinite(number) or number < 0:
            raise ReviewError("weekly", f"week {i}: {v!r} is not a number of 0 or more")
        out.append(number)
    return out


class PlanRecords:
    """Methods of WorkflowStore for saved plans; `self.engine`, `self._audit` and `self.plan_table` come
    from the store."""

    plan_table: Table

    def _changed(self, table: str) -> None:
        """Called after each committed write (the store tells its listeners)."""

    def save_plan(self, *, measure_id: str, service_id: str, stage_id: str, start: date, weekly: Sequence[float],
                  target: float, org_id: str | None, by: str, extra: Mapping[str, object] | None = None,
                  now: datetime | None = None) -> int:
        """Save a stage's plan as `measure_id`'s milestone trajectory (in place of any plan before it); the
        row's id. ReviewError names the field that does not fit."""
        if not isinstance(start, date):
            raise ReviewError("start", "give the day the plan starts from")
        values = _weekly(weekly)
        goal = float(target) if isinstance(target, int | float) and not isinstance(target, bool) else math.nan
        if not math.isfinite(goal) or goal < 0:
            raise ReviewError("target", "give the work waiting wanted as a number of 0 or more")
        row = {"measure_id": _id("measure_id", measure_id), "service_id": _id("service_id", service_id),
               "stage_id": _id("stage_id", stage_id), "start": start, "weekly": json.dumps(values),
               "target": goal, "org_id": (org_id or "").strip()[:200], "extra": json.dumps(dict(extra or {})),
               "withdrawn": 0, "recorded_at": now or _now(), "recorded_by": str(by)[:200]}
        with self.engine.begin() as con:
            ident = con.execute(insert(self.plan_table).values(**row)).inserted_primary_key[0]
            self._audit(con, by, "plan-saved", {k: row[k] for k in ("measure_id", "service_id", "stage_id",
                                                                     "target", "org_id")}
                        | {"start": start.isoformat(), "weeks": len(values) - 1})
        self._changed(self.plan_table.name)
        return ident

    def withdraw_plan(self, measure_id: str, *, by: str, now: datetime | None = None) -> int:
        """Withdraw the plan standing for `measure_id`: its target goes back to what the definitions say."""
        current = self.plan_for(measure_id)
        if current is None:
            raise ReviewError("measure_id", f"there is no plan standing for {measure_id}")
        row = {"measure_id": current.measure_id, "service_id": current.service_id, "stage_id": current.stage_id,
               "start": current.start, "weekly": json.dumps(list(current.weekly)), "target": current.target,
               "org_id": current.org_id, "extra": json.dumps(dict(current.extra)), "withdrawn": 1,
               "recorded_at": now or _now(), "recorded_by": str(by)[:200]}
        with self.engine.begin() as con:
            ident = con.execute(insert(self.plan_table).values(**row)).inserted_primary_key[0]
            self._audit(con, by, "plan-withdrawn", {"measure_id": current.measure_id,
                                                    "service_id": current.service_id})
        self._changed(self.plan_table.name)
        return ident

    def plans(self, *, service_id: str | None = None) -> list[MilestonePlan]:
        """The plans standing now (each measure's newest, unless withdrawn), by measure."""
        t = self.plan_table
        newest = select(func.max(t.c.id)).group_by(t.c.measure_id).scalar_subquery()
        query = select(t).where(t.c.id.in_(newest), t.c.withdrawn == 0).order_by(t.c.measure_id)
        if service_id is not None:
            query = query.where(t.c.service_id == service_id)
        with self.engine.connect() as con:
            return [_plan(r) for r in con.execute(query)]

    def plan_for(self, measure_id: str) -> MilestonePlan | None:
        t = self.plan_table
        query = select(t).where(t.c.measure_id == measure_id).order_by(t.c.id.desc()).limit(1)
        with self.engine.connect() as con:
            row = con.execute(query).first()
        return None if row is None or row.withdrawn else _plan(row)


def _plan(r) -> MilestonePlan:
    return MilestonePlan(r.id, r.measure_id, r.service_id, r.stage_id, r.start, tuple(json.loads(r.weekly)),
                         r.target, r.org_id, r.recorded_at, r.recorded_by, json.loads(r.extra or "{}"))


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class PlansFile:
    """`HOME/milestone-plans.json`: the plans standing now, as the publish step reads them."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def write(self, store) -> bool:
        """Write the plans standing in `store` (to a new file, then moved over the old one); False, and the
        file left alone, when it already says the same."""
        with self._lock, open(self.path.with_name(self.path.name + ".lock"), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            # read under the lock: a writer that read the records before another's save cannot write after it
            text = plans_to_json([p.saved for p in store.plans()])
            try:
                if self.path.read_text(encoding="utf-8") == text:
                    return False
            except (FileNotFoundError, UnicodeDecodeError):
                pass
            fresh = self.path.with_name(f".{self.path.name}.{os.getpid()}.new")
            with open(fresh, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(fresh, self.path)
            return True
