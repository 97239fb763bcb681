"""Measures with no direction of good (`direction: none`): movement shown, never better or worse."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from dashboard.components import change_block, status_chip
from dashboard.formatting import change_judgement, direction_words
from goal_councils.assess import assess_measure, exception_rows
from goal_councils.divergence import divergent_groups
from goal_councils.status import NO_DIRECTION, NO_TARGET, OFF_TRACK, ON_TRACK, measure_status, planned_direction

AS_AT = datetime(2026, 12, 1)


def monthly_series(values, start=(2024, 1)) -> pd.DataFrame:
    rows = []
    for i, v in enumerate(values):
        y, m = divmod(start[0] * 12 + start[1] - 1 + i, 12)
        rows.append({"period": f"{y}-{m + 1:02d}", "period_start": date(y, m + 1, 1), "value": v})
    return pd.DataFrame(rows)


def measure(direction: str, **more) -> dict:
    return {"id": "visits", "frequency": "monthly", "direction": direction, "unit": "count", "decimals": 0,
            "due_days": 15, "role": "headline", **more}


# steady for two years, then a jump far above the natural process limits in the newest month
STEADY_THEN_JUMP = [4000 + 40 * (i % 3) for i in range(28)] + [4900]


@pytest.mark.parametrize(
    "delta, direction, demand, expected",
    [
        (12, "none", False, "up"),
        (-12, "none", False, "down"),
        (0.2, "none", False, "same"),  # rounds to no change at 0 decimals
        (None, "none", False, None),
        (12, "up", False, "better"),  # a measure with a direction keeps its judgement
        (12, "down", False, "worse"),
        (12, "down", True, "up"),  # demand, as before
    ],
)
def test_change_has_no_better_or_worse_without_a_direction_of_good(delta, direction, demand, expected):
    assert change_judgement(delta, direction, 0, demand) == expected


def test_the_change_chip_is_neutral_and_says_up():
    block = str(change_block(measure("none", unit_label=None, rate_per=None), 12.0, "2026-09"))
    assert "chip-neutral" in block and "'Up'" in block
    assert "Better" not in block and "Worse" not in block and "chip-good" not in block and "chip-bad" not in block


def test_direction_words_say_there_is_none():
    assert direction_words("none") == "No direction of good ↕"


def test_a_signal_is_shown_but_raises_no_exception_without_a_worse_side():
    a = assess_measure(measure("none"), monthly_series(STEADY_THEN_JUMP), as_at=AS_AT)
    assert a.variation is not None and [s.rule for s in a.recent_signals] == ["beyond_limit", "range_limit"]
    assert all(s.side == "high" for s in a.recent_signals)
    assert "signal" not in {r["rule"] for r in exception_rows(a)}
    # the same figures on a measure where lower is better: that jump is on the worse side
    worse = assess_measure(measure("down"), monthly_series(STEADY_THEN_JUMP), as_at=AS_AT)
    assert "signal" in {r["rule"] for r in exception_rows(worse)}


def test_divergent_groups_have_no_worse_side_and_no_better_or_worse_words():
    periods = [f"2024-{m:02d}" for m in range(1, 13)] + [f"2025-{m:02d}" for m in range(1, 13)]
    total = {p: 50.0 + (i % 2) for i, p in enumerate(periods)}
    # a group that drifts away from the total in the second year: a trend divergence
    groups = {"North": {p: 50.0 + (i % 2) + (6.0 if i >= 12 else 0.0) for i, p in enumerate(periods)}}
    with_direction = divergent_groups(total, groups, "up")
    without = divergent_groups(total, groups, "none")
    assert [d.kind for d in with_direction] == [d.kind for d in without] == ["trend"]
    assert "(better)" in with_direction[0].reason
    assert not without[0].worse
    assert "better" not in without[0].reason and "worse" not in without[0].reason


D = date


@pytest.mark.parametrize(
    "baseline, final, status, towards",
    [
        (None, None, NO_TARGET, None),  # no target at all: as for any measure
        (None, (D(2027, 12, 1), 5000.0), NO_DIRECTION, None),  # a target with no baseline sets no way
        ((D(2024, 1, 1), 5000.0), (D(2027, 12, 1), 5000.0), NO_DIRECTION, None),  # nor one that stays level
        ((D(2024, 1, 1), 4000.0), (D(2027, 12, 1), 6000.0), OFF_TRACK, "up"),  # the target rises: judged so
        ((D(2024, 1, 1), 6000.0), (D(2027, 12, 1), 4500.0), ON_TRACK, "down"),  # the target falls
    ],
)
def test_status_against_a_target_takes_its_direction_from_the_target(baseline, final, status, towards):
    actuals = [(D(2026, 10, 1), "2026-10", 4100.0)]
    result = measure_status(actuals, "none", baseline=baseline, final=final, unit="count", decimals=0,
                            frequency="monthly")
    assert result.status == status
    assert planned_direction("none", baseline, final) == towards
    for word in ("better", "worse", "improving", "worsening"):
        assert word not in result.reason
    if status == NO_DIRECTION:
        assert result.reason == "No direction of good: not judged against a target"
    if towards:
        assert result.method == "trajectory" and result.reason.endswith(
            f"(no direction of good: the target says it should {'rise' if towards == 'up' else 'fall'})")


def test_no_direction_is_a_status_in_words_not_colour():
    chip = str(status_chip(NO_DIRECTION))
    assert "No direction" in chip and "chip-neutral" in chip
