"""Feature extraction and deterministic checks for fraud detection. Pure: no Ray, no I/O.

Three views of a business's books:
- invoice pairs (same party, same kind, close in time and amount) -> duplicate features;
- transactions against the business's own history -> anomaly features;
(payment reconciliation is in reconcile.py).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from kernel.books import Books, Invoice, Transaction

PAIR_FEATURES = (
    "days_apart",
    "amount_rel_diff",
    "same_number",
    "number_similarity",
    "seq_gap_log",
    "items_jaccard",
    "items_identical",
    "same_transaction",
    "party_same_amount_count",
    "is_supplier",
)
TXN_TYPES = (
    "income",
    "expense",
    "credit",
    "debit",
    "payment_in",
    "payment_out",
    "sale",
    "purchase",
)
TXN_FEATURES = (
    "log_amount",
    "robust_z",
    "trailing_zeros",
    "hour",
    "is_night",
    "is_weekend",
    "is_cash",
    "has_party",
    "has_invoice",
    "vague_description",
    "same_day_same_amount",
    "same_day_same_type",
    "just_below_threshold",
    *(f"type_{t}" for t in TXN_TYPES),
)
VAGUE_WORDS = {
    "",
    "misc",
    "cash",
    "adjustment",
    "advance",
    "cash adjustment",
    "misc payment",
    "adjustment entry",
    "others",
    "other",
    "na",
    "-",
}
MONEY_TOLERANCE = 0.01
"""The client's own tolerance for amounts that should be equal (one paisa)."""


def normalize_number(number: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", number.upper())


def _sequence(number: str) -> int | None:
    digits = re.findall(r"\d+", number)
    return int(digits[-1]) if digits else None


@dataclass(frozen=True)
class Pair:
    first: Invoice
    second: Invoice
    features: tuple[float, ...]


def candidate_pairs(books: Books, window_days: int) -> list[Pair]:
    """Invoice pairs worth a look: same kind and party, within the window and 5% in amount,
    or sharing a (normalized) number or a transaction."""
    groups: dict[tuple[str, str], list[Invoice]] = defaultdict(list)
    for inv in books.invoices:
        if inv.status == "cancelled":
            continue
        party = inv.customer_id if inv.invoice_type == "customer" else inv.supplier_id
        groups[(inv.invoice_type, party or "")].append(inv)
    pairs = []
    for invoices in groups.values():
        invoices.sort(key=lambda i: (i.invoice_date, i.invoice_number))
        amounts = Counter(round(i.total_amount, -1) for i in invoices)
        for index, first in enumerate(invoices):
            for second in invoices[index + 1 :]:
                days = (second.invoice_date - first.invoice_date).days
                if days > window_days:
                    break
                if _is_candidate(first, second):
                    pairs.append(Pair(first, second, pair_features(first, second, days, amounts)))
    return pairs


def _is_candidate(a: Invoice, b: Invoice) -> bool:
    rel = abs(a.total_amount - b.total_amount) / max(a.total_amount, b.total_amount, 1.0)
    same_txn = a.transaction_id is not None and a.transaction_id == b.transaction_id
    return (
        rel <= 0.05
        or same_txn
        or normalize_number(a.invoice_number) == normalize_number(b.invoice_number)
    )


def pair_features(a: Invoice, b: Invoice, days: int, amounts: Counter[float]) -> tuple[float, ...]:
    rel = abs(a.total_amount - b.total_amount) / max(a.total_amount, b.total_amount, 1.0)
    na, nb = normalize_number(a.invoice_number), normalize_number(b.invoice_number)
    sa, sb = _sequence(a.invoice_number), _sequence(b.invoice_number)
    names_a = {i.name.lower() for i in a.items}
    names_b = {i.name.lower() for i in b.items}
    union = names_a | names_b
    lines_a = sorted((i.name.lower(), i.quantity) for i in a.items)
    lines_b = sorted((i.name.lower(), i.quantity) for i in b.items)
    return (
        float(days),
        rel,
        float(na == nb),
        fuzz.ratio(na, nb) / 100.0,
        math.log1p(abs(sa - sb)) if sa is not None and sb is not None else 5.0,
        len(names_a & names_b) / len(union) if union else 0.0,
        float(bool(lines_a) and lines_a == lines_b),
        float(a.transaction_id is not None and a.transaction_id == b.transaction_id),
        float(amounts[round(a.total_amount, -1)] - 2),
        float(a.invoice_type == "supplier"),
    )


# -- transactions --------------------------------------------------------------------------
@dataclass(frozen=True)
class AmountPriors:
    """Median and MAD of log(amount) per transaction type: from the business's own history
    when it has enough rows of that type, else these (learned at training time)."""

    median: dict[str, float]
    mad: dict[str, float]

    @classmethod
    def fit(cls, transactions: Sequence[Transaction]) -> AmountPriors:
        by_type: dict[str, list[float]] = defaultdict(list)
        for txn in transactions:
            by_type[txn.type].append(math.log1p(txn.amount))
        median = {t: float(np.median(v)) for t, v in by_type.items()}
        mad = {
            t: float(np.median(np.abs(np.array(v) - median[t]))) or 0.5 for t, v in by_type.items()
        }
        return cls(median, mad)


MIN_HISTORY = 8


def transaction_features(
    batch: Sequence[Transaction],
    context: Sequence[Transaction],
    priors: AmountPriors,
    own: AmountPriors | None = None,
) -> np.ndarray:
    """One row of TXN_FEATURES per transaction in `batch`, judged against `context`
    (the business's transactions, which may include the batch itself). `own` is
    `AmountPriors.fit(context)`, when the caller already has it."""
    own = own or AmountPriors.fit(context)
    counts = Counter(t.type for t in context)
    day_amount = Counter((t.date.date(), round(t.amount, 2)) for t in context)
    day_type = Counter((t.date.date(), t.type) for t in context)
    rows = []
    for txn in batch:
        use_own = counts[txn.type] >= MIN_HISTORY
        source = own if use_own else priors
        median = source.median.get(txn.type, priors.median.get(txn.type, 8.0))
        mad = max(source.mad.get(txn.type, 0.5), 0.1)
        log_amount = math.log1p(txn.amount)
        whole = round(txn.amount)
        zeros = len(str(whole)) - len(str(whole).rstrip("0")) if whole else 0
        hour = txn.date.hour
        rows.append(
            [
                log_amount,
                (log_amount - median) / mad,
                float(zeros),
                float(hour),
                float(hour < 6 or hour >= 23),
                float(txn.date.weekday() >= 5),
                float(txn.payment_mode == "cash"),
                float(txn.customer_id is not None or txn.supplier_id is not None),
                float(txn.invoice_id is not None),
                float(txn.description.strip().lower() in VAGUE_WORDS),
                float(day_amount[(txn.date.date(), round(txn.amount, 2))]),
                float(day_type[(txn.date.date(), txn.type)]),
                float(45_000 <= txn.amount < 50_000 or 95_000 <= txn.amount < 100_000),
                *(float(txn.type == t) for t in TXN_TYPES),
            ]
        )
    return np.array(rows, dtype=float).reshape(len(rows), len(TXN_FEATURES))
