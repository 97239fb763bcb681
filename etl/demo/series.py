"""Time and chance in the demo: which periods a measure reports, where they fall in the year, the
random streams and noise, and rounding a series to what its measure allows."""

from __future__ import annotations

import fnmatch
import math
import zlib
from datetime import date, timedelta

import numpy as np

from etl.demo.stories import DEMO_END, DEMO_START, SEASONS, Shape
from goal_councils import Measure
from goal_councils.definitions import UNIT_BOUNDS
from goal_councils.periods import MONTHS_PER_PERIOD, Period, parse_period

# nothing is reported for a period that has not ended by the end of the demo's last month
# (2026-10-31), nor before it is due inside the demo's last monthly cycle (by 2026-11-30)
LAST_DAY = Period(DEMO_END, "monthly").end
LAST_DUE = Period(DEMO_END, "monthly").shift(1).end


def rng_for(seed: int, *names: str) -> np.random.Generator:
    """A generator per purpose, so adding a measure does not change the others' numbers."""
    return np.random.default_rng([seed, *(zlib.crc32(n.encode()) for n in names)])


# --- periods ---------------------------------------------------------------------------------


def _first_period(frequency: str) -> date:
    months = {"monthly": 1, "quarterly": 1, "annual": 1, "financial_year": 4}
    return date(DEMO_START.year, months[frequency], 1)


def measure_periods(m: Measure, shape: Shape | None) -> list[Period]:
    """Every period the measure reports in the demo: from its first to the last one due."""
    start = _first_period(m.frequency)
    if shape and shape.first:
        start = max(start, parse_period(shape.first, m.frequency).start)
    skip = shape.skip if shape else ()
    out = []
    p = Period(start, m.frequency)
    while p.end <= LAST_DAY and p.end + timedelta(days=m.due_days) <= LAST_DUE:
        if not any(fnmatch.fnmatchcase(p.label, pat) for pat in skip):
            out.append(p)
        p = p.shift(1)
    return out


def demo_months() -> list[Period]:
    """Every month of the demo, DEMO_START to DEMO_END."""
    out, p = [], Period(DEMO_START, "monthly")
    while p.start <= DEMO_END:
        out.append(p)
        p = p.shift(1)
    return out


def month_index(label: str) -> int:
    """Position of a monthly label in demo_months()."""
    y, m = label.split("-")
    return (int(y) - DEMO_START.year) * 12 + int(m) - DEMO_START.month


def decimal_years(periods: list[Period]) -> np.ndarray:
    """Decimal year of each period's middle; a calendar year is dated by the year itself, so
    that an annual knot (2019, 21.5) is the figure for 2019."""
    return np.array(
        [
            p.start.year
            if p.frequency == "annual"
            else p.start.year + (p.start.month - 1 + (MONTHS_PER_PERIOD[p.frequency] - 1) / 2) / 12
            for p in periods
        ]
    )


def seasonal(name: str | None, periods: list[Period]) -> np.ndarray:
    """The SEASONS pattern `name` (scaled to a mean of 1), averaged over each period's months."""
    if name is None:
        return np.ones(len(periods))
    pattern = np.array(SEASONS[name])
    pattern = pattern / pattern.mean()
    out = []
    for p in periods:
        n = MONTHS_PER_PERIOD[p.frequency]
        out.append(np.mean([pattern[(p.start.month - 1 + i) % 12] for i in range(n)]))
    return np.array(out)


# --- noise and rounding ----------------------------------------------------------------------


def ar1(n: int, rng: np.random.Generator, phi: float) -> np.ndarray:
    """Standard-normal noise in which part of each surprise carries into the next period."""
    z = rng.standard_normal(n)
    e = np.empty(n)
    scale = math.sqrt(1 - phi * phi)
    for i in range(n):
        e[i] = z[i] if i == 0 else phi * e[i - 1] + scale * z[i]
    return e


def bounded(m: Measure, values: np.ndarray) -> np.ndarray:
    """Clip to what the unit allows and round to the measure's decimals."""
    lo, hi = UNIT_BOUNDS[m.unit]
    # no figure in the demo is negative, whatever its unit allows
    values = np.clip(values, 0.0 if lo is None else lo, np.inf if hi is None else hi)
    return np.round(values, m.decimals) + 0.0
