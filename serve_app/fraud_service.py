"""Fraud orchestration at the ingress: tenancy -> cache -> model -> store -> audit.

No Ray import: the model is reached through the FraudModel protocol (a HandleClient in
production, a fake in tests).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from kernel.books import Books, Transaction
from kernel.model_io import FraudReport, ModelInfo, TxnScores
from serve_app.auditing import Auditor
from serve_app.auth import Caller
from serve_app.cache import Cache
from serve_app.cache_keys import result_key
from serve_app.schemas import (
    FraudAlert,
    FraudAnalysisResponse,
    FraudScoreRequest,
    FraudScoreResponse,
    TransactionIn,
    TransactionScore,
)
from serve_app.store import Store

logger = logging.getLogger("ai_backend")
CACHE_TTL_S = 6 * 3600
"""The docs' server-side TTL for fraud analyses; the key also carries a data fingerprint."""


class FraudModel(Protocol):
    async def report(self, books: Books) -> FraudReport: ...
    async def score(
        self, batch: Sequence[Transaction], history: Sequence[Transaction]
    ) -> TxnScores: ...
    async def info(self) -> ModelInfo: ...


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _to_domain(items: Sequence[TransactionIn], prefix: str) -> list[Transaction]:
    return [
        Transaction.model_validate(
            {**item.model_dump(), "id": item.id or f"{prefix}-{i}", "business_id": "inline"}
        )
        for i, item in enumerate(items)
    ]


class FraudService:
    def __init__(
        self,
        store: Store,
        cache: Cache,
        model: FraudModel,
        auditor: Auditor,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._store, self._cache, self._model, self._clock = store, cache, model, clock
        self._auditor = auditor

    async def analyze(self, caller: Caller, business_id: str) -> FraudAnalysisResponse:
        await self._store.business_for(caller, business_id)  # tenancy first, then the cache
        key = await result_key("fraud", business_id, self._model, self._store, business_id)
        cached = await self._cache.get(key)
        if cached is not None:
            return FraudAnalysisResponse.model_validate_json(cached)
        books = await self._store.load_books(business_id)
        started = time.perf_counter()
        report = await self._model.report(books)
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        now = self._clock()
        first_seen = await self._store.save_findings(
            business_id, report.findings, report.model_version, now
        )
        response = FraudAnalysisResponse(
            business_id=business_id,
            alerts=[
                FraudAlert(
                    id=f.id,
                    type=f.type,
                    message=f.message,
                    confidence_score=f.confidence_score,
                    evidence=f.evidence,
                    detected_at=first_seen.get(f.id, now),
                )
                for f in report.findings
            ],
            risk_score=report.risk_score,
            analysis_metadata={
                **books.counts(),
                "model_version": report.model_version,
                "model_time_ms": elapsed_ms,
                "alerts_found": len(report.findings),
            },
            analyzed_at=now,
        )
        summary = {
            "alerts": len(report.findings),
            "risk_score": report.risk_score,
            "types": sorted({f.type for f in report.findings}),
        }
        await self._auditor.record(
            caller, "fraud_analysis", business_id, report.model_version, summary, elapsed_ms, now
        )
        await self._cache.set(key, response.model_dump_json().encode(), CACHE_TTL_S)
        return response

    async def score(self, caller: Caller, request: FraudScoreRequest) -> FraudScoreResponse:
        """Inline scoring: reads nothing from the database."""
        started = time.perf_counter()
        result = await self._model.score(
            _to_domain(request.transactions, "new"), _to_domain(request.history, "history")
        )
        now = self._clock()
        scores = result.scores
        summary = {"scored": len(scores), "suspicious": sum(s.suspicious for s in scores)}
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        # Entry-time scoring must not wait on the database: the audit row is written after.
        self._auditor.later(
            caller, "fraud_score", None, result.model_version, summary, elapsed_ms, now
        )
        return FraudScoreResponse(
            scores=[TransactionScore.model_validate(s.model_dump()) for s in scores],
            model_version=result.model_version,
            scored_at=now,
        )
