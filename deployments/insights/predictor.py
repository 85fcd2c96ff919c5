"""InsightsPredictor: a business's books in, the six kinds of insight out, with the real numbers.
Plain class, no Ray import: the deployment shell and the tests use it the same way.

Forecasts start from the last complete month of the books (`History.as_of`). When that day is
mid-month, the current month is horizon 1 and "the next three months" are horizons 2-4.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import hashlib
import itertools
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

import numpy as np

from deployments.insights.forecasting import (
    GENERIC,
    HORIZONS,
    INTERVAL,
    MIN_MONTHS,
    ForecastModels,
    features,
    known_inputs,
)
from deployments.insights.history import (
    LIVE_INVOICE,
    STALE_AFTER_DAYS,
    History,
    add_months,
    build_history,
    cash_on_hand,
    invoice_outstanding,
    is_operating_expense,
    month_end,
    month_start,
    recurring_direction,
)
from kernel.books import Books, Invoice
from kernel.model_io import ForecastPoint, Insight, InsightsReport, InsightType, SeriesForecast
from kernel.money import format_inr
from kernel.tuning import InsightsTuning

UNCATEGORISED = {
    "debit": "Cash withdrawals and debits",
    "expense": "Uncategorised expenses",
    "cashbook": "Cashbook payments",
}
"""Names for operating spend recorded only as a transaction or cashbook line (no expense row)."""
RUNWAY_HORIZON_DAYS = 120
WEEKS = 13


def _inr(amount: float) -> str:
    return format_inr(amount, rupees_only=True)


def _month(day: dt.date) -> str:
    return f"{calendar.month_name[day.month]} {day.year}"


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _priority(impact: float) -> str:
    return "high" if impact >= 0.8 else "medium" if impact >= 0.5 else "low"


class CategoryChange(TypedDict):
    category: str
    previous: float
    recent: float
    change: float


class Overdue(TypedDict):
    customer_id: str
    name: str
    amount: float
    invoices: int


class Quiet(TypedDict):
    customer_id: str
    name: str
    last_order: str
    days_since_last_order: int
    usual_gap_days: float
    orders: int


@dataclass(frozen=True)
class MonthForecast:
    month: dt.date
    h: int
    value: float
    lower: float
    upper: float

    def as_point(self) -> dict[str, object]:
        return {
            "month": _iso(self.month),
            "value": round(self.value, 2),
            "lower": round(self.lower, 2),
            "upper": round(self.upper, 2),
        }


class InsightsPredictor:
    def __init__(self, models: ForecastModels, tuning: InsightsTuning) -> None:
        self.models, self.tuning = models, tuning

    @property
    def version(self) -> str:
        return self.models.version

    # -- public ------------------------------------------------------------------------------
    def report(self, books: Books, now: dt.datetime) -> InsightsReport:
        history = build_history(books, now.date())
        build = _Builder(self, books, history, now)
        insights = build.all()
        insights.sort(key=lambda i: -i.impact_score)
        return InsightsReport(
            insights=insights,
            model_version=self.version,
            as_of=history.as_of,
            history_months=history.n,
        )

    def forecast_series(
        self, start: dt.date, values: Sequence[float], horizon: int
    ) -> SeriesForecast:
        """A bare monthly series from `start`: the generic model, plus both baselines."""
        y = np.asarray(values, float)
        t = len(y) - 1
        level = max(float(np.mean(y[max(0, t - 2) :])), 1.0)
        points = []
        for h in range(1, horizon + 1):
            target = add_months(month_start(start), t + h)
            value, low, high = self.models.predict(
                GENERIC, h, features(y, t, h, target, None), level
            )
            points.append(
                ForecastPoint(
                    month=target, value=round(value, 2), lower=round(low, 2), upper=round(high, 2)
                )
            )
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


class _Builder:
    """The insights of one report; each method returns zero or more Insight."""

    def __init__(
        self, owner: InsightsPredictor, books: Books, history: History, now: dt.datetime
    ) -> None:
        self.models, self.tuning = owner.models, owner.tuning
        self.books, self.history, self.now = books, history, now
        self.as_of = history.as_of
        self.valid_until = now + dt.timedelta(hours=self.tuning.valid_hours)
        self.salt = f"{books.business.id}:{self.as_of}:{owner.version}"
        self.model_used: dict[str, str] = {}

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
            priority=_priority(impact),
            category=category,
            data=data,
        )

    def all(self) -> list[Insight]:
        if self.history.n < MIN_MONTHS:
            return [self.too_little_data()]
        out: list[Insight] = []
        last = self.history.last_entry
        if last is not None and (self.now.date() - last).days > STALE_AFTER_DAYS:
            out.append(self.stale(last))
        self.forecasts = {
            s: self.forecast(s) for s in ("cash_in", "cash_out", "revenue", "expenses")
        }
        out.append(self.cash_flow())
        out.append(self.revenue())
        out.append(self.expenses())
        out.extend(self.customers())
        out.append(self.working_capital())
        return out

    # -- general --------------------------------------------------------------------------------
    def too_little_data(self) -> Insight:
        first = self.history.first_activity
        have = self.history.n
        if first is None:
            ready_on = None
            description = (
                "There are no invoices or transactions in your books yet, so there is nothing to "
                f"forecast. Forecasts need at least {MIN_MONTHS} months of history."
            )
        else:
            ready_on = add_months(month_start(first), MIN_MONTHS)
            description = (
                f"Your books start on {first:%d %b %Y}: {have} complete month"
                f"{'' if have == 1 else 's'} so far. Forecasts need at least {MIN_MONTHS} months "
                f"of history, so they will be available from {ready_on:%d %b %Y}."
            )
        return self.insight(
            "general",
            "too-little-data",
            "Not enough history for forecasts yet",
            description,
            [
                "Record every sale, purchase and expense in FinEasy as it happens",
                "Record payments against their invoices so cash flow can be measured",
            ],
            0.3,
            "data",
            {
                "months_of_history": have,
                "months_required": MIN_MONTHS,
                "first_entry": _iso(first) if first else None,
                "forecasts_available_from": _iso(ready_on) if ready_on else None,
            },
        )

    def stale(self, last: dt.date) -> Insight:
        gap = (self.now.date() - last).days
        return self.insight(
            "general",
            "stale",
            "Your books are out of date",
            f"Nothing has been recorded for {gap} days (since {last:%d %b %Y}); the forecasts "
            f"below start from the end of {_month(self.as_of)}, not from today.",
            ["Record the sales, purchases and payments since then for up-to-date forecasts"],
            0.55,
            "data",
            {"last_entry": _iso(last), "days_since_last_entry": gap, "as_of": _iso(self.as_of)},
        )

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
        out = []
        for h in HORIZONS:
            target = add_months(origin, h)
            known = (
                known_inputs(self.books, series, origin, target, outstanding) if informed else None
            )
            value, low, high = self.models.predict(
                self.model_used[series], h, features(y, t, h, target, known), level
            )
            out.append(MonthForecast(target, h, value, low, high))
        return out

    def shown(self, series: str) -> list[MonthForecast]:
        return [f for f in self.forecasts[series] if f.h in self.presented]

    def recent(self, series: str, months: int = 12) -> dict[str, list[object]]:
        values = self.history.series[series][-months:]
        return {
            "months": [_iso(m) for m in self.history.months[-months:]],
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
        }

    def cash_flow(self) -> Insight:
        cash_in, cash_out = self.shown("cash_in"), self.shown("cash_out")
        nets = [i.value - o.value for i, o in zip(cash_in, cash_out, strict=True)]
        first_in, first_out = cash_in[0], cash_out[0]
        weekly = self.weekly()
        data: dict[str, object] = {
            "cash_in": self.chart("cash_in"),
            "cash_out": self.chart("cash_out"),
            "net": [
                {"month": _iso(i.month), "value": round(n, 2)}
                for i, n in zip(cash_in, nets, strict=True)
            ],
            "weekly": weekly,
            "interval": INTERVAL[1] - INTERVAL[0],
        }
        top_recurring = self.recurring_outflows()
        if nets[0] < 0:
            gap = -nets[0]
            impact = 0.8 + min(0.2, gap / max(first_in.value, 1.0))
            recommendations = [
                f"Review recurring expenses: {', '.join(top_recurring)}"
                if top_recurring
                else "Review recurring expenses",
                *self.overdue_actions(),
                "Delay non-essential purchases until collections catch up",
            ]
            return self.insight(
                "cash_flow_prediction",
                "deficit-next",
                "Expenses may exceed income next month",
                f"Next month, expenses will exceed income if trend continues: in "
                f"{_month(first_in.month)} about {_inr(first_out.value)} is expected to go out "
                f"and {_inr(first_in.value)} to come in, a shortfall of {_inr(gap)}.",
                recommendations,
                impact,
                "cash",
                data,
            )
        deficits = [(i.month, -n) for i, n in zip(cash_in, nets, strict=True) if n < 0]
        if deficits:
            month, gap = deficits[0]
            return self.insight(
                "cash_flow_prediction",
                "deficit-later",
                f"Cash shortfall expected in {_month(month)}",
                f"Income covers expenses next month, but in {_month(month)} expenses are expected "
                f"to exceed income by {_inr(gap)} if the trend continues.",
                [
                    "Plan collections and large purchases around " + _month(month),
                    *self.overdue_actions(),
                ],
                0.6,
                "cash",
                data,
            )
        total = sum(nets)
        return self.insight(
            "cash_flow_prediction",
            "surplus",
            "Cash flow stays positive",
            f"Over the next three months ({_month(cash_in[0].month)} to "
            f"{_month(cash_in[-1].month)}) "
            f"about {_inr(sum(i.value for i in cash_in))} is expected in and "
            f"{_inr(sum(o.value for o in cash_out))} out: {_inr(total)} net.",
            [
                "Keep a cash buffer of at least one month's expenses",
                "Consider prepaying expensive credit",
            ],
            0.3,
            "cash",
            data,
        )

    def weekly(self) -> list[dict[str, object]]:
        """13 weeks from the Monday after as_of: each month's forecast spread over its days (an
        approximation; a week's interval is the month's scaled by sqrt(7 / days in month))."""
        by_month = {
            f.month: (f, o)
            for f, o in zip(self.forecasts["cash_in"], self.forecasts["cash_out"], strict=True)
        }
        start = self.as_of + dt.timedelta(days=7 - self.as_of.weekday())
        weeks: list[dict[str, object]] = []
        for w in range(WEEKS):
            days = [start + dt.timedelta(days=7 * w + d) for d in range(7)]
            sums = {"in": [0.0, 0.0, 0.0], "out": [0.0, 0.0, 0.0]}
            for day in days:
                pair = by_month.get(month_start(day))
                if pair is None:
                    continue
                share = 1 / calendar.monthrange(day.year, day.month)[1]
                for key, f in zip(("in", "out"), pair, strict=True):
                    sums[key][0] += f.value * share
                    sums[key][1] += (f.value - f.lower) * np.sqrt(7 * share) / 7
                    sums[key][2] += (f.upper - f.value) * np.sqrt(7 * share) / 7
            weeks.append(
                {
                    "week_start": _iso(days[0]),
                    **{
                        f"cash_{key}": {
                            "value": round(v, 2),
                            "lower": round(max(0.0, v - lo), 2),
                            "upper": round(v + hi, 2),
                        }
                        for key, (v, lo, hi) in sums.items()
                    },
                }
            )
        return weeks

    def recurring_outflows(self) -> list[str]:
        plans = sorted(
            (
                p
                for p in self.books.recurring_payments
                if p.status == "active" and recurring_direction(p) < 0
            ),
            key=lambda p: -p.amount,
        )
        return [
            f"{p.description or 'recurring payment'} ({_inr(p.amount)} {p.frequency})"
            for p in plans[:3]
        ]

    def revenue(self) -> Insight:
        shown = self.shown("revenue")
        ahead = sum(f.value for f in shown)
        behind = float(np.sum(self.history.series["revenue"][-3:]))
        change = (ahead - behind) / behind if behind > 0 else 0.0
        direction = "grow" if change > 0.05 else "fall" if change < -0.05 else "hold steady"
        title = {
            "grow": f"Revenue expected to grow {change:.0%}",
            "fall": f"Revenue expected to fall {-change:.0%}",
            "hold steady": "Revenue expected to hold steady",
        }[direction]
        impact = 0.7 if change < -0.15 else 0.5 if change < -0.05 else 0.35
        recommendations = (
            [
                "Follow up with customers who have stopped ordering",
                "Plan a promotion for the slow months",
            ]
            if change < -0.05
            else [
                "Check stock levels can meet the expected demand",
                "Confirm supplier credit for larger orders",
            ]
        )
        return self.insight(
            "revenue_forecast",
            direction,
            title,
            f"Invoiced sales for {_month(shown[0].month)} to {_month(shown[-1].month)} are "
            f"forecast at {_inr(ahead)} (80% range {_inr(sum(f.lower for f in shown))} to "
            f"{_inr(sum(f.upper for f in shown))}), against {_inr(behind)} in the last three "
            "months.",
            recommendations,
            impact,
            "revenue",
            {
                **self.chart("revenue"),
                "change": round(change, 4),
                "last_3_months": round(behind, 2),
            },
        )

    def expenses(self) -> Insight:
        y = self.history.series["expenses"]
        recent, before = (
            float(np.sum(y[-3:])),
            float(np.sum(y[-6:-3])) if self.history.n >= 6 else 0.0,
        )
        change = (recent - before) / before if before > 0 else 0.0
        by_category = self.expense_categories()
        data = {
            **self.chart("expenses"),
            "last_3_months": round(recent, 2),
            "previous_3_months": round(before, 2),
            "change": round(change, 4),
            "by_category": by_category,
        }
        rising = [c for c in by_category if c["change"] > 0]
        if before > 0 and change >= self.tuning.expense_growth_alert:
            lead = rising[0]["category"] if rising else "several categories"
            return self.insight(
                "expense_trend",
                "rising",
                f"Operating expenses up {change:.0%}",
                f"Operating expenses rose {change:.0%} in the last three months "
                f"({_inr(before)} to {_inr(recent)}), led by {lead}.",
                [f"Review {c['category']} spending (up {_inr(c['change'])})" for c in rising[:2]]
                or ["Review the largest expense categories"],
                0.6 + min(0.3, change / 2),
                "expenses",
                data,
            )
        return self.insight(
            "expense_trend",
            "steady",
            "Operating expenses under control",
            f"Operating expenses were {_inr(recent)} in the last three months"
            + (f", {change:+.0%} on the three before." if before > 0 else "."),
            ["Keep tracking expenses by category to spot increases early"],
            0.25,
            "expenses",
            data,
        )

    def expense_categories(self) -> list[CategoryChange]:
        """Change in each operating-expense category, last 3 complete months vs the 3 before."""
        end = month_end(self.history.months[-1])
        split = add_months(self.history.months[-1], -2)
        start = add_months(split, -3)
        totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for f in self.history.flows:
            if not is_operating_expense(f) or not start <= f.day <= end:
                continue
            category = (
                f.kind.split(":", 1)[1]
                if f.kind.startswith("expense:")
                else UNCATEGORISED.get(f.kind, f.kind)
            )
            totals[category][0 if f.day < split else 1] += -f.amount
        rows = [
            CategoryChange(
                category=c, previous=round(b, 2), recent=round(r, 2), change=round(r - b, 2)
            )
            for c, (b, r) in totals.items()
        ]
        return sorted(rows, key=lambda r: -r["change"])

    # -- customers --------------------------------------------------------------------------------
    def customers(self) -> list[Insight]:
        names = {c.id: c.name for c in self.books.customers}
        since = add_months(month_start(self.as_of), -11)
        revenue: dict[str, float] = defaultdict(float)
        orders: dict[str, list[dt.date]] = defaultdict(list)
        for inv in self.books.invoices:
            if (
                inv.invoice_type != "customer"
                or inv.status not in LIVE_INVOICE
                or not inv.customer_id
            ):
                continue
            orders[inv.customer_id].append(inv.invoice_date)
            if since <= inv.invoice_date <= self.as_of:
                revenue[inv.customer_id] += inv.total_amount
        out = []
        total = sum(revenue.values())
        if total > 0:
            out.append(self.concentration(revenue, total, names, since))
        slowed = self.slowed(orders, names)
        if slowed:
            out.append(slowed)
        overdue = self.overdue_receivables()
        if overdue:
            out.append(overdue)
        return out

    def concentration(
        self, revenue: dict[str, float], total: float, names: dict[str, str], since: dt.date
    ) -> Insight:
        n = min(self.tuning.top_customers, len(revenue))
        who = f"Top {n} customers" if n > 1 else "Your top customer"
        ranked = sorted(revenue.items(), key=lambda kv: -kv[1])
        top = ranked[:n]
        share = sum(v for _, v in top) / total
        hhi = sum((v / total) ** 2 for v in revenue.values())
        data = {
            "period_start": _iso(since),
            "period_end": _iso(self.as_of),
            "total_revenue": round(total, 2),
            "top_share": round(share, 4),
            "hhi": round(hhi, 4),
            "customers": len(revenue),
            "top_customers": [
                {
                    "customer_id": cid,
                    "name": names.get(cid, "Unknown"),
                    "revenue": round(v, 2),
                    "share": round(v / total, 4),
                }
                for cid, v in ranked[:10]
            ],
        }
        listed = ", ".join(names.get(cid, "Unknown") for cid, _ in top)
        if share >= self.tuning.concentration_share:
            return self.insight(
                "customer_analysis",
                "concentration",
                "Revenue concentrated in few customers",
                f"{who} contribute{'' if n > 1 else 's'} {share:.0%} of revenue — protect them "
                f"({listed}; last 12 months, {_inr(total)} in all).",
                ["Offer loyalty terms to top customers", "Diversify the customer base"],
                0.5 + min(0.4, share - self.tuning.concentration_share + 0.1),
                "customers",
                data,
            )
        return self.insight(
            "customer_analysis",
            "spread",
            "Revenue well spread across customers",
            f"{who} contribute{'' if n > 1 else 's'} {share:.0%} of revenue ({listed}); "
            f"{len(revenue)} customers bought in the last 12 months.",
            ["Keep in touch with your top customers", "Ask regular customers for referrals"],
            0.3,
            "customers",
            data,
        )

    def slowed(self, orders: dict[str, list[dt.date]], names: dict[str, str]) -> Insight | None:
        rows: list[Quiet] = []
        for cid, days in orders.items():
            days = sorted(d for d in days if d <= self.as_of)
            if len(days) < self.tuning.min_orders_for_pattern:
                continue
            gaps = [(b - a).days for a, b in itertools.pairwise(days) if (b - a).days > 0]
            if not gaps:
                continue
            usual = statistics.median(gaps)
            silent = (self.as_of - days[-1]).days
            if silent > max(30.0, self.tuning.slowdown_factor * usual):
                rows.append(
                    Quiet(
                        customer_id=cid,
                        name=names.get(cid, "Unknown"),
                        last_order=_iso(days[-1]),
                        days_since_last_order=silent,
                        usual_gap_days=float(usual),
                        orders=len(days),
                    )
                )
        if not rows:
            return None
        rows.sort(key=lambda r: -r["days_since_last_order"] / max(r["usual_gap_days"], 1.0))
        first = rows[0]
        others = (
            f"; {len(rows) - 1} more regular customer{'s have' if len(rows) > 2 else ' has'} "
            "also gone quiet"
            if len(rows) > 1
            else ""
        )
        return self.insight(
            "customer_analysis",
            "slowed",
            "Regular customers have gone quiet",
            f"{first['name']} usually orders every {first['usual_gap_days']:.0f} days but has not "
            f"ordered for {first['days_since_last_order']} days{others}.",
            [f"Call {r['name']} (last order {r['last_order']})" for r in rows[:3]],
            0.55,
            "customers",
            {"customers": rows},
        )

    @functools.cached_property
    def open_at_origin(self) -> list[tuple[Invoice, float]]:
        """Open invoices at the forecast origin's month end: every series' known future."""
        return invoice_outstanding(self.books, month_end(self.history.months[-1]))

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
            f"Follow up on {count} overdue invoice{'s' if count != 1 else ''} worth {_inr(amount)}"
        ]

    def overdue_receivables(self) -> Insight | None:
        rows = self.overdue_by_customer
        if not rows:
            return None
        amount = sum(r["amount"] for r in rows)
        count = sum(r["invoices"] for r in rows)
        monthly_in = max(float(np.mean(self.history.series["cash_in"][-3:])), 1.0)
        return self.insight(
            "customer_analysis",
            "overdue",
            "Customers owe you overdue payments",
            f"{len(rows)} customer{'s' if len(rows) != 1 else ''} owe {_inr(amount)} on {count} "
            f"overdue invoice{'s' if count != 1 else ''}; {rows[0]['name']} owes the most "
            f"({_inr(rows[0]['amount'])}).",
            [f"Send a reminder to {r['name']} for {_inr(r['amount'])}" for r in rows[:3]]
            + ["Offer UPI payment links to make paying easier"],
            0.5 + min(0.4, amount / monthly_in / 4),
            "receivables",
            {"total_overdue": round(amount, 2), "invoices": count, "customers": rows[:20]},
        )

    # -- working capital --------------------------------------------------------------------------
    def working_capital(self) -> Insight:
        cash, anchored = cash_on_hand(self.history.flows, self.as_of)
        open_items = self.open_now
        receivables = sum(a for i, a in open_items if i.invoice_type == "customer")
        payables = sum(a for i, a in open_items if i.invoice_type == "supplier")
        overdue = sum(r["amount"] for r in self.overdue_by_customer)
        inventory = sum(
            max(p.stock_quantity, 0) * (p.purchase_price or 0.0)
            for p in self.books.products
            if p.is_active
        )
        days, when, path = self.runway(cash)
        days_if_collected, _, _ = self.runway(cash + overdue)
        data: dict[str, object] = {
            "as_of": _iso(self.as_of),
            "cash_on_hand": cash,
            "cash_anchored_by_opening_balance": anchored,
            "receivables": round(receivables, 2),
            "receivables_overdue": round(overdue, 2),
            "payables": round(payables, 2),
            "inventory_value": round(inventory, 2),
            "net_working_capital": round(cash + receivables + inventory - payables, 2),
            "days_to_depletion": days,
            "depletion_date": _iso(when) if when else None,
            "days_to_depletion_if_overdue_collected": days_if_collected,
            "horizon_days": RUNWAY_HORIZON_DAYS,
            "projected_cash": path,
        }
        if not anchored and cash <= 0:
            return self.insight(
                "working_capital",
                "unanchored",
                "Record your cash balance",
                "Your books show more money paid out than received, and no opening balance, so "
                "the cash you hold cannot be worked out.",
                ["Add an opening balance (cash and bank) in the cashbook"],
                0.4,
                "cash",
                data,
            )
        if days is not None and days <= self.tuning.runway_warning_days:
            if overdue <= 0:
                extension = ""
            elif days_if_collected is None:
                extension = (
                    f"Collecting the {_inr(overdue)} overdue would carry you past "
                    f"{RUNWAY_HORIZON_DAYS} days."
                )
            elif days_if_collected > days:
                extension = (
                    f"Collecting the {_inr(overdue)} overdue would extend it to "
                    f"{days_if_collected} days."
                )
            else:
                extension = f"Even collecting the {_inr(overdue)} overdue would not close the gap."
            return self.insight(
                "working_capital",
                "depletion",
                "Working capital running low",
                (
                    f"Your working capital will run out in {days} days unless receivables improve "
                    f"(around {when:%d %b %Y}; cash on hand {_inr(cash)}). {extension}"
                    if days > 0
                    else f"Your recorded cash is already {_inr(-cash)} below zero. {extension}"
                ).strip(),
                [
                    *self.overdue_actions(),
                    "Delay non-essential purchases",
                    "Negotiate longer credit with suppliers",
                ],
                1.0 - min(0.2, days / self.tuning.runway_warning_days * 0.2),
                "cash",
                data,
            )
        if days is not None:
            return self.insight(
                "working_capital",
                "runway",
                "Cash lasts about " + f"{days} days",
                f"At the forecast pace your cash on hand of {_inr(cash)} lasts about {days} days "
                f"(to {when:%d %b %Y}); customers owe {_inr(receivables)} and you owe suppliers "
                f"{_inr(payables)}.",
                [*self.overdue_actions(), "Build a cash buffer before the lean months"],
                0.5,
                "cash",
                data,
            )
        return self.insight(
            "working_capital",
            "healthy",
            "Working capital is healthy",
            f"Cash on hand of {_inr(cash)} covers the next {RUNWAY_HORIZON_DAYS} days at the "
            f"forecast pace; customers owe {_inr(receivables)} and you owe suppliers "
            f"{_inr(payables)}.",
            ["Put surplus cash to work: clear supplier dues early for discounts"]
            if cash > payables
            else [],
            0.3,
            "cash",
            data,
        )

    def runway(self, cash: float) -> tuple[int | None, dt.date | None, list[dict[str, object]]]:
        """Days from as_of until projected cash falls below zero (None: not within the horizon).
        Each day adds its month's forecast net (cash in - cash out) / days in that month."""
        net = {
            f.month: (f.value - o.value)
            for f, o in zip(self.forecasts["cash_in"], self.forecasts["cash_out"], strict=True)
        }
        if cash < 0:
            return 0, self.as_of, [{"date": _iso(self.as_of), "cash": round(cash, 2)}]
        balance, path = cash, []
        for d in range(1, RUNWAY_HORIZON_DAYS + 1):
            day = self.as_of + dt.timedelta(days=d)
            balance += net.get(month_start(day), 0.0) / calendar.monthrange(day.year, day.month)[1]
            if d % 7 == 0:
                path.append({"date": _iso(day), "cash": round(balance, 2)})
            if balance < 0:
                return d, day, path
        return None, None, path
