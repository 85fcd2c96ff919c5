"""A business's money, month by month, from every table that records it, each rupee counted once.

FinEasy records the same money in several places: a sale invoice and its `sale` transaction (an
accrual, not cash), a `payments` row and its `payment_in` transaction, an `expenses` row and its
`expense` transaction, a cashbook line and the transaction typed for it. The ledger here counts:

* transactions (completed), except `sale`/`purchase` rows linked to an invoice: those are the
  invoice itself; its cash arrives as payments;
* payments (completed) that no transaction records (`transaction_id` unknown);
* expenses and cashbook entries with no transaction of the same day, amount and direction.

"Opening balance" entries count toward cash on hand, never toward a month's flows. Pure: no Ray.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from kernel.books import Books, Invoice, RecurringPayment

MONEY_IN = frozenset({"income", "credit", "payment_in", "sale"})
MONEY_OUT = frozenset({"expense", "debit", "payment_out", "purchase"})
OPENING = re.compile(r"\bopening\b", re.IGNORECASE)
LIVE_INVOICE = frozenset({"sent", "paid", "partially_paid", "overdue"})
STALE_AFTER_DAYS = 31
"""Books with no entry for this long are read as ending with their last entry's month."""
SERIES = ("cash_in", "cash_out", "revenue", "expenses")
"""cash_in/cash_out: money received and paid; revenue: customer invoices raised (accrual);
expenses: operating spend (everything paid out except supplier bills and advances)."""


@dataclass(frozen=True)
class Flow:
    day: dt.date
    amount: float
    """Signed: + money in, - money out."""
    kind: str
    """The transaction type, "payment", "expense:<category>", "cashbook" or "opening"."""
    invoiced: bool = False
    """Settles an invoice (a payment or transaction linked to one)."""


def _direction(kind: str) -> int:
    return 1 if kind in MONEY_IN else -1 if kind in MONEY_OUT else 0


def cash_flows(books: Books) -> list[Flow]:
    flows: list[Flow] = []
    recorded: Counter[tuple[dt.date, float, int]] = Counter()
    known_txns = {t.id for t in books.transactions}
    for t in books.transactions:
        sign = _direction(t.type)
        if t.status != "completed" or sign == 0 or t.amount <= 0:
            continue
        if t.type in ("sale", "purchase") and t.invoice_id:
            continue
        day = t.date.date()
        recorded[(day, round(t.amount, 2), sign)] += 1
        kind = "opening" if OPENING.search(t.description or "") else t.type
        flows.append(Flow(day, sign * t.amount, kind, t.invoice_id is not None))
    invoice_types = {i.id: i.invoice_type for i in books.invoices}
    for p in books.payments:
        if p.status != "completed" or (p.transaction_id and p.transaction_id in known_txns):
            continue
        supplier = p.supplier_id or invoice_types.get(p.invoice_id or "") == "supplier"
        amount = -p.amount if supplier else p.amount
        flows.append(Flow(p.payment_date.date(), amount, "payment", p.invoice_id is not None))
    # An expense and a cashbook line may both mirror the same transaction: match each separately.
    unmatched = recorded.copy()
    for e in books.expenses:
        key = (e.expense_date, round(e.amount, 2), -1)
        if unmatched[key] > 0:
            unmatched[key] -= 1
            continue
        flows.append(Flow(e.expense_date, -e.amount, f"expense:{e.category}"))
    for c in books.cashbook_entries:
        sign = 1 if c.type.upper() == "IN" else -1
        key = (c.entry_date.date(), round(c.amount, 2), sign)
        if recorded[key] > 0:
            recorded[key] -= 1
            continue
        kind = "opening" if OPENING.search(c.details or "") else "cashbook"
        flows.append(Flow(c.entry_date.date(), sign * c.amount, kind))
    flows.sort(key=lambda f: f.day)
    return flows


def is_operating_expense(flow: Flow) -> bool:
    return flow.amount < 0 and flow.kind not in ("payment_out", "purchase", "payment", "opening")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, current = [], month_start(first)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months


def invoice_outstanding(books: Books, at: dt.date) -> list[tuple[Invoice, float]]:
    """Sales and purchase invoices raised by `at` with money still owed on `at`: the total less
    payments dated on or before it (an invoice with no payment rows uses its paid_amount)."""
    paid: dict[str, float] = defaultdict(float)
    has_rows: set[str] = set()
    for p in books.payments:
        if p.invoice_id and p.status == "completed":
            has_rows.add(p.invoice_id)
            if p.payment_date.date() <= at:
                paid[p.invoice_id] += p.amount
    result = []
    for inv in books.invoices:
        if inv.status not in LIVE_INVOICE or inv.invoice_date > at:
            continue
        settled = paid[inv.id] if inv.id in has_rows else inv.paid_amount
        owed = round(inv.total_amount - settled, 2)
        if owed > 0.5:
            result.append((inv, owed))
    return result


def recurring_dates(plan: RecurringPayment, start: dt.date, end: dt.date) -> list[dt.date]:
    """The days in [start, end] a recurring payment falls due (monthly on day_of_month, weekly on
    day_of_week 1=Mon, yearly on its start day), within its start/end dates and max count."""
    if plan.status != "active":
        return []
    first = plan.start_date.date()
    last = min(end, plan.end_date.date()) if plan.end_date else end
    days: list[dt.date] = []
    if plan.frequency == "daily":
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    elif plan.frequency == "weekly":
        weekday = (plan.day_of_week or first.isoweekday()) - 1
        day = first + dt.timedelta(days=(weekday - first.weekday()) % 7)
        while day <= last:
            days.append(day)
            day += dt.timedelta(days=7)
    elif plan.frequency == "monthly":
        for month in months_between(first, last):
            wanted = plan.day_of_month or first.day
            days.append(
                month.replace(day=min(wanted, calendar.monthrange(month.year, month.month)[1]))
            )
    else:
        for year in range(first.year, last.year + 1):
            leap_safe = min(first.day, calendar.monthrange(year, first.month)[1])
            days.append(dt.date(year, first.month, leap_safe))
    days = [d for d in days if first <= d <= last]
    future = [d for d in days if d >= start]
    if plan.max_occurrences is not None:
        done = plan.occurrences_generated or sum(d < start for d in days)
        future = future[: max(0, plan.max_occurrences - done)]
    return future


def recurring_direction(plan: RecurringPayment) -> int:
    return -1 if plan.supplier_id else 1


@dataclass(frozen=True)
class History:
    """Monthly series of one business up to its last complete month."""

    months: list[dt.date]
    series: dict[str, np.ndarray]
    as_of: dt.date
    """Today; or, when the books are stale, the end of the month of their last entry."""
    first_activity: dt.date | None
    last_entry: dt.date | None
    flows: list[Flow]

    @property
    def n(self) -> int:
        return len(self.months)


def last_activity(books: Books, flows: Sequence[Flow]) -> dt.date | None:
    days = [f.day for f in flows] + [i.invoice_date for i in books.invoices]
    return max(days) if days else None


def first_activity(books: Books, flows: Sequence[Flow]) -> dt.date | None:
    days = [f.day for f in flows if f.kind != "opening"] + [i.invoice_date for i in books.invoices]
    return min(days) if days else None


def build_history(books: Books, today: dt.date) -> History:
    """Complete months only: the month of as_of counts when as_of is its last day. Books with
    no entry for STALE_AFTER_DAYS are read as ending with the month of their last entry."""
    flows = [f for f in cash_flows(books) if f.day <= today]
    latest = last_activity(books, flows)
    first = first_activity(books, flows)
    as_of = today
    if latest is not None and (today - latest).days > STALE_AFTER_DAYS:
        as_of = month_end(latest)
    last_month = (
        month_start(as_of) if as_of == month_end(as_of) else add_months(month_start(as_of), -1)
    )
    complete = first is not None and month_start(first) <= last_month
    months = months_between(first, last_month) if first and complete else []
    index = {m: i for i, m in enumerate(months)}
    series = {name: np.zeros(len(months)) for name in SERIES}

    def add(name: str, day: dt.date, amount: float) -> None:
        i = index.get(month_start(day))
        if i is not None:
            series[name][i] += amount

    for f in flows:
        if f.kind == "opening":
            continue
        add("cash_in" if f.amount > 0 else "cash_out", f.day, abs(f.amount))
        if is_operating_expense(f):
            add("expenses", f.day, -f.amount)
    for inv in books.invoices:
        if inv.invoice_type == "customer" and inv.status in LIVE_INVOICE:
            add("revenue", inv.invoice_date, inv.total_amount)
    return History(months, series, as_of, first, latest, flows)


def cash_on_hand(flows: Iterable[Flow], at: dt.date) -> tuple[float, bool]:
    """Net of every flow to `at`, and whether an opening balance anchors it."""
    total, anchored = 0.0, False
    for f in flows:
        if f.day <= at:
            total += f.amount
            anchored = anchored or f.kind == "opening"
    return round(total, 2), anchored
