"""The forecast a business is shown: a combination of four forecasters, each weighted by how
well it forecast this very series one month ahead over its last LOOKBACK months. Pure: no Ray.

The four: statsforecast's AutoETS and AutoTheta (season length 12), seasonal naive (the same
month last year; the last value while there is no year yet) and this project's learned model
(forecasting.ForecastModels). Combinations beat their parts on independent data (the forecasting
literature's steadiest finding; here: docs/insights.md), and weighting by each method's own
recent errors lets a seasonal shop lean on last year and a steady one on smoothing, without a
model chosen for all businesses at once.

The 80% interval is AutoETS's and AutoTheta's own, their half-widths averaged and placed around
the combined point, narrowed or widened by how the combination's own recent one-month errors on
this series compare with theirs (`relative_error`), and scaled per series by a factor calibrated
on businesses none of the models was fitted on (offline/training.py); measured again on the
independent world.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from deployments.insights.forecasting import GENERIC, ForecastModels, features, level_at
from deployments.insights.history import add_months

METHODS = ("auto_ets", "auto_theta", "seasonal_naive", "model")
LOOKBACK = 6
"""One-month-ahead errors over this many recent months weigh the methods."""
MIN_FOR_STATISTICS = 6
"""Months of history before AutoETS and AutoTheta are fitted at all (the learned model alone
forecasts shorter series)."""
CACHE = 4096
SHRINK = 0.5
"""How far the interval follows the combination's recent error relative to the statistical
methods': the square root of the ratio. Followed fully (1.0), six months of luck narrowed
intervals that then covered 0.73-0.74 on two cells of the independent world; not at all (0.0),
intervals stayed AutoETS/AutoTheta-wide around a better point and covered up to 0.90 there."""


@dataclass(frozen=True)
class Combined:
    point: float
    low: float
    high: float
    weights: dict[str, float]


@functools.lru_cache(maxsize=CACHE)
def statistical(past: tuple[float, ...], horizon: int) -> dict[str, tuple[np.ndarray, ...]]:
    """AutoETS's and AutoTheta's (point, low, high) for horizons 1..horizon, fitted on `past`
    (a method that cannot fit so short a series is left out). Cached: a report and an
    evaluation ask again for the same prefixes."""
    from statsforecast.models import AutoETS, AutoTheta

    y = np.asarray(past, dtype=float)
    out = {}
    for name, model in (("auto_ets", AutoETS), ("auto_theta", AutoTheta)):
        # The model search tries candidates that divide by zero on flat stretches and discards
        # them; numpy would say so on every fit. Too short a series for a method: it sits out.
        try:
            with np.errstate(all="ignore"):
                result = model(season_length=12).forecast(y=y, h=horizon, level=[80])
        except (NotImplementedError, ValueError, ZeroDivisionError, np.linalg.LinAlgError):
            continue
        out[name] = tuple(
            np.maximum(np.nan_to_num(np.asarray(result[key], float)), 0.0)
            for key in ("mean", "lo-80", "hi-80")
        )
    return out


def seasonal_naive(y: Sequence[float] | np.ndarray, h: int) -> float:
    t = len(y) - 1
    return float(y[t + h - 12]) if t + h - 12 >= 0 else float(y[t])


@dataclass(frozen=True)
class Track:
    """Each method's one-month-ahead forecasts over the last LOOKBACK origins of a series, and
    what happened."""

    forecasts: dict[str, list[float]]
    actuals: list[float]

    def mae(self, method: str) -> float:
        f = self.forecasts.get(method, [])
        return float(np.mean(np.abs(np.subtract(f, self.actuals)))) if f else float("nan")


def track(y: np.ndarray, learned_one_step: Callable[[int], float]) -> Track:
    forecasts: dict[str, list[float]] = {m: [] for m in METHODS}
    actuals = []
    for t in range(max(MIN_FOR_STATISTICS - 1, len(y) - 1 - LOOKBACK), len(y) - 1):
        fits = statistical(tuple(float(v) for v in y[: t + 1]), 1)
        if len(fits) < 2:  # both statistical methods or none, so that every list lines up
            continue
        actuals.append(float(y[t + 1]))
        for name, fit in fits.items():
            forecasts[name].append(float(fit[0][0]))
        forecasts["seasonal_naive"].append(seasonal_naive(y[: t + 1], 1))
        forecasts["model"].append(learned_one_step(t))
    return Track(forecasts, actuals)


def weights(past: Track) -> dict[str, float]:
    """Inverse mean absolute one-month-ahead error of each method over `past` (equal when the
    history is too short to say)."""
    if not past.actuals:
        return {m: 1 / len(METHODS) for m in METHODS}
    inverse = {m: 1.0 / (past.mae(m) + 1e-6) for m in METHODS}
    total = sum(inverse.values())
    return {m: v / total for m, v in inverse.items()}


def relative_error(past: Track, used: dict[str, float]) -> float:
    """The factor on the borrowed interval: how the combination's own one-month-ahead error over
    `past` compares with the statistical methods' (whose intervals it borrows), below 1 where it
    forecast this series better than they did; clipped to [0.5, 1.5] and taken to the power
    SHRINK, since six months say only so much."""
    if len(past.actuals) < 3:
        return 1.0
    combined = [
        sum(w * past.forecasts[m][i] for m, w in used.items()) for i in range(len(past.actuals))
    ]
    own = float(np.mean(np.abs(np.subtract(combined, past.actuals))))
    theirs = float(np.mean([past.mae("auto_ets"), past.mae("auto_theta")]))
    if not theirs > 0:
        return 1.0
    return float(np.clip(own / theirs, 0.5, 1.5) ** SHRINK)


def combine(
    y: np.ndarray,
    learned: dict[int, tuple[float, float, float]],
    learned_one_step: Callable[[int], float],
    scale: float = 1.0,
) -> dict[int, Combined]:
    """The combined forecast for each horizon in `learned` (the learned model's (point, low,
    high) per horizon, made at the last month of `y`); `learned_one_step(t)` is the learned
    model's one-month-ahead forecast made at month t < len(y) - 1. Under MIN_FOR_STATISTICS
    months the learned model's own forecast and interval stand. `scale` multiplies the interval's
    half-widths (ForecastModels.interval_scale, calibrated at training)."""
    if len(y) < MIN_FOR_STATISTICS:
        return {h: Combined(p, lo, hi, {"model": 1.0}) for h, (p, lo, hi) in learned.items()}
    horizon = max(learned)
    fits = statistical(tuple(float(v) for v in y), horizon)
    past = track(y, learned_one_step)
    weight = weights(past)
    fitted = list(fits)
    if not fitted:  # neither statistical method fits: the learned model alone
        return {h: Combined(p, lo, hi, {"model": 1.0}) for h, (p, lo, hi) in learned.items()}
    present = [*fitted, "seasonal_naive", "model"]
    share = sum(weight[m] for m in present)
    used = {m: weight[m] / share for m in present}
    width = scale * relative_error(past, used)
    out = {}
    for h, (model_point, _, _) in learned.items():
        points = {name: float(fit[0][h - 1]) for name, fit in fits.items()}
        points |= {"seasonal_naive": seasonal_naive(y, h), "model": model_point}
        point = max(0.0, sum(used[m] * points[m] for m in present))
        # Each method's own distances to its bounds, never negative (AutoTheta's bounds can
        # sit a little off its mean on a perfectly straight series).
        below = np.mean([max(0.0, fits[m][0][h - 1] - fits[m][1][h - 1]) for m in fitted])
        above = np.mean([max(0.0, fits[m][2][h - 1] - fits[m][0][h - 1]) for m in fitted])
        out[h] = Combined(
            point,
            max(0.0, point - width * float(below)),
            point + width * float(above),
            {m: round(w, 3) for m, w in used.items()},
        )
    return out


def generic_one_step(
    models: ForecastModels, y: np.ndarray, first_month: dt.date
) -> Callable[[int], float]:
    """The learned model's one-month-ahead forecast from month t of `y` (its generic form: the
    known-future inputs of past months are not kept), for the weights."""

    def forecast(t: int) -> float:
        target = add_months(first_month, t + 1)
        x = features(y, t, 1, target, None)
        return models.predict(GENERIC, 1, x, level_at(y, t))[0]

    return forecast
