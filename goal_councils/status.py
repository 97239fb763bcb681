"""Status of a measure against its plan, progress towards a target, and roll-up to objectives.

Pure functions over plain values; every result carries a one-line reason a person can read.

Against a trajectory (the measure has milestones): the plan is interpolated linearly between
its points (baseline, milestones, final) by date, and held at the final value after it. The
gap between the latest actual and the plan for that period, signed so that positive is
better (direction of good), decides: gap >= 0 on track; within the tolerance at risk;
beyond it off track. Default tolerance when a measure sets none: 5% of the plan value.

Against a final target without milestones: the compound-annual-growth method published by
Statistics Canada for Open SDG (see `progress`).

No direction of good (`direction: none`): the measure is judged against its target only when
the target says which way it should move (a baseline and a final value that differ): then
against the straight path from the baseline to the final target (and any milestones), with the
direction the target points (the growth method is not used: its words are "progress" and
"deterioration"). Otherwise its status is NO_DIRECTION ("No direction of good: not judged
against a target"); with no target at all it is NO_TARGET, as for any measure.

Categorical measures (codes with labels): never judged as numbers. With a final target (a code):
TARGET_MET once the latest value is that code, else CATEGORICAL naming the target; without a
target, CATEGORICAL ("shown as its categories").

Roll-up: an objective takes the worst status of its headline measure(s) (an average never
hides a red) and reports counts of its contributing measures by status.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from .categories import categories_of, code_of, label_of
from .periods import period_words
from .units import UnitWords, number_text, shows_nil

__all__ = [
    "ON_TRACK", "AT_RISK", "OFF_TRACK", "NO_TARGET", "NOT_ENOUGH_DATA", "TARGET_MET", "NO_DIRECTION", "CATEGORICAL",
    "SUBSTANTIAL", "MODERATE", "LIMITED", "DETERIORATION",
    "STATUS_ORDER", "StatusResult", "interpolate_plan", "trajectory_status", "progress",
    "measure_status", "Rollup", "roll_up", "DEFAULT_TOLERANCE_SHARE", "planned_direction", "categorical_status",
    "NO_DIRECTION_REASON",
]

ON_TRACK, AT_RISK, OFF_TRACK = "on_track", "at_risk", "off_track"
NO_TARGET, NOT_ENOUGH_DATA, TARGET_MET = "no_target", "not_enough_data", "target_met"
NOT_JUDGED = "not_judged"  # no judgement stood at the date asked for (they are made at publish)
NO_DIRECTION = "no_direction"  # no direction of good, and no target that says which way to move
CATEGORICAL = "categorical"  # a categorical measure not judged (no target category, or not reached)
NO_DIRECTION_REASON = "No direction of good: not judged against a target"
# the progress categories of the growth method
SUBSTANTIAL, MODERATE, LIMITED, DETERIORATION = "substantial", "moderate", "limited", "deterioration"

# worst first: the roll-up takes the first of these that occurs
STATUS_ORDER = [OFF_TRACK, DETERIORATION, AT_RISK, LIMITED, MODERATE, NOT_ENOUGH_DATA, NOT_JUDGED, NO_TARGET,
                NO_DIRECTION, CATEGORICAL, ON_TRACK, SUBSTANTIAL, TARGET_MET]
# on a red/amber/green reading, the growth categories map onto the trajectory ones
RAG = {ON_TRACK: ON_TRACK, SUBSTANTIAL: ON_TRACK, TARGET_MET: ON_TRACK, MODERATE: AT_RISK,
       AT_RISK: AT_RISK, LIMITED: OFF_TRACK, DETERIORATION: OFF_TRACK, OFF_TRACK: OFF_TRACK,
       NO_TARGET: NO_TARGET, NOT_ENOUGH_DATA: NOT_ENOUGH_DATA, NOT_JUDGED: NOT_JUDGED,
       NO_DIRECTION: NO_DIRECTION, CATEGORICAL: CATEGORICAL}
DEFAULT_TOLERANCE_SHARE = 0.05
NOISE = 1e-9  # a difference this small a share of the figures is floating-point error, not a gap
ZERO_REPLACEMENT = 0.001  # the method cannot take a zero base or target (documented there)


@dataclass(frozen=True)
class StatusResult:
    status: str
    reason: str
    period: str | None = None  # the period judged
    actual: float | None = None
    plan: float | None = None
    value: float | None = None  # the method's own number: gap (trajectory) or ratio/CAGR (growth)
    method: str = "trajectory"

    @property
    def rag(self) -> str:
        return RAG[self.status]


def interpolate_plan(points: Sequence[tuple[date, float]], when: date) -> float | None:
    """The plan's value at `when`: linear between points by day, held flat after the last.

    None before the first point (no plan yet) or when there are no points.
    """
    pts = sorted(points)
    if not pts or when < pts[0][0]:
        return None
    if when >= pts[-1][0]:
        return pts[-1][1]
    for (d0, v0), (d1, v1) in zip(pts, pts[1:], strict=False):
        if d0 <= when <= d1:
            if when == d1:  # a point's own value, exactly (v0 + 1.0 * (v1 - v0) need not be v1)
                return v1
            share = (when - d0).days / (d1 - d0).days
            return v0 + share * (v1 - v0)
    return None  # not reached: the loop covers every when between the ends


def _sizes(gap: float, tol: float | None, unit: UnitWords, decimals: int, *, noise: float) -> tuple[str, str]:
    """The gap (not negative, and past `noise`) and the tolerance (None: not said) in words (`UnitWords.words`),
    with up to three more decimals where the measure's own would show a gap as nil that is not ("0 below plan"),
    or as the very tolerance it is not ("0.2 above plan; tolerance 0.2", off track); with its own where more
    would not tell them apart either."""
    for shown in range(decimals, decimals + 4):
        size, tol_text = unit.words(gap, shown), "" if tol is None else unit.words(tol, shown)
        if not shows_nil(number_text(gap, shown)) and (tol is None or abs(gap - tol) <= noise or size != tol_text):
            return size, tol_text
    return unit.words(gap, decimals), "" if tol is None else unit.words(tol, decimals)


def trajectory_status(
    actuals: Sequence[tuple[date, str, float]],
    plan_points: Sequence[tuple[date, float]],
    direction: str,
    *,
    tolerance: float | None = None,
    unit: str = "number",
    decimals: int = 1,
    frequency: str | None = None,
    ahead: str = "the better side",
    unit_label: str | None = None,
    rate_per: int | None = None,
) -> StatusResult:
    """Judge the latest actual against the interpolated plan (periods named in words when the
    `frequency` is given: "3.1 percentage points below plan for September 2025").

    `actuals` are (period start, period label, value) of the total series; None values are
    gaps and are skipped. `ahead`: how a figure past the plan in `direction` is named. The gap
    is written in the measure's unit (`unit`, `unit_label`, `rate_per`): "756 homes below plan".
    """
    series = sorted((d, p, v) for d, p, v in actuals if v is not None and not math.isnan(v))
    if not plan_points:
        return StatusResult(NO_TARGET, "No target has been set for this measure")
    if not series:
        return StatusResult(NOT_ENOUGH_DATA, "No figures have been submitted yet")
    when, label, actual = series[-1]
    words = period_words(label, frequency) if frequency else label
    plan = interpolate_plan(plan_points, when)
    if plan is None:
        return StatusResult(NOT_ENOUGH_DATA, f"The plan starts after the latest figure ({words})", label, actual)
    sign = 1 if direction == "up" else -1
    gap = sign * (actual - plan)
    tol = tolerance if tolerance is not None else abs(plan) * DEFAULT_TOLERANCE_SHARE
    # arithmetic's own error (a plan worked out between two points) is no gap: neither behind plan nor past
    # the tolerance
    noise = NOISE * max(1.0, abs(plan), abs(actual))
    units = UnitWords(unit, unit_label, rate_per)
    word = "above" if actual > plan else "below"
    if gap >= -noise:
        status = ON_TRACK
        reason = (f"On plan for {words}" if abs(gap) <= noise else
                  f"{_sizes(gap, None, units, decimals, noise=noise)[0]} {word} plan for {words}, {ahead}")
    elif -gap <= tol + noise:
        status = AT_RISK
        size, tol_text = _sizes(-gap, tol, units, decimals, noise=noise)
        reason = f"{size} {word} plan for {words}; within the tolerance of {tol_text}"
    else:
        status = OFF_TRACK
        size, tol_text = _sizes(-gap, tol, units, decimals, noise=noise)
        reason = f"{size} {word} plan for {words}; tolerance {tol_text}"
    return StatusResult(status, reason, label, actual, plan, gap)


def _years(d0: date, d1: date) -> float:
    # periods start on the first of a month, so whole months are exact
    return (d1.year - d0.year) + (d1.month - d0.month) / 12


def _cagr(y0: float, y1: float, years: float) -> float:
    return (y1 / y0) ** (1 / years) - 1


def limit_scaling(base: float, limit: float | None, years: float = 15, top: float = 0.015) -> float:
    """Scale factor C (0..1) for growth thresholds near a natural maximum (e.g. 100%).

    Re-derived from the method's stated aim: growing at the on-track rate (1.5% x C) for 15
    years from the base must not pass the limit, so C = ((limit/base)^(1/15) - 1) / 0.015,
    capped at 1. A base at (or beyond) the limit gives 0.
    """
    if limit is None or base <= 0:
        return 1.0
    if base >= limit:
        return 0.0
    return min(1.0, ((limit / base) ** (1 / years) - 1) / top)


def progress(
    base: tuple[date, float],
    latest: tuple[date, str, float],
    direction: str,
    *,
    target: tuple[date, float] | None = None,
    limit: float | None = None,
) -> StatusResult:
    """Progress by compound annual growth (Statistics Canada's method for Open SDG).

    CAGR_i = (y_i / y_0) ^ (1 / (t_i - t_0)) - 1, t in years.
    With a target (y_T at t_T): CAGR_T = (y_T / y_0) ^ (1 / (t_T - t_0)) - 1 and
    R = d * CAGR_i / |CAGR_T| (d = +1 when up is good, -1 when down is good), so moving the
    right way is positive whatever side the target lies; R >= 0.95 substantial,
    0.60-0.95 moderate, 0-0.60 limited, < 0 deterioration; a latest value at or past the
    target is "target met". Without a target: d * CAGR_i against 1.5% / 0.5% / 0, the
    positive thresholds scaled by C (see limit_scaling) when there is a natural limit.
    A zero base or target is replaced by 0.001; values of mixed sign cannot be judged; all
    negative values flip d.
    """
    (t0, y0), (ti, label, yi) = base, latest
    d = 1 if direction == "up" else -1
    years = _years(t0, ti)
    if years <= 0:
        return StatusResult(NOT_ENOUGH_DATA, "Needs figures for at least two periods", label, yi, method="growth")
    values = [y0, yi] + ([target[1]] if target else [])
    if any(v < 0 for v in values) and any(v > 0 for v in values):
        return StatusResult(NOT_ENOUGH_DATA, "Growth cannot be judged across positive and negative values",
                            label, yi, method="growth")
    if all(v <= 0 for v in values):
        y0, yi, d = -y0, -yi, -d
        target = (target[0], -target[1]) if target else None
    y0 = y0 or ZERO_REPLACEMENT
    yi_calc = yi or ZERO_REPLACEMENT
    cagr = _cagr(y0, yi_calc, years)
    if target:
        tT, yT = target
        if d * (yi - yT) >= 0:
            return StatusResult(TARGET_MET, f"Target of {target[1]:g} met in {label}", label, latest[2],
                                target[1], None, "growth")
        required = _cagr(y0, yT or ZERO_REPLACEMENT, _years(t0, tT)) if tT > t0 else math.inf
        ratio = d * cagr / abs(required) if required not in (0, math.inf) else (math.inf if d * cagr > 0 else -1.0)
        cuts = (0.95, 0.60, 0.0)
        measure = ratio
        shown = f"growth is {ratio:.0%} of the rate needed to meet the target on time"
    else:
        c = limit_scaling(y0, limit) if d > 0 else 1.0
        measure = d * cagr
        if c == 0 and measure >= 0:
            return StatusResult(SUBSTANTIAL, "Held at its natural limit", label, latest[2], None, measure, "growth")
        cuts = (0.015 * c, 0.005 * c, 0.0)
        shown = f"{'improving' if measure >= 0 else 'worsening'} by {abs(cagr):.1%} a year"
    if measure >= cuts[0]:
        status = SUBSTANTIAL
    elif measure >= cuts[1]:
        status = MODERATE
    elif measure >= cuts[2]:
        status = LIMITED
    else:
        status = DETERIORATION
    return StatusResult(status, f"Since {t0.year}: {shown}", label, latest[2], None, measure, "growth")


def measure_status(
    actuals: Sequence[tuple[date, str, float]],
    direction: str,
    *,
    baseline: tuple[date, float] | None = None,
    milestones: Sequence[tuple[date, float]] = (),
    final: tuple[date, float] | None = None,
    tolerance: float | None = None,
    unit: str = "number",
    decimals: int = 1,
    frequency: str | None = None,
    categories=None,
    unit_label: str | None = None,
    rate_per: int | None = None,
) -> StatusResult:
    """The status a page shows: trajectory when there are milestones, else growth, else no target.
    A categorical measure (`categories`, {code: label} or its JSON) and one with no direction of
    good (`direction` "none") are judged as the module docstring says; a gap to a plan is written in the
    measure's unit (`unit`, `unit_label`, `rate_per`)."""
    series = sorted((d, p, v) for d, p, v in actuals if v is not None and not math.isnan(v))
    labels = categories_of(categories)
    if labels:
        return categorical_status(series, labels, final, frequency=frequency)
    if final is None:
        return StatusResult(NO_TARGET, "No target has been set for this measure")
    if direction not in ("up", "down"):
        towards = planned_direction(direction, baseline, final)
        if towards is None:
            return StatusResult(NO_DIRECTION, NO_DIRECTION_REASON)
        points = [baseline, *milestones, final]
        found = trajectory_status(series, points, towards, tolerance=tolerance, unit=unit, decimals=decimals,
                                  frequency=frequency, ahead="ahead of the path to the target",
                                  unit_label=unit_label, rate_per=rate_per)
        way = "rise" if towards == "up" else "fall"
        return replace(found, reason=f"{found.reason} (no direction of good: the target says it should {way})")
    if milestones and final:
        points = ([baseline] if baseline else []) + list(milestones) + [final]
        return trajectory_status(series, points, direction, tolerance=tolerance, unit=unit, decimals=decimals,
                                 frequency=frequency, unit_label=unit_label, rate_per=rate_per)
    if len(series) < 2 and baseline is None:
        return StatusResult(NOT_ENOUGH_DATA, "Needs figures for at least two periods")
    if not series:
        return StatusResult(NOT_ENOUGH_DATA, "No figures have been submitted yet")
    base = baseline or (series[0][0], series[0][2])
    limit = 100.0 if unit == "percent" else None
    return progress(base, series[-1], direction, target=final, limit=limit)


def planned_direction(direction: str, baseline: tuple[date, float] | None,
                      final: tuple[date, float] | None) -> str | None:
    """Which way a measure is meant to move: its direction of good, or, when it has none, the way
    its target points (from the baseline value to the final value); None when neither says."""
    if direction in ("up", "down"):
        return direction
    if baseline is None or final is None or baseline[1] == final[1]:
        return None
    return "up" if final[1] > baseline[1] else "down"


def categorical_status(
    actuals: Sequence[tuple[date, str, float]],
    categories: dict[str, str],
    final: tuple[date, float] | None = None,
    *,
    frequency: str | None = None,
) -> StatusResult:
    """A categorical measure: TARGET_MET once the latest value is the target category, else
    CATEGORICAL with the reason in words. Never a trajectory, growth rate or colour of progress."""
    series = sorted((d, p, v) for d, p, v in actuals if v is not None and not math.isnan(v))
    period = value = None
    now = "no figure yet"
    if series:
        _, period, value = series[-1]
        now = f"{label_of(categories, value)} in {period_words(period, frequency) if frequency else period}"
    if final is None:
        return StatusResult(CATEGORICAL, "Categorical: shown as its categories, not judged against a target",
                            period, value, method="categorical")
    wanted = label_of(categories, final[1])
    if value is not None and code_of(value) == code_of(final[1]):
        return StatusResult(TARGET_MET, f"Target reached: {now}", period, value, method="categorical")
    return StatusResult(CATEGORICAL, f"Categorical: the target, {wanted}, is not reached ({now})",
                        period, value, method="categorical")


@dataclass(frozen=True)
class Rollup:
    status: str
    reason: str
    contributing: dict[str, int]  # RAG status -> count


def roll_up(headline: Iterable[StatusResult], contributing: Iterable[StatusResult]) -> Rollup:
    """Objective status: the worst headline status; contributors counted by status."""
    heads = list(headline)
    counts = Counter(r.rag for r in contributing)
    if not heads:
        return Rollup(NOT_ENOUGH_DATA, "The objective has no headline measure", dict(counts))
    worst = min(heads, key=lambda r: STATUS_ORDER.index(r.rag))
    return Rollup(worst.rag, worst.reason, dict(counts))
