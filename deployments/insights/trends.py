"""Trend insights: the revenue forecast against the last three months, and operating expenses
by category, last three months against the three before."""

from __future__ import annotations

from collections import defaultdict
from typing import TypedDict

import numpy as np

from deployments.insights.history import add_months, is_operating_expense, month_end
from deployments.insights.report import Report, month_name
from kernel.models.insights import Insight
from kernel.money import rupees

UNCATEGORISED = {
    "debit": "Cash withdrawals and debits",
    "expense": "Uncategorised expenses",
    "cashbook": "Cashbook payments",
}
"""Names for operating spend recorded only as a transaction or cashbook line (no expense row)."""


class CategoryChange(TypedDict):
    category: str
    previous: float
    recent: float
    change: float


def revenue(r: Report) -> Insight:
    shown = r.shown("revenue")
    ahead = sum(f.value for f in shown)
    behind = float(np.sum(r.history.series["revenue"][-3:]))
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
    return r.insight(
        "revenue_forecast",
        direction,
        title,
        f"Invoiced sales for {month_name(shown[0].month)} to {month_name(shown[-1].month)} are "
        f"forecast at {rupees(ahead)} (80% range {rupees(sum(f.lower for f in shown))} to "
        f"{rupees(sum(f.upper for f in shown))}), against {rupees(behind)} in the last three "
        "months.",
        recommendations,
        impact,
        "revenue",
        {
            **r.chart("revenue"),
            "change": round(change, 4),
            "last_3_months": round(behind, 2),
        },
    )


def expenses(r: Report) -> Insight:
    y = r.history.series["expenses"]
    recent, before = (
        float(np.sum(y[-3:])),
        float(np.sum(y[-6:-3])) if r.history.n >= 6 else 0.0,
    )
    change = (recent - before) / before if before > 0 else 0.0
    by_category = expense_categories(r)
    data = {
        **r.chart("expenses"),
        "last_3_months": round(recent, 2),
        "previous_3_months": round(before, 2),
        "change": round(change, 4),
        "by_category": by_category,
    }
    rising = [c for c in by_category if c["change"] > 0]
    if before > 0 and change >= r.tuning.expense_growth_alert:
        lead = rising[0]["category"] if rising else "several categories"
        return r.insight(
            "expense_trend",
            "rising",
            f"Operating expenses up {change:.0%}",
            f"Operating expenses rose {change:.0%} in the last three months "
            f"({rupees(before)} to {rupees(recent)}), led by {lead}.",
            [f"Review {c['category']} spending (up {rupees(c['change'])})" for c in rising[:2]]
            or ["Review the largest expense categories"],
            0.6 + min(0.3, change / 2),
            "expenses",
            data,
        )
    if before > 0 and change <= -r.tuning.expense_drop_check:
        return r.insight(
            "expense_trend",
            "falling",
            f"Operating expenses down {-change:.0%}: check nothing is missing",
            f"Operating expenses were {rupees(recent)} in the last three months, {-change:.0%} "
            f"less than the {rupees(before)} of the three before. A fall this large is more often "
            "bills or expenses not yet entered than spending cut.",
            [
                "Check that every bill and expense of the last three months is in FinEasy",
                "If the fall is real, note what changed so it can last",
            ],
            0.45,
            "expenses",
            data,
        )
    return r.insight(
        "expense_trend",
        "steady",
        "Operating expenses under control",
        f"Operating expenses were {rupees(recent)} in the last three months"
        + (f", {change:+.0%} on the three before." if before > 0 else "."),
        ["Keep tracking expenses by category to spot increases early"],
        0.25,
        "expenses",
        data,
    )


def expense_categories(r: Report) -> list[CategoryChange]:
    """Change in each operating-expense category, last 3 complete months vs the 3 before."""
    end = month_end(r.history.months[-1])
    split = add_months(r.history.months[-1], -2)
    start = add_months(split, -3)
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for f in r.history.flows:
        if not is_operating_expense(f) or not start <= f.day <= end:
            continue
        category = (
            f.kind.split(":", 1)[1]
            if f.kind.startswith("expense:")
            else UNCATEGORISED.get(f.kind, f.kind)
        )
        totals[category][0 if f.day < split else 1] += -f.amount
    rows = [
        CategoryChange(category=c, previous=round(b, 2), recent=round(r, 2), change=round(r - b, 2))
        for c, (b, r) in totals.items()
    ]
    return sorted(rows, key=lambda r: -r["change"])
