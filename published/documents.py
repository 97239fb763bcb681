"""Downloads and API answers: councils, objectives, measures and organisations as plain data (their
definitions, the judgements stored at publish, their observations) and as one tidy CSV each.

    council_document(w, council_id, as_at)       council, members, objectives, measures, observations
    objective_document(w, objective_id, as_at)   objective (lead, partners), measures, observations
    measure_document(w, measure_id, as_at)       measure, observations
    organisation_document(w, org_id, as_at)      organisation, the objectives it takes part in, its
                                                 measures there and their headlines, observations
    council_csv, objective_csv, measure_csv, organisation_csv
                                                 one row per observation, the measure's definition repeated
    measure_observations(w, measure_id, as_at, since=, until=, breakdown=)   some observations of one measure
    council_index, objective_index, measure_index, organisation_index        the lists

Every builder reads through a `Warehouse`, so it answers for the viewer of the moment
(published/access.py): an id naming nothing that viewer may see gives None, exactly as an id naming
nothing at all. Judgements are read as stored (published/judgements.py), never made here. No web
framework either: the API (dashboard/api.py) and the static-site export share these.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd

from .exports import csv_text
from .judgements import stored_statuses
from .reader import Scope, Warehouse

__all__ = [
    "CSV_COLUMNS", "TOTAL", "UnknownBreakdown",
    "council_document", "objective_document", "measure_document", "organisation_document",
    "council_csv", "objective_csv", "measure_csv", "organisation_csv", "measure_observations",
    "council_index", "objective_index", "measure_index", "organisation_index",
]

CSV_COLUMNS = ["measure_id", "measure_name", "unit", "unit_label", "owner", "objective", "council", "period",
               "breakdown", "value", "status", "note"]
TOTAL = "total"  # the `breakdown` filter's word for the totals (stored with an empty breakdown key)
OBSERVATION_FIELDS = ("measure_id", "period", "period_start", "breakdown", "value", "status", "note", "revised")
MEASURE_FIELDS = ("id", "name", "description", "role", "kind", "timing", "unit", "unit_label", "rate_per",
                  "decimals", "direction", "frequency", "published", "source", "categories")


class UnknownBreakdown(ValueError):
    """A breakdown filter names no breakdown the measure declares."""


# --- documents -------------------------------------------------------------------------------------

def council_document(w: Warehouse, council_id: str, as_at: datetime | None = None) -> dict | None:
    """A council: its goal and chair, member organisations, objectives (lead, partners), and the
    definitions and observations of every measure of it the viewer may see."""
    found = _rows(w.councils(council_id=council_id))
    if not found:
        return None
    measures = _measures(w, Scope(council=council_id), as_at)
    return {
        "council": _pick(found[0], "id", "name", "goal", "chair"),
        "members": [_pick(m, "id", "name", "short_name", "kind") for m in _rows(w.council_members(council_id))],
        "objectives": _objectives(_rows(w.objectives(council_id=council_id)),
                                  _rows(w.partnerships(council_id=council_id)), measures),
        "measures": measures,
        "observations": _observations(w, Scope(council=council_id), as_at, measures),
    }


def objective_document(w: Warehouse, objective_id: str, as_at: datetime | None = None) -> dict | None:
    """An objective: its statement, council, lead and partners with their responsibilities, and its
    measures' definitions and observations."""
    found = _rows(w.objectives(objective_id=objective_id))
    if not found:
        return None
    measures = _measures(w, Scope(objective=objective_id), as_at)
    return {
        "objective": _objectives(found, _rows(w.partnerships(objective_id=objective_id)), measures)[0],
        "measures": measures,
        "observations": _observations(w, Scope(objective=objective_id), as_at, measures),
    }


def measure_document(w: Warehouse, measure_id: str, as_at: datetime | None = None) -> dict | None:
    """A measure: its definition (unit, target, trajectory, owner, stored judgement) and observations."""
    measures = _measures(w, Scope(measure=measure_id), as_at)
    if not measures:
        return None
    return {"measure": measures[0], "observations": _observations(w, Scope(measure=measure_id), as_at, measures)}


def organisation_document(w: Warehouse, org_id: str, as_at: datetime | None = None) -> dict | None:
    """An organisation: the objectives it leads or contributes to (with every partner's responsibility),
    the measures it owns there and each objective's headline, with their observations."""
    found = _rows(w.organisations(org_id=org_id))
    if not found:
        return None
    scope = Scope(partner=org_id)
    measures = _measures(w, scope, as_at)
    return {
        "organisation": _pick(found[0], "id", "name", "short_name", "kind", "url"),
        "objectives": _objectives(_rows(w.objectives(partner=org_id)), _rows(w.partnerships(partner=org_id)),
                                  measures),
        "measures": measures,
        "observations": _observations(w, scope, as_at, measures),
    }


def measure_observations(w: Warehouse, measure_id: str, as_at: datetime | None = None, *,
                         since: date | None = None, until: date | None = None,
                         breakdown: str | None = None) -> list[dict] | None:
    """The observations of one measure whose period starts between `since` and `until` (inclusive;
    None: open), of one `breakdown`: TOTAL, a dimension the measure declares (`region`: every region
    group), or one group (`region=North`; several dimensions joined by `|`, as stored). None for a
    measure the viewer may not see; UnknownBreakdown for a breakdown it does not declare."""
    scope = Scope(measure=measure_id)
    if w.measures(scope).empty:
        return None
    groups = w.breakdowns(measure_id)
    declared = set(zip(groups.breakdown, groups.value, strict=True))
    kind = _breakdown_kind(breakdown, {name for name, _ in declared}, declared)
    exact = "" if kind == "total" else breakdown if kind == "group" else None
    frame = w.values(scope, as_at, dimension=None, breakdown=exact, since=since)
    if kind == "dimension":
        frame = frame[frame.dimension == breakdown]
    if until is not None:
        frame = frame[frame.period_start.dt.date <= until]
    return [_pick(r, *OBSERVATION_FIELDS) for r in _rows(frame.sort_values(["breakdown", "period_start"]))]


def _breakdown_kind(breakdown: str | None, names: set[str], declared: set[tuple[str, str]]) -> str | None:
    if breakdown is None:
        return None
    if breakdown == TOTAL:
        return "total"
    parts = breakdown.split("|")  # several dimensions: joined by `|` in the order of their names, as stored
    if parts == sorted(set(parts)) and set(parts) <= names:
        return "dimension"
    pairs = [tuple(p.split("=", 1)) for p in parts]
    if all(len(p) == 2 and p in declared for p in pairs) and [p[0] for p in pairs] == sorted({p[0] for p in pairs}):
        return "group"
    raise UnknownBreakdown(breakdown)


# --- CSV -------------------------------------------------------------------------------------------

def council_csv(w: Warehouse, council_id: str, as_at: datetime | None = None) -> str | None:
    """Every observation of the council's measures, one tidy row each (CSV_COLUMNS), formulas neutralised."""
    return _csv(council_document(w, council_id, as_at))


def objective_csv(w: Warehouse, objective_id: str, as_at: datetime | None = None) -> str | None:
    """Every observation of the objective's measures, one tidy row each."""
    return _csv(objective_document(w, objective_id, as_at))


def measure_csv(w: Warehouse, measure_id: str, as_at: datetime | None = None) -> str | None:
    """Every observation of the measure, one tidy row each."""
    document = measure_document(w, measure_id, as_at)
    return None if document is None else _csv({"measures": [document["measure"]], **document})


def organisation_csv(w: Warehouse, org_id: str, as_at: datetime | None = None) -> str | None:
    """Every observation of the measures in the organisation's document, one tidy row each."""
    return _csv(organisation_document(w, org_id, as_at))


def _csv(document: dict | None) -> str | None:
    if document is None:
        return None
    definitions = {m["id"]: m for m in document["measures"]}
    rows = []
    for o in document["observations"]:
        m = definitions[o["measure_id"]]
        rows.append({"measure_id": m["id"], "measure_name": m["name"], "unit": m["unit"],
                     "unit_label": m["unit_label"], "owner": m["owner"]["id"], "objective": m["objective"]["id"],
                     "council": m["council"]["id"], "period": o["period"], "breakdown": o["breakdown"],
                     "value": o["value"], "status": o["status"], "note": o["note"]})
    frame = pd.DataFrame(rows, columns=CSV_COLUMNS)
    frame["value"] = frame["value"].astype("float64")  # a number, so a negative figure is not taken for a formula
    return csv_text(frame)


# --- lists -----------------------------------------------------------------------------------------

def council_index(w: Warehouse) -> list[dict]:
    """Every council: id, name, goal, chair, how many objectives and member organisations."""
    return [_pick(c, "id", "name", "goal", "chair", "objectives", "members") for c in _rows(w.councils())]


def objective_index(w: Warehouse, council_id: str | None = None) -> list[dict]:
    """Every objective (of one council): statement, council, number in it, lead, and the headline
    measure the viewer may see (None when there is none)."""
    headlines = {m["objective_id"]: m["id"] for m in _rows(w.measures(Scope(role="headline", council=council_id)))}
    return [{**_objective(o), "headline_measure": headlines.get(o["objective_id"])}
            for o in _rows(w.objectives(council_id=council_id))]


def measure_index(w: Warehouse, as_at: datetime | None = None, *, council_id: str | None = None,
                  objective_id: str | None = None, owner_id: str | None = None) -> list[dict]:
    """The measures the viewer may see (of a council, an objective, an owner: each None = any),
    with their definitions without the trajectory, and their stored judgement."""
    scope = Scope(council=council_id, objective=objective_id, owner=owner_id)
    statuses = stored_statuses(w, scope, as_at)
    return [_definition(m, None, statuses.get(m["id"])) for m in _rows(w.measures(scope))]


def organisation_index(w: Warehouse) -> list[dict]:
    """Every organisation: id, name, short name, kind, web address, objectives it leads and contributes to."""
    return [_pick(g, "id", "name", "short_name", "kind", "url", "leads", "contributes")
            for g in _rows(w.organisations())]


# --- pieces ----------------------------------------------------------------------------------------

def _measures(w: Warehouse, scope: Scope, as_at: datetime | None) -> list[dict]:
    """The definitions of the measures in `scope`, with trajectory points and stored judgement."""
    found = _rows(w.measures(scope))
    if not found:
        return []
    points: dict[str, list[dict]] = {}
    for p in _rows(w.plan(scope)):
        points.setdefault(p["measure_id"], []).append(_pick(p, "period", "period_start", "value", "kind"))
    statuses = stored_statuses(w, scope, as_at)
    return [_definition(m, points.get(m["id"], []), statuses.get(m["id"])) for m in found]


def _definition(m: dict, trajectory: list[dict] | None, status) -> dict:
    out = {
        **_pick(m, *MEASURE_FIELDS),
        "breakdowns": [b for b in (m["breakdowns"] or "").split(",") if b],
        "owner": {"id": m["owner_id"], "name": m["owner_name"]},
        "objective": {"id": m["objective_id"], "name": m["objective_name"]},
        "council": {"id": m["council_id"], "name": m["council_name"]},
        "target": {"baseline_period": m["baseline_period"], "baseline_value": m["baseline_value"],
                   "target_period": m["target_period"], "target_value": m["target_value"],
                   "note": m["target_note"]},
        "judgement": None if status is None else {"status": status.status, "reason": status.reason,
                                                  "period": status.period},
    }
    if trajectory is not None:
        out["trajectory"] = trajectory
    return out


def _objective(o: dict) -> dict:
    return {"id": o["objective_id"], "name": o["objective_name"], "statement": o["objective_statement"],
            "council": {"id": o["council_id"], "name": o["council_name"]}, "number": o["objective_number"],
            "lead": None if o["lead_id"] is None else {"id": o["lead_id"], "name": o["lead_name"]}}


def _objectives(objectives: list[dict], partners: list[dict], measures: list[dict]) -> list[dict]:
    """Objectives with their partners and the ids of their measures the viewer may see (the headline
    from those alone: the objectives query's own headline id does not ask who is viewing)."""
    by_objective: dict[str, list[dict]] = {}
    for p in partners:
        by_objective.setdefault(p["objective_id"], []).append(
            {"id": p["org_id"], "name": p["org_name"], "role": p["role"], "responsibility": p["responsibility"]})
    out = []
    for o in objectives:
        mine = [m for m in measures if m["objective"]["id"] == o["objective_id"]]
        out.append({**_objective(o), "partners": by_objective.get(o["objective_id"], []),
                    "headline_measure": next((m["id"] for m in mine if m["role"] == "headline"), None),
                    "measures": [m["id"] for m in mine]})
    return out


def _observations(w: Warehouse, scope: Scope, as_at: datetime | None, measures: list[dict]) -> list[dict]:
    """Every observation (totals and breakdowns) in `scope`, in the measures' order, then by
    breakdown (the total first) and period."""
    if not measures:
        return []
    frame = w.values(scope, as_at, dimension=None)
    order = {m["id"]: i for i, m in enumerate(measures)}
    frame = frame.assign(_order=frame.measure_id.map(order)).sort_values(["_order", "breakdown", "period_start"])
    return [_pick(r, *OBSERVATION_FIELDS) for r in _rows(frame)]


def _pick(row: dict, *names: str) -> dict:
    return {n: row[n] for n in names}


def _rows(frame: pd.DataFrame) -> list[dict]:
    """A frame as plain records: None for anything missing, dates as ISO text, Python numbers."""
    columns = list(frame.columns)
    lists = [[_plain(v) for v in frame[c].tolist()] for c in columns]
    return [dict(zip(columns, values, strict=True)) for values in zip(*lists, strict=True)]


def _plain(value):
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime):  # pandas' Timestamp too: the periods' start dates
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value.item() if isinstance(value, np.generic) else value
