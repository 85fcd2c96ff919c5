"""Fakes behind the model protocols: in-process models and a broken one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from deployments.compliance_checker import ComplianceChecker
from deployments.fraud_predictor import FraudPredictor
from deployments.insights_predictor import InsightsPredictor
from serve_app.domain import (
    Books,
    ComplianceReport,
    FraudReport,
    InsightsReport,
    InvoiceFacts,
    ModelInfo,
    SeriesForecast,
    Transaction,
    TxnScores,
)
from serve_app.errors import ModelUnavailable


class LocalFraudModel:
    """The real predictor, called in-process instead of through a DeploymentHandle."""

    def __init__(self, predictor: FraudPredictor) -> None:
        self.predictor, self.reports = predictor, 0

    async def report(self, books: Books) -> FraudReport:
        self.reports += 1
        return self.predictor.report(books)

    async def score(
        self, batch: Sequence[Transaction], history: Sequence[Transaction]
    ) -> TxnScores:
        return self.predictor.score_transactions(batch, history)

    async def info(self) -> ModelInfo:
        return ModelInfo(
            name="fraud",
            version=self.predictor.version,
            config_hash="test",
            loaded_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )


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
        return ModelInfo(
            name="insights",
            version=self.predictor.version,
            config_hash=self.predictor.tuning.model_dump_json()[:12],
            loaded_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )


class LocalComplianceModel:
    """The real checker, called in-process; counts the checks it ran."""

    def __init__(self, checker: ComplianceChecker) -> None:
        self.checker, self.checks = checker, 0

    async def check(self, invoice: InvoiceFacts, today: dt.date) -> ComplianceReport:
        self.checks += 1
        return self.checker.check(invoice, today)

    async def info(self) -> ModelInfo:
        return ModelInfo(
            name="compliance",
            version=self.checker.version,
            config_hash=self.checker.tuning.model_dump_json()[:12],
            loaded_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )


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

    async def info(self) -> ModelInfo:
        raise ModelUnavailable(self.name, "unavailable")
