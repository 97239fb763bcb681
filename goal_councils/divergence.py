"""Averages hide problems: find the groups whose level or trend differs from the whole.

Method, per group: the gap series d_t = group_t - total_t over the periods both have.

* Trend: an XmR chart of the gap (limits from its first values). A signal in the recent
  window (a point beyond a limit or a run of 8) means the gap itself has moved: the group
  is drifting away from (or towards) the whole beyond what noise explains.
* Level: the mean gap over the recent window, against an interval of two standard errors
  (sigma from the gap's average moving range / 1.128, divided by the square root of the
  number of points). A gap outside it is a real difference in level.

A divergence is "worse" when the group sits (or moves) on the bad side of the total for
the measure's direction of good. Results are ranked worse first, then by the size of the
gap in standard errors.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .xmr import xmr

__all__ = ["Divergence", "divergent_groups", "RECENT"]

RECENT = 12
D2 = 1.128


@dataclass(frozen=True)
class Divergence:
    group: str
    kind: str  # 'trend' | 'level'
    gap: float  # latest mean gap (group - total) over the recent window
    change: float | None  # for a trend: how much the gap moved (recent mean - earlier mean)
    score: float  # size in standard errors
    worse: bool
    reason: str


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def divergent_groups(
    total: Mapping[str, float | None],
    groups: Mapping[str, Mapping[str, float | None]],
    direction: str,
    *,
    recent: int = RECENT,
    decimals: int = 1,
) -> list[Divergence]:
    """Groups that differ from the total beyond noise. Keys of the mappings are period labels
    that sort in time order (the contract's canonical labels do)."""
    sign = 1 if direction == "up" else -1
    found: list[Divergence] = []
    for name, series in groups.items():
        periods = sorted(p for p in series if p in total and series[p] is not None and total[p] is not None)
        if len(periods) < 8:
            continue
        gaps = [series[p] - total[p] for p in periods]
        window = gaps[-recent:]
        earlier = gaps[:-recent] or gaps[: max(1, len(gaps) // 2)]
        ranges = [abs(b - a) for a, b in zip(gaps, gaps[1:], strict=False)]
        sigma = _mean(ranges) / D2 if ranges else 0.0
        se = sigma / math.sqrt(len(window)) if sigma else 0.0
        mean_gap = _mean(window)
        fmt = f"{{:+,.{decimals}f}}"
        chart = xmr(gaps, recompute_on_shift=False)
        recent_signals = [s for s in (chart.signals if chart else [])
                          if s.index >= len(gaps) - recent and s.rule in ("beyond_limit", "run_of_8")]
        if recent_signals and len(gaps) > recent:
            change = mean_gap - _mean(earlier)
            worse = sign * change < 0
            score = abs(change) / se if se else math.inf
            found.append(Divergence(
                name, "trend", mean_gap, change, score, worse,
                f"{name}: the gap to the total moved by {fmt.format(change)} "
                f"({'worse' if worse else 'better'}); {recent_signals[-1].label.lower()}"))
            continue
        if se and abs(mean_gap) > 2 * se:
            worse = sign * mean_gap < 0
            found.append(Divergence(
                name, "level", mean_gap, None, abs(mean_gap) / se, worse,
                f"{name}: {fmt.format(mean_gap)} against the total over the last {len(window)} periods "
                f"({'worse' if worse else 'better'}; beyond two standard errors of {se:,.{decimals}f})"))
    return sorted(found, key=lambda d: (not d.worse, d.kind != "trend", -d.score))
