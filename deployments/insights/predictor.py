"""InsightsPredictor: a business's books in, the six kinds of insight out, with the real numbers;
and a bare monthly series forecast. Plain class, no Ray import: the deployment shell and the tests
use it the same way. Each kind of insight is made by its own module (general, cash, trends,
customers) from one shared Report.

Worst case: linear in the books (read from the database: the business's own rows) and in the
months of history, which the forecasts read through a fixed number of model calls; a series
sent inline (POST /insights/forecast) has at most 240 months and a horizon of 4.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from deployments.insights import cash, customers, general, trends
from deployments.insights.combination import combine, generic_one_step
from deployments.insights.forecasting import GENERIC, INTERVAL, MIN_MONTHS, ForecastModels, features
from deployments.insights.history import STALE_AFTER_DAYS, add_months, build_history, month_start
from deployments.insights.report import Report
from kernel.books import Books
from kernel.models.insights import (
    ForecastPoint,
    Insight,
    InsightsReport,
    InsightsTuning,
    SeriesForecast,
)
from kernel.work import checkpoint


def insights_of(report: Report) -> list[Insight]:
    """Every insight the books support: with under MIN_MONTHS of history only the general one
    saying when forecasts will be available."""
    if report.history.n < MIN_MONTHS:
        return [general.too_little_data(report)]
    out: list[Insight] = []
    last = report.history.last_entry
    if last is not None and (report.now.date() - last).days > STALE_AFTER_DAYS:
        out.append(general.stale(report, last))
    out.append(cash.cash_flow(report))
    out.append(trends.revenue(report))
    out.append(trends.expenses(report))
    out.extend(customers.customers(report))
    out.append(cash.working_capital(report))
    return out


class InsightsPredictor:
    def __init__(self, models: ForecastModels, tuning: InsightsTuning) -> None:
        self.models, self.tuning = models, tuning

    @property
    def version(self) -> str:
        return self.models.version

    def report(self, books: Books, now: dt.datetime) -> InsightsReport:
        checkpoint(len(books.transactions) + len(books.invoices))
        history = build_history(books, now.date())
        checkpoint(history.n)
        insights = insights_of(Report(self.models, self.tuning, books, history, now))
        insights.sort(key=lambda i: -i.impact_score)
        return InsightsReport(
            insights=insights,
            model_version=self.version,
            as_of=history.as_of,
            history_months=history.n,
        )

    def forecast(self, start: dt.date, values: Sequence[float], horizon: int) -> SeriesForecast:
        """A bare monthly series from `start`: the generic model, plus both baselines."""
        checkpoint(len(values))
        y = np.asarray(values, float)
        t = len(y) - 1
        level = max(float(np.mean(y[max(0, t - 2) :])), 1.0)
        first = month_start(start)
        learned = {
            h: self.models.predict(
                GENERIC, h, features(y, t, h, add_months(first, t + h), None), level
            )
            for h in range(1, horizon + 1)
        }
        scale = getattr(self.models, "interval_scale", {}).get(GENERIC, 1.0)
        combined = combine(y, learned, generic_one_step(self.models, y, first), scale)
        points = [
            ForecastPoint(
                month=add_months(first, t + h),
                value=round(c.point, 2),
                lower=round(c.low, 2),
                upper=round(c.high, 2),
            )
            for h, c in combined.items()
        ]
        seasonal = (
            [float(y[t + h - 12]) for h in range(1, horizon + 1)] if t + horizon - 12 >= 0 else None
        )
        return SeriesForecast(
            forecast=points,
            last_value=[float(y[t])] * horizon,
            seasonal_naive=seasonal,
            model_version=self.version,
            interval=INTERVAL[1] - INTERVAL[0],
        )
