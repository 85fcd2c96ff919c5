"""Per-type precision and recall of the fraud findings on labelled generated books, and the
PR-AUC of the transaction scores. Offline: no replica imports it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sklearn.metrics import average_precision_score

from deployments.fraud.features import transaction_features
from deployments.fraud.predictor import FraudPredictor
from deployments.fraud.training import PAIR_TYPES, Labelled


def evaluate(predictor: FraudPredictor, data: Sequence[Labelled]) -> dict[str, dict[str, Any]]:
    """Per-type precision/recall of the reported findings; PR-AUC of transaction scores."""
    counts = {kind: [0, 0, 0] for kind in (*PAIR_TYPES, "payment_mismatch", "suspicious_pattern")}
    scores: list[float] = []
    truth: list[int] = []
    for item in data:
        findings = predictor.analyze(item.books)
        for kind in counts:
            if kind == "suspicious_pattern":
                wanted = {frozenset([i]) for s in item.subjects(kind) for i in s}
                found = {frozenset([i]) for f in findings if f.type == kind for i in f.subject_ids}
            else:
                wanted = item.subjects(kind)
                found = {frozenset(f.subject_ids) for f in findings if f.type == kind}
            counts[kind][0] += len(wanted & found)
            counts[kind][1] += len(found - wanted)
            counts[kind][2] += len(wanted - found)
        txns = list(item.books.transactions)
        suspicious = {i for s in item.subjects("suspicious_pattern") for i in s}
        scores.extend(
            predictor.models.txn_probability(
                transaction_features(txns, txns, predictor.models.priors)
            )
        )
        truth.extend(int(t.id in suspicious) for t in txns)
    report: dict[str, dict[str, Any]] = {}
    for kind, (tp, fp, fn) in counts.items():
        report[kind] = {
            "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
            "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
            "true_positives": tp,
            "false_positives": fp,
            "false_negatives": fn,
        }
    report["suspicious_pattern"]["pr_auc"] = round(float(average_precision_score(truth, scores)), 4)
    return report
