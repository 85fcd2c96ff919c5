"""Duplicate invoices and supplier bills as entity resolution. Pure: no Ray, no I/O.

Two invoices are the same sale entered twice when they describe the same thing: the same party
(its record, or another record with nearly the same name), the same lines (names compared
fuzzily, since a clerk retypes them; quantities and prices equal), the same total; a supplier's
bill number typed another way. Against that stands what is normal for the party: a regular who
reorders every two days is not a duplicate factory. So each pair is also measured against the
party's own history: its usual gap between orders, and how often its consecutive orders are
line-for-line the same anyway. And a customer pays a sale once: one of two identical invoices
paid and the other still unpaid past its due date is what a duplicate leaves behind.

Only what any business's books would show enters the features: days apart, also against the
party's own cadence; not how alike two numbers look (one app's numbering differs from
another's), only whether the bill's running number is the same.

Candidates (blocking): the same kind and party, within the window (customers) or the supplier
window, and either totals within 1% or ₹10, or the same bill serial, or the same transaction.

Worst case: quadratic in the invoices one party has within one window (each compared with the
later ones in it, their lines with each other's), and in the distinct party names; bounded by
the business's own books, and stopped by the call's deadline at a checkpoint per comparison.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from kernel.books import Books, Invoice, Party
from kernel.work import checkpoint

PAIR_FEATURES = (
    "days_apart_log",
    "days_over_cadence",
    "total_equal",
    "amount_rel_diff",
    "lines_same",
    "names_similarity",
    "line_count",
    "serial_same",
    "same_transaction",
    "one_left_unpaid",
    "party_identical_rate",
    "is_supplier",
)
NAME_MATCH = 85
"""rapidfuzz token_set_ratio from which two item (or party) names are the same thing."""


def normalize_number(number: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", number.upper())


def serial(number: str) -> int | None:
    """The bill's running number: its last group of digits, leading zeros dropped."""
    digits = re.findall(r"\d+", number)
    return int(digits[-1]) if digits else None


def _name(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


@dataclass(frozen=True)
class Pair:
    first: Invoice
    second: Invoice
    features: tuple[float, ...]

    def feature(self, name: str) -> float:
        return self.features[PAIR_FEATURES.index(name)]


def lines_same(a: Invoice, b: Invoice) -> tuple[float, float]:
    """(share of lines with a fuzzily equal name and equal quantity and price, mean best name
    similarity), each line of the longer invoice matched at most once."""
    if not a.items or not b.items:
        return 0.0, 0.0
    left, right = list(a.items), list(b.items)
    if len(left) < len(right):
        left, right = right, left
    free = list(right)
    same, similarity = 0, 0.0
    for line in left:
        scored = [(fuzz.token_set_ratio(_name(line.name), _name(o.name)), o) for o in free]
        if not scored:
            continue
        best, other = max(scored, key=lambda s: s[0])
        similarity += best / 100.0
        if (
            best >= NAME_MATCH
            and abs(line.quantity - other.quantity) < 1e-6
            and abs(line.unit_price - other.unit_price) <= 0.005 * max(line.unit_price, 1.0)
        ):
            same += 1
            free.remove(other)
    return same / len(left), similarity / len(left)


def _party_key(inv: Invoice) -> str:
    return (inv.customer_id if inv.invoice_type == "customer" else inv.supplier_id) or ""


def _merged_parties(parties: Sequence[Party]) -> dict[str, str]:
    """Party id -> the id of the first record with nearly the same name (typed twice)."""
    canonical: dict[str, str] = {}
    seen: list[tuple[str, str]] = []
    for party in parties:
        checkpoint(len(seen) + 1)
        name = _name(party.name)
        match = next((pid for other, pid in seen if fuzz.ratio(name, other) >= 92), None)
        canonical[party.id] = match or party.id
        if match is None:
            seen.append((name, party.id))
    return canonical


def _cadence(invoices: Sequence[Invoice]) -> float:
    """Median days between the party's consecutive orders (of this kind), at least one."""
    gaps = [(b.invoice_date - a.invoice_date).days for a, b in itertools.pairwise(invoices)]
    return max(float(statistics.median(gaps)), 1.0) if gaps else 30.0


@dataclass(frozen=True)
class _Candidate:
    first: Invoice
    second: Invoice
    days: int
    lines: tuple[float, float]

    @property
    def identical(self) -> bool:
        return (
            abs(self.first.total_amount - self.second.total_amount) <= 1.0 and self.lines[0] == 1.0
        )


def candidate_pairs(books: Books, window_days: int, supplier_window_days: int) -> list[Pair]:
    canonical = _merged_parties([*books.customers, *books.suppliers])
    today = max((inv.invoice_date for inv in books.invoices), default=dt.date.min)
    groups: dict[tuple[str, str], list[Invoice]] = defaultdict(list)
    for inv in books.invoices:
        if inv.status != "cancelled":
            party = canonical.get(_party_key(inv), _party_key(inv))
            groups[(inv.invoice_type, party)].append(inv)
    pairs = []
    for (kind, _), invoices in groups.items():
        invoices.sort(key=lambda i: (i.invoice_date, i.invoice_number))
        window = supplier_window_days if kind == "supplier" else window_days
        found, compared = [], 0
        for index, first in enumerate(invoices):
            checkpoint(1)
            for second in invoices[index + 1 :]:
                days = (second.invoice_date - first.invoice_date).days
                if days > window:
                    break
                compared += 1
                checkpoint(len(first.items) * len(second.items) + 1)
                if _is_candidate(first, second):
                    found.append(_Candidate(first, second, days, lines_same(first, second)))
        cadence = _cadence(invoices)
        identical = sum(c.identical for c in found)
        for c in found:
            # How often this party's orders within the window are line-for-line the same,
            # leaving this pair out: the chance that an identical pair is a coincidence.
            others = (identical - c.identical + 0.5) / (compared - 1 + 1.0)
            pairs.append(Pair(c.first, c.second, pair_features(c, cadence, others, today)))
    return pairs


def _is_candidate(a: Invoice, b: Invoice) -> bool:
    gap = abs(a.total_amount - b.total_amount)
    same_serial = serial(a.invoice_number) is not None and serial(a.invoice_number) == serial(
        b.invoice_number
    )
    same_txn = a.transaction_id is not None and a.transaction_id == b.transaction_id
    return gap <= max(10.0, 0.01 * max(a.total_amount, b.total_amount)) or same_serial or same_txn


def _settled(inv: Invoice) -> bool:
    return inv.status == "paid" or inv.paid_amount >= inv.total_amount - 1.0


def _overdue(inv: Invoice, today: dt.date) -> bool:
    return (inv.due_date or inv.invoice_date + dt.timedelta(days=30)) < today


def pair_features(
    c: _Candidate, cadence: float, identical_rate: float, today: dt.date
) -> tuple[float, ...]:
    a, b = c.first, c.second
    rel = abs(a.total_amount - b.total_amount) / max(a.total_amount, b.total_amount, 1.0)
    sa, sb = serial(a.invoice_number), serial(b.invoice_number)
    return (
        math.log1p(c.days),
        c.days / cadence,
        float(abs(a.total_amount - b.total_amount) <= 1.0),
        rel,
        c.lines[0],
        c.lines[1],
        float(min(len(a.items), len(b.items))),
        float(sa is not None and sa == sb),
        float(a.transaction_id is not None and a.transaction_id == b.transaction_id),
        float(_settled(a) != _settled(b) and _overdue(a if _settled(b) else b, today)),
        identical_rate,
        float(a.invoice_type == "supplier"),
    )
