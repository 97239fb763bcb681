"""The figures of every measure: its total per period (from its shape, the housing-support flow,
or other measures' totals), then each breakdown group (shares of a count, gaps on a rate)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from etl.demo.series import ar1, bounded, decimal_years, demo_months, month_index, rng_for, seasonal
from etl.demo.stories import (
    CHANNEL_SHIFT,
    COUNCILS,
    DEMO_END,
    DEMO_START,
    GAPS,
    GROUP_PATHS,
    ROUGH_SLEEPING_AGES,
    SHAPES,
    SHARES,
    SUPPRESS_BELOW,
    Shape,
)
from goal_councils import Definitions, Measure
from goal_councils.periods import Period

# --- totals ----------------------------------------------------------------------------------


def fallback_shape(m: Measure) -> Shape:
    """A plain shape for a measure the demo has no story for (definitions passed in)."""
    level = {
        "percent": 60.0,
        "count": 500.0,
        "rate": 5.0,
        "money": 100.0,
        "days": 20.0,
        "index": 60.0,
        "number": 50.0,
    }[m.unit]
    end = level * (1.08 if m.direction == "up" else 0.92)
    return Shape(((2015, level), (2026.7, end)))


def shape_total(m: Measure, shape: Shape, periods: list[Period], rng) -> np.ndarray:
    """A measure's total per period along its shape: path times season, plus noise."""
    years = decimal_years(periods)
    kt, kv = zip(*shape.knots, strict=True)
    level = np.interp(years, kt, kv) * seasonal(shape.season, periods)
    e = ar1(len(periods), rng, 0.5 if m.frequency == "monthly" else 0.3)
    if m.unit == "count":
        # a count is also as noisy as a Poisson count of its size
        sd = np.sqrt((shape.noise * level) ** 2 + np.maximum(level, 0))
        values = level + sd * e
    else:
        values = level * (1 + shape.noise * e)
    if shape.cumulative:
        values = np.maximum.accumulate(values)
    return values


# derived totals: measure id -> function(totals so far, seed) -> values per month
def _rough_sleeping_total(totals: dict[str, np.ndarray], seed: int) -> np.ndarray | None:
    parts = [f"street_count_{c}" for c in COUNCILS]
    if not all(p in totals for p in parts):
        return None
    return sum(totals[p] for p in parts)


DERIVED: dict[str, Callable[[dict[str, np.ndarray], int], np.ndarray | None]] = {
    "rough_sleeping_count": _rough_sleeping_total,
}


def totals(
    defs: Definitions, periods: dict[str, list[Period]], seed: int, flow: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Every measure's total per period: from the flow (monthly measures it simulates), from
    DERIVED (after the others), else from its shape."""
    month_labels = {p.label: i for i, p in enumerate(demo_months())}
    out: dict[str, np.ndarray] = {}
    for m in defs.measures.values():
        if m.id in DERIVED:
            continue
        ps = periods[m.id]
        if m.id in flow and m.frequency == "monthly":
            values = flow[m.id][[month_labels[p.label] for p in ps]]
        else:
            shape = SHAPES.get(m.id) or fallback_shape(m)
            values = shape_total(m, shape, ps, rng_for(seed, "total", m.id))
        out[m.id] = bounded(m, values)
    for mid, derive in DERIVED.items():
        if mid in defs.measures:
            m = defs.measures[mid]
            values = derive(out, seed)
            if values is None:
                values = shape_total(m, fallback_shape(m), periods[mid], rng_for(seed, "total", mid))
            out[mid] = bounded(m, values)
    return out


# --- breakdown groups ------------------------------------------------------------------------


def _shares(m: Measure, shape: Shape | None, dim: str, values: list[str], years: np.ndarray):
    """Share of a count in each group, per period (columns follow `values`)."""
    own = {(d, v): s for d, v, s in (shape.shares if shape else ())}
    if m.id == "rough_sleeping_count" and dim == "age_band":
        own.update({("age_band", v): s for v, s in ROUGH_SLEEPING_AGES.items()})
    base = np.array([own.get((dim, v), SHARES.get(dim, {}).get(v, 1.0)) for v in values])
    out = np.tile(base, (len(years), 1))
    if dim == "channel":
        end = np.array([CHANNEL_SHIFT.get(v, b) for v, b in zip(values, base, strict=True)])
        w = np.clip((years - DEMO_START.year) / (DEMO_END.year + 0.75 - DEMO_START.year), 0, 1)
        out = np.outer(1 - w, base) + np.outer(w, end)
    return out / out.sum(axis=1, keepdims=True)


def groups(m: Measure, periods: list[Period], total: np.ndarray, seed: int, flow):
    """Values of every breakdown group: [(dimension, value, values or NaN when suppressed)]."""
    shape = SHAPES.get(m.id)
    noise = shape.noise if shape else 0.02
    own_gaps = {(d, v): f for d, v, f in (shape.gaps if shape else ())}
    years = decimal_years(periods)
    out = []
    for dim, values in m.breakdowns.items():
        shares = _shares(m, shape, dim, values, years)
        for j, v in enumerate(values):
            rng = rng_for(seed, "group", m.id, dim, v)
            z = rng.standard_normal(len(periods))
            share = shares[:, j]
            simulated = flow.get(f"{m.id}|{dim}={v}")
            if simulated is not None and m.frequency == "monthly":
                vals = bounded(m, simulated[[month_index(p.label) for p in periods]])
            elif m.unit == "count":
                # a share of the total, with noise; small counts are suppressed
                expected = total * share
                sd = np.sqrt(noise**2 + 1 / np.maximum(expected, 1))
                vals = bounded(m, expected * (1 + sd * z))
                vals = np.where(vals < SUPPRESS_BELOW, np.nan, vals)
            else:
                # a rate: its own path, or the total made worse by the group's gap (for a percent
                # that should go up, the shortfall from 100 grows by the gap)
                eps = noise * min(math.sqrt(1 / max(share.mean(), 1e-6)), 4.0) * z
                path = GROUP_PATHS.get((m.id, dim, v))
                if path is not None:
                    kt, kv = zip(*path, strict=True)
                    vals = np.interp(years, kt, kv) * (1 + eps)
                else:
                    f = own_gaps.get((dim, v), GAPS.get(dim, {}).get(v, 1.0))
                    if m.unit == "percent" and m.direction == "up":
                        vals = 100 - (100 - total) * f * (1 + eps)
                    elif m.direction == "down":
                        vals = total * f * (1 + eps)
                    else:
                        vals = total / f * (1 + eps)
                vals = bounded(m, vals)
            out.append((dim, v, vals))
    return out
