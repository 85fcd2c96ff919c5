"""Payment reconciliation: what an invoice says was paid against the money the books record for
it, the way FinEasy books record money. Pure: no Ray, no I/O.

Money for an invoice is recorded in three places: `payments` rows linked to it; money-moving
transactions linked to it (`transactions.invoice_id` or the invoice's own `transaction_id`:
`payment_in`/`income` for a sale, `payment_out`/`expense` for a supplier bill), a transaction
already behind a linked payment counted once; and cash-book lines that name the invoice number,
or, for an invoice marked paid with nothing else recorded, a cash-book line of its total on its
day. A linked `sale` or `purchase` transaction is the invoice's own entry in the ledger (the app
writes one with many invoices), not money: it is never counted.

Differences that are how Indian businesses are paid, not errors: a round-off of up to ₹10, and
TDS withheld by the customer on the taxable value (sections 194Q 0.1%, 194C 1% / 2%, 194H 5%,
194J 10%), with a round-off on top. Nothing recorded at all for an invoice marked paid is an
unrecorded cash sale, not a finding: there is no money to compare.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kernel.books import Books, CashbookEntry, Invoice

ROUND_OFF = 10.0
"""Rupees a payer may round away (to the rupee or to ten rupees)."""
TDS_RATES = (0.001, 0.01, 0.02, 0.05, 0.1)
MONEY_IN = frozenset({"payment_in", "income"})
MONEY_OUT = frozenset({"payment_out", "expense"})
TOLERANCE = 0.01


@dataclass(frozen=True)
class Mismatch:
    invoice: Invoice
    recorded: float
    """Money the books record for the invoice."""
    reason: str
    """short_paid | paid_more_than_total | payments_differ_from_paid_amount |
    marked_paid_but_short"""


def explained(invoice: Invoice, shortfall: float) -> bool:
    """A shortfall that a round-off, or TDS on the taxable value plus a round-off, explains."""
    if shortfall <= ROUND_OFF:
        return True
    taxable = invoice.subtotal - invoice.discount_amount
    return any(abs(shortfall - taxable * rate) <= ROUND_OFF for rate in TDS_RATES)


NUMBER = re.compile(r"[\w/-]+")
"""What can stand around an invoice number in a cash-book line's text without being part of it."""


def _direction(invoice: Invoice) -> str:
    return "IN" if invoice.invoice_type == "customer" else "OUT"


def _mentioned(entry: CashbookEntry, by_number: dict[tuple[str, str], list[Invoice]]) -> set[str]:
    """Ids of the invoices (of the entry's direction) whose number the entry's text names."""
    kind = entry.type.upper()
    return {
        inv.id
        for word in NUMBER.findall(entry.details or "")
        for inv in by_number.get((kind, word.lower()), ())
    }


def recorded_money(books: Books) -> dict[str, float]:
    """Per invoice id, the money the books record for it (see the module's docstring)."""
    money: dict[str, float] = defaultdict(float)
    behind_payments = set()
    for payment in books.payments:
        if payment.invoice_id and payment.status == "completed":
            money[payment.invoice_id] += payment.amount
            if payment.transaction_id:
                behind_payments.add(payment.transaction_id)
    by_id = {inv.id: inv for inv in books.invoices}
    linked = {inv.transaction_id: inv.id for inv in books.invoices if inv.transaction_id}
    for txn in books.transactions:
        if txn.status != "completed" or txn.id in behind_payments:
            continue
        invoice_id = txn.invoice_id or linked.get(txn.id)
        invoice = by_id.get(invoice_id or "")
        if invoice is None:
            continue
        direction = MONEY_IN if invoice.invoice_type == "customer" else MONEY_OUT
        if txn.type in direction:
            money[invoice.id] += txn.amount
    _cashbook(books, money)
    return {k: round(v, 2) for k, v in money.items()}


def _cashbook(books: Books, money: dict[str, float]) -> None:
    """One pass over the entries by invoice number, then, for an invoice marked paid with
    nothing else recorded, the first unused entry of its total within a day (amounts indexed
    by the rupee)."""
    by_number: dict[tuple[str, str], list[Invoice]] = defaultdict(list)
    for invoice in books.invoices:
        by_number[(_direction(invoice), invoice.invoice_number.lower())].append(invoice)
    used: set[str] = set()
    by_amount: dict[tuple[str, int], list[tuple[int, CashbookEntry]]] = defaultdict(list)
    for order, entry in enumerate(books.cashbook_entries):
        named = _mentioned(entry, by_number)
        for invoice_id in named:
            money[invoice_id] += entry.amount
        if named:
            used.add(entry.id)
        else:
            by_amount[(entry.type.upper(), round(entry.amount))].append((order, entry))
    for invoice in books.invoices:
        if invoice.status != "paid" or money.get(invoice.id):
            continue
        near = round(invoice.total_amount)
        candidates = sorted(
            (order, entry)
            for rupees in (near - 1, near, near + 1)
            for order, entry in by_amount.get((_direction(invoice), rupees), ())
            if entry.id not in used
            and abs(entry.amount - invoice.total_amount) <= 1.0
            and abs((entry.entry_date.date() - invoice.invoice_date).days) <= 1
        )
        if candidates:
            entry = candidates[0][1]
            money[invoice.id] += entry.amount
            used.add(entry.id)


def payment_mismatches(books: Books) -> list[Mismatch]:
    """Invoices whose recorded money disagrees with what they say was paid, beyond what a
    round-off or TDS explains; and invoices marked paid whose own paid amount falls short."""
    money = recorded_money(books)
    found = []
    for inv in _open_to_check(books.invoices):
        recorded = money.get(inv.id, 0.0)
        claimed = inv.paid_amount
        paid = inv.status == "paid"
        reason = None
        if recorded > max(inv.total_amount, claimed) + TOLERANCE and not (
            recorded - max(inv.total_amount, claimed) <= ROUND_OFF
        ):
            reason = "paid_more_than_total"
        elif (
            recorded > 0
            and claimed - recorded > TOLERANCE
            and not explained(inv, claimed - recorded)
        ):
            reason = "short_paid" if paid else "payments_differ_from_paid_amount"
        elif recorded - claimed > ROUND_OFF:
            reason = "payments_differ_from_paid_amount"  # money in, the invoice not updated
        elif recorded == 0 and claimed > TOLERANCE and not paid:
            reason = "payments_differ_from_paid_amount"  # a part paid with no money recorded
        elif (
            paid
            and inv.total_amount - claimed > TOLERANCE
            and not explained(inv, inv.total_amount - claimed)
        ):
            reason = "marked_paid_but_short"
        if reason:
            found.append(Mismatch(inv, recorded, reason))
    return found


def _open_to_check(invoices: Iterable[Invoice]) -> Iterable[Invoice]:
    return (inv for inv in invoices if inv.status not in ("cancelled", "draft"))
