"""Fakes behind the model protocols: in-process models and a broken one."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from deployments.assistant.predictor import AssistantPredictor
from deployments.compliance.checker import ComplianceChecker
from deployments.fraud.predictor import FraudPredictor
from deployments.insights.predictor import InsightsPredictor
from deployments.invoice.parser import InvoiceParser
from deployments.invoice.resolver import draft
from deployments.ocr.predictor import OcrPredictor
from kernel import work
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


T = TypeVar("T")
CALL_CAP_S = 30.0
"""As a replica's (deployments/hosting/host.py CALL_CAP_S), which this module cannot import
without Ray."""


class LocalModel:
    """Runs a real predictor's call as a replica does: in a thread, under a work budget
    (kernel/work.py) that is cancelled when the request awaiting it is. `spent` holds the work
    each recent call counted (the property tests' measure of cost)."""

    def __init__(self) -> None:
        # The latest calls only: the plain-uvicorn baseline of the benchmarks runs these fakes
        # for minutes (bench/soak.py).
        self.spent: deque[int] = deque(maxlen=64)

    async def _run(self, call: Callable[..., T], *args: Any) -> T:
        budget = work.Budget(CALL_CAP_S)
        try:
            return await work.run_in_thread(budget, call, *args)
        finally:
            self.spent.append(budget.spent)


class LocalFraudModel(LocalModel):
    """The real predictor, called in-process instead of through a DeploymentHandle."""

    def __init__(self, predictor: FraudPredictor) -> None:
        super().__init__()
        self.predictor, self.reports, self.infos = predictor, 0, 0

    async def report(self, books: Books) -> FraudReport:
        self.reports += 1
        return await self._run(self.predictor.report, books)

    async def score(
        self, batch: Sequence[Transaction], history: Sequence[Transaction]
    ) -> TxnScores:
        return await self._run(self.predictor.score_transactions, batch, history)

    async def info(self) -> ModelInfo:
        self.infos += 1
        return local_info("fraud", self.predictor.version, self.predictor.tuning)


class LocalInsightsModel(LocalModel):
    """The real insights predictor, called in-process; counts the reports it computed."""

    def __init__(self, predictor: InsightsPredictor) -> None:
        super().__init__()
        self.predictor, self.reports = predictor, 0

    async def report(self, books: Books, now: dt.datetime) -> InsightsReport:
        self.reports += 1
        return await self._run(self.predictor.report, books, now)

    async def forecast(
        self, start: dt.date, values: Sequence[float], horizon: int
    ) -> SeriesForecast:
        return await self._run(self.predictor.forecast_series, start, values, horizon)

    async def info(self) -> ModelInfo:
        return local_info("insights", self.predictor.version, self.predictor.tuning)


class LocalComplianceModel(LocalModel):
    """The real checker, called in-process; counts the checks it ran."""

    def __init__(self, checker: ComplianceChecker) -> None:
        super().__init__()
        self.checker, self.checks = checker, 0

    async def check(self, invoice: InvoiceFacts, today: dt.date) -> ComplianceReport:
        self.checks += 1
        return await self._run(self.checker.check, invoice, today)

    async def suggest_rates(self, items: list[ItemFacts], day: dt.date) -> list[RateHint | None]:
        return await self._run(self.checker.suggest_rates, items, day)

    async def info(self) -> ModelInfo:
        return local_info("compliance", self.checker.version, self.checker.tuning)


class LocalInvoiceModel(LocalModel):
    """The real parser and resolver, called in-process; remembers what each call was given."""

    def __init__(self, parser: InvoiceParser) -> None:
        super().__init__()
        self.parser = parser
        # The latest calls only: the plain-uvicorn baseline of the benchmarks runs this fake for
        # minutes, and an unbounded list grew it ~30 MiB a minute (bench/soak.py).
        self.calls: deque[tuple[Catalogue, bool]] = deque(maxlen=64)

    async def draft(
        self, text: str, today: dt.date, catalogue: Catalogue, use_business_data: bool
    ) -> tuple[ParsedInvoice, Draft]:
        self.calls.append((catalogue, use_business_data))
        return await self._run(draft, self.parser, text, today, catalogue, use_business_data)

    async def info(self) -> ModelInfo:
        return local_info("invoice", self.parser.version, None)


class LocalAssistantModel(LocalModel):
    """The real intent model and rules, called in-process."""

    def __init__(self, predictor: AssistantPredictor) -> None:
        super().__init__()
        self.predictor = predictor
        self.heard: list[str] = []

    async def understand(self, prompt: str) -> Understanding:
        self.heard.append(prompt)
        return await self._run(self.predictor.understand, prompt)

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


class LocalOcrModel(LocalModel):
    """The real cleanup and Tesseract, called in-process."""

    def __init__(self, predictor: OcrPredictor) -> None:
        super().__init__()
        self.predictor = predictor
        self.images = 0

    async def read(self, image: bytes) -> OcrResult:
        self.images += 1
        return await self._run(self.predictor.read, image)

    async def info(self) -> ModelInfo:
        return local_info("ocr", self.predictor.version, self.predictor.tuning)
