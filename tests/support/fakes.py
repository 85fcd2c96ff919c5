"""Fakes behind the FraudModel protocol: an in-process model and a broken one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from deployments.fraud_predictor import FraudPredictor
from serve_app.domain import Books, FraudReport, ModelInfo, Transaction, TxnScores
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


class UnavailableModel:
    async def report(self, books: Books) -> FraudReport:
        raise ModelUnavailable("fraud", "overloaded")

    async def score(
        self, batch: Sequence[Transaction], history: Sequence[Transaction]
    ) -> TxnScores:
        raise ModelUnavailable("fraud", "overloaded")

    async def info(self) -> ModelInfo:
        raise ModelUnavailable("fraud", "unavailable")
