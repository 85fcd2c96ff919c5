"""FraudPredictor: the four fraud types for one business, and inline transaction scoring.

Plain class: no Ray, no I/O after construction. Used by FraudDeployment, training and the
evaluation command alike.

Worst case. Inline scoring (POST /fraud/score): linear in the transactions sent and their
history (1,000 and 5,000 at most): counters over them, one model call. A business's analysis
(POST /fraud/analyze) reads its whole books from the database, written by its owner through the
app, not by the request: linear in its transactions and payments, and in its invoices compared
pairwise only within one party's window (duplicates.py); bounded by those books and by the call's
deadline, which its checkpoints (per invoice compared, per party merged) hold.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.ensemble._iforest import _average_path_length

from deployments.fraud.duplicates import Pair, candidate_pairs
from deployments.fraud.features import TXN_FEATURES, AmountPriors, transaction_features
from deployments.fraud.reconcile import Mismatch, payment_mismatches
from kernel.books import Books, Transaction
from kernel.models.fraud import (
    Finding,
    FraudReport,
    FraudTuning,
    ScoreRequest,
    TxnScore,
    TxnScores,
)
from kernel.money import format_inr
from kernel.work import checkpoint


@dataclass
class FraudModels:
    """The fitted parts, saved together as one versioned artifact."""

    version: str
    pair_model: Any
    """Calibrated classifier: P(duplicate | PAIR_FEATURES)."""
    txn_model: Any
    """Calibrated classifier: P(suspicious | TXN_FEATURES + isolation score)."""
    isolation: Any
    """IsolationForest over TXN_FEATURES (unsupervised anomaly score)."""
    priors: AmountPriors
    rule_confidence: dict[str, float]
    """Precision of each exact rule on held-out books, used as its confidence."""

    def pair_probability(self, pairs: Sequence[Pair]) -> np.ndarray:
        if not pairs:
            return np.zeros(0)
        matrix = np.array([p.features for p in pairs], dtype=float)
        return _bounded(self.pair_model.predict_proba(matrix)[:, 1])

    def txn_probability(self, features: np.ndarray) -> np.ndarray:
        if len(features) == 0:
            return np.zeros(0)
        anomaly = anomaly_scores(self.isolation, features).reshape(-1, 1)
        return _bounded(self.txn_model.predict_proba(np.hstack([features, anomaly]))[:, 1])


def anomaly_scores(forest: Any, features: np.ndarray) -> np.ndarray:
    """`-forest.score_samples(features)`, without joblib's per-tree dispatch (which costs more
    than the trees on small batches). Mirrors scikit-learn 1.9's IsolationForest scoring; a unit
    test holds it equal to `score_samples`."""
    matrix = np.ascontiguousarray(features, dtype=np.float32)
    subsample = forest._max_features != matrix.shape[1]
    depths = np.zeros(len(matrix))
    for index, (tree, columns) in enumerate(
        zip(forest.estimators_, forest.estimators_features_, strict=True)
    ):
        leaves = tree.apply(matrix[:, columns] if subsample else matrix, check_input=False)
        depths += (
            forest._decision_path_lengths[index][leaves]
            + forest._average_path_length_per_tree[index][leaves]
            - 1.0
        )
    denominator = len(forest.estimators_) * _average_path_length([forest._max_samples])
    scores: np.ndarray = 2 ** -np.divide(
        depths, denominator, out=np.ones_like(depths), where=denominator != 0
    )
    return scores


MAX_CONFIDENCE = 0.99


def _bounded(probabilities: np.ndarray) -> np.ndarray:
    """Isotonic calibration maps regions with only positives in training to exactly 1.0;
    no finding is certain, so confidence stops at MAX_CONFIDENCE."""
    bounded: np.ndarray = np.clip(np.asarray(probabilities, dtype=float), 0.0, MAX_CONFIDENCE)
    return bounded


def finding_id(kind: str, subject_ids: Sequence[str]) -> str:
    """Stable across runs, so a re-analysis (or the client's retry) updates, never duplicates."""
    digest = hashlib.sha256(f"{kind}|{'|'.join(sorted(subject_ids))}".encode()).hexdigest()
    return f"fa-{digest[:16]}"


def risk_score(findings: Sequence[Finding]) -> float:
    """0 for clean books; each finding adds half its confidence, with diminishing returns."""
    remaining = 1.0
    for finding in findings:
        remaining *= 1.0 - 0.5 * finding.confidence_score
    return round(1.0 - remaining, 4)


class FraudPredictor:
    def __init__(self, models: FraudModels, tuning: FraudTuning) -> None:
        self.models, self.tuning = models, tuning

    @property
    def version(self) -> str:
        return self.models.version

    def analyze(self, books: Books) -> list[Finding]:
        """Every finding at or above the tuned minimum confidence, most confident first."""
        checkpoint(len(books.invoices) + len(books.transactions))
        findings = [*self._duplicates(books), *self._mismatches(books), *self._suspicious(books)]
        kept = [f for f in findings if f.confidence_score >= self.tuning.min_confidence]
        return sorted(kept, key=lambda f: (-f.confidence_score, f.id))

    def report(self, books: Books) -> FraudReport:
        findings = self.analyze(books)
        return FraudReport(
            findings=findings, risk_score=risk_score(findings), model_version=self.version
        )

    def score_transactions(
        self, batch: Sequence[Transaction], history: Sequence[Transaction]
    ) -> TxnScores:
        """Scores transactions sent inline, judged against `history` plus the batch."""
        return self.score_many([(batch, history)])[0]

    def score_many(self, requests: Sequence[ScoreRequest]) -> list[TxnScores]:
        """Several requests, each with its own history, through one model call: the models'
        fixed cost per call is paid once per batch, not once per request."""
        prepared = []
        for batch, history in requests:
            checkpoint(len(batch) + len(history))
            context = [*history, *batch]
            own = AmountPriors.fit(context)
            features = transaction_features(batch, context, self.models.priors, own)
            prepared.append((batch, features, self._typical(own)))
        scores = self.models.txn_probability(np.vstack([f for _, f, _ in prepared]))
        results: list[TxnScores] = []
        start = 0
        for batch, features, typical in prepared:
            chunk = scores[start : start + len(batch)]
            start += len(batch)
            scored = [
                TxnScore(
                    index=i,
                    transaction_id=txn.id or None,
                    score=round(float(s), 4),
                    suspicious=bool(s >= self.tuning.min_confidence),
                    reasons=self._reasons(txn, row, typical),
                )
                for i, (txn, row, s) in enumerate(zip(batch, features, chunk, strict=True))
            ]
            results.append(TxnScores(scores=scored, model_version=self.version))
        return results

    # -- the four types ----------------------------------------------------------------
    def _duplicates(self, books: Books) -> list[Finding]:
        pairs = candidate_pairs(
            books, self.tuning.duplicate_window_days, self.tuning.supplier_window_days
        )
        names = {p.id: p.name for p in (*books.customers, *books.suppliers)}
        out = []
        for pair, prob in zip(pairs, self.models.pair_probability(pairs), strict=True):
            a, b = pair.first, pair.second
            supplier = a.invoice_type == "supplier"
            party = names.get((a.supplier_id if supplier else a.customer_id) or "", "Unknown")
            days = (b.invoice_date - a.invoice_date).days
            if supplier:
                kind = "duplicate_supplier_bill"
                message = (
                    f"Supplier {party} billed you twice for the same purchase: bills "
                    f"{a.invoice_number} and {b.invoice_number}, "
                    f"{format_inr(b.total_amount)}, {days} days apart"
                )
            else:
                kind = "duplicate_invoice"
                message = (
                    f"Invoice {b.invoice_number} looks like a duplicate of "
                    f"{a.invoice_number} for {party} ({format_inr(b.total_amount)}, "
                    f"{days} days apart)"
                )
            out.append(
                Finding(
                    id=finding_id(kind, (a.id, b.id)),
                    type=kind,
                    message=message,
                    confidence_score=round(float(prob), 4),
                    subject_ids=(a.id, b.id),
                    evidence={
                        "party": party,
                        "invoice_numbers": f"{a.invoice_number}, {b.invoice_number}",
                        "invoice_ids": f"{a.id}, {b.id}",
                        "amounts": f"{a.total_amount:.2f}, {b.total_amount:.2f}",
                        "dates": f"{a.invoice_date.isoformat()}, {b.invoice_date.isoformat()}",
                        "days_apart": days,
                        "amount_difference": round(abs(a.total_amount - b.total_amount), 2),
                        "item_similarity": round(pair.feature("names_similarity"), 3),
                    },
                )
            )
        return out

    def _mismatches(self, books: Books) -> list[Finding]:
        return [self._mismatch_finding(m) for m in payment_mismatches(books)]

    def _mismatch_finding(self, m: Mismatch) -> Finding:
        inv = m.invoice
        if m.reason == "marked_paid_but_short":
            message = (
                f"Invoice {inv.invoice_number} is marked paid but only "
                f"{format_inr(inv.paid_amount)} of {format_inr(inv.total_amount)} "
                "was received"
            )
        elif m.reason == "short_paid":
            message = (
                f"Invoice {inv.invoice_number} is marked paid, but the money recorded for it is "
                f"{format_inr(m.recorded)} of {format_inr(inv.total_amount)}: "
                f"{format_inr(inv.paid_amount - m.recorded)} short, more than TDS or a "
                "round-off explains"
            )
        elif m.reason == "paid_more_than_total":
            message = (
                f"More money is recorded for invoice {inv.invoice_number} "
                f"({format_inr(m.recorded)}) than its total ({format_inr(inv.total_amount)}): "
                "a payment may be entered twice"
            )
        else:
            message = (
                f"Payment mismatch on {inv.invoice_number}: money recorded "
                f"{format_inr(m.recorded)} but the invoice shows "
                f"{format_inr(inv.paid_amount)} paid"
            )
        return Finding(
            id=finding_id("payment_mismatch", (inv.id,)),
            type="payment_mismatch",
            message=message,
            subject_ids=(inv.id,),
            confidence_score=self.models.rule_confidence.get(m.reason, 0.9),
            evidence={
                "invoice_number": inv.invoice_number,
                "invoice_id": inv.id,
                "invoice_total": inv.total_amount,
                "payments_total": m.recorded,
                "invoice_paid_amount": inv.paid_amount,
                "difference": round(m.recorded - inv.paid_amount, 2),
                "status": inv.status,
                "check": m.reason,
            },
        )

    def _suspicious(self, books: Books) -> list[Finding]:
        txns = [t for t in books.transactions if t.status != "cancelled"]
        own = AmountPriors.fit(txns)
        features = transaction_features(txns, txns, self.models.priors, own)
        scores = self.models.txn_probability(features)
        groups: dict[tuple[str, float, str], list[int]] = defaultdict(list)
        for i, score in enumerate(scores):
            if score >= self.tuning.min_confidence:
                t = txns[i]
                groups[(t.date.date().isoformat(), round(t.amount, 2), t.type)].append(i)
        typical = self._typical(own)
        return [
            self._suspicious_finding(
                [txns[i] for i in idx],
                self._reasons(txns[idx[0]], features[idx[0]], typical),
                float(max(scores[i] for i in idx)),
            )
            for idx in groups.values()
        ]

    def _typical(self, own: AmountPriors) -> dict[str, float]:
        """Typical (median) amount per type: the business's own, else the learned prior."""
        return {t: math.expm1(own.median.get(t, m)) for t, m in self.models.priors.median.items()}

    def _suspicious_finding(
        self, txns: list[Transaction], reasons: list[str], score: float
    ) -> Finding:
        first = txns[0]
        count = f"{len(txns)} × " if len(txns) > 1 else ""
        message = (
            f"Unusual {count}{format_inr(first.amount)} {first.type.replace('_', ' ')} on "
            f"{first.date:%d/%m/%Y}: {', '.join(reasons) or 'unlike your usual activity'}"
        )
        ids = tuple(t.id for t in txns)
        return Finding(
            id=finding_id("suspicious_pattern", ids),
            type="suspicious_pattern",
            message=message,
            confidence_score=round(score, 4),
            subject_ids=ids,
            evidence={
                "transaction_ids": ", ".join(ids),
                "date": first.date.isoformat(),
                "amount": first.amount,
                "count": len(txns),
                "type": first.type,
                "payment_mode": first.payment_mode,
                "description": first.description,
                "reasons": "; ".join(reasons),
            },
        )

    @staticmethod
    def _reasons(txn: Transaction, row: np.ndarray, typical: dict[str, float]) -> list[str]:
        f = dict(zip(TXN_FEATURES, row, strict=True))
        reasons = []
        usual = typical.get(txn.type, 0.0)
        if f["robust_z"] >= 3 and usual >= 1:
            reasons.append(
                f"about {txn.amount / usual:.0f}× your usual "
                f"{txn.type.replace('_', ' ')} of {format_inr(usual)}"
            )
        if f["is_night"]:
            reasons.append(f"entered at {txn.date:%H:%M}")
        if f["just_below_threshold"]:
            reasons.append("just under a ₹50,000/₹1,00,000 limit")
        if f["same_day_same_amount"] >= 3:
            reasons.append(f"same amount {int(f['same_day_same_amount'])} times that day")
        if f["vague_description"]:
            reasons.append("no clear description")
        if f["is_cash"] and f["log_amount"] > math.log1p(20_000):
            reasons.append("large cash amount")
        return reasons
