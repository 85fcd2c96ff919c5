import datetime as dt

import pytest

from deployments.fraud.predictor import MAX_CONFIDENCE, finding_id, risk_score
from kernel.books import Transaction, books_from_rows
from kernel.models.fraud import Finding
from testkit.factories import demo_books, expense_history, predictor


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    generated = demo_books()[0]
    findings = predictor().analyze(books_from_rows(generated.rows()))
    return generated, findings


def test_every_planted_payment_mismatch_is_found_exactly(report) -> None:  # type: ignore[no-untyped-def]
    generated, findings = report
    planted = {label.subject_ids for label in generated.labels if label.type == "payment_mismatch"}
    found = {f.subject_ids for f in findings if f.type == "payment_mismatch"}
    assert found == planted


@pytest.mark.parametrize("kind", ["duplicate_invoice", "duplicate_supplier_bill"])
def test_most_planted_duplicates_are_found(report, kind: str) -> None:  # type: ignore[no-untyped-def]
    generated, findings = report
    planted = {frozenset(label.subject_ids) for label in generated.labels if label.type == kind}
    found = {frozenset(f.subject_ids) for f in findings if f.type == kind}
    assert len(planted & found) >= len(planted) - 1


def test_findings_are_contract_shaped(report) -> None:  # type: ignore[no-untyped-def]
    _, findings = report
    assert findings, "demo books always carry planted anomalies"
    for finding in findings:
        assert 0.5 <= finding.confidence_score <= MAX_CONFIDENCE
        assert all(
            isinstance(v, str | int | float | bool) or v is None for v in finding.evidence.values()
        )
        assert finding.id == finding_id(finding.type, finding.subject_ids)
    assert len({f.id for f in findings}) == len(findings)


def test_duplicate_evidence_names_rows_amounts_dates_and_similarity(report) -> None:  # type: ignore[no-untyped-def]
    _, findings = report
    duplicate = next(f for f in findings if f.type == "duplicate_invoice")
    assert {
        "invoice_numbers",
        "invoice_ids",
        "amounts",
        "dates",
        "days_apart",
        "item_similarity",
        "amount_difference",
    } <= set(duplicate.evidence)
    first, second = (float(a) for a in str(duplicate.evidence["amounts"]).split(", "))
    assert duplicate.evidence["amount_difference"] == round(abs(first - second), 2)


def test_finding_ids_do_not_depend_on_subject_order() -> None:
    assert finding_id("duplicate_invoice", ["a", "b"]) == finding_id(
        "duplicate_invoice", ["b", "a"]
    )


def test_risk_score_is_zero_for_clean_books_and_grows_with_findings() -> None:
    one = Finding(
        id="x",
        type="payment_mismatch",
        message="m",
        confidence_score=0.9,
        evidence={},
        subject_ids=("a",),
    )
    assert risk_score([]) == 0.0
    assert 0 < risk_score([one]) < risk_score([one, one]) < 1


def test_inline_scoring_flags_an_outlier_and_says_why() -> None:
    history = expense_history(
        25, 800, 10, dt.datetime(2026, 5, 1, 12), description="Office Supplies", payment_mode="upi"
    )
    odd = Transaction(
        id="new",
        business_id="inline",
        type="debit",
        amount=150_000,
        description="Cash withdrawal",
        payment_mode="cash",
        date=dt.datetime(2026, 6, 2, 1, 40),
    )
    usual = history[3].model_copy(update={"id": "usual"})
    scores = predictor().score_transactions([odd, usual], history).scores
    assert scores[0].suspicious and not scores[1].suspicious
    assert scores[0].score > scores[1].score
    assert any("01:40" in reason for reason in scores[0].reasons)


def test_raising_the_minimum_confidence_reports_fewer_findings(report) -> None:  # type: ignore[no-untyped-def]
    generated, findings = report
    strict = predictor(min_confidence=0.95).analyze(books_from_rows(generated.rows()))
    assert len(strict) <= len(findings)
    assert all(f.confidence_score >= 0.95 for f in strict)


def test_batched_requests_score_as_they_would_alone() -> None:
    history = expense_history(12, 500, 1, dt.datetime(2026, 5, 1, 12))
    first = [history[0].model_copy(update={"id": "a", "amount": 90_000})]
    second = [history[1].model_copy(update={"id": "b"}), history[2].model_copy(update={"id": "c"})]
    together = predictor().score_many([(first, history), (second, [])])
    assert together == [
        predictor().score_transactions(first, history),
        predictor().score_transactions(second, []),
    ]


def test_fast_anomaly_scores_equal_scikit_learns() -> None:
    import numpy as np
    from sklearn.ensemble import IsolationForest

    from deployments.fraud.predictor import anomaly_scores

    rows = np.random.default_rng(3).normal(size=(300, 6))
    for max_features in (1.0, 0.5):
        forest = IsolationForest(n_estimators=20, max_features=max_features, random_state=0).fit(
            rows
        )
        assert np.allclose(anomaly_scores(forest, rows[:40]), -forest.score_samples(rows[:40]))
