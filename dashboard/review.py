"""What needs attention: every measure in a scope assessed as at a moment, ready for a page or the CLI.

Fetches through `data.Warehouse` (the only module that queries) and judges with the pure rules
in `goal_councils.assess`. `ReviewCache` (one per app) keeps answers per (published file,
scope, moment): the file only changes by being replaced, so a cached answer is never stale.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass
from datetime import date, datetime

import pandas as pd

from goal_councils.assess import Assessment, assess_all, data_health, exceptions_frame

from .data import Scope, Warehouse

__all__ = ["Review", "review", "ReviewCache"]


@dataclass(frozen=True)
class Review:
    measures: pd.DataFrame
    assessments: dict[str, Assessment]
    exceptions: pd.DataFrame
    health: pd.DataFrame


def review(warehouse: Warehouse, scope: Scope, as_at: datetime, *, forecasts: bool = True) -> Review:
    """Assess every measure in `scope` as the data stood at `as_at`."""
    measures = warehouse.measures(scope)
    values = warehouse.values(scope, as_at, dimension=None)
    plan = warehouse.plan(scope)
    received = warehouse.received(scope, as_at)[["measure_id", "period", "first_received"]]
    assessments = assess_all(measures, values, plan, received, as_at=as_at, forecasts=forecasts)
    return Review(measures, assessments, exceptions_frame(assessments, measures), data_health(assessments, measures))


class ReviewCache:
    """A few recent reviews, keyed by the published file's identity; safe between threads."""

    def __init__(self, size: int = 32):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, warehouse: Warehouse, scope: Scope, as_at: datetime | None, *, forecasts: bool = True) -> Review:
        """`as_at` None: the latest figures, judged today (kept for the day, not for the second)."""
        today = date.today()
        key = (warehouse.stamp(), tuple(sorted(asdict(scope).items())), as_at or today, forecasts)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        result = review(warehouse, scope, as_at or datetime.now().replace(microsecond=0), forecasts=forecasts)
        with self._lock:
            self._items[key] = result
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return result
