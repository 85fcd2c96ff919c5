"""Training and evaluation of the fraud models on generated books. No Ray import.

Seeds are fixed and disjoint: TRAIN_SEED fits, VALIDATION_SEED measures the held-out metrics
stored in the manifest (and the exact rules' confidence), EVAL_SEED is only for `evaluate`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier, IsolationForest

from demo_data.generate import generate_dataset
from demo_data.ledger import GeneratedBusiness
from deployments.fraud.duplicates import candidate_pairs
from deployments.fraud.features import AmountPriors, transaction_features
from deployments.fraud.predictor import FraudModels, anomaly_scores
from deployments.fraud.reconcile import payment_mismatches
from kernel.books import Books, Invoice, books_from_rows
from kernel.models.fraud import FraudTuning

TRAIN_SEED, VALIDATION_SEED, EVAL_SEED = 1001, 2002, 3003
DATA_END = dt.date(2026, 9, 30)
PAIR_TYPES = ("duplicate_invoice", "duplicate_supplier_bill")


@dataclass(frozen=True)
class Labelled:
    books: Books
    generated: GeneratedBusiness

    def subjects(self, kind: str) -> set[frozenset[str]]:
        return {
            frozenset(label.subject_ids) for label in self.generated.labels if label.type == kind
        }


def labelled_books(seed: int, businesses: int) -> list[Labelled]:
    return [
        Labelled(books_from_rows(g.rows()), g) for g in generate_dataset(seed, businesses, DATA_END)
    ]


ABBREVIATIONS = {"inch": "in", "double": "dbl", "cotton": "cottn", "pieces": "pcs", "kg": "kgs"}


def _retyped(name: str, rng: np.random.Generator) -> str:
    """An item name as a clerk types it again: another case, a letter dropped, an
    abbreviation, a space lost."""
    roll = rng.random()
    if roll < 0.3:
        return name.lower() if rng.random() < 0.5 else name.upper()
    if roll < 0.55 and len(name) > 4:
        cut = int(rng.integers(1, len(name) - 1))
        return name[:cut] + name[cut + 1 :]
    if roll < 0.8:
        for word, short in ABBREVIATIONS.items():
            if word in name.lower():
                return name.lower().replace(word, short)
    return name.replace(" ", "", 1)


def _copy(inv: Invoice, rng: np.random.Generator, days: int, number: str, tag: str,
          retype: bool, quantities: bool = False) -> Invoice:  # fmt: skip
    """`inv` entered again `days` later as `number`: names retyped, or (a repeat order) some
    quantities changed."""
    new_id = f"{inv.id}-{tag}"
    items = []
    for k, item in enumerate(inv.items):
        quantity = item.quantity
        if quantities and (k == 0 or rng.random() < 0.5):
            quantity = max(1.0, quantity + float(rng.choice([-2, -1, 1, 2])))
        name = _retyped(item.name, rng) if retype and rng.random() < 0.6 else item.name
        amount = round(quantity * item.unit_price, 2)
        items.append(item.model_copy(update={"id": f"{item.id}-{tag}", "invoice_id": new_id,
                     "name": name, "quantity": quantity, "total_amount": amount}))  # fmt: skip
    subtotal = round(sum(i.quantity * i.unit_price for i in items), 2)
    tax = round(sum(i.quantity * i.unit_price * i.tax_rate / 100 for i in items), 2)
    return inv.model_copy(
        update={
            "id": new_id,
            "invoice_number": number,
            "invoice_date": inv.invoice_date + dt.timedelta(days=days),
            "items": tuple(items),
            "subtotal": subtotal,
            "tax_amount": tax,
            "total_amount": round(subtotal + tax - inv.discount_amount, 2),
            "transaction_id": None,
            "paid_amount": 0.0,
            "status": "sent",
        }
    )


def _bill_number(number: str, rng: np.random.Generator) -> str:
    """A supplier's bill number typed another way."""
    digits = re.findall(r"\d+", number)
    prefix = re.sub(r"[^A-Za-z]", "", number)[:4] or "B"
    serial_digits = str(int(digits[-1])) if digits else str(int(rng.integers(1, 999)))
    return str(rng.choice([number.lower(), number.replace("/", "-"), f"{prefix}{serial_digits}",
                           f"{prefix.lower()} {serial_digits}", number + "A"]))  # fmt: skip


def _later_number(number: str, ahead: int) -> str:
    """The number the app gives an invoice entered `ahead` invoices later."""
    match = re.search(r"(\d+)(?!.*\d)", number)
    if match is None:
        return f"{number}-{ahead}"
    digits = match.group(1)
    later = str(int(digits) + ahead).zfill(len(digits))
    return number[: match.start()] + later + number[match.end() :]


def augmented(item: Labelled, seed: int) -> tuple[Books, set[frozenset[str]]]:
    """`item`'s books with more of what real books hold than the demo generator plants:
    sales entered again up to 30 days later and bills up to 90, names retyped, bill numbers
    typed another way (duplicates); and regular customers' repeat orders every 1-3 days, a few
    of them line-for-line the same as the last (not duplicates). Returns the books and the
    duplicate pairs added."""
    rng = np.random.default_rng(seed)
    invoices = list(item.books.invoices)
    added: list[Invoice] = []
    duplicates: set[frozenset[str]] = set()
    for k, inv in enumerate(rng.permutation(len(invoices))[: max(4, len(invoices) // 40)]):
        original = invoices[int(inv)]
        supplier = original.invoice_type == "supplier"
        days = int(rng.integers(0, 91 if supplier else 31))
        number = (
            _bill_number(original.invoice_number, rng)
            if supplier
            else _later_number(original.invoice_number, int(rng.integers(1, 300)))
        )
        copy = _copy(original, rng, days, number, f"dup{k}", retype=rng.random() < 0.5)
        added.append(copy)
        duplicates.add(frozenset((original.id, copy.id)))
    customers = [i for i in invoices if i.invoice_type == "customer" and i.items]
    for r, base in enumerate(customers[:: max(1, len(customers) // 3)][:3]):
        identical = rng.random() < 0.3  # some regulars order exactly the same every time
        day = 0
        for k in range(int(rng.integers(15, 40))):
            day += int(rng.integers(1, 4))
            number = _later_number(base.invoice_number, 1000 + 40 * r + k)
            order = _copy(base, rng, day, number, f"rep{r}-{k}", retype=False,
                          quantities=not identical)  # fmt: skip
            if rng.random() < 0.9:  # regulars pay their orders
                order = order.model_copy(update={"paid_amount": order.total_amount,
                                                 "status": "paid"})  # fmt: skip
            added.append(order)
    books = item.books.model_copy(update={"invoices": (*invoices, *added)})
    return books, duplicates


def _pair_matrix(
    data: Sequence[Labelled], tuning: FraudTuning, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    rows, target = [], []
    for k, item in enumerate(data):
        books, extra = augmented(item, seed + k)
        positives = item.subjects("duplicate_invoice") | item.subjects("duplicate_supplier_bill")
        positives |= extra
        windows = (tuning.duplicate_window_days, tuning.supplier_window_days)
        for pair in candidate_pairs(books, *windows):
            rows.append(pair.features)
            target.append(frozenset((pair.first.id, pair.second.id)) in positives)
    return np.array(rows, dtype=float), np.array(target, dtype=int)


def _txn_matrix(data: Sequence[Labelled], priors: AmountPriors) -> tuple[np.ndarray, np.ndarray]:
    blocks: list[np.ndarray] = []
    target: list[bool] = []
    for item in data:
        suspicious = {i for s in item.subjects("suspicious_pattern") for i in s}
        txns = list(item.books.transactions)
        blocks.append(transaction_features(txns, txns, priors))
        target.extend(t.id in suspicious for t in txns)
    return np.vstack(blocks), np.array(target, dtype=int)


def _calibrated(max_iter: int) -> CalibratedClassifierCV:
    booster = HistGradientBoostingClassifier(
        max_iter=max_iter, learning_rate=0.08, max_leaf_nodes=15, random_state=0
    )
    # ensemble=False: one booster (refit on all rows) behind the cross-validated calibration,
    # so serving pays for one predict, not three.
    return CalibratedClassifierCV(booster, method="isotonic", cv=3, ensemble=False)


def fit_models(
    train: Sequence[Labelled],
    validation: Sequence[Labelled],
    version: str,
    tuning: FraudTuning,
    max_iter: int = 200,
) -> tuple[FraudModels, str]:
    """Fits on `train` (augmented, see `augmented`), pairing invoices within the tuning's
    windows; sets each exact rule's confidence to its precision on `validation`. Returns the
    models and a hash of the training matrices."""
    priors = AmountPriors.fit([t for item in train for t in item.books.transactions])
    pair_x, pair_y = _pair_matrix(train, tuning, TRAIN_SEED)
    txn_x, txn_y = _txn_matrix(train, priors)
    isolation = IsolationForest(n_estimators=50, random_state=0).fit(txn_x)
    anomaly = anomaly_scores(isolation, txn_x).reshape(-1, 1)
    models = FraudModels(
        version=version,
        pair_model=_calibrated(max_iter).fit(pair_x, pair_y),
        txn_model=_calibrated(max_iter).fit(np.hstack([txn_x, anomaly]), txn_y),
        isolation=isolation,
        priors=priors,
        rule_confidence=_rule_precision(validation),
    )
    digest = hashlib.sha256()
    for array in (pair_x, pair_y, txn_x, txn_y):
        digest.update(np.ascontiguousarray(array).tobytes())
    return models, digest.hexdigest()


def _rule_precision(validation: Sequence[Labelled]) -> dict[str, float]:
    """Laplace-smoothed precision of each payment check on held-out books."""
    hits: dict[str, list[int]] = {}
    for item in validation:
        truth = {i for s in item.subjects("payment_mismatch") for i in s}
        for found in payment_mismatches(item.books):
            tally = hits.setdefault(found.reason, [0, 0])
            tally[0 if found.invoice.id in truth else 1] += 1
    return {reason: round((tp + 1) / (tp + fp + 2), 4) for reason, (tp, fp) in hits.items()}
