"""What the monthly review's pages share: their addresses, the review schedule, and who may see or write
what (read again from the warehouse for every request, never taken from the browser).

A plain module (no page of its own), so that the review pages and the goal map import it like any other:

    /review                        the list of scheduled reviews (dashboard.pages.review_list)
    /review/<council>/<YYYY-MM>    one council's review pack, with its forms (dashboard.pages.review)
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple
from urllib.parse import quote

import pandas as pd

from dashboard.auth import acts_for, allows, sits_on
from dashboard.series import records
from dashboard.urls import read_as_of
from published.reader import Scope, Warehouse

__all__ = ["LIST_PATH", "PACK_TEMPLATE", "HEADING", "Review", "review_href", "takes_part", "schedule",
           "default_month", "read_review", "may_act", "may_decide", "commentable", "councils_seen"]

LIST_PATH = "/review"
PACK_TEMPLATE = "/review/<council>/<month>"
HEADING = "Monthly reviews"


def review_href(council_id: str, month: str) -> str:
    """A review pack's address: `/review/<council>/<YYYY-MM>` (each part quoted)."""
    return f"{LIST_PATH}/{quote(str(council_id), safe='')}/{quote(str(month), safe='')}"


class Review(NamedTuple):  # (Dash imports page modules outside sys.modules, where a dataclass cannot be made)
    council: dict
    month: str
    members: list[tuple[str, str]]  # (org id, name) of the organisations taking part
    objectives: list[dict]
    measures: list[dict]  # those the viewer may see

    @property
    def id(self) -> str:
        return self.council["id"]

    @property
    def leads(self) -> set[str]:
        return {o["lead_id"] for o in self.objectives}


def takes_part(council_id: str, member_ids: set[str]) -> bool:
    """May the viewer see this council's review pack?"""
    return allows(lambda v: sits_on(council_id)(v) or (v.org in member_ids and acts_for(v.org)(v)))


def schedule(warehouse: Warehouse, council_id: str | None = None) -> list[dict]:
    """The scheduled reviews (of one council), oldest first, `meeting_date` as a date."""
    return [{**r, "meeting_date": pd.Timestamp(r["meeting_date"]).date()}
            for r in records(warehouse.scheduled_reviews(council_id))]


def default_month(warehouse: Warehouse, council_id: str) -> str:
    """The council's next review (or its last, when none is to come; this month without a schedule)."""
    mine = schedule(warehouse, council_id)
    coming = [r["month"] for r in mine if r["meeting_date"] >= date.today()]
    return (coming or [r["month"] for r in mine][-1:] or [date.today().strftime("%Y-%m")])[0]


def read_review(warehouse: Warehouse, council_id, month) -> Review | None:
    """The review of `council_id` in `month` (None or malformed: its next) as the viewer may see it; None
    when the council does not exist or the viewer takes no part in it (the two read the same)."""
    found = records(warehouse.councils(council_id=council_id)) if isinstance(council_id, str) and council_id else []
    if not found:
        return None
    members = records(warehouse.council_members(council_id))
    if not takes_part(council_id, {m["id"] for m in members}):
        return None
    return Review(found[0], read_as_of(month).month or default_month(warehouse, council_id),
                  [(m["id"], m["name"]) for m in members], records(warehouse.objectives(council_id=council_id)),
                  records(warehouse.measures(Scope(council=council_id))))


def may_act(review: Review) -> bool:
    """Add and close actions, raise escalations."""
    return allows(lambda v: sits_on(review.id)(v) or (v.role == "lead" and v.org in review.leads))


def may_decide(review: Review) -> bool:
    """Decide escalations, record the review held."""
    return allows(sits_on(review.id))


def commentable(review: Review) -> list[dict]:
    """The measures the viewer may write (revise, withdraw) commentary on: those whose owner, or whose
    objective's lead, the viewer's organisation is; an administrator's, every one."""
    lead = {o["objective_id"]: o["lead_id"] for o in review.objectives}
    return [m for m in review.measures
            if allows(lambda v, m=m: acts_for(m["owner_id"])(v) or acts_for(lead.get(m["objective_id"]))(v))]


def councils_seen(warehouse: Warehouse) -> set[str]:
    """The councils whose reviews the viewer takes part in."""
    return {c for c in warehouse.councils()["id"] if takes_part(c, set(warehouse.council_members(c)["id"]))}
