"""Cash insights: the cash-flow forecast (monthly and 13 weeks), and working capital with the
days until cash runs out at the forecast pace."""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np

from deployments.insights.forecasting import INTERVAL
from deployments.insights.history import cash_on_hand, month_start, recurring_direction
from deployments.insights.report import Report, iso, month_name
from kernel.models.insights import Insight
from kernel.money import rupees

RUNWAY_HORIZON_DAYS = 120
WEEKS = 13


def cash_flow(r: Report) -> Insight:
    cash_in, cash_out = r.shown("cash_in"), r.shown("cash_out")
    nets = [i.value - o.value for i, o in zip(cash_in, cash_out, strict=True)]
    first_in, first_out = cash_in[0], cash_out[0]
    weeks = weekly(r)
    data: dict[str, object] = {
        "cash_in": r.chart("cash_in"),
        "cash_out": r.chart("cash_out"),
        "net": [
            {"month": iso(i.month), "value": round(n, 2)}
            for i, n in zip(cash_in, nets, strict=True)
        ],
        "weekly": weeks,
        "interval": INTERVAL[1] - INTERVAL[0],
    }
    top_recurring = recurring_outflows(r)
    if nets[0] < 0:
        gap = -nets[0]
        impact = 0.8 + min(0.2, gap / max(first_in.value, 1.0))
        recommendations = [
            f"Review recurring expenses: {', '.join(top_recurring)}"
            if top_recurring
            else "Review recurring expenses",
            *r.overdue_actions(),
            "Delay non-essential purchases until collections catch up",
        ]
        return r.insight(
            "cash_flow_prediction",
            "deficit-next",
            "Expenses may exceed income next month",
            f"Next month, expenses will exceed income if trend continues: in "
            f"{month_name(first_in.month)} about {rupees(first_out.value)} is expected to go out "
            f"and {rupees(first_in.value)} to come in, a shortfall of {rupees(gap)}.",
            recommendations,
            impact,
            "cash",
            data,
        )
    deficits = [(i.month, -n) for i, n in zip(cash_in, nets, strict=True) if n < 0]
    if deficits:
        month, gap = deficits[0]
        return r.insight(
            "cash_flow_prediction",
            "deficit-later",
            f"Cash shortfall expected in {month_name(month)}",
            f"Income covers expenses next month, but in {month_name(month)} expenses are expected "
            f"to exceed income by {rupees(gap)} if the trend continues.",
            [
                "Plan collections and large purchases around " + month_name(month),
                *r.overdue_actions(),
            ],
            0.6,
            "cash",
            data,
        )
    total = sum(nets)
    return r.insight(
        "cash_flow_prediction",
        "surplus",
        "Cash flow stays positive",
        f"Over the next three months ({month_name(cash_in[0].month)} to "
        f"{month_name(cash_in[-1].month)}) "
        f"about {rupees(sum(i.value for i in cash_in))} is expected in and "
        f"{rupees(sum(o.value for o in cash_out))} out: {rupees(total)} net.",
        [
            "Keep a cash buffer of at least one month's expenses",
            "Consider prepaying expensive credit",
        ],
        0.3,
        "cash",
        data,
    )


def weekly(r: Report) -> list[dict[str, object]]:
    """13 weeks from the Monday after as_of: each month's forecast spread over its days (an
    approximation; a week's interval is the month's scaled by sqrt(7 / days in month))."""
    by_month = {
        f.month: (f, o)
        for f, o in zip(r.forecasts["cash_in"], r.forecasts["cash_out"], strict=True)
    }
    start = r.as_of + dt.timedelta(days=7 - r.as_of.weekday())
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
                "week_start": iso(days[0]),
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


def recurring_outflows(r: Report) -> list[str]:
    plans = sorted(
        (
            p
            for p in r.books.recurring_payments
            if p.status == "active" and recurring_direction(p) < 0
        ),
        key=lambda p: -p.amount,
    )
    return [
        f"{p.description or 'recurring payment'} ({rupees(p.amount)} {p.frequency})"
        for p in plans[:3]
    ]


def working_capital(r: Report) -> Insight:
    cash, anchored = cash_on_hand(r.history.flows, r.as_of)
    open_items = r.open_now
    receivables = sum(a for i, a in open_items if i.invoice_type == "customer")
    payables = sum(a for i, a in open_items if i.invoice_type == "supplier")
    overdue = sum(r["amount"] for r in r.overdue_by_customer)
    inventory = sum(
        max(p.stock_quantity, 0) * (p.purchase_price or 0.0)
        for p in r.books.products
        if p.is_active
    )
    days, when, path = runway(r, cash)
    days_if_collected, _, _ = runway(r, cash + overdue)
    data: dict[str, object] = {
        "as_of": iso(r.as_of),
        "cash_on_hand": cash,
        "cash_anchored_by_opening_balance": anchored,
        "receivables": round(receivables, 2),
        "receivables_overdue": round(overdue, 2),
        "payables": round(payables, 2),
        "inventory_value": round(inventory, 2),
        "net_working_capital": round(cash + receivables + inventory - payables, 2),
        "days_to_depletion": days,
        "depletion_date": iso(when) if when else None,
        "days_to_depletion_if_overdue_collected": days_if_collected,
        "horizon_days": RUNWAY_HORIZON_DAYS,
        "projected_cash": path,
    }
    if not anchored and cash <= 0:
        return r.insight(
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
    if days is not None and days <= r.tuning.runway_warning_days:
        if overdue <= 0:
            extension = ""
        elif days_if_collected is None:
            extension = (
                f"Collecting the {rupees(overdue)} overdue would carry you past "
                f"{RUNWAY_HORIZON_DAYS} days."
            )
        elif days_if_collected > days:
            extension = (
                f"Collecting the {rupees(overdue)} overdue would extend it to "
                f"{days_if_collected} days."
            )
        else:
            extension = f"Even collecting the {rupees(overdue)} overdue would not close the gap."
        return r.insight(
            "working_capital",
            "depletion",
            "Working capital running low",
            (
                f"Your working capital will run out in {days} days unless receivables improve "
                f"(around {when:%d %b %Y}; cash on hand {rupees(cash)}). {extension}"
                if days > 0
                else f"Your recorded cash is already {rupees(-cash)} below zero. {extension}"
            ).strip(),
            [
                *r.overdue_actions(),
                "Delay non-essential purchases",
                "Negotiate longer credit with suppliers",
            ],
            1.0 - min(0.2, days / r.tuning.runway_warning_days * 0.2),
            "cash",
            data,
        )
    if days is not None:
        return r.insight(
            "working_capital",
            "runway",
            "Cash lasts about " + f"{days} days",
            f"At the forecast pace your cash on hand of {rupees(cash)} lasts about {days} days "
            f"(to {when:%d %b %Y}); customers owe {rupees(receivables)} and you owe suppliers "
            f"{rupees(payables)}.",
            [*r.overdue_actions(), "Build a cash buffer before the lean months"],
            0.5,
            "cash",
            data,
        )
    return r.insight(
        "working_capital",
        "healthy",
        "Working capital is healthy",
        f"Cash on hand of {rupees(cash)} covers the next {RUNWAY_HORIZON_DAYS} days at the "
        f"forecast pace; customers owe {rupees(receivables)} and you owe suppliers "
        f"{rupees(payables)}.",
        ["Put surplus cash to work: clear supplier dues early for discounts"]
        if cash > payables
        else [],
        0.3,
        "cash",
        data,
    )


def runway(r: Report, cash: float) -> tuple[int | None, dt.date | None, list[dict[str, object]]]:
    """Days from as_of until projected cash falls below zero (None: not within the horizon).
    Each day adds its month's forecast net (cash in - cash out) / days in that month."""
    net = {
        f.month: (f.value - o.value)
        for f, o in zip(r.forecasts["cash_in"], r.forecasts["cash_out"], strict=True)
    }
    if cash < 0:
        return 0, r.as_of, [{"date": iso(r.as_of), "cash": round(cash, 2)}]
    balance, path = cash, []
    for d in range(1, RUNWAY_HORIZON_DAYS + 1):
        day = r.as_of + dt.timedelta(days=d)
        balance += net.get(month_start(day), 0.0) / calendar.monthrange(day.year, day.month)[1]
        if d % 7 == 0:
            path.append({"date": iso(day), "cash": round(balance, 2)})
        if balance < 0:
            return d, day, path
    return None, None, path
