"""Divergent groups: hand-worked level gap, planted trend, and groups that only carry noise."""

import random

import pytest

from goal_councils.divergence import divergent_groups
from goal_councils.units import UnitWords

PERIODS = [f"{2020 + i // 12}-{i % 12 + 1:02d}" for i in range(48)]


def test_level_gap_worked_by_hand():
    # total 10 throughout; the group alternates 12, 13: gaps 2, 3, 2, 3, ...
    # recent 12 gaps: mean 2.5; moving ranges all 1 -> sigma = 1 / 1.128 = 0.8865
    # standard error = 0.8865 / sqrt(12) = 0.2559; 2.5 > 2 x 0.2559 -> level; score 2.5 / 0.2559 = 9.77
    periods = PERIODS[:12]
    total = {p: 10.0 for p in periods}
    group = {p: 12.0 + (i % 2) for i, p in enumerate(periods)}
    [d] = divergent_groups(total, {"Group A": group}, "down")
    assert (d.group, d.kind, d.worse) == ("Group A", "level", True)  # higher is worse when down is good
    assert d.gap == pytest.approx(2.5) and d.score == pytest.approx(9.77, abs=0.01)
    assert d.reason == ("Group A: 2.5 above the total over the last 12 periods "
                        "(worse; beyond two standard errors of 0.3)")
    # named with its breakdown, the gaps in the measure's unit
    [d] = divergent_groups(total, {"Group A": group}, "down", unit=UnitWords("percent"), dimension="age band")
    assert d.reason == ("Group A (age band): 2.5 percentage points above the total over the last 12 periods "
                        "(worse; beyond two standard errors of 0.3 percentage points)")
    [d] = divergent_groups({p: -v for p, v in total.items()}, {"Group A": {p: -v for p, v in group.items()}}, "up",
                           unit=UnitWords("rate", "offences per 1,000 people"))
    assert d.reason.startswith("Group A: 2.5 offences per 1,000 people below the total") and d.worse
    [d] = divergent_groups(total, {"Group A": group}, "up")
    assert d.worse is False


def test_planted_trend_is_found_and_noise_is_not():
    rng = random.Random(11)
    total = {p: 9.0 - 0.03 * i + rng.gauss(0, 0.1) for i, p in enumerate(PERIODS)}  # the average improves
    groups = {
        "Steady": {p: total[p] + rng.gauss(0, 0.15) for p in PERIODS},
        "Diverging": {p: total[p] + (0.0 if i < 36 else 0.1 * (i - 35)) + rng.gauss(0, 0.15)
                      for i, p in enumerate(PERIODS)},
        "Better": {p: total[p] - 1.0 + rng.gauss(0, 0.15) for p in PERIODS},
    }
    found = divergent_groups(total, groups, "down")
    names = [(d.group, d.kind, d.worse) for d in found]
    assert names[0] == ("Diverging", "trend", True)  # worse first
    assert ("Better", "level", False) in names
    assert "Steady" not in [d.group for d in found]


def test_short_and_gappy_series_are_left_out():
    total = {p: 1.0 for p in PERIODS[:6]}
    assert divergent_groups(total, {"A": {p: 5.0 for p in PERIODS[:6]}}, "up") == []
    group = {p: (None if i % 2 else 3.0) for i, p in enumerate(PERIODS[:12])}
    assert divergent_groups({p: 1.0 for p in PERIODS[:12]}, {"A": group}, "up") == []


def test_a_moving_gap_says_which_way_it_moved_in_the_measures_unit():
    periods = [f"2024-{m:02d}" for m in range(1, 13)] + [f"2025-{m:02d}" for m in range(1, 13)]
    total = {p: 50.0 + (i % 2) for i, p in enumerate(periods)}
    groups = {"North": {p: 50.0 + (i % 2) - (6.0 if i >= 12 else 0.0) for i, p in enumerate(periods)}}
    [d] = divergent_groups(total, groups, "up", unit=UnitWords("days"), dimension="region")
    assert d.kind == "trend" and d.reason.startswith("North (region): moved 6.0 days down against the total (worse); ")
    counts = {p: 1000.0 for p in periods}
    share = {"North": {p: 100.0 * (1.5 if i >= 12 else 1.0) + (i % 2) for i, p in enumerate(periods)}}
    [d] = divergent_groups(counts, share, "down", relative=True, unit=UnitWords("count", "homes"))
    assert d.reason.startswith("North: its share of the total rose by ") and "(worse)" in d.reason
