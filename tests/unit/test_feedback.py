"""The accuracy a model shows: its held-out figure from the manifest, blended with votes."""

from __future__ import annotations

import pytest

from kernel.models.assistant import ASSISTANT
from kernel.models.compliance import COMPLIANCE
from kernel.models.fraud import FRAUD
from kernel.models.insights import INSIGHTS
from kernel.models.invoice import INVOICE
from kernel.models.ocr import OCR
from kernel.models.registry import SEAMS
from serve_app.services.feedback import MODEL_OF_SOURCE, MODELS, PRIOR_VOTES, _chosen, blended

B1, B2 = "b-1", "b-2"


def test_votes_move_the_held_out_figure_by_the_weight_of_the_prior() -> None:
    assert blended(0.9, 0, 0) == 0.9
    assert blended(0.9, 1, 0) == pytest.approx(18 / 21)
    assert blended(0.9, 1, 1) == pytest.approx(19 / 21)
    # hundreds of votes decide it; with no held-out figure the votes alone do
    assert blended(0.9, 1000, 500) == pytest.approx((PRIOR_VOTES * 0.9 + 500) / 1020)
    assert blended(None, 4, 3) == 0.75 and blended(None, 0, 0) == 0.0


def test_an_id_found_twice_is_the_model_feedback_type_names() -> None:
    found = [(B1, "invoice_generation"), (B1, "compliance_check")]
    assert _chosen(found, "compliance_issue") == (B1, "compliance")
    assert _chosen(found, "GST") == (B1, "compliance")
    assert _chosen(found, "invoice_draft") == (B1, "invoice")
    assert _chosen(found, "thumbs") == (B1, "invoice")  # no word: the first found
    assert _chosen([], "fraud_alert") is None
    assert _chosen([(B2, "fraud_alert")], "insight") == (B2, "fraud")  # found beats named


def test_every_place_a_prediction_is_found_belongs_to_one_model() -> None:
    assert set(MODEL_OF_SOURCE.values()) == set(MODELS)
    actions = [a for facts in MODELS.values() for a in facts.actions]
    assert len(actions) == len(set(actions))


def test_each_model_reads_its_held_out_accuracy_from_its_own_manifest() -> None:
    fraud = {
        "held_out_seed": 2002,
        "duplicate_invoice": {"true_positives": 70, "false_positives": 30},
        "payment_mismatch": {"true_positives": 30, "false_positives": 0},
    }
    assert FRAUD.held_out_accuracy(fraud) == pytest.approx(100 / 130)
    assert INSIGHTS.held_out_accuracy({"interval_coverage_80": 0.77}) == 0.77
    assert COMPLIANCE.held_out_accuracy({"top1_hand_written": 0.92}) == 0.92
    f1 = {"customer": 1.0, "quantity": 0.9}
    assert INVOICE.held_out_accuracy({"f1_generated_held_out": f1}) == 0.95
    assert ASSISTANT.held_out_accuracy({"accuracy_independent": 0.875}) == 0.875
    assert OCR.held_out_accuracy({"cer_independent": 0.04}) == pytest.approx(0.96)
    for seam in SEAMS:
        assert seam.held_out_accuracy({"note": "test"}) is None
