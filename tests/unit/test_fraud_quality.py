"""Guards on the small test model (12 training businesses, fewer boosting rounds): on held-out
books of the training generator, and on the independent world (eval_world), which training
never sees. These are regression guards, not measurements: the shipped model (`make train`,
24 businesses) is measured by `fineasy evaluate --model fraud` on both worlds.

The pair model no longer reads how alike two invoice numbers look or sees the demo generator's
0-4 day duplicates alone (it learns from duplicates up to 30 and 90 days late, retyped, and from
regular customers' repeat orders), so its recall on the generator's own duplicates is lower than
the earlier model's, which those artefacts carried (0.96 there, 0.44 on the independent world).
"""

from typing import Any

import pytest

from deployments.fraud.offline.evaluation import evaluate, independent_cases, measure
from deployments.fraud.offline.training import EVAL_SEED, labelled_books
from eval_world.fraud import OCCASIONAL, REGULAR
from testkit.factories import predictor


@pytest.fixture(scope="module")
def report() -> dict[str, dict[str, float]]:
    return evaluate(predictor(), labelled_books(EVAL_SEED, 4))


@pytest.fixture(scope="module")
def measured() -> dict[str, Any]:
    return measure(predictor(), independent_cases(77, 4), resamples=20)


@pytest.fixture(scope="module")
def independent(measured: dict[str, Any]) -> dict[str, dict[str, float]]:
    rates: dict[str, dict[str, float]] = measured["rates"]
    return rates


def test_duplicates_on_the_generators_books(report: dict[str, dict[str, float]]) -> None:
    assert report["duplicate_supplier_bill"]["recall"] >= 0.9
    assert report["duplicate_supplier_bill"]["precision"] >= 0.85
    assert report["duplicate_invoice"]["recall"] >= 0.8
    assert report["duplicate_invoice"]["precision"] >= 0.6


def test_payment_mismatches_are_exact(report: dict[str, dict[str, float]]) -> None:
    assert (report["payment_mismatch"]["precision"], report["payment_mismatch"]["recall"]) == (
        1.0,
        1.0,
    )


def test_suspicious_pattern_ranking(report: dict[str, dict[str, float]]) -> None:
    assert report["suspicious_pattern"]["pr_auc"] >= 0.6


def test_on_independent_books(independent: dict[str, dict[str, float]]) -> None:
    mismatch, bills = independent["payment_mismatch"], independent["duplicate_supplier_bill"]
    assert (mismatch["precision"], mismatch["recall"]) == (1.0, 1.0)  # TDS, round-offs, cash
    assert bills["recall"] >= 0.9 and bills["precision"] >= 0.9  # retyped, up to 80 days late
    assert independent["duplicate_invoice"]["recall"] >= 0.4
    assert independent["all"]["false_per_1000_invoices"] <= 15


def test_duplicate_sales_are_counted_by_what_they_copy(measured: dict[str, Any]) -> None:
    strata = measured["recall_by_stratum"]
    assert set(strata) == {REGULAR, OCCASIONAL}
    rates = measured["rates"]["duplicate_invoice"]
    found = sum(f for f, _ in strata.values())
    assert sum(t for _, t in strata.values()) == rates["true_positives"] + rates["false_negatives"]
    assert found == rates["true_positives"]
    # An occasional customer's duplicate is found; a regular's is mostly indistinguishable from
    # its real repeat orders (docs/fraud.md).
    assert strata[OCCASIONAL][0] >= 0.7 * strata[OCCASIONAL][1]
