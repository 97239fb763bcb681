"""Demand forecasts: exponential smoothing with 80% and 95% intervals, and its backtest error.

Model: statsmodels' ETS (additive error, additive damped trend; additive seasonality when
the series is seasonal and has at least two full years). Intervals are the model's own
prediction intervals. Backtest: refit without the last `horizon` points and forecast them;
the mean absolute error and the mean absolute percentage error are shown beside the fan so
a council can judge how far to trust it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Forecast", "forecast", "MIN_POINTS"]

MIN_POINTS = 12


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


def _fit(values: list[float], seasonal_periods: int | None):
    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    model = ETSModel(
        pd.Series(values, dtype="float64"), error="add", trend="add", damped_trend=True,
        seasonal="add" if seasonal_periods else None, seasonal_periods=seasonal_periods,
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
