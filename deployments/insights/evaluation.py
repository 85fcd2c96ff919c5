"""The rolling-origin backtest of the forecast models against both baselines (last value,
seasonal naive), and its printed table. Offline: no replica imports it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from deployments.insights.examples import Example
from deployments.insights.forecasting import GENERIC, HORIZONS, ForecastModels
from deployments.insights.history import SERIES


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
