"""Training and rolling-origin backtest of the forecast models on generated books. No Ray import.

Seeds are disjoint from each other and from the fraud models': TRAIN_SEED fits, CALIBRATION_SEED
measures the interval residuals (and the manifest's held-out metrics), BACKTEST_SEED is only read
by the backtest command.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from demo_data.generate import generate_dataset
from deployments.forecasting import (
    GENERIC,
    HORIZONS,
    Example,
    ForecastModels,
    backtest,
    examples,
    fit,
)
from deployments.insights_data import build_history
from kernel.books import books_from_rows

TRAIN_SEED, CALIBRATION_SEED, BACKTEST_SEED = 4101, 5202, 6303
DATA_END = dt.date(2026, 9, 30)
MONTHS = 30
"""Long enough that seasonal naive has a year of history at a dozen origins per business."""


def generated_examples(
    seed: int, businesses: int, months: int = MONTHS
) -> tuple[list[Example], str]:
    """Examples from `businesses` generated businesses, and a hash of the data."""
    digest = hashlib.sha256()
    out: list[Example] = []
    for generated in generate_dataset(seed, businesses, DATA_END, months=months):
        books = books_from_rows(generated.rows())
        history = build_history(books, DATA_END)
        for name, values in sorted(history.series.items()):
            digest.update(name.encode() + np.round(values, 2).tobytes())
        out.extend(examples(books, history))
    return out, digest.hexdigest()


def train(version: str, businesses: int, max_iter: int = 300) -> tuple[ForecastModels, str]:
    training, data_hash = generated_examples(TRAIN_SEED, businesses)
    calibration, _ = generated_examples(CALIBRATION_SEED, max(4, businesses // 4))
    models = fit(training, calibration, version, max_iter=max_iter)
    models.metrics = summary(backtest(models, calibration))
    return models, data_hash


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
