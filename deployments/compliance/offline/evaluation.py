"""The compliance checker's precision and recall per issue type: on the generated labelled
invoices (`labelled`) and on the independent GST world (eval_world.gst), with bootstrap
intervals; and the findings on hand-written correct invoices. Offline: no replica imports it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from collections.abc import Set as AbstractSet

import numpy as np

from deployments.compliance.checker import ComplianceChecker
from deployments.compliance.offline.labelled import ISSUE_TYPES, Labelled
from eval_world.gst import correct_invoices, gst_world

EVAL_SEED = 9303
"""The seed of the generated labelled invoices `fineasy evaluate` measures on."""


def evaluate(checker: ComplianceChecker, data: Sequence[Labelled]) -> dict[str, dict[str, float]]:
    """Per issue type: precision and recall over invoices (a type found on an invoice counts
    once), with the counts."""
    found = [{i.type for i in checker.check(item.invoice).issues} for item in data]
    return _rates(found, [d.planted for d in data])


def _rates(
    found: Sequence[AbstractSet[str]], planted: Sequence[frozenset[str]]
) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    pairs = list(zip(found, planted, strict=True))
    for kind in ISSUE_TYPES:
        tp = sum(kind in f and kind in p for f, p in pairs)
        fp = sum(kind in f and kind not in p for f, p in pairs)
        fn = sum(kind not in f and kind in p for f, p in pairs)
        table[kind] = {
            "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
            "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
            "true_positives": tp,
            "false_positives": fp,
            "false_negatives": fn,
        }
    clean = [f for f, p in pairs if not p]
    table["clean_invoices"] = {"count": len(clean), "flagged": sum(bool(f) for f in clean)}
    return table


def measure(
    checker: ComplianceChecker, data: Sequence[Labelled], resamples: int = 1000, seed: int = 7
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, tuple[float, float]]]]:
    """`evaluate`, with 95% bootstrap intervals of each type's precision and recall
    (invoices resampled)."""
    found = [{i.type for i in checker.check(item.invoice).issues} for item in data]
    planted = [d.planted for d in data]
    point = _rates(found, planted)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(resamples):
        picks = rng.integers(0, len(data), len(data))
        draws.append(_rates([found[i] for i in picks], [planted[i] for i in picks]))
    intervals = {
        kind: {
            metric: tuple(
                float(x) for x in np.percentile([d[kind][metric] for d in draws], [2.5, 97.5])
            )
            for metric in ("precision", "recall")
        }
        for kind in ISSUE_TYPES
    }
    return point, intervals  # type: ignore[return-value]


def findings_on_correct(
    checker: ComplianceChecker, today: dt.date
) -> dict[str, list[tuple[str, str]]]:
    """The hand-written correct invoices (eval_world.gst) by the worst severity the checker
    gives each: {severity or "none": [(id, issue description)]}. Every one is right, so any
    finding is a false one; the acceptance bar is none at `high` or `critical`."""
    out: dict[str, list[tuple[str, str]]] = {}
    order = ("critical", "high", "medium", "low")
    for written in correct_invoices():
        issues = checker.check(written.invoice, today).issues
        worst = min(issues, key=lambda i: order.index(i.severity), default=None)
        key = worst.severity if worst is not None else "none"
        out.setdefault(key, []).append((written.id, worst.description if worst else ""))
    return out


INDEPENDENT_SEED = 6006


def independent_invoices(seed: int, count: int) -> list[Labelled]:
    """The independent GST world (eval_world.gst.gst_world) as labelled invoices."""
    return [Labelled(p.invoice, p.kinds, p.how) for p in gst_world(seed, count)]
