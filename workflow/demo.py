"""The demo government's review records (workflow/demo_review.yaml): commentary, actions,
escalations, reviews held and workload plans, written through the store's own methods, so they are
versioned and audited like anything a person writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from importlib import resources

import yaml

__all__ = ["write_demo_review", "write_demo_plans", "DEMO_REVIEW"]

DEMO_REVIEW = "demo_review.yaml"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _records() -> dict:
    return yaml.safe_load(resources.files(__package__).joinpath(DEMO_REVIEW).read_text(encoding="utf-8"))


def _month_end(month: str) -> date:
    year, number = (int(x) for x in month.split("-"))
    return date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1)


def write_demo_plans(store, backlog_at: Callable[[str, str], float | None]) -> int:
    """Save the demo's workload plans into `store` unless it already holds any; how many were saved.
    `backlog_at(measure_id, period)` is the published work waiting the plan starts from (a plan whose
    figure is not published is left out)."""
    if store.plans():
        return 0
    saved = 0
    for p in _records().get("plans", []):
        start = backlog_at(p["measure"], p["from"])
        if start is None:
            continue
        weeks, target = int(p["weeks"]), float(p["target"])
        weekly = [start + (target - start) * w / weeks for w in range(weeks + 1)]
        store.save_plan(measure_id=p["measure"], service_id=p["service"], stage_id=p["stage"],
                        start=_month_end(p["from"]), weekly=weekly, target=target, org_id=p["org"], by=p["by"],
                        extra={"demand_from": "arrivals as in the month shown"}, now=_at(p["at"]))
        saved += 1
    return saved


def write_demo_review(store) -> int:
    """Write the demo's review records into `store` (a WorkflowStore) unless it already holds any;
    how many records were written (0: left as it was). ReviewError if the file names a bad value."""
    if store.commentary() or store.actions() or store.escalations():
        return 0
    records = _records()
    written = 0
    for c in records.get("commentary", []):
        store.write_commentary(measure_id=c["measure"], period=c["period"], org_id=c["org"],
                               what_happened=c["what_happened"], why=c.get("why", ""),
                               what_next=c.get("what_next", ""), visibility=c["visibility"], by=c["by"],
                               now=_at(c["at"]))
        written += 1
    for a in records.get("actions", []):
        action_id = store.add_action(council_id=a["council"], objective_id=a.get("objective"),
                                     measure_id=a.get("measure"), title=a["title"], owner_org=a["owner_org"],
                                     owner_person=a["owner_person"], due=a["due"], notes=a.get("notes", ""),
                                     visibility=a["visibility"], agreed_at_review=a.get("agreed_at_review"),
                                     by=a["owner_person"], now=_at(a["at"]))
        if a.get("state") == "done":
            store.update_action(action_id, state="done", by=a["owner_person"], now=_at(a["done_at"]))
        written += 1
    for e in records.get("escalations", []):
        store.raise_escalation(council_id=e["council"], objective_id=e.get("objective"),
                               measure_id=e.get("measure"), raised_by_org=e["raised_by_org"], to_whom=e["to_whom"],
                               problem=e["problem"], decision_asked=e["decision_asked"], by=e["by"],
                               now=_at(e["at"]))
        written += 1
    for r in records.get("reviews_held", []):
        store.record_review(council_id=r["council"], month=r["month"], held_on=r["held_on"],
                            notes=r.get("notes", ""), by=r["by"], now=_at(r["at"]))
        written += 1
    return written
