"""Forecasts: intervals nest, seasonal peaks are carried forward, the backtest error is honest."""

import math
import random

from goal_councils.forecast import forecast


def _seasonal(n, seed=5):
    rng = random.Random(seed)
    season = [30, 5, 0, 25, 0, -5, -10, -10, -5, 0, 5, 10]  # January and April peaks
    return [500 + 2 * i + season[i % 12] + rng.gauss(0, 4) for i in range(n)]


def test_seasonal_fan_peaks_in_january_and_april():
    values = _seasonal(72)  # six years, ending in December
    f = forecast(values, 12, seasonal_periods=12)
    assert f.seasonal and f.horizon == 12 and "seasonality (12 periods)" in f.method
    jan, apr, jul = f.mean[0], f.mean[3], f.mean[6]
    # planted: January +30, April +25, July -10, on a trend of +2 a month (July is 12 higher from trend)
    assert jan > jul + 15 and apr > jul + 15
    for i in range(12):
        assert f.lower95[i] <= f.lower80[i] <= f.mean[i] <= f.upper80[i] <= f.upper95[i]
    # the backtest forecast the last year within a few percent
    assert f.backtest_mape is not None and f.backtest_mape < 3
    assert 0 < f.backtest_mae < 25


def test_intervals_widen_with_the_horizon():
    f = forecast(_seasonal(72), 12, seasonal_periods=12)
    width = [u - lo for u, lo in zip(f.upper95, f.lower95, strict=True)]
    assert width[-1] > width[0]


def test_non_seasonal_and_short_series():
    rng = random.Random(1)
    values = [100 - 0.5 * i + rng.gauss(0, 1) for i in range(30)]
    f = forecast(values, 6)
    assert not f.seasonal and f.horizon == 6 and f.mean[0] < 100
    assert forecast(values[:8], 6) is None
    # a gap is carried forward, never read as zero
    gappy = values[:]
    gappy[10] = None
    assert forecast(gappy, 6) is not None


def test_floor_clips_counts():
    values = [5, 3, 4, 2, 3, 1, 2, 1, 1, 0, 1, 0, 0, 1, 0, 0]
    f = forecast(values, 6, floor=0)
    assert min(f.lower95) >= 0 and all(not math.isnan(v) for v in f.mean)


def test_initial_states_heuristic_where_the_series_allows_it():
    from goal_councils.forecast import initialisation

    assert initialisation(180, 12) == initialisation(36, 12) == initialisation(12, None) == "heuristic"
    # too short for the heuristic: two full cycles, and 10 points beyond one, else estimated
    assert initialisation(21, 12) == initialisation(9, None) == initialisation(13, 4) == "estimated"
    assert initialisation(14, 4) == "heuristic"
    # a quarterly series whose backtest training part is too short for the heuristic still forecasts
    rng = random.Random(3)
    quarterly = [200 + 3 * i + [10, -5, 0, -5][i % 4] + rng.gauss(0, 2) for i in range(18)]  # training part: 12
    f = forecast(quarterly, 6, seasonal_periods=4)
    assert f.seasonal and f.backtest_mae is not None and f.backtest_mae < 20


def test_model_fits_use_one_blas_thread_and_give_the_rest_back():
    from threadpoolctl import threadpool_info

    from goal_councils.forecast import _one_blas_thread

    forecast(_seasonal(48), 12, seasonal_periods=12)  # loads the libraries
    before = {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
    with _one_blas_thread():
        inside = {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
    after = {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
    assert inside and set(inside.values()) == {1}
    assert after == before
