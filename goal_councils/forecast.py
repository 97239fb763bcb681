"""Demand forecasts: exponential smoothing with 80% and 95% intervals, and its backtest error.

Model: statsmodels' ETS (additive error, additive damped trend; additive seasonality when
the series is seasonal and has at least two full years). The initial level, trend and seasonal
states come from the classical-decomposition heuristic of Hyndman et al. (section 2.6 of
"Forecasting: principles and practice"), and the smoothing and damping parameters by maximum
likelihood. Estimating the 12 initial seasonal states too (statsmodels' default) made a monthly
fit about ten times slower for the same backtest error over the demo's and the state benchmark's
series (docs/benchmarks.md); short series, where the heuristic cannot be used, still estimate
them. Intervals are the model's own prediction intervals. Backtest: refit without the last
`horizon` points and forecast them; the mean absolute error and the mean absolute percentage
error are shown beside the fan so a council can judge how far to trust it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Forecast", "forecast", "initialisation", "MIN_POINTS"]

MIN_POINTS = 12
HEURISTIC_MIN_POINTS = 10  # statsmodels' heuristic initialisation needs at least this many


@dataclass(frozen=True)
class Forecast:
    mean: list[float]
    lower80: list[float]
    upper80: list[float]
    lower95: list[float]
    upper95: list[float]
    seasonal: bool
    backtest_mae: float | None
    backtest_mape: float | None  # percent; None when an actual was zero
    method: str

    @property
    def horizon(self) -> int:
        return len(self.mean)


def initialisation(points: int, seasonal_periods: int | None) -> str:
    """How the model's initial states are set: by the heuristic where the series is long enough
    for it (10 points, and for a seasonal model two full cycles and 10 more than one), else
    estimated with the parameters."""
    if points < HEURISTIC_MIN_POINTS:
        return "estimated"
    if seasonal_periods and points < max(2 * seasonal_periods, HEURISTIC_MIN_POINTS + 2 * (seasonal_periods // 2)):
        return "estimated"
    return "heuristic"


_blas = None


def _one_blas_thread():
    """A context in which the linear-algebra libraries (OpenBLAS, numpy's and scipy's) use one thread.
    A fit's matrices are tiny; with more threads every optimiser step waits for them to wake, and
    on a busy machine that made a fit 5-10 times slower (docs/benchmarks.md). The controller is made
    once, after statsmodels has loaded the libraries; entering the context costs microseconds."""
    global _blas
    if _blas is None:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # noqa: F401  loads scipy's OpenBLAS
        from threadpoolctl import ThreadpoolController

        _blas = ThreadpoolController()
    return _blas.limit(limits=1, user_api="blas")


def _fit(values: list[float], seasonal_periods: int | None):
    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    model = ETSModel(
        pd.Series(values, dtype="float64"), error="add", trend="add", damped_trend=True,
        seasonal="add" if seasonal_periods else None, seasonal_periods=seasonal_periods,
        initialization_method=initialisation(len(values), seasonal_periods),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter from the optimiser
        return model.fit(disp=False)


def _predict(fit, horizon: int):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pred = fit.get_prediction(start=fit.nobs, end=fit.nobs + horizon - 1)
        f80 = pred.summary_frame(alpha=0.20)
        f95 = pred.summary_frame(alpha=0.05)
    return f80, f95


def forecast(values: Sequence[float | None], horizon: int = 12, *, seasonal_periods: int | None = None,
             floor: float | None = None) -> Forecast | None:
    """Forecast `horizon` periods after the last value. Gaps are filled by carrying the last
    value forward (the model needs a regular series); None when there are too few values.
    `floor` clips the fan at a natural minimum (counts cannot go below 0)."""
    xs: list[float] = []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            if xs:
                xs.append(xs[-1])
        else:
            xs.append(float(v))
    if len(xs) < MIN_POINTS:
        return None
    seasonal = bool(seasonal_periods) and len(xs) >= 2 * seasonal_periods + horizon
    sp = seasonal_periods if seasonal else None
    with _one_blas_thread():
        return _forecast(xs, horizon, sp, seasonal, floor)


def _forecast(xs: list[float], horizon: int, sp: int | None, seasonal: bool, floor: float | None) -> Forecast:
    fit = _fit(xs, sp)
    f80, f95 = _predict(fit, horizon)

    def clip(col) -> list[float]:
        out = [float(v) for v in col]
        return [max(floor, v) for v in out] if floor is not None else out

    mae = mape = None
    if len(xs) >= MIN_POINTS + horizon:
        train, test = xs[:-horizon], xs[-horizon:]
        sp_bt = sp if sp and len(train) >= 2 * sp else None
        back = _predict(_fit(train, sp_bt), horizon)[0]["mean"]
        errors = [abs(a - float(f)) for a, f in zip(test, back, strict=True)]
        mae = sum(errors) / len(errors)
        if all(a != 0 for a in test):
            mape = 100 * sum(e / abs(a) for e, a in zip(errors, test, strict=True)) / len(errors)
    method = "ETS, additive damped trend" + (f", additive seasonality ({sp} periods)" if sp else "")
    return Forecast(clip(f80["mean"]), clip(f80["pi_lower"]), clip(f80["pi_upper"]),
                    clip(f95["pi_lower"]), clip(f95["pi_upper"]), seasonal, mae, mape, method)
