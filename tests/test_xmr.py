"""XmR limits and signals: a published data set worked by hand, planted signals, and pure noise."""

import random

import pytest

from goal_councils.xmr import looks_seasonal, xmr

# Sixteen values published by Donald J. Wheeler (Understanding Statistical Process Control,
# 3rd edition, p. 386), as reproduced in SPC teaching material.
WHEELER = [5045, 4350, 4350, 3975, 4290, 4430, 4485, 4285, 3980, 3925, 3645, 3760, 3300, 3685, 3463, 5200]


def test_wheeler_data_worked_by_hand():
    # sum = 66,168 -> mean 66,168 / 16 = 4,135.5
    # moving ranges 695, 0, 375, 315, 140, 55, 200, 305, 55, 280, 115, 460, 385, 222, 1,737
    #   sum 5,339 -> mR̄ = 5,339 / 15 = 355.933
    # UNPL = 4,135.5 + 2.66 x 355.933 = 5,082.28; LNPL = 3,188.72; URL = 3.268 x 355.933 = 1,163.19
    r = xmr(WHEELER)
    [phase] = r.phases
    assert phase.centre == pytest.approx(4135.5)
    assert phase.mr_bar == pytest.approx(355.933, abs=1e-3)
    assert phase.upper == pytest.approx(5082.28, abs=0.01)
    assert phase.lower == pytest.approx(3188.72, abs=0.01)
    assert phase.upper_range == pytest.approx(1163.19, abs=0.01)
    # the last value (5,200) is beyond the upper limit, and its jump of 1,737 beyond the range limit;
    # the low stretch (indices 8-14) is 7 points long: one short of a run of 8
    assert [(s.index, s.rule, s.side) for s in r.signals] == [(15, "beyond_limit", "high"), (15, "range_limit", "high")]


def _noise(n, seed, sd=1.0, level=10.0):
    rng = random.Random(seed)
    return [level + rng.gauss(0, sd) for _ in range(n)]


def test_planted_shift_is_a_run_and_limits_are_recomputed():
    values = _noise(30, 1) + [v + 3 for v in _noise(20, 2)]
    r = xmr(values)
    runs = [s for s in r.signals if s.rule == "run_of_8"]
    assert runs and all(s.side == "high" for s in runs)
    assert 28 <= runs[0].index <= 32  # the shift starts at 30; noise may lead the run by a point or two
    assert len(r.phases) == 2 and r.phases[1].start == runs[0].index
    assert r.phases[1].centre == pytest.approx(13, abs=0.6)


def test_planted_spike_and_three_of_four():
    values = _noise(30, 3, sd=0.5)
    spiked = values[:20] + [values[20] + 6] + values[21:]
    r = xmr(spiked)
    assert [(s.index, s.rule) for s in r.signals if s.rule == "beyond_limit"] == [(20, "beyond_limit")]
    phase = xmr(values).phases[0]
    near = phase.centre + 0.8 * (phase.upper - phase.centre)  # nearer the limit, inside it
    planted = values[:25] + [near, phase.centre, near, near] + values[29:]
    r = xmr(planted)
    assert (28, "three_of_four") in [(s.index, s.rule) for s in r.signals]


def test_gaps_are_skipped_not_zero():
    values = _noise(30, 4, sd=0.5)
    values[10] = None
    r = xmr(values)
    assert r.values[10] is None and r.moving_ranges[10] is None and r.moving_ranges[11] is None
    assert not r.signals_at(10)


def test_too_few_values():
    assert xmr([1.0] * 5) is None
    assert xmr([None] * 20) is None


def test_false_alarm_rate_on_noise():
    # 400 series of 48 in-control values: limits from the first 24, judged on all 48.
    # Measured on these seeds: 19% of series show a beyond-limit point somewhere, 0.62% of
    # points are beyond a limit (limits from 24 points are themselves uncertain), and 4.9% of
    # points carry some signal (a run of 8 marks all 8 of its points).
    n_series, n = 400, 48
    any_beyond, points_beyond, points_any = 0, 0, 0
    for seed in range(n_series):
        r = xmr(_noise(n, 1000 + seed), recompute_on_shift=False)
        beyond = {s.index for s in r.signals if s.rule == "beyond_limit"}
        any_beyond += bool(beyond)
        points_beyond += len(beyond)
        points_any += len({s.index for s in r.signals})
    assert any_beyond / n_series < 0.25
    assert points_beyond / (n_series * n) < 0.01
    assert points_any / (n_series * n) < 0.07


def test_seasonal_series_is_judged_on_change_from_a_year_earlier():
    rng = random.Random(7)
    season = [0, 8, 2, 7, 0, -2, -3, -3, -2, 0, 1, 3]  # January and April peaks
    values = [100 + season[i % 12] + rng.gauss(0, 0.7) + (3 if i >= 48 else 0) for i in range(72)]
    assert looks_seasonal(values, 12)
    assert not looks_seasonal(_noise(60, 8), 12)
    raw = xmr(values)
    adjusted = xmr(values, seasonal_lag_periods=12)
    assert adjusted.basis == "change on the same period a year earlier"
    assert adjusted.values[:12] == [None] * 12
    # the seasonal swings inflate the moving range of the raw series more than fourfold ...
    assert raw.phases[0].mr_bar > 4 * adjusted.phases[0].mr_bar
    # ... while the year-on-year series shows the step of +3 from month 48 as a run at once
    first_run = min(s.index for s in adjusted.signals if s.rule == "run_of_8")
    assert first_run == 48
