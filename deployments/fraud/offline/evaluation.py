"""How good the fraud findings are: per-type precision and recall, false findings per 1,000
invoices, calibration of the confidences (ECE) and, for the transaction scores, PR-AUC; with
bootstrap confidence intervals over businesses. On demo_data's held-out books (what training
writes into the manifest) and on the independent world (eval_world), which training never sees.
Offline: no replica imports it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score

from deployments.fraud.features import transaction_features
from deployments.fraud.offline.training import PAIR_TYPES, Labelled
from deployments.fraud.predictor import FraudPredictor
from eval_world.fraud import worlds
from kernel.books import Books, books_from_rows
from kernel.models.fraud import Finding

KINDS = (*PAIR_TYPES, "payment_mismatch", "suspicious_pattern")
BINS = 10


@dataclass(frozen=True)
class Case:
    """One business's books and what is truly wrong in them, per finding type."""

    books: Books
    truth: Mapping[str, set[frozenset[str]]]
    strata: Mapping[frozenset[str], str] = field(default_factory=dict)
    """Some true findings by what kind of case they are, for recall per stratum."""


def generated_cases(data: Iterable[Labelled]) -> list[Case]:
    return [Case(item.books, {k: item.subjects(k) for k in KINDS}) for item in data]


INDEPENDENT_SEED = 5005


def independent_cases(seed: int, businesses: int) -> list[Case]:
    """The independent world's businesses (eval_world.fraud), which training never sees."""
    return [
        Case(books_from_rows(w.rows), {k: w.subjects(k) for k in KINDS}, w.strata())
        for w in worlds(seed, businesses)
    ]


def _keys(kind: str, subjects: Iterable[Iterable[str]]) -> set[frozenset[str]]:
    """Suspicious patterns count per transaction; the other types per set of rows."""
    if kind == "suspicious_pattern":
        return {frozenset([i]) for s in subjects for i in s}
    return {frozenset(s) for s in subjects}


@dataclass(frozen=True)
class Scored:
    """One business's findings against its truth."""

    counts: dict[str, tuple[int, int, int]]
    """per kind: (true positives, false positives, false negatives)"""
    confidences: list[tuple[float, bool]]
    """each reported finding: (confidence, right?)"""
    invoices: int
    strata: dict[str, tuple[int, int]] = field(default_factory=dict)
    """per stratum of true findings: (found, all)"""


def score(predictor: FraudPredictor, case: Case) -> Scored:
    findings: list[Finding] = predictor.analyze(case.books)
    counts = {}
    confidences = []
    for kind in KINDS:
        wanted = _keys(kind, case.truth[kind])
        mine = [f for f in findings if f.type == kind]
        found = _keys(kind, (f.subject_ids for f in mine))
        counts[kind] = (len(wanted & found), len(found - wanted), len(wanted - found))
        confidences += [
            (f.confidence_score, bool(_keys(kind, [f.subject_ids]) <= wanted)) for f in mine
        ]
    reported = {frozenset(f.subject_ids) for f in findings}
    strata: dict[str, tuple[int, int]] = {}
    for subjects, stratum in case.strata.items():
        hits, total = strata.get(stratum, (0, 0))
        strata[stratum] = (hits + (subjects in reported), total + 1)
    return Scored(counts, confidences, len(case.books.invoices), strata)


def _rates(scored: Sequence[Scored]) -> dict[str, dict[str, float]]:
    report: dict[str, dict[str, float]] = {}
    for kind in KINDS:
        tp, fp, fn = (sum(s.counts[kind][i] for s in scored) for i in range(3))
        report[kind] = {
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
            "true_positives": tp,
            "false_positives": fp,
            "false_negatives": fn,
        }
    invoices = sum(s.invoices for s in scored)
    false = sum(s.counts[k][1] for s in scored for k in KINDS)
    report["all"] = {
        "false_per_1000_invoices": 1000 * false / invoices if invoices else 0.0,
        "ece": expected_calibration_error([c for s in scored for c in s.confidences]),
    }
    return report


def expected_calibration_error(confidences: Sequence[tuple[float, bool]]) -> float:
    """Σ over equal-width confidence bins of (share of findings) x |accuracy - mean confidence|."""
    if not confidences:
        return 0.0
    values = np.array([c for c, _ in confidences])
    right = np.array([r for _, r in confidences], dtype=float)
    bins = np.minimum((values * BINS).astype(int), BINS - 1)
    return float(
        sum(
            (bins == b).mean() * abs(right[bins == b].mean() - values[bins == b].mean())
            for b in range(BINS)
            if (bins == b).any()
        )
    )


def reliability(confidences: Sequence[tuple[float, bool]]) -> list[tuple[str, int, float, float]]:
    """Per confidence bin with findings: (range, findings, mean confidence, share right)."""
    rows = []
    for b in range(BINS):
        inside = [(c, r) for c, r in confidences if min(int(c * BINS), BINS - 1) == b]
        if inside:
            rows.append(
                (
                    f"{b / BINS:.1f}-{(b + 1) / BINS:.1f}",
                    len(inside),
                    float(np.mean([c for c, _ in inside])),
                    float(np.mean([r for _, r in inside])),
                )
            )
    return rows


def measure(
    predictor: FraudPredictor, cases: Sequence[Case], resamples: int = 1000, seed: int = 7
) -> dict[str, Any]:
    """The report on `cases` with 95% bootstrap intervals (businesses resampled)."""
    scored = [score(predictor, case) for case in cases]
    point = _rates(scored)
    rng = np.random.default_rng(seed)
    draws = [_rates([scored[i] for i in rng.integers(0, len(scored), len(scored))])
             for _ in range(resamples)]  # fmt: skip
    intervals: dict[str, dict[str, tuple[float, float]]] = {}
    for kind, row in point.items():
        for metric in row:
            if metric in ("precision", "recall", "false_per_1000_invoices", "ece"):
                low, high = np.percentile([d[kind][metric] for d in draws], [2.5, 97.5])
                intervals.setdefault(kind, {})[metric] = (float(low), float(high))
    strata: dict[str, list[int]] = {}
    for one in scored:
        for stratum, (found, total) in one.strata.items():
            tally = strata.setdefault(stratum, [0, 0])
            tally[0] += found
            tally[1] += total
    return {
        "intervals": intervals,
        "rates": point,
        "recall_by_stratum": {k: (found, total) for k, (found, total) in sorted(strata.items())},
        "reliability": reliability([c for s in scored for c in s.confidences]),
        "businesses": len(cases),
        "invoices": sum(s.invoices for s in scored),
    }


def evaluate(predictor: FraudPredictor, data: Sequence[Labelled]) -> dict[str, dict[str, Any]]:
    """Per-type precision/recall on demo_data's held-out books (the manifest's metrics) and the
    PR-AUC of the transaction scores."""
    rates = _rates([score(predictor, case) for case in generated_cases(data)])
    report: dict[str, dict[str, Any]] = {
        kind: {k: round(v, 4) if isinstance(v, float) else v for k, v in rates[kind].items()}
        for kind in KINDS
    }
    scores: list[float] = []
    truth: list[int] = []
    for item in data:
        txns = list(item.books.transactions)
        suspicious = {i for s in item.subjects("suspicious_pattern") for i in s}
        scores.extend(
            predictor.models.txn_probability(
                transaction_features(txns, txns, predictor.models.priors)
            )
        )
        truth.extend(int(t.id in suspicious) for t in txns)
    report["suspicious_pattern"]["pr_auc"] = round(float(average_precision_score(truth, scores)), 4)
    return report
