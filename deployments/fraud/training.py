"""Training and evaluation of the fraud models on generated books. No Ray import.

Seeds are fixed and disjoint: TRAIN_SEED fits, VALIDATION_SEED measures the held-out metrics
stored in the manifest (and the exact rules' confidence), EVAL_SEED is only for `evaluate`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier, IsolationForest

from demo_data.generate import generate_dataset
from demo_data.ledger import GeneratedBusiness
from deployments.fraud.features import (
    AmountPriors,
    candidate_pairs,
    transaction_features,
)
from deployments.fraud.predictor import FraudModels, anomaly_scores
from deployments.fraud.reconcile import payment_mismatches
from kernel.books import Books, books_from_rows

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


def _pair_matrix(data: Sequence[Labelled], window: int) -> tuple[np.ndarray, np.ndarray]:
    rows, target = [], []
    for item in data:
        positives = item.subjects("duplicate_invoice") | item.subjects("duplicate_supplier_bill")
        for pair in candidate_pairs(item.books, window):
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
    window: int,
    max_iter: int = 200,
) -> tuple[FraudModels, str]:
    """Fits on `train`, pairing invoices up to `window` days apart (the deployment's
    duplicate_window_days); sets each exact rule's confidence to its precision on
    `validation`. Returns the models and a hash of the training matrices."""
    priors = AmountPriors.fit([t for item in train for t in item.books.transactions])
    pair_x, pair_y = _pair_matrix(train, window)
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
