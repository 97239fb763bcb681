"""Public commentary and actions as JSON documents, for the API (/api/v1/actions,
/api/v1/measures/<id>/commentary) and the static site's copies of them.

They read the public text (workflow.public_text: public commentary and actions only, copied out of
the workflow records) and keep only what is about measures the viewer may see in `warehouse`, so
that text about a measure made internal since the copy was written stays out.
"""

from __future__ import annotations

from datetime import date

from published.reader import Scope, Warehouse
from workflow.public_text import PublicAction, PublicCommentary, PublicText

__all__ = ["commentary_document", "actions_document", "org_names"]


def org_names(warehouse: Warehouse) -> dict[str, str]:
    """Every organisation's name by id (text names an organisation by its id)."""
    found = warehouse.organisations()
    return dict(zip(found["id"], found["name"], strict=True))


def _org(names: dict[str, str], org_id: str) -> dict:
    return {"id": org_id, "name": names.get(org_id, org_id)}


def _commentary(c: PublicCommentary, names: dict[str, str]) -> dict:
    return {"period": c.period, "organisation": _org(names, c.org_id), "what_happened": c.what_happened,
            "why": c.why, "what_next": c.what_next, "updated": c.updated.isoformat()}


def _action(a: PublicAction, names: dict[str, str], on: date) -> dict:
    return {"id": a.action_id, "council_id": a.council_id, "objective_id": a.objective_id,
            "measure_id": a.measure_id, "title": a.title, "owner": _org(names, a.owner_org),
            "due": a.due.isoformat(), "state": a.state, "status": a.status(on), "notes": a.notes,
            "updated": a.updated.isoformat()}


def commentary_document(text: PublicText, warehouse: Warehouse, measure_id: str) -> dict | None:
    """A measure's public commentary, newest period first; None when the viewer may not see the measure."""
    if warehouse.measures(Scope(measure=measure_id)).empty:
        return None
    said = text.commentary_on(measure_id)
    names = org_names(warehouse) if said else {}
    return {"measure_id": measure_id, "commentary": [_commentary(c, names) for c in said]}


def actions_document(text: PublicText, warehouse: Warehouse, *, council_id: str | None = None,
                     objective_id: str | None = None, measure_id: str | None = None,
                     on: date | None = None) -> dict:
    """The public actions (of a council, an objective, about a measure), open before done, with their
    status on `on` (today)."""
    visible = warehouse.measures(Scope(council=council_id, objective=objective_id, measure=measure_id))
    found = text.actions_for(council_id=council_id, objective_id=objective_id, measure_ids=visible["id"])
    if measure_id is not None:
        found = [a for a in found if a.measure_id == measure_id]
    names = org_names(warehouse) if found else {}
    return {"actions": [_action(a, names, on or date.today()) for a in found]}
