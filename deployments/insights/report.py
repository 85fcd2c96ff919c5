"""The context of one insights report: the books, their monthly history, the four series'
forecasts and the facts several insights share (open invoices, overdue receivables by customer),
and how an Insight is made from them (stable ids, impact, priority). Pure: no Ray, no I/O.

Forecasts start from the last complete month of the books (`History.as_of`). When that day is
mid-month, the current month is horizon 1 and "the next three months" are horizons 2-4.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import TypedDict

import numpy as np

from deployments.insights.combination import combine
from deployments.insights.forecasting import (
    GENERIC,
    HORIZONS,
    ForecastModels,
    features,
    known_inputs,
    level_at,
)
from deployments.insights.history import (
    History,
    add_months,
    invoice_outstanding,
    month_end,
    recurring_direction,
)
from kernel.books import Books, Invoice
from kernel.models.insights import Insight, InsightsTuning, InsightType
from kernel.money import rupees


def month_name(day: dt.date) -> str:
    return f"{calendar.month_name[day.month]} {day.year}"


def iso(day: dt.date) -> str:
    return day.isoformat()


def priority(impact: float) -> str:
    return "high" if impact >= 0.8 else "medium" if impact >= 0.5 else "low"


class Overdue(TypedDict):
    customer_id: str
    name: str
    amount: float
    invoices: int


@dataclass(frozen=True)
class MonthForecast:
    month: dt.date
    h: int
    value: float
    lower: float
    upper: float

    def as_point(self) -> dict[str, object]:
        return {
            "month": iso(self.month),
            "value": round(self.value, 2),
            "lower": round(self.lower, 2),
            "upper": round(self.upper, 2),
        }


class Report:
    """One business's report in the making: its books, history, forecasts and the facts several
    insights share (open invoices, overdue receivables); `insight` makes an Insight of it."""

    def __init__(
        self,
        models: ForecastModels,
        tuning: InsightsTuning,
        books: Books,
        history: History,
        now: dt.datetime,
    ) -> None:
        self.models, self.tuning = models, tuning
        self.books, self.history, self.now = books, history, now
        self.as_of = history.as_of
        self.valid_until = now + dt.timedelta(hours=self.tuning.valid_hours)
        self.salt = f"{books.business.id}:{self.as_of}:{models.version}"
        self.model_used: dict[str, str] = {}
        self.weights: dict[str, dict[str, float]] = {}
        self._open_at: dict[int, list[tuple[Invoice, float]]] = {}
        """Per series: each method's weight in the combined forecast (combination.py)."""

    def insight(
        self,
        kind: InsightType,
        key: str,
        title: str,
        description: str,
        recommendations: list[str],
        impact: float,
        category: str,
        data: dict[str, object],
    ) -> Insight:
        digest = hashlib.sha256(f"{self.salt}:{kind}:{key}".encode()).hexdigest()[:12]
        impact = round(min(1.0, max(0.0, impact)), 2)
        return Insight(
            insight_id=f"ins-{kind.replace('_', '-')}-{digest}",
            insight_type=kind,
            title=title,
            description=description,
            recommendations=recommendations,
            impact_score=impact,
            valid_until=self.valid_until,
            priority=priority(impact),
            category=category,
            data=data,
        )

    @functools.cached_property
    def forecasts(self) -> dict[str, list[MonthForecast]]:
        """Horizons 1-4 of each business series (and which model made them: `model_used`)."""
        return {s: self.forecast(s) for s in ("cash_in", "cash_out", "revenue", "expenses")}

    # -- forecasts -------------------------------------------------------------------------------
    @property
    def presented(self) -> tuple[int, ...]:
        """The horizons of "the next three months" after the current (partial) month."""
        return (1, 2, 3) if self.as_of == month_end(self.as_of) else (2, 3, 4)

    def informed(self, series: str) -> bool:
        """Whether this business has the known future the series model learned from: cash
        that mostly settles invoices, or recurring payments for revenue and expenses. If not,
        the generic model (no known-future inputs) forecasts the series."""
        if series in ("revenue", "expenses"):
            direction = 1 if series == "revenue" else -1
            return any(
                p.status == "active" and recurring_direction(p) == direction
                for p in self.books.recurring_payments
            )
        since = add_months(self.history.months[-1], -5)
        recent = [
            f
            for f in self.history.flows
            if f.kind != "opening"
            and since <= f.day <= month_end(self.history.months[-1])
            and (f.amount > 0) == (series == "cash_in")
        ]
        total = sum(abs(f.amount) for f in recent)
        return total > 0 and sum(abs(f.amount) for f in recent if f.invoiced) / total >= 0.5

    def forecast(self, series: str) -> list[MonthForecast]:
        y = self.history.series[series]
        t = self.history.n - 1
        origin = self.history.months[t]
        level = max(float(np.mean(y[max(0, t - 2) :])), 1.0)
        informed = self.informed(series)
        self.model_used[series] = series if informed else GENERIC
        outstanding = self.open_at_origin
        learned = {}
        for h in HORIZONS:
            target = add_months(origin, h)
            known = (
                known_inputs(self.books, series, origin, target, outstanding) if informed else None
            )
            learned[h] = self.models.predict(
                self.model_used[series], h, features(y, t, h, target, known), level
            )
        scale = getattr(self.models, "interval_scale", {}).get(series, 1.0)
        combined = combine(y, learned, functools.partial(self.one_step, series), scale)
        self.weights[series] = combined[HORIZONS[0]].weights
        return [
            MonthForecast(add_months(origin, h), h, c.point, c.low, c.high)
            for h, c in combined.items()
        ]

    def one_step(self, series: str, t: int) -> float:
        """The learned model's one-month-ahead forecast of `series` made at month t, as it
        would have been made then (with that month's known future): the combination's
        weights judge the model that forecasts now."""
        y = self.history.series[series]
        origin = self.history.months[t]
        target = add_months(origin, 1)
        known = (
            known_inputs(self.books, series, origin, target, self.open_at(t))
            if self.model_used[series] != GENERIC
            else None
        )
        x = features(y, t, 1, target, known)
        return self.models.predict(self.model_used[series], 1, x, level_at(y, t))[0]

    def open_at(self, t: int) -> list[tuple[Invoice, float]]:
        """Open invoices at month t's end (cached: every series asks for the same months)."""
        if t not in self._open_at:
            self._open_at[t] = invoice_outstanding(self.books, month_end(self.history.months[t]))
        return self._open_at[t]

    def shown(self, series: str) -> list[MonthForecast]:
        return [f for f in self.forecasts[series] if f.h in self.presented]

    def recent(self, series: str, months: int = 12) -> dict[str, list[object]]:
        values = self.history.series[series][-months:]
        return {
            "months": [iso(m) for m in self.history.months[-months:]],
            "values": [round(float(v), 2) for v in values],
        }

    def chart(self, series: str) -> dict[str, object]:
        """History, the next three months, and the month in progress when as_of is mid-month."""
        current = [f for f in self.forecasts[series] if f.h < self.presented[0]]
        return {
            "history": self.recent(series),
            "forecast": [f.as_point() for f in self.shown(series)],
            "current_month": current[0].as_point() if current else None,
            "model": self.model_used[series],
            "weights": self.weights.get(series, {}),
        }

    @property
    def open_at_origin(self) -> list[tuple[Invoice, float]]:
        """Open invoices at the forecast origin's month end: every series' known future."""
        return self.open_at(self.history.n - 1)

    @functools.cached_property
    def open_now(self) -> list[tuple[Invoice, float]]:
        """Open invoices on as_of: receivables, payables and what is overdue."""
        return invoice_outstanding(self.books, self.as_of)

    @functools.cached_property
    def overdue_by_customer(self) -> list[Overdue]:
        names = {c.id: c.name for c in self.books.customers}
        owed: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
        for inv, amount in self.open_now:
            due = inv.due_date or inv.invoice_date + dt.timedelta(days=30)
            if inv.invoice_type == "customer" and due < self.as_of and inv.customer_id:
                owed[inv.customer_id][0] += amount
                owed[inv.customer_id][1] += 1
        return sorted(
            (
                Overdue(
                    customer_id=cid,
                    name=names.get(cid, "Unknown"),
                    amount=round(a, 2),
                    invoices=int(n),
                )
                for cid, (a, n) in owed.items()
            ),
            key=lambda r: -r["amount"],
        )

    def overdue_actions(self) -> list[str]:
        rows = self.overdue_by_customer
        if not rows:
            return []
        count = sum(r["invoices"] for r in rows)
        amount = sum(r["amount"] for r in rows)
        return [
            f"Follow up on {count} overdue invoice{'s' if count != 1 else ''} worth "
            f"{rupees(amount)}"
        ]
