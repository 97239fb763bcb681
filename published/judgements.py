"""What needs attention, as the judgements stored at publish say: read, never recomputed.

`review(warehouse, scope, as_at)` takes the judgement run that stood at `as_at` (the newest on or
before it; None: the newest) and returns its exceptions and data health for the scope, and, when
asked, the measures' assessments (decoded from JSON). Nothing here fits a model or judges.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

import pandas as pd

from goal_councils.assess import Assessment, Timeliness
from goal_councils.codec import from_json
from goal_councils.status import StatusResult

from .reader import Scope, Warehouse

__all__ = ["Review", "review", "stored_statuses"]


@dataclass(frozen=True)
class Review:
    run: dict | None  # id, as_at, made_at of the judgement run read; None: none stood then
    exceptions: pd.DataFrame
    health: pd.DataFrame
    assessments: dict[str, Assessment] = field(default_factory=dict)
    first_judged: datetime | None = None  # when judgements begin, for "none stood then"


def review(warehouse: Warehouse, scope: Scope, as_at: datetime | None, *, assessments: bool = False) -> Review:
    """The stored judgements in `scope` as they stood at `as_at` (None: the newest)."""
    run = warehouse.judgement_run(as_at)
    if run is None:
        empty = pd.DataFrame()
        return Review(None, empty, empty, {}, warehouse.first_judgement())
    found: dict[str, Assessment] = {}
    if assessments:
        for r in warehouse.assessments(scope, run["id"]).itertuples(index=False):
            a = from_json(Assessment, r.assessment)
            found[r.measure_id] = a if r.timeliness is None else replace(a, timeliness=from_json(Timeliness,
                                                                                                  r.timeliness))
    return Review(run, warehouse.exceptions(scope, run["id"]), warehouse.health(scope, run["id"]), found)


def stored_statuses(warehouse: Warehouse, scope: Scope, as_at: datetime | None) -> dict[str, StatusResult]:
    """Each measure's status against plan as the judgement run that stood at `as_at` stored it
    (empty when none stood then): the one judge's word, which every page shows."""
    run = warehouse.judgement_run(as_at)
    if run is None:
        return {}
    return {r.measure_id: from_json(StatusResult, r.status_json)
            for r in warehouse.statuses(run["id"], scope).itertuples(index=False)}

