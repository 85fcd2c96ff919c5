"""Fakes behind the model protocols: in-process models and a broken one."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections import deque
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from deployments.assistant.predictor import AssistantPredictor
from deployments.compliance.checker import ComplianceChecker
from deployments.fraud.predictor import FraudPredictor
from deployments.insights.predictor import InsightsPredictor
from deployments.invoice.parser import InvoiceParser
from deployments.invoice.resolver import resolve
from deployments.ocr.predictor import OcrPredictor
from kernel.books import Books, Transaction
from kernel.model_io import (
    Catalogue,
    ComplianceReport,
    Draft,
    FraudReport,
    InsightsReport,
    InvoiceFacts,
    ItemFacts,
    ModelInfo,
    OcrResult,
    ParsedInvoice,
    RateHint,
    SeriesForecast,
    TxnScores,
    Understanding,
)
from serve_app.contract.errors import ModelUnavailable

HELD_OUT_ACCURACY = {
    "fraud": 0.9,
    "insights": 0.8,
    "compliance": 0.92,
    "invoice": 0.95,
    "assistant": 0.91,
    "ocr": 0.99,
}
"""What each fake says it scored on held-out data (a real host reads its manifest)."""


def local_info(name: str, version: str, tuning: BaseModel | None) -> ModelInfo:
    """What a model deployment reports about itself; the hash changes with the tuning."""
    tuned = tuning.model_dump_json() if tuning is not None else ""
    return ModelInfo(
        name=name,
        version=version,
        config_hash=hashlib.sha256(tuned.encode()).hexdigest()[:12],
        loaded_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        metrics={"accuracy": HELD_OUT_ACCURACY[name], "created_at": "2025-12-31T08:00:00+00:00"},
    )


class LocalFraudModel:
    """The real predictor, called in-process instead of through a DeploymentHandle."""

    def __init__(self, predictor: FraudPredictor) -> None:
        self.predictor, self.reports, self.infos = predictor, 0, 0

    async def report(self, books: Books) -> FraudReport:
        self.reports += 1
        return self.predictor.report(books)

    async def score(
        self, batch: Sequence[Transaction], history: Sequence[Transaction]
    ) -> TxnScores:
        return self.predictor.score_transactions(batch, history)

    async def info(self) -> ModelInfo:
        self.infos += 1
        return local_info("fraud", self.predictor.version, self.predictor.tuning)


class LocalInsightsModel:
    """The real insights predictor, called in-process; counts the reports it computed."""

    def __init__(self, predictor: InsightsPredictor) -> None:
        self.predictor, self.reports = predictor, 0

    async def report(self, books: Books, now: dt.datetime) -> InsightsReport:
        self.reports += 1
        return self.predictor.report(books, now)

    async def forecast(
        self, start: dt.date, values: Sequence[float], horizon: int
    ) -> SeriesForecast:
        return self.predictor.forecast_series(start, values, horizon)

    async def info(self) -> ModelInfo:
        return local_info("insights", self.predictor.version, self.predictor.tuning)


class LocalComplianceModel:
    """The real checker, called in-process; counts the checks it ran."""

    def __init__(self, checker: ComplianceChecker) -> None:
        self.checker, self.checks = checker, 0

    async def check(self, invoice: InvoiceFacts, today: dt.date) -> ComplianceReport:
        self.checks += 1
        return self.checker.check(invoice, today)

    async def suggest_rates(self, items: list[ItemFacts], day: dt.date) -> list[RateHint | None]:
        return self.checker.suggest_rates(items, day)

    async def info(self) -> ModelInfo:
        return local_info("compliance", self.checker.version, self.checker.tuning)


class LocalInvoiceModel:
    """The real parser and resolver, called in-process; remembers what each call was given."""

    def __init__(self, parser: InvoiceParser) -> None:
        self.parser = parser
        # The latest calls only: the plain-uvicorn baseline of the benchmarks runs this fake for
        # minutes, and an unbounded list grew it ~30 MiB a minute (bench/soak.py).
        self.calls: deque[tuple[Catalogue, bool]] = deque(maxlen=64)

    async def draft(
        self, text: str, today: dt.date, catalogue: Catalogue, use_business_data: bool
    ) -> tuple[ParsedInvoice, Draft]:
        self.calls.append((catalogue, use_business_data))
        parsed = self.parser.parse(text, today)
        return parsed, resolve(parsed, catalogue, today, use_business_data)

    async def info(self) -> ModelInfo:
        return local_info("invoice", self.parser.version, None)


class LocalAssistantModel:
    """The real intent model and rules, called in-process."""

    def __init__(self, predictor: AssistantPredictor) -> None:
        self.predictor = predictor
        self.heard: list[str] = []

    async def understand(self, prompt: str) -> Understanding:
        self.heard.append(prompt)
        return self.predictor.understand(prompt)

    async def info(self) -> ModelInfo:
        return local_info("assistant", self.predictor.version, self.predictor.tuning)


class UnavailableModel:
    """Any model deployment that is overloaded (calls) or gone (info)."""

    def __init__(self, name: str = "fraud") -> None:
        self.name = name

    async def report(self, *_: object) -> Any:
        raise ModelUnavailable(self.name, "overloaded")

    async def score(self, *_: object) -> Any:
        raise ModelUnavailable(self.name, "overloaded")

    async def forecast(self, *_: object) -> Any:
        raise ModelUnavailable(self.name, "overloaded")

    async def check(self, *_: object) -> Any:
        raise ModelUnavailable(self.name, "overloaded")

    async def suggest_rates(self, *_: object) -> Any:
        raise ModelUnavailable(self.name, "overloaded")

    async def draft(self, *_: object) -> Any:
        raise ModelUnavailable(self.name, "overloaded")

    async def understand(self, *_: object) -> Any:
        raise ModelUnavailable(self.name, "overloaded")

    async def info(self) -> ModelInfo:
        raise ModelUnavailable(self.name, "unavailable")


class LocalOcrModel:
    """The real cleanup and Tesseract, called in-process."""

    def __init__(self, predictor: OcrPredictor) -> None:
        self.predictor = predictor
        self.images = 0

    async def read(self, image: bytes) -> OcrResult:
        self.images += 1
        return await asyncio.to_thread(self.predictor.read, image)

    async def info(self) -> ModelInfo:
        return local_info("ocr", self.predictor.version, self.predictor.tuning)
