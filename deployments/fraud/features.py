"""Feature extraction and deterministic checks for fraud detection. Pure: no Ray, no I/O.

Transactions against the business's own history -> anomaly features. (Duplicate invoices are
in duplicates.py, payment reconciliation in reconcile.py.)
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kernel.books import Transaction

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
