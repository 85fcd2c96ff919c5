"""The acceptance targets, checked on books generated with a seed no model was trained on.

The model here is the small test model (12 training businesses); the shipped model (`make train`,
24 businesses) is measured by `make evaluate`.
"""

import pytest

from deployments.fraud.evaluation import evaluate
from deployments.fraud.training import EVAL_SEED, labelled_books
from tests.support.factories import predictor


@pytest.fixture(scope="module")
def report() -> dict[str, dict[str, float]]:
    return evaluate(predictor(), labelled_books(EVAL_SEED, 4))


@pytest.mark.parametrize("kind", ["duplicate_invoice", "duplicate_supplier_bill"])
def test_duplicates_recall_and_precision(report: dict[str, dict[str, float]], kind: str) -> None:
    assert report[kind]["recall"] >= 0.9
    assert report[kind]["precision"] >= 0.85


def test_payment_mismatches_are_exact(report: dict[str, dict[str, float]]) -> None:
    assert (report["payment_mismatch"]["precision"], report["payment_mismatch"]["recall"]) == (
        1.0,
        1.0,
    )


def test_suspicious_pattern_ranking(report: dict[str, dict[str, float]]) -> None:
    assert report["suspicious_pattern"]["pr_auc"] >= 0.6
