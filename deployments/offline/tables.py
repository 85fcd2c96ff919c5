"""The tables the finding models' evaluations print (fraud, compliance): per kind of finding,
precision, recall and the counts behind them, with or without bootstrap intervals. Offline: no
replica imports it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any


def counts(title: str, rows: Mapping[str, Mapping[str, Any]]) -> Iterator[str]:
    """Precision, recall and counts per kind, and a transaction PR-AUC where there is one."""
    auc = any(row.get("pr_auc") is not None for row in rows.values())
    yield title
    yield (
        f"{'type':<26}{'precision':>10}{'recall':>8}{'tp':>6}{'fp':>5}{'fn':>5}"
        + (f"{'pr_auc':>8}" if auc else "")
    )
    for kind, row in rows.items():
        yield (
            f"{kind:<26}{row['precision']:>10.4f}{row['recall']:>8.4f}"
            f"{int(row['true_positives']):>6}{int(row['false_positives']):>5}"
            f"{int(row['false_negatives']):>5}"
            + (f"{row['pr_auc']:>8.4f}" if row.get("pr_auc") is not None else f"{'-':>8}" * auc)
        )


def intervals(
    point: Mapping[str, Mapping[str, Any]],
    spread: Mapping[str, Mapping[str, tuple[float, float]]],
    kinds: Iterable[str],
) -> Iterator[str]:
    """Precision and recall of each of `kinds` with their 95% intervals, and the counts."""
    yield f"{'type':<26}{'precision':>22}{'recall':>22}{'tp':>6}{'fp':>6}{'fn':>6}"
    for kind in kinds:
        row = point[kind]
        cells = [
            f"{row[m]:.3f} [{spread[kind][m][0]:.3f}, {spread[kind][m][1]:.3f}]"
            for m in ("precision", "recall")
        ]
        yield (
            f"{kind:<26}{cells[0]:>22}{cells[1]:>22}{int(row['true_positives']):>6}"
            f"{int(row['false_positives']):>6}{int(row['false_negatives']):>6}"
        )
