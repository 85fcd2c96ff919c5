"""Customer insights: revenue concentration (top customers' share and HHI), regular customers
gone quiet, and overdue receivables by customer."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections import defaultdict
from typing import TypedDict

import numpy as np

from deployments.insights.history import LIVE_INVOICE, add_months, month_start
from deployments.insights.report import Report, iso
from kernel.models.insights import Insight
from kernel.money import rupees


class Quiet(TypedDict):
    customer_id: str
    name: str
    last_order: str
    days_since_last_order: int
    usual_gap_days: float
    orders: int


def customers(r: Report) -> list[Insight]:
    names = {c.id: c.name for c in r.books.customers}
    since = add_months(month_start(r.as_of), -11)
    revenue: dict[str, float] = defaultdict(float)
    orders: dict[str, list[dt.date]] = defaultdict(list)
    for inv in r.books.invoices:
        if inv.invoice_type != "customer" or inv.status not in LIVE_INVOICE or not inv.customer_id:
            continue
        orders[inv.customer_id].append(inv.invoice_date)
        if since <= inv.invoice_date <= r.as_of:
            revenue[inv.customer_id] += inv.total_amount
    out = []
    total = sum(revenue.values())
    if total > 0:
        out.append(concentration(r, revenue, total, names, since))
    quiet = slowed(r, orders, names)
    if quiet:
        out.append(quiet)
    overdue = overdue_receivables(r)
    if overdue:
        out.append(overdue)
    return out


def concentration(
    r: Report, revenue: dict[str, float], total: float, names: dict[str, str], since: dt.date
) -> Insight:
    n = min(r.tuning.top_customers, len(revenue))
    who = f"Top {n} customers" if n > 1 else "Your top customer"
    ranked = sorted(revenue.items(), key=lambda kv: -kv[1])
    top = ranked[:n]
    share = sum(v for _, v in top) / total
    hhi = sum((v / total) ** 2 for v in revenue.values())
    data = {
        "period_start": iso(since),
        "period_end": iso(r.as_of),
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
    if share >= r.tuning.concentration_share:
        return r.insight(
            "customer_analysis",
            "concentration",
            "Revenue concentrated in few customers",
            f"{who} contribute{'' if n > 1 else 's'} {share:.0%} of revenue — protect them "
            f"({listed}; last 12 months, {rupees(total)} in all).",
            ["Offer loyalty terms to top customers", "Diversify the customer base"],
            0.5 + min(0.4, share - r.tuning.concentration_share + 0.1),
            "customers",
            data,
        )
    return r.insight(
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


def slowed(r: Report, orders: dict[str, list[dt.date]], names: dict[str, str]) -> Insight | None:
    rows: list[Quiet] = []
    for cid, days in orders.items():
        days = sorted(d for d in days if d <= r.as_of)
        if len(days) < r.tuning.min_orders_for_pattern:
            continue
        gaps = [(b - a).days for a, b in itertools.pairwise(days) if (b - a).days > 0]
        if not gaps:
            continue
        usual = statistics.median(gaps)
        silent = (r.as_of - days[-1]).days
        if silent > max(30.0, r.tuning.slowdown_factor * usual):
            rows.append(
                Quiet(
                    customer_id=cid,
                    name=names.get(cid, "Unknown"),
                    last_order=iso(days[-1]),
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
    return r.insight(
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


def overdue_receivables(r: Report) -> Insight | None:
    rows = r.overdue_by_customer
    if not rows:
        return None
    amount = sum(r["amount"] for r in rows)
    count = sum(r["invoices"] for r in rows)
    monthly_in = max(float(np.mean(r.history.series["cash_in"][-3:])), 1.0)
    return r.insight(
        "customer_analysis",
        "overdue",
        "Customers owe you overdue payments",
        f"{len(rows)} customer{'s' if len(rows) != 1 else ''} owe {rupees(amount)} on {count} "
        f"overdue invoice{'s' if count != 1 else ''}; {rows[0]['name']} owes the most "
        f"({rupees(rows[0]['amount'])}).",
        [f"Send a reminder to {r['name']} for {rupees(r['amount'])}" for r in rows[:3]]
        + ["Offer UPI payment links to make paying easier"],
        0.5 + min(0.4, amount / monthly_in / 4),
        "receivables",
        {"total_overdue": round(amount, 2), "invoices": count, "customers": rows[:20]},
    )
