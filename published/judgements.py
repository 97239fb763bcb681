"""The judgements stored at publish, read: never recomputed here.

Each function takes the judgement run that stood at `as_at` (the newest on or before it; None: the
newest) and reads only what its caller shows:

    review(warehouse, scope, as_at[, shown])    the run's exceptions (or a page of them) and data health
    stored_assessments(warehouse, scope, as_at) each measure's whole assessment (measure, objective)
    stored_statuses(warehouse, scope, as_at)    each measure's status alone (cards, tables)
    stored_timeliness(warehouse, scope, as_at)  each measure's figures due, on time, late or missing
    stored_judgements(warehouse, scope, as_at)  statuses, groups, timeliness (and whole assessments) at
                                                once: one statement for a page that shows several

Nothing here fits a model or judges.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd

from goal_councils.assess import Assessment, Timeliness
from goal_councils.codec import from_json
from goal_councils.divergence import Divergence
from goal_councils.status import StatusResult

from .reader import Scope, Warehouse

__all__ = [
    "Review", "review", "StoredAssessments", "stored_assessments", "stored_statuses",
    "StoredTimeliness", "stored_timeliness", "StoredJudgements", "stored_judgements",
]


@dataclass(frozen=True)
class Review:
    run: dict | None  # id, as_at, made_at of the judgement run read; None: none stood then
    exceptions: pd.DataFrame
    health: pd.DataFrame
    first_judged: datetime | None = None  # when judgements begin, for "none stood then"
    groups: pd.DataFrame | None = None  # every objective's count and worst severity, when `exceptions` is a page


@dataclass(frozen=True)
class StoredAssessments:
    found: dict[str, Assessment]  # empty when no run stood then
    first_judged: datetime | None = None  # set when no run stood then


def review(warehouse: Warehouse, scope: Scope, as_at: datetime | None,
           shown: Callable[[pd.DataFrame], list[str]] | None = None) -> Review:
    """The exceptions and data health in `scope` as they stood at `as_at` (None: the newest). `shown`: given
    the exceptions by objective (`Warehouse.exception_groups`), the objectives whose exceptions to read (a
    page of the list); the review then holds those exceptions alone, and the groups."""
    run = warehouse.judgement_run(as_at)
    if run is None:
        return Review(None, pd.DataFrame(), pd.DataFrame(), warehouse.first_judgement())
    groups = None if shown is None else warehouse.exception_groups(scope, run["id"])
    exceptions = warehouse.exceptions(scope, run["id"], None if groups is None else shown(groups))
    return Review(run, exceptions, warehouse.health(scope, run["id"]), groups=groups)


def stored_assessments(warehouse: Warehouse, scope: Scope, as_at: datetime | None) -> StoredAssessments:
    """Each measure's newest stored assessment at or before the run that stood at `as_at`, with
    that run's timeliness."""
    run = warehouse.judgement_run(as_at)
    if run is None:
        return StoredAssessments({}, warehouse.first_judgement())
    found: dict[str, Assessment] = {}
    for r in warehouse.assessments(scope, run["id"]).itertuples(index=False):
        a = from_json(Assessment, r.assessment)
        found[r.measure_id] = a if r.timeliness is None else replace(a, timeliness=from_json(Timeliness, r.timeliness))
    return StoredAssessments(found)


def stored_statuses(warehouse: Warehouse, scope: Scope, as_at: datetime | None) -> dict[str, StatusResult]:
    """Each measure's status against plan as the judgement run that stood at `as_at` stored it
    (empty when none stood then): the one judge's word, which every page shows."""
    run = warehouse.judgement_run(as_at)
    if run is None:
        return {}
    return {r.measure_id: from_json(StatusResult, r.status_json)
            for r in warehouse.statuses(run["id"], scope).itertuples(index=False)}


@dataclass(frozen=True)
class StoredTimeliness:
    at: datetime | None  # the moment the run judged timeliness at; None: no run stood then
    found: dict[str, Timeliness]  # by measure id
    last_received: dict[str, datetime]  # when each measure's newest figure arrived, as at the view's date


def stored_timeliness(warehouse: Warehouse, scope: Scope, as_at: datetime | None) -> StoredTimeliness:
    """Each measure's timeliness as the judgement run that stood at `as_at` stored it (figures that
    fell due in the year to the run's moment), and when its newest figure arrived."""
    last = {r.measure_id: pd.Timestamp(r.last_received).to_pydatetime()
            for r in warehouse.last_received(scope, as_at).itertuples(index=False)}
    run = warehouse.judgement_run(as_at)
    if run is None:
        return StoredTimeliness(None, {}, last)
    found = {r.measure_id: from_json(Timeliness, r.detail)
             for r in warehouse.timeliness(scope, run["id"]).itertuples(index=False)}
    return StoredTimeliness(pd.Timestamp(run["as_at"]).to_pydatetime(), found, last)


@dataclass(frozen=True)
class StoredJudgements:
    """What `stored_assessments` (when asked for `whole`), `stored_statuses`, each assessment's groups and
    `stored_timeliness` each answer, read together."""

    assessments: StoredAssessments  # empty (and first_judged unset) unless read `whole`
    statuses: dict[str, StatusResult]
    groups: dict[str, list[Divergence]]
    timeliness: StoredTimeliness


def stored_judgements(warehouse: Warehouse, scope: Scope, as_at: datetime | None, *,
                      whole: bool = False) -> StoredJudgements:
    """The stored judgements of the measures in `scope` that a page shows, in one statement where the
    separate functions send up to four: the same answers as `stored_statuses`, the assessments' groups,
    `stored_timeliness` and (with `whole`) `stored_assessments`, for the same arguments."""
    run = warehouse.judgement_run(as_at)
    if run is None:
        first = warehouse.first_judgement() if whole else None
        return StoredJudgements(StoredAssessments({}, first), {}, {}, stored_timeliness(warehouse, scope, as_at))
    found: dict[str, Assessment] = {}
    statuses: dict[str, StatusResult] = {}
    groups: dict[str, list[Divergence]] = {}
    timely: dict[str, Timeliness] = {}
    last: dict[str, datetime] = {}
    for r in warehouse.judged(scope, run["id"], as_at, whole=whole).itertuples(index=False):
        # text, or missing (a measure defined after the run has no row: NaN in a text column, not None)
        parsed_timeliness = from_json(Timeliness, r.timeliness) if isinstance(r.timeliness, str) else None
        if r.assessed:
            if whole:
                a = from_json(Assessment, r.assessment)
                found[r.measure_id] = a if parsed_timeliness is None else replace(a, timeliness=parsed_timeliness)
            statuses[r.measure_id] = from_json(StatusResult, r.status_json)
            groups[r.measure_id] = (from_json(list[Divergence], r.groups_json) or []
                                    if isinstance(r.groups_json, str) else [])
        if parsed_timeliness is not None:
            timely[r.measure_id] = parsed_timeliness
        if not pd.isna(r.last_received):
            last[r.measure_id] = pd.Timestamp(r.last_received).to_pydatetime()
    at = pd.Timestamp(run["as_at"]).to_pydatetime()
    return StoredJudgements(StoredAssessments(found), statuses, groups, StoredTimeliness(at, timely, last))
