"""The rolling-origin backtest of the forecast models against both baselines (last value,
seasonal naive) and against AutoETS and AutoTheta, on held-out generated businesses and on the
independent world's (eval_world.sales), and its printed tables. Offline: no replica imports
it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from deployments.insights.combination import Combined, combine, statistical
from deployments.insights.forecasting import GENERIC, HORIZONS, ForecastModels
from deployments.insights.history import SERIES, build_history
from deployments.insights.offline.examples import DATA_END, Example, examples
from eval_world.sales import businesses
from kernel.books import books_from_rows

INDEPENDENT_SEED = 5005


def independent_examples(seed: int, count: int) -> list[Example]:
    """Forecast examples from the independent world's businesses (eval_world.sales), which
    neither training nor calibration ever sees."""
    out: list[Example] = []
    for number, rows in enumerate(businesses(seed, count, DATA_END)):
        books = books_from_rows(rows)
        out.extend(examples(books, build_history(books, DATA_END), business=number))
    return out


def smape(forecast: Sequence[float], actual: Sequence[float]) -> float:
    """Symmetric MAPE in percent; a month where both are 0 counts as a perfect forecast."""
    f, a = np.asarray(forecast, float), np.asarray(actual, float)
    denominator = np.abs(f) + np.abs(a)
    terms = np.where(
        denominator > 0, 2 * np.abs(f - a) / np.where(denominator > 0, denominator, 1), 0
    )
    return float(np.mean(terms) * 100)


def backtest(
    models: ForecastModels, data: Sequence[Example]
) -> dict[str, dict[int, dict[str, float]]]:
    """Rolling-origin sMAPE per series and horizon for the model and both baselines, on the
    origins where seasonal naive exists (a year of history before the target month), plus the
    interval's coverage."""
    table: dict[str, dict[int, dict[str, float]]] = {}
    for series in (*SERIES, GENERIC):
        for h in HORIZONS:
            rows = [e for e in data if e.series == series and e.h == h and e.seasonal is not None]
            if not rows:
                continue
            predicted = [models.predict(series, h, e.x, e.level) for e in rows]
            actual = [e.actual for e in rows]
            table.setdefault(series, {})[h] = {
                "model": smape([p[0] for p in predicted], actual),
                "last_value": smape([e.last for e in rows], actual),
                "seasonal_naive": smape([e.seasonal or 0.0 for e in rows], actual),
                "coverage": float(
                    np.mean([p[1] <= a <= p[2] for p, a in zip(predicted, actual, strict=True)])
                ),
                "origins": len(rows),
            }
    return table


def summary(table: dict[str, dict[int, dict[str, float]]]) -> dict[str, Any]:
    """Mean sMAPE over the business series and horizons 1-3, per method."""
    rows = [
        row
        for series, by_h in table.items()
        if series != GENERIC
        for h, row in by_h.items()
        if h <= 3
    ]
    means = {
        method: round(float(np.mean([r[method] for r in rows])), 2)
        for method in ("model", "last_value", "seasonal_naive")
    }
    coverage = round(float(np.mean([r["coverage"] for r in rows])), 3)
    return {
        "mean_smape_h1_3": means,
        "interval_coverage_80": coverage,
        "origins": sum(int(r["origins"]) for r in rows),
    }


def format_table(
    table: dict[str, dict[int, dict[str, float]]], horizons: Sequence[int] = HORIZONS
) -> str:
    lines = [
        f"{'series':<10}{'h':>3}{'origins':>9}{'model':>9}{'last':>9}{'seasonal':>10}{'cover80':>9}",
    ]
    for series, by_h in table.items():
        for h in horizons:
            row = by_h.get(h)
            if row is None:
                continue
            lines.append(
                f"{series:<10}{h:>3}{int(row['origins']):>9}{row['model']:>9.1f}"
                f"{row['last_value']:>9.1f}{row['seasonal_naive']:>10.1f}{row['coverage']:>9.2f}"
            )
    return "\n".join(lines)


# -- against established methods ----------------------------------------------------------
BENCHMARKS = ("auto_ets", "auto_theta")
SHOWN = ("served", "model")
"""The forecast the app shows (the combination) and the learned model alone."""
"""statsforecast's AutoETS and AutoTheta (season length 12), fitted at every origin on the
series up to it, as a forecaster without this project's features would."""
LOW_Q, HIGH_Q = 0.1, 0.9
"""The 80% interval's bounds, scored as these quantiles."""


def _benchmark_forecasts(
    data: Sequence[Example],
) -> dict[tuple[int, str, int], dict[str, dict[str, np.ndarray]]]:
    """Per origin (business, series, month): each benchmark's mean and 80% bounds for every
    horizon (the same fits the served combination makes, from its cache)."""
    horizon = max(HORIZONS)
    pasts = {e.origin: e.past for e in data if e.series in SERIES and e.seasonal is not None}
    out: dict[tuple[int, str, int], dict[str, dict[str, np.ndarray]]] = {}
    for origin, past in pasts.items():
        fits = statistical(tuple(float(v) for v in past), horizon)
        out[origin] = {
            name: dict(zip(("point", "low", "high"), fits[name], strict=True))
            for name in BENCHMARKS
        }
    return out


def _scale(past: Sequence[float]) -> float:
    """MASE's scale: the mean absolute one-month change of the series up to the origin."""
    steps = np.abs(np.diff(np.asarray(past, dtype=float)))
    return float(steps.mean()) if len(steps) and steps.mean() > 0 else 1.0


def pinball(low: float, high: float, actual: float) -> float:
    """Mean pinball loss of the interval's bounds as the 0.1 and 0.9 quantiles."""
    loss = 0.0
    for q, value in ((LOW_Q, low), (HIGH_Q, high)):
        loss += max(q * (actual - value), (q - 1) * (actual - value))
    return loss / 2


def served(models: ForecastModels, data: Sequence[Example]) -> dict[tuple[object, int], Combined]:
    """What the app shows at each example's origin: the combination (combination.py) of
    AutoETS, AutoTheta, seasonal naive and the learned model, per (origin, horizon)."""
    by_origin: dict[tuple[int, str, int], dict[int, Example]] = {}
    for e in data:
        if e.series in SERIES:
            by_origin.setdefault(e.origin, {})[e.h] = e
    out: dict[tuple[object, int], Combined] = {}
    for origin, rows in by_origin.items():
        first = next(iter(rows.values()))
        y = np.asarray(first.past, dtype=float)
        learned = {
            h: models.predict(first.series, h, e.x, e.level) for h, e in sorted(rows.items())
        }
        business, series, _ = origin

        def one_step(t: int, business: int = business, series: str = series) -> float:
            """The learned model's forecast made at month t: the example already there."""
            e = by_origin[(business, series, t)][1]
            return models.predict(series, 1, e.x, e.level)[0]

        scale = getattr(models, "interval_scale", {}).get(series, 1.0)
        combined = combine(y, learned, one_step, scale)
        for h, c in combined.items():
            out[(origin, h)] = c
    return out


def calibrated_scales(models: ForecastModels, data: Sequence[Example]) -> dict[str, float]:
    """Per business series: the smallest factor on the combination's interval half-widths (on a
    grid of 0.5-1.5) whose 80% interval covers at least 80% of `data`'s outcomes at h=1-3."""
    shown = served(
        ForecastModels(models.version, models.models, models.residuals, models.metrics), data
    )
    scales = {}
    for series in SERIES:
        rows = [
            (shown[(e.origin, e.h)], e.actual)
            for e in data
            if e.series == series and e.h <= 3 and (e.origin, e.h) in shown
        ]
        if not rows:
            continue

        def coverage(factor: float, rows: list[tuple[Combined, float]] = rows) -> float:
            inside = [
                c.point - factor * (c.point - c.low)
                <= actual
                <= c.point + factor * (c.high - c.point)
                for c, actual in rows
            ]
            return float(np.mean(inside))

        # The narrowest that covers at least 80% (conformal's rule: never below the nominal
        # on the calibration data), or the widest on the grid.
        grid = [round(0.5 + 0.05 * k, 2) for k in range(21)]
        scales[series] = next((f for f in grid if coverage(f) >= 0.8), grid[-1])
    return scales


def compare(
    models: ForecastModels, data: Sequence[Example]
) -> dict[str, dict[int, dict[str, float]]]:
    """Per business series and horizon: MASE of the model, AutoETS, AutoTheta and seasonal
    naive; scaled pinball loss and 80% coverage of the model, AutoETS and AutoTheta; on the
    origins with a year of history (where seasonal naive exists)."""
    benchmarks = _benchmark_forecasts(data)
    shown = served(models, data)
    table: dict[str, dict[int, dict[str, float]]] = {}
    for series in SERIES:
        for h in HORIZONS:
            rows = [e for e in data if e.series == series and e.h == h and e.seasonal is not None]
            if not rows:
                continue
            errors: dict[str, list[float]] = {}
            for e in rows:
                scale = _scale(e.past)
                point, low, high = models.predict(series, h, e.x, e.level)
                fits = benchmarks[e.origin]
                combined = shown[(e.origin, h)]
                candidates = {
                    "served": (combined.point, combined.low, combined.high),
                    "model": (point, low, high),
                    **{
                        name: (fit["point"][h - 1], fit["low"][h - 1], fit["high"][h - 1])
                        for name, fit in fits.items()
                    },
                }
                for name, (f, lo, hi) in candidates.items():
                    errors.setdefault(f"mase_{name}", []).append(abs(f - e.actual) / scale)
                    errors.setdefault(f"pinball_{name}", []).append(
                        pinball(lo, hi, e.actual) / scale
                    )
                    errors.setdefault(f"cover_{name}", []).append(float(lo <= e.actual <= hi))
                errors.setdefault("mase_seasonal_naive", []).append(
                    abs((e.seasonal or 0.0) - e.actual) / scale
                )
            row = {key: float(np.mean(values)) for key, values in errors.items()}
            row["origins"] = float(len(rows))
            table.setdefault(series, {})[h] = row
    return table


def format_comparison(table: dict[str, dict[int, dict[str, float]]]) -> str:
    methods = (*SHOWN, *BENCHMARKS)
    lines = [
        f"{'series':<10}{'h':>3}{'origins':>8}"
        + "".join(f"{'MASE ' + m:>17}" for m in (*methods, "seasonal_naive"))
        + "".join(f"{'pinball ' + m:>20}" for m in methods)
        + "".join(f"{'cover ' + m:>18}" for m in methods)
    ]
    for series, by_h in table.items():
        for h, row in by_h.items():
            lines.append(
                f"{series:<10}{h:>3}{int(row['origins']):>8}"
                + "".join(f"{row['mase_' + m]:>17.3f}" for m in (*methods, "seasonal_naive"))
                + "".join(f"{row['pinball_' + m]:>20.3f}" for m in methods)
                + "".join(f"{row['cover_' + m]:>18.2f}" for m in methods)
            )
    return "\n".join(lines)
