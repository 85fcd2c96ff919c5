"""Monthly forecasts of a business's money: a learned direct multi-horizon model with prediction
intervals, and the two baselines it must beat (last value, seasonal naive). Pure: no Ray.

One scikit-learn model per (series, horizon), trained across many generated businesses on
scale-free features (values divided by the business's recent level): lags, a 6-month mean and
slope, the same month last year, calendar terms, and the known future: invoices falling due in the
target month, invoices already overdue, and recurring payments scheduled in it. Intervals are split
conformal: residual quantiles measured on businesses the model was not fitted on.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

from deployments.insights.history import (
    invoice_outstanding,
    month_end,
    month_start,
    recurring_dates,
    recurring_direction,
)
from kernel.books import Books, Invoice

HORIZONS = (1, 2, 3, 4)
"""4 lets a forecast made mid-month still cover the three months after the current one."""
MIN_MONTHS = 3
GENERIC = "generic"
"""The model for a bare series (no books, so no known future): POST /insights/forecast."""
INTERVAL = (0.1, 0.9)
FESTIVE = {3: 0.5, 10: 1.0, 11: 1.0}
"""Year-end closing (March) and the Navratri-Diwali season (October, November)."""
KNOWN_COLUMNS = [11, 12, 13]


@dataclass(frozen=True)
class Known:
    """Money already scheduled for a target month, seen from the origin's month end."""

    due: float = math.nan
    overdue: float = math.nan
    scheduled: float = math.nan


def level_at(y: np.ndarray, t: int) -> float:
    return max(float(np.mean(y[max(0, t - 2) : t + 1])), 1.0)


def features(y: np.ndarray, t: int, h: int, target: dt.date, known: Known | None) -> np.ndarray:
    """The scale-free features of forecasting y[t + h] from months 0..t of y. Without `known`
    (a bare series) the three known-future columns are left out: the GENERIC model's layout."""
    level = level_at(y, t)
    recent = y[max(0, t - 5) : t + 1]
    slope = float(np.polyfit(np.arange(len(recent)), recent, 1)[0]) if len(recent) >= 3 else 0.0
    back = t + h - 12
    same_month = y[back] / level if back >= 0 else math.nan
    last_year_level = float(np.mean(y[max(0, back - 2) : back + 1])) if back >= 2 else math.nan
    seasonal_index = y[back] / last_year_level if back >= 2 and last_year_level > 1 else math.nan
    angle = 2 * math.pi * (target.month - 1) / 12
    future = known or Known()
    days = (month_end(target) - target).days + 1
    row = np.array(
        [
            y[t] / level,
            y[t - 1] / level if t >= 1 else math.nan,
            y[t - 2] / level if t >= 2 else math.nan,
            float(np.mean(recent)) / level,
            slope / level,
            same_month,
            seasonal_index,
            math.sin(angle),
            math.cos(angle),
            FESTIVE.get(target.month, 0.0),
            days / 30,
            future.due / level,
            future.overdue / level,
            future.scheduled / level,
            min(t + 1, 24),
        ]
    )
    return row if known is not None else np.delete(row, KNOWN_COLUMNS)


def known_inputs(
    books: Books,
    series: str,
    origin: dt.date,
    target: dt.date,
    outstanding: Sequence[tuple[Invoice, float]] | None = None,
) -> Known:
    """Receivables (for cash in) or payables (for cash out) due in the target month and already
    overdue on the origin's month end; recurring payments scheduled in the target month.
    `outstanding`: invoice_outstanding(books, month_end(origin)), when the caller has it."""
    day = month_end(origin)
    direction = -1 if series in ("cash_out", "expenses") else 1
    wanted = "customer" if direction > 0 else "supplier"
    due = overdue = 0.0
    if series in ("cash_in", "cash_out"):
        for inv, owed in (
            outstanding if outstanding is not None else invoice_outstanding(books, day)
        ):
            if inv.invoice_type != wanted:
                continue
            due_day = inv.due_date or inv.invoice_date + dt.timedelta(days=30)
            if due_day <= day:
                overdue += owed
            elif month_start(due_day) == target:
                due += owed
    scheduled = sum(
        plan.amount * len(recurring_dates(plan, target, month_end(target)))
        for plan in books.recurring_payments
        if recurring_direction(plan) == direction
    )
    return Known(due, overdue, scheduled)


@dataclass
class ForecastModels:
    """The fitted models and their conformal residual quantiles, per (series, horizon)."""

    version: str
    models: dict[tuple[str, int], HistGradientBoostingRegressor]
    residuals: dict[tuple[str, int], tuple[float, float]]
    metrics: dict[str, object] = field(default_factory=dict)
    interval_scale: dict[str, float] = field(default_factory=dict)
    """Per series: the factor on the combined forecast's interval half-widths that made it
    cover 80% on the calibration businesses (combination.py; 1.0 when absent)."""

    def predict(
        self, series: str, h: int, x: np.ndarray, level: float
    ) -> tuple[float, float, float]:
        """(point, low, high) in rupees, never negative."""
        ratio = float(self.models[(series, h)].predict(x.reshape(1, -1))[0])
        low_q, high_q = self.residuals[(series, h)]
        point = max(0.0, ratio * level)
        low = max(0.0, (ratio + low_q) * level)
        high = max(point, (ratio + high_q) * level)
        return point, min(low, point), high
