"""The cash ledger counts each rupee once, whichever tables record it; recurring schedules and
open invoices are read as the app writes them."""

import datetime as dt

from deployments.insights.history import (
    build_history,
    cash_flows,
    cash_on_hand,
    invoice_outstanding,
    recurring_dates,
)
from kernel.books import Books, RecurringPayment, books_from_rows

B = "3f1c2a9e-8b7d-4c1e-9a2b-1d2e3f4a5b6c"
C = "c0000000-0000-4000-8000-000000000001"
S = "50000000-0000-4000-8000-000000000001"


def txn(i: int, kind: str, amount: float, day: str, **extra: object) -> dict[str, object]:
    return {
        "id": f"t{i}",
        "business_id": B,
        "type": kind,
        "amount": amount,
        "date": f"{day}T10:00:00",
        **extra,
    }


def books() -> Books:
    invoice = {
        "id": "inv1",
        "business_id": B,
        "invoice_number": "INV-0001",
        "invoice_type": "customer",
        "customer_id": C,
        "invoice_date": "2026-01-05",
        "due_date": "2026-02-04",
        "total_amount": 11800.0,
        "paid_amount": 5000.0,
        "status": "partially_paid",
    }
    return books_from_rows(
        {
            "businesses": [{"id": B, "user_id": "u", "name": "Shop"}],
            "invoices": [invoice],
            "transactions": [
                txn(0, "credit", 50000, "2026-01-01", description="Opening balance"),
                # the invoice itself (accrual) and the cash that paid part of it
                txn(1, "sale", 11800, "2026-01-05", invoice_id="inv1"),
                txn(2, "payment_in", 5000, "2026-01-20", invoice_id="inv1"),
                # an expense written both as a transaction and as an expenses row
                txn(3, "expense", 1200, "2026-01-10"),
                # salaries: a transaction mirrored by a cashbook line
                txn(4, "expense", 20000, "2026-01-31"),
                txn(5, "income", 3000, "2026-02-02", status="cancelled"),
                # a cash sale with no invoice is money in
                txn(6, "sale", 2500, "2026-02-03"),
            ],
            "payments": [
                {
                    "id": "p1",
                    "business_id": B,
                    "invoice_id": "inv1",
                    "transaction_id": "t2",
                    "amount": 5000,
                    "payment_date": "2026-01-20T10:00:00",
                },
                {  # recorded only in payments
                    "id": "p2",
                    "business_id": B,
                    "supplier_id": S,
                    "amount": 4000,
                    "payment_date": "2026-02-10T10:00:00",
                },
            ],
            "expenses": [
                {
                    "id": "e1",
                    "business_id": B,
                    "category": "Utilities",
                    "amount": 1200,
                    "expense_date": "2026-01-10",
                },
                {  # only in expenses
                    "id": "e2",
                    "business_id": B,
                    "category": "Rent",
                    "amount": 8000,
                    "expense_date": "2026-02-01",
                },
            ],
            "cashbook_entries": [
                {
                    "id": "c1",
                    "business_id": B,
                    "type": "OUT",
                    "amount": 20000,
                    "entry_date": "2026-01-31T18:00:00",
                },
                {  # only in the cashbook
                    "id": "c2",
                    "business_id": B,
                    "type": "IN",
                    "amount": 700,
                    "entry_date": "2026-02-05T18:00:00",
                },
            ],
        }
    )


def test_each_rupee_is_counted_once() -> None:
    flows = {(f.day.isoformat(), f.amount, f.kind) for f in cash_flows(books())}
    assert flows == {
        ("2026-01-01", 50000, "opening"),
        ("2026-01-20", 5000, "payment_in"),
        ("2026-01-10", -1200, "expense"),
        ("2026-01-31", -20000, "expense"),
        ("2026-02-03", 2500, "sale"),
        ("2026-02-10", -4000, "payment"),
        ("2026-02-01", -8000, "expense:Rent"),
        ("2026-02-05", 700, "cashbook"),
    }


def test_monthly_series_leave_the_opening_balance_out_and_cash_on_hand_in() -> None:
    history = build_history(books(), dt.date(2026, 3, 1))
    assert history.months == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    assert list(history.series["cash_in"]) == [5000, 2500 + 700]
    assert list(history.series["cash_out"]) == [21200, 12000]
    assert list(history.series["expenses"]) == [21200, 8000]  # supplier payment is not opex
    assert list(history.series["revenue"]) == [11800, 0]
    assert cash_on_hand(history.flows, dt.date(2026, 2, 28)) == (
        50000 + 5000 - 1200 - 20000 + 2500 - 4000 - 8000 + 700,
        True,
    )


def test_the_month_in_progress_is_not_a_complete_month() -> None:
    history = build_history(books(), dt.date(2026, 2, 20))
    assert history.as_of == dt.date(2026, 2, 20)
    assert history.months == [dt.date(2026, 1, 1)]


def test_stale_books_end_with_the_month_of_their_last_entry() -> None:
    history = build_history(books(), dt.date(2026, 5, 20))
    assert (history.as_of, history.last_entry) == (dt.date(2026, 2, 28), dt.date(2026, 2, 10))
    assert history.months == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]


def test_outstanding_uses_payments_dated_by_then() -> None:
    b = books()
    assert invoice_outstanding(b, dt.date(2026, 1, 10))[0][1] == 11800
    assert invoice_outstanding(b, dt.date(2026, 1, 25))[0][1] == 6800
    assert invoice_outstanding(b, dt.date(2026, 1, 4)) == []


def plan(**fields: object) -> RecurringPayment:
    return RecurringPayment.model_validate(
        {
            "id": "r",
            "business_id": B,
            "amount": 100,
            "start_date": "2026-01-31T00:00:00",
            **fields,
        }
    )


def test_recurring_dates_follow_the_apps_schedule_fields() -> None:
    start, end = dt.date(2026, 2, 1), dt.date(2026, 4, 30)
    monthly = plan(frequency="monthly", day_of_month=31)
    assert recurring_dates(monthly, start, end) == [
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 30),
    ]
    weekly = plan(frequency="weekly", day_of_week=1, end_date="2026-02-20T00:00:00")
    assert recurring_dates(weekly, start, end) == [
        dt.date(2026, 2, 2),
        dt.date(2026, 2, 9),
        dt.date(2026, 2, 16),
    ]
    capped = plan(frequency="monthly", day_of_month=5, max_occurrences=3, occurrences_generated=2)
    assert recurring_dates(capped, start, end) == [dt.date(2026, 2, 5)]
    assert recurring_dates(plan(frequency="monthly", status="paused"), start, end) == []
    yearly = plan(frequency="yearly", start_date="2025-03-15T00:00:00")
    assert recurring_dates(yearly, start, end) == [dt.date(2026, 3, 15)]
