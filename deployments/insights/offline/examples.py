"""Forecast examples from generated books: every (origin, horizon) of a business's history whose
target month is known, with the baselines' forecasts beside it. Offline: training and the
backtest read it; no replica imports it."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import numpy as np

from demo_data.generate import generate_dataset
from deployments.insights.forecasting import (
    GENERIC,
    HORIZONS,
    MIN_MONTHS,
    features,
    known_inputs,
    level_at,
)
from deployments.insights.history import (
    SERIES,
    History,
    add_months,
    build_history,
    invoice_outstanding,
    month_end,
)
from kernel.books import Books, books_from_rows

DATA_END = dt.date(2026, 9, 30)
MONTHS = 30
"""Long enough that seasonal naive has a year of history at a dozen origins per business."""


@dataclass(frozen=True)
class Example:
    series: str
    h: int
    x: np.ndarray
    target_ratio: float
    actual: float
    level: float
    last: float
    seasonal: float | None
    origin: tuple[int, str, int] = (0, "", 0)
    """(business, series, origin month index): examples sharing it share `past`."""
    past: tuple[float, ...] = ()
    """The series up to and including the origin month (for benchmark methods)."""
    first_month: dt.date = dt.date(2000, 1, 1)
    """The month `past` starts in (for the served combination's calendar features)."""


def examples(
    books: Books, history: History, first_origin: int = MIN_MONTHS - 1, business: int = 0
) -> list[Example]:
    """Every (origin, horizon) of one business's history whose target month is known."""
    out: list[Example] = []
    open_at = [invoice_outstanding(books, month_end(m)) for m in history.months]
    for series in SERIES:
        y = history.series[series]
        for t in range(first_origin, history.n):
            for h in HORIZONS:
                if t + h >= history.n:
                    break
                target = add_months(history.months[t], h)
                known = known_inputs(books, series, history.months[t], target, open_at[t])
                level = level_at(y, t)
                seasonal = float(y[t + h - 12]) if t + h - 12 >= 0 else None
                past = tuple(float(v) for v in y[: t + 1])
                for kind, k in ((series, known), (GENERIC, None)):
                    out.append(
                        Example(
                            kind,
                            h,
                            features(y, t, h, target, k),
                            float(y[t + h]) / level,
                            float(y[t + h]),
                            level,
                            float(y[t]),
                            seasonal,
                            (business, series, t),
                            past,
                            history.months[0],
                        )
                    )
    return out


def generated_examples(
    seed: int, businesses: int, months: int = MONTHS
) -> tuple[list[Example], str]:
    """Examples from `businesses` generated businesses, and a hash of the data."""
    digest = hashlib.sha256()
    out: list[Example] = []
    for number, generated in enumerate(generate_dataset(seed, businesses, DATA_END, months=months)):
        books = books_from_rows(generated.rows())
        history = build_history(books, DATA_END)
        for name, values in sorted(history.series.items()):
            digest.update(name.encode() + np.round(values, 2).tobytes())
        out.extend(examples(books, history, business=number))
    return out, digest.hexdigest()
