"""End-to-end services as plain data, for the API (/api/v1/services, /api/v1/services/<id>) and the
static-site export's pages and copies of those answers.

    read_service(w, service_id, as_at)      the service as the viewer may see it (a `Service`), or None
    service_index(w, as_at)                 every service with a stage the viewer may see: its objectives
                                            and its stages with the organisation running each
    service_summary(service)                one item of that list
    service_document(service)               the service, its stages (with the measures each names), the
                                            hand-offs, and per month each stage's stored flow figures, the
                                            volumes handed on, the pinch point and the end-to-end time

Everything is read through `Warehouse.services()` and `Warehouse.service_view()`, so it answers for the
viewer of the moment: a stage whose measures they may not see is not there, nor is any figure derived
from it (the reader gives the flow computed without it). A service with no stage the viewer may see
reads exactly as one that does not exist. Figures are the ones judged at publish (etl/services.py),
never worked out again here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from published.reader import Warehouse

from .series import records

__all__ = ["Service", "read_service", "service_index", "service_summary", "service_document", "STAGE_FIGURES"]

# the stored figures of a stage in a month, in the order the answers give them
STAGE_FIGURES = ("arrivals", "completions", "backlog", "backlog_change", "time_median", "time_p90",
                 "failure_demand", "failure_share", "right_first_time", "capacity", "left_service")
NO_RUN = -1  # before anything is judged: the reader then shows the public stages, with no figures


@dataclass(frozen=True)
class Service:
    """One service as the viewer may see it: its row, the objectives it serves, and the stored view
    (records of `stages`, `measures`, `handoffs`, `flow`, `handoff_flow` and `periods`)."""
    row: dict
    objectives: list[dict]
    view: dict[str, list[dict]]

    @property
    def months(self) -> list[str]:
        return [p["period"] for p in self.view["periods"]]

    def flow_in(self, period: str) -> dict[str, dict]:
        """Each stage's stored figures in `period`, by stage id."""
        return {r["stage_id"]: r for r in self.view["flow"] if r["period"] == period}

    def month(self, period: str) -> dict | None:
        """The month's pinch point and end-to-end time as stored."""
        return next((p for p in self.view["periods"] if p["period"] == period), None)


def read_service(w: Warehouse, service_id: str, as_at: datetime | None = None) -> Service | None:
    """The service and the run judged as at `as_at`, as the viewer may see them; None when there is no
    such service or the viewer may see none of its stages."""
    found = records(w.services(service_id=service_id))
    if not found:
        return None
    run = w.judgement_run(as_at)
    view = {name: records(frame) for name, frame in w.service_view(service_id, run["id"] if run else NO_RUN).items()}
    if not view["stages"]:
        return None
    served = (found[0]["objectives"] or "").split(",")
    names = {o["objective_id"]: o["objective_name"] for o in records(w.objectives())}
    objectives = [{"id": o, "name": names[o]} for o in served if o in names]
    return Service(found[0], objectives, view)


def service_index(w: Warehouse, as_at: datetime | None = None) -> list[dict]:
    """Every service the viewer may see a stage of, in order: id, name, description, the objectives it
    serves and its stages with the organisation running each."""
    found = []
    for row in records(w.services()):
        service = read_service(w, row["id"], as_at)
        if service is not None:
            found.append(service_summary(service))
    return found


def service_summary(service: Service) -> dict:
    """A service as the list gives it: id, name, description, objectives and its stages (with organisation)."""
    return {**_summary(service), "stages": [_stage(s) for s in service.view["stages"]]}


def service_document(service: Service) -> dict:
    """The whole service: its definition, the stages with the measures each names, the hand-offs, and
    its stored flow month by month (oldest first)."""
    view = service.view
    named: dict[str, dict[str, str]] = {}
    for m in view["measures"]:
        named.setdefault(m["stage_id"], {})[m["figure"]] = m["measure_id"]
    return {
        "service": {**_summary(service), "little_tolerance": _plain(service.row["little_tolerance"]),
                    "end_to_end_measures": {"median": service.row["end_to_end_median"],
                                            "p90": service.row["end_to_end_p90"]}},
        "stages": [{**_stage(s), "measures": named.get(s["stage_id"], {})} for s in view["stages"]],
        "handoffs": [{"from_stage": h["from_stage"], "to_stage": h["to_stage"]} for h in view["handoffs"]],
        "months": [_month(service, p) for p in view["periods"]],
    }


def _summary(service: Service) -> dict:
    row = service.row
    return {"id": row["id"], "name": row["name"], "description": row["description"] or None,
            "objectives": service.objectives}


def _stage(stage: dict) -> dict:
    return {"id": stage["stage_id"], "name": stage["name"], "description": stage["description"] or None,
            "organisation": {"id": stage["org_id"], "name": stage["org_name"]}}


def _month(service: Service, period: dict) -> dict:
    rows = service.flow_in(period["period"])
    pinch = period["pinch_stage"]
    return {
        "period": period["period"],
        "period_start": _plain(period["period_start"]),
        "pinch_point": None if pinch is None else {"stage_id": pinch, "reason": period["pinch_reason"],
                                                   "size": _plain(period["pinch_size"])},
        "end_to_end": {k: _plain(period[f"end_to_end_{k}"]) for k in ("median", "p90", "median_estimate",
                                                                      "p90_estimate")},
        "stages": [_figures(s["stage_id"], rows.get(s["stage_id"], {})) for s in service.view["stages"]],
        "handoffs": [{"from_stage": v["from_stage"], "to_stage": v["to_stage"], "volume": _plain(v["volume"])}
                     for v in service.view["handoff_flow"] if v["period"] == period["period"]],
    }


def _figures(stage_id: str, row: dict) -> dict:
    agrees = row.get("little_agrees")
    return {"stage_id": stage_id, **{k: _plain(row.get(k)) for k in STAGE_FIGURES},
            "littles_law": {"expected": _plain(row.get("little_expected")), "ratio": _plain(row.get("little_ratio")),
                            "agrees": None if agrees is None else bool(agrees)}}


def _plain(value):
    """A stored value as JSON takes it: None for a missing number, dates as ISO text, and a figure to six
    decimal places (sums of stage times carry binary noise: 42.300000000000004)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value
