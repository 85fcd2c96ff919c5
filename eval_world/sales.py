"""Books for judging forecasts: 30 months of a shop's money with the year an Indian shop really
has, written apart from demo_data (which fixes its festive months to March, October and
November).

The description: festivals fall on their real dates, taken from the `holidays` calendar
(Diwali moved from 31 October 2024 to 20 October 2025 and 8 November 2026), and buying rises in
the weeks before them; each trade has its own year (textiles: Diwali and the wedding seasons;
hardware: slow in the monsoon, busy in the building season; pharmacies: busy in the monsoon and
winter; grocery: Diwali, Holi, Eid); shops grow or shrink, and some lose a big customer for good.
Counter sales are paid the same day, credit sales weeks later; stock is bought ahead of the
festival season; rent and salaries go out early in the month, a Diwali bonus in Diwali's month,
GST on the 20th for the month before.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import holidays
import numpy as np

TRADES = ("grocery", "textiles", "hardware", "pharma")
FESTIVALS = {  # festival name in the calendar -> how much it lifts each trade's sales
    "Diwali": {"grocery": 0.6, "textiles": 1.2, "hardware": 0.25, "pharma": 0.05},
    "Holi": {"grocery": 0.25, "textiles": 0.2, "hardware": 0.0, "pharma": 0.0},
    "Eid al-Fitr": {"grocery": 0.3, "textiles": 0.35, "hardware": 0.0, "pharma": 0.0},
    "Dussehra": {"grocery": 0.15, "textiles": 0.3, "hardware": 0.1, "pharma": 0.0},
}
MONTHLY = {  # the rest of each trade's year, by calendar month
    "textiles": {1: 0.25, 2: 0.2, 4: 0.15, 5: 0.2, 7: -0.2, 8: -0.2, 11: 0.2, 12: 0.25},
    "hardware": {1: 0.1, 2: 0.15, 3: 0.2, 7: -0.3, 8: -0.35, 9: -0.15, 11: 0.1, 12: 0.1},
    "pharma": {7: 0.25, 8: 0.3, 9: 0.2, 12: 0.15, 1: 0.15},
    "grocery": {},
}


def _festival_days(start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    calendar = holidays.country_holidays("IN", years=range(start.year, end.year + 2))
    found = []
    for day, names in sorted(calendar.items()):
        for name in FESTIVALS:
            if name in names:
                found.append((day, name))
    return found


def _lift(day: dt.date, trade: str, festivals: list[tuple[dt.date, str]]) -> float:
    """Multiplier of a day's sales: the trade's month, and festivals in the three weeks ahead."""
    lift = 1.0 + MONTHLY[trade].get(day.month, 0.0)
    for when, name in festivals:
        ahead = (when - day).days
        if -2 <= ahead <= 21:
            lift += FESTIVALS[name][trade] * (1.0 - max(ahead, 0) / 24.0)
    return lift


def business(
    seed: int, trade: str, end: dt.date, months: int = 30
) -> dict[str, list[dict[str, Any]]]:
    rng = np.random.default_rng(seed)

    def new_id() -> str:
        return str(uuid.UUID(bytes=rng.bytes(16), version=4))

    first = end.year * 12 + end.month - months  # the month `months` before end's, 0-based
    start = dt.date(first // 12, first % 12 + 1, 1)
    business_id = new_id()
    rows: dict[str, list[dict[str, Any]]] = {
        "businesses": [{"id": business_id, "user_id": new_id(), "name": f"{trade} shop {seed}"}],
        "customers": [],
        "suppliers": [],
        "invoices": [],
        "payments": [],
        "expenses": [],
        "transactions": [],
    }
    customers = [{"id": new_id(), "business_id": business_id, "name": f"Customer {k}"}
                 for k in range(int(rng.integers(20, 60)))]  # fmt: skip
    supplier = {"id": new_id(), "business_id": business_id, "name": "Main supplier"}
    rows["customers"], rows["suppliers"] = customers, [supplier]
    festivals = _festival_days(start, end)
    base = float(rng.lognormal(np.log(18_000), 0.5))  # a day's sales at the start
    growth = float(rng.uniform(-0.15, 0.35))  # a year
    loss_day = (
        start + dt.timedelta(days=int(rng.integers(200, 800))) if rng.random() < 0.3 else None
    )
    credit_share = float(rng.uniform(0.2, 0.6))
    number = 0
    day = start
    while day <= end:
        years = (day - start).days / 365.0
        level = base * (1 + growth) ** years * _lift(day, trade, festivals)
        if loss_day and day >= loss_day:
            level *= 0.75
        if day.weekday() == 6:
            level *= 0.4
        for _ in range(int(rng.poisson(4))):
            number += 1
            total = round(float(level / 4 * rng.lognormal(0, 0.45)), 2)
            invoice_id = new_id()
            credit = rng.random() < credit_share
            paid_on = day + dt.timedelta(days=int(rng.integers(15, 60))) if credit else day
            rows["invoices"].append(
                {
                    "id": invoice_id,
                    "business_id": business_id,
                    "invoice_number": f"B{number:06d}",
                    "customer_id": customers[int(rng.integers(len(customers)))]["id"],
                    "invoice_date": day.isoformat(),
                    "due_date": (day + dt.timedelta(days=30)).isoformat(),
                    "subtotal": round(total / 1.12, 2),
                    "tax_amount": round(total - total / 1.12, 2),
                    "total_amount": total,
                    "paid_amount": total if paid_on <= end else 0.0,
                    "status": "paid" if paid_on <= end else "sent",
                }
            )
            if paid_on <= end:
                rows["payments"].append(
                    {
                        "id": new_id(),
                        "business_id": business_id,
                        "invoice_id": invoice_id,
                        "amount": total,
                        "payment_mode": "cash" if not credit else "bankTransfer",
                        "status": "completed",
                        "payment_date": f"{paid_on.isoformat()}T12:00:00",
                    }
                )
        if day.day == 5:  # stock for the coming month, bought ahead of its festivals
            month_ahead = [day + dt.timedelta(days=d) for d in range(15, 45, 3)]
            stock = np.mean([base * (1 + growth) ** years * _lift(d, trade, festivals)
                             for d in month_ahead]) * 30 * 0.62  # fmt: skip
            rows["transactions"].append(
                {"id": new_id(), "business_id": business_id, "type": "payment_out",
                 "amount": round(float(stock * rng.lognormal(0, 0.1)), 2),
                 "supplier_id": supplier["id"], "payment_mode": "bankTransfer",
                 "description": "Stock purchase", "date": f"{day.isoformat()}T11:00:00"}
            )  # fmt: skip
        if day.day in (1, 3, 20):  # rent, salaries, GST for the month before
            expense = {
                1: ("Rent", base * 4),
                3: ("Salaries", base * 6 * (1 + growth) ** years),
                20: ("GST payment", base * 30 * 0.05 * _lift(day, trade, festivals)),
            }[day.day]
            rows["expenses"].append(
                {"id": new_id(), "business_id": business_id, "category": expense[0],
                 "amount": round(float(expense[1] * rng.lognormal(0, 0.05)), 2),
                 "description": expense[0], "expense_date": day.isoformat()}
            )  # fmt: skip
        if any(name == "Diwali" and when == day for when, name in festivals):
            rows["expenses"].append(
                {"id": new_id(), "business_id": business_id, "category": "Salaries",
                 "amount": round(base * 5, 2), "description": "Diwali bonus",
                 "expense_date": day.isoformat()}
            )  # fmt: skip
        day += dt.timedelta(days=1)
    return rows


def businesses(seed: int, count: int, end: dt.date = dt.date(2026, 9, 30)) -> list[Any]:
    """`count` businesses' rows (books_from_rows reads them), trades in turn."""
    return [business(seed * 1000 + k, TRADES[k % len(TRADES)], end) for k in range(count)]
