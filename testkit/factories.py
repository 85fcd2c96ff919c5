"""Shared test data: small trained models and seeded books, built once per session."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from demo_data.generate import generate_dataset
from demo_data.ledger import GeneratedBusiness
from deployments.assistant.offline.training import train as train_assistant_models
from deployments.assistant.predictor import AssistantModels, AssistantPredictor
from deployments.compliance.checker import ComplianceChecker
from deployments.compliance.offline.rate_training import train as train_rate_model
from deployments.compliance.rate_model import RateModel
from deployments.fraud.offline.training import fit_models, labelled_books
from deployments.fraud.predictor import FraudModels, FraudPredictor
from deployments.hosting.artifacts import save_artifact
from deployments.insights.forecasting import ForecastModels
from deployments.insights.offline.examples import generated_examples
from deployments.insights.offline.training import fit
from deployments.insights.predictor import InsightsPredictor
from deployments.invoice.offline.training import train as train_invoice_models
from deployments.invoice.parser import InvoiceModels, InvoiceParser
from deployments.invoice.resolver import InvoiceDrafter
from deployments.ocr.offline import pinned
from deployments.ocr.predictor import OcrModels, OcrPredictor
from kernel.books import Transaction
from kernel.models.assistant import AssistantTuning
from kernel.models.compliance import ComplianceTuning
from kernel.models.fraud import FraudTuning
from kernel.models.insights import InsightsTuning
from kernel.models.ocr import OcrTuning
from serve_app.infra.auth import mint_token
from tests.support.config import tuning

SECRET = "test-secret-" + "x" * 40
DEMO_END = dt.date(2026, 10, 31)
OTHER_USER = "11111111-2222-4333-8444-555555555555"


CASH_WITHDRAWAL_AT_NIGHT = {
    "type": "debit",
    "amount": 175000,
    "date": "2026-06-02T01:40:00",
    "payment_mode": "cash",
    "description": "Cash withdrawal",
}
"""A transaction the fraud model scores suspicious."""


def owner_headers() -> dict[str, str]:
    """A valid token of the first demo business's owner."""
    return {"Authorization": f"Bearer {mint_token(SECRET, demo_books()[0].business['user_id'])}"}


def business_id() -> str:
    """The first demo business."""
    return str(demo_books()[0].business["id"])


@functools.cache
def small_models(version: str = "v1") -> FraudModels:
    """Fitted on 12 generated businesses: fast, and good enough to find planted anomalies."""
    models, _ = fit_models(
        labelled_books(11, 12), labelled_books(12, 2), version, tuning(FraudTuning), max_iter=100
    )
    return models


def predictor(min_confidence: float = 0.5) -> FraudPredictor:
    return FraudPredictor(
        small_models(), tuning(FraudTuning, model_version="v1", min_confidence=min_confidence)
    )


@functools.cache
def demo_books() -> tuple[GeneratedBusiness, ...]:
    return tuple(generate_dataset(42, 2, DEMO_END))


@functools.cache
def small_forecast_models(version: str = "v1") -> ForecastModels:
    """Fitted on 4 generated businesses (seeds no shipped model uses), 2 for the intervals."""
    training, _ = generated_examples(21, 4)
    calibration, _ = generated_examples(22, 2)
    return fit(training, calibration, version, max_iter=80)


def insights_predictor(**changes: object) -> InsightsPredictor:
    return InsightsPredictor(
        small_forecast_models(), tuning(InsightsTuning, model_version="v1", **changes)
    )


@functools.cache
def small_rate_model(version: str = "v1") -> RateModel:
    """The rate classifier on 30 generated descriptions per item (the shipped one uses 60)."""
    model, _ = train_rate_model(version, per_key=30)
    return model


def compliance_checker(**changes: object) -> ComplianceChecker:
    return ComplianceChecker(
        small_rate_model(), tuning(ComplianceTuning, model_version="v1", **changes)
    )


@functools.cache
def small_invoice_models(version: str = "v1") -> InvoiceModels:
    """The invoice tagger on 2,000 generated prompts and 80 CRF iterations (~25 s; shipped:
    3,000 and 150)."""
    models, _ = train_invoice_models(version, examples=2000, max_iterations=80)
    return models


def invoice_parser() -> InvoiceParser:
    return InvoiceParser(small_invoice_models())


def invoice_drafter() -> InvoiceDrafter:
    return InvoiceDrafter(small_invoice_models())


@functools.cache
def small_assistant_models(version: str = "v1") -> AssistantModels:
    """The intent model on 150 generated questions per intent (~1 s; shipped: 400)."""
    models, _ = train_assistant_models(version, per_intent=150)
    return models


def assistant_predictor() -> AssistantPredictor:
    return AssistantPredictor(small_assistant_models(), tuning(AssistantTuning, model_version="v1"))


def ocr_models(version: str = "v1") -> OcrModels:
    """The shipped OCR settings, pinned to the Tesseract installed here (nothing is trained)."""
    return pinned("eng+hin", psm=6, binarize=False, version=version)


def ocr_predictor() -> OcrPredictor:
    return OcrPredictor(ocr_models(), tuning(OcrTuning, model_version="v1"))


def write_model(models_dir: Path, version: str = "v1", name: str = "fraud") -> str:
    """A small model of `name` (fraud, insights, compliance, invoice, assistant or ocr) saved
    as `version`."""
    payload: FraudModels | ForecastModels | RateModel | InvoiceModels | AssistantModels | OcrModels
    if name == "fraud":
        payload = small_models()
        if version != payload.version:
            payload = FraudModels(**{**payload.__dict__, "version": version})
    elif name == "insights":
        base = small_forecast_models()
        payload = ForecastModels(version, base.models, base.residuals, base.metrics)
    elif name == "compliance":
        rate = small_rate_model()
        payload = RateModel(version, rate.pipeline, rate.metrics)
    elif name == "assistant":
        assistant = small_assistant_models()
        payload = AssistantModels(version, assistant.intent, assistant.metrics)
    elif name == "ocr":
        payload = ocr_models(version)
    else:
        invoice = small_invoice_models()
        payload = InvoiceModels(version, invoice.tagger, invoice.intent, invoice.metrics)
    return save_artifact(
        models_dir, name, version, payload, metrics=TEST_METRICS, training_data_hash="test"
    ).sha256


TEST_METRICS = {
    "note": "test: a stand-in for the held-out figures training writes",
    "duplicate_invoice": {"true_positives": 8, "false_positives": 2},
    "payment_mismatch": {"true_positives": 10, "false_positives": 0},
}
"""What a test model's manifest states: fraud's held-out precision 18/20 = 0.9."""


def expense_history(
    count: int, base: float, step: float, start: dt.datetime, prefix: str = "h", **fields: object
) -> list[Transaction]:
    """`count` daily expenses of base + i * step, one a day from `start`."""
    return [
        Transaction.model_validate(
            {
                "id": f"{prefix}{i}",
                "business_id": "inline",
                "type": "expense",
                "amount": base + step * i,
                "date": start + dt.timedelta(days=i),
                **fields,
            }
        )
        for i in range(count)
    ]
