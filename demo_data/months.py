"""A demo business's months: sales (with regular customers' standing orders), supplier bills,
expenses, salaries, the legitimate oddities a real shop has, and its recurring payments."""

from __future__ import annotations

import datetime as dt
import uuid

from demo_data.ledger import Ledger, gst_rate
from demo_data.tables import EXPENSE_KINDS, SURNAMES, VAGUE


def book_month(b: Ledger, month: dt.date) -> None:
    days = b.days_of(month)
    festive = 1.35 if month.month in (10, 11) else (1.15 if month.month == 3 else 1.0)
    trend = (1 + b.growth) ** b.month_index
    b.month_index += 1
    n_sales = int(b.rng.poisson(22 * festive * trend * len(days) / 30))
    for _ in range(n_sales):
        day = b.pick(days)
        customer = b.out.customers[int(b.rng.choice(len(b.out.customers), p=b.customer_weights))]
        b.invoice(
            kind="customer",
            party=customer,
            day=day,
            lines=b.items_for(int(b.rng.integers(1, 4))),
            number=b.next_number(),
        )
    # Regular customers: the same standing order every month (legitimate look-alikes).
    for regular in b.regulars:
        if len(days) >= 5:
            key = int(uuid.UUID(regular["id"]).int % len(b.catalogue))
            name, hsn, price, rate, unit = b.catalogue[key]
            b.invoice(
                kind="customer",
                party=regular,
                day=days[min(4, len(days) - 1)],
                lines=[(name, hsn, price, rate, unit, 10.0)],
                number=b.next_number(),
            )
    for supplier in b.out.suppliers:
        for _ in range(int(b.rng.poisson(6.4 * trend / len(b.out.suppliers)))):
            seq = int(b.rng.integers(100, 9999))
            b.invoice(
                kind="supplier",
                party=supplier,
                day=b.pick(days),
                lines=b.items_for(int(b.rng.integers(1, 4)), bulk=True),
                number=f"{b.bill_prefix[supplier['id']]}{seq}",
            )
    book_expenses(b, month, days)


def book_expenses(b: Ledger, month: dt.date, days: list[dt.date]) -> None:
    revenue_scale = b.monthly_sales / 3 * (1 + b.cost_growth) ** b.month_index
    for category, share in EXPENSE_KINDS:
        if category != "Rent" and b.rng.random() < 0.3:
            continue
        day = days[0] if category == "Rent" else b.pick(days)
        amount = round(
            revenue_scale * share * (1 if category == "Rent" else float(b.rng.lognormal(0, 0.35))),
            0,
        )
        b.expense(category, amount, day, f"{category} {month:%b %Y}")
    if month.month == 4 and b.rng.random() < 0.7:  # a legitimate large yearly purchase
        b.expense(
            "Equipment",
            round(revenue_scale * float(b.rng.uniform(0.8, 1.6)), -3),
            b.pick(days),
            "New equipment purchase (annual capex)",
        )
    book_noise(b, days)
    salary = round(revenue_scale * 0.22, -2)
    if len(days) >= 28:
        b.expense("Salaries", salary, days[-1], f"Staff salaries {month:%b %Y}", kind="expense")
        b.out.cashbook_entries.append(
            {
                **b.base(),
                "type": "OUT",
                "amount": salary,
                "payment_mode": "bankTransfer",
                "details": "Salaries",
                "entry_date": b.moment(days[-1]),
            }
        )


def book_noise(b: Ledger, days: list[dt.date]) -> None:
    """Legitimate entries that look odd: petty cash with no description, books written up
    late at night, an occasional supplier advance, a round cash deposit."""
    for _ in range(int(b.rng.poisson(3))):
        b.transaction(
            kind=b.pick(["expense", "debit"]),
            amount=float(b.rng.integers(1, 40)) * 50,
            when=b.moment(b.pick(days), night=b.rng.random() < 0.3),
            party=None,
            description=b.pick(sorted(VAGUE)),
            mode="cash",
        )
    if b.rng.random() < 0.3:
        b.transaction(
            kind="payment_out",
            amount=round(float(b.rng.uniform(0.1, 0.4)) * b.monthly_sales, -2),
            when=b.moment(b.pick(days)),
            party=b.pick(b.out.suppliers),
            description="Advance to supplier",
            mode="upi",
        )
    if b.rng.random() < 0.25:
        b.transaction(
            kind=b.pick(["credit", "income"]),
            amount=float(b.rng.integers(1, 10)) * max(1000.0, round(b.monthly_sales / 40, -3)),
            when=b.moment(b.pick(days), night=b.rng.random() < 0.3),
            party=None,
            description="Cash deposit",
            mode="cash",
        )


def add_recurring(b: Ledger) -> None:
    """The standing orders of regular customers (invoiced on the 5th) and the shop's rent,
    paid to its landlord on the 1st, as the app's recurring_payments."""
    start = dt.datetime(b.start.year, b.start.month, 1)
    for regular in b.regulars:
        key = int(uuid.UUID(regular["id"]).int % len(b.catalogue))
        name, _hsn, price, listed, _unit = b.catalogue[key]
        rate = gst_rate(name, b.end, price, listed)
        amount = round(10 * price * (1 + rate / 100), 2)
        b.out.recurring_payments.append(
            {
                "id": b.uid(),
                "business_id": b.bid,
                "customer_id": regular["id"],
                "supplier_id": None,
                "description": f"Monthly standing order: 10 x {name}",
                "amount": amount,
                "frequency": "monthly",
                "day_of_month": 5,
                "start_date": start,
                "status": "active",
                "auto_generate_invoice": True,
            }
        )
    rent = next(e["amount"] for e in b.out.expenses if e["category"] == "Rent")
    landlord = {
        **b.base(),
        "name": f"{b.pick(SURNAMES)} Properties",
        "gst_number": None,
        "balance": 0,
    }
    b.out.suppliers.append(landlord)
    b.out.recurring_payments.append(
        {
            "id": b.uid(),
            "business_id": b.bid,
            "customer_id": None,
            "supplier_id": landlord["id"],
            "description": "Shop rent",
            "amount": rent,
            "frequency": "monthly",
            "day_of_month": 1,
            "start_date": start,
            "status": "active",
            "auto_generate_invoice": False,
        }
    )
