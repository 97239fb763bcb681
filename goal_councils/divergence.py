"""Averages hide problems: find the groups whose level or trend differs from the whole.

Method, per group: the gap series d_t = group_t - total_t over the periods both have. For
additive units (counts, money) a group is a part of the total, so the gap is taken on the
log scale, d_t = ln(group_t / total_t): the group's share moving, not its size.

* Trend: an XmR chart of the gap (limits from its first values). A signal in the recent
  window (a point beyond a limit or a run of 8), with the recent mean gap at least
  MIN_TREND_SCORE standard errors from the earlier mean, means the gap itself has moved:
  the group is drifting away from (or towards) the whole beyond what noise explains.
* Level: the mean gap over the recent window, against an interval of two standard errors
  (sigma from the gap's average moving range / 1.128, divided by the square root of the
  number of points). A gap outside it is a real difference in level.

A divergence is "worse" when the group sits (or moves) on the bad side of the total for
the measure's direction of good. A measure with no direction of good (`direction` "none") has
no worse side: its divergences are shown with their sign, never called better or worse. Results
are ranked worse first, then by the size of the gap in standard errors.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .units import UnitWords, telling_decimals
from .xmr import xmr

__all__ = ["Divergence", "divergent_groups", "RECENT"]

RECENT = 12
D2 = 1.128
MIN_TREND_SCORE = 3.0


@dataclass(frozen=True)
class Divergence:
    group: str
    kind: str  # 'trend' | 'level'
    gap: float  # latest mean gap (group - total) over the recent window
    change: float | None  # for a trend: how much the gap moved (recent mean - earlier mean)
    score: float  # size in standard errors
    worse: bool
    reason: str


def _size(unit: UnitWords, size: float, decimals: int) -> str:
    """`size` in the unit, with up to three more decimals than the measure's where those would show it as 0."""
    return unit.words(size, telling_decimals(size, decimals))


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def divergent_groups(
    total: Mapping[str, float | None],
    groups: Mapping[str, Mapping[str, float | None]],
    direction: str,
    *,
    recent: int = RECENT,
    decimals: int = 1,
    relative: bool = False,
    unit: UnitWords | None = None,
    dimension: str = "",
) -> list[Divergence]:
    """Groups that differ from the total beyond noise. Keys of the mappings are period labels
    that sort in time order (the contract's canonical labels do). The reasons name each group as
    "North (region)" given its `dimension`, and write gaps in the measure's `unit` (a bare number
    without one): "North (region): 2.0 percentage points below the total over the last 12 periods (worse; ...)"."""
    unit = unit or UnitWords()
    sign = {"up": 1, "down": -1}.get(direction, 0)  # 0: no direction of good, so never worse

    def judged(size: float) -> tuple[bool, str]:
        """Whether a gap (or its move) of `size` is on the worse side, and that in words."""
        if not sign:
            return False, ""
        worse = sign * size < 0
        return worse, "worse" if worse else "better"

    found: list[Divergence] = []
    for name, series in groups.items():
        periods = sorted(p for p in series if p in total and series[p] is not None and total[p] is not None
                         and (not relative or (series[p] > 0 and total[p] > 0)))
        if len(periods) < 8:
            continue
        gaps = [math.log(series[p] / total[p]) if relative else series[p] - total[p] for p in periods]
        window = gaps[-recent:]
        earlier = gaps[:-recent] or gaps[: max(1, len(gaps) // 2)]
        ranges = [abs(b - a) for a, b in zip(gaps, gaps[1:], strict=False)]
        sigma = _mean(ranges) / D2 if ranges else 0.0
        se = sigma / math.sqrt(len(window)) if sigma else 0.0
        mean_gap = _mean(window)
        called = f"{name} ({dimension})" if dimension else name
        chart = xmr(gaps, recompute_on_shift=False)
        recent_signals = [s for s in (chart.signals if chart else [])
                          if s.index >= len(gaps) - recent and s.rule in ("beyond_limit", "run_of_8")]
        change = mean_gap - _mean(earlier)
        score = abs(change) / se if se else math.inf
        if recent_signals and len(gaps) > recent and score >= MIN_TREND_SCORE:
            worse, side = judged(change)
            moved = (f"its share of the total {'rose' if change > 0 else 'fell'} by {abs(math.expm1(change)):.0%}"
                     if relative else
                     f"moved {_size(unit, abs(change), decimals)} {'up' if change > 0 else 'down'} against the total")
            found.append(Divergence(
                name, "trend", mean_gap, change, score, worse,
                f"{called}: {moved}{f' ({side})' if side else ''}; {recent_signals[-1].label.lower()}"))
            continue
        if relative:
            continue  # a part is always smaller than the whole: only its moving share matters
        if se and abs(mean_gap) > 2 * se:
            worse, side = judged(mean_gap)
            found.append(Divergence(
                name, "level", mean_gap, None, abs(mean_gap) / se, worse,
                f"{called}: {_size(unit, abs(mean_gap), decimals)} {'above' if mean_gap > 0 else 'below'} the total "
                f"over the last {len(window)} periods ({f'{side}; ' if side else ''}beyond two standard errors of "
                f"{_size(unit, se, decimals)})"))
    return sorted(found, key=lambda d: (not d.worse, d.kind != "trend", -d.score))
