"""Fraud at the ingress: an analysis of a business's books (cached until they change, findings
stored, audited), and inline scoring of transactions at entry time (no database read)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kernel.books import Transaction
from kernel.models.fraud import FraudModel
from serve_app.contract.schemas.fraud import (
    FraudAlert,
    FraudAnalysisResponse,
    FraudScoreRequest,
    FraudScoreResponse,
    TransactionIn,
    TransactionScore,
)
from serve_app.infra.auditing import Audit
from serve_app.infra.auth import Caller
from serve_app.infra.store.tenancy import business_for
from serve_app.services.results import Lookup, ModelService, Served, timed

CACHE_TTL_S = 6 * 3600
"""The docs' server-side TTL for fraud analyses; the key also carries a data fingerprint."""


def _to_domain(items: Sequence[TransactionIn], prefix: str) -> list[Transaction]:
    return [
        Transaction.model_validate(
            {**item.model_dump(), "id": item.id or f"{prefix}-{i}", "business_id": "inline"}
        )
        for i, item in enumerate(items)
    ]


class FraudService(ModelService[FraudModel]):
    async def analyze(self, caller: Caller, business_id: str) -> FraudAnalysisResponse:
        await business_for(self._store, caller, business_id)  # tenancy first, then the cache
        lookup = Lookup("fraud", business_id, business_id, CACHE_TTL_S)
        return await self._results.cached(
            caller, lookup, FraudAnalysisResponse, lambda: self._analyze(business_id)
        )

    async def _analyze(self, business_id: str) -> Served[FraudAnalysisResponse]:
        books = await self._store.load_books(business_id)
        report, elapsed_ms = await timed(self._model.report(books))
        now = self._clock()
        first_seen = await self._store.save_findings(
            business_id, report.findings, report.model_version, now
        )
        # First detected by this analysis: its detected_at is this `now` (stores keep
        # microseconds; a millisecond of slack for a store that rounds).
        new = [
            f.type
            for f in report.findings
            if first_seen.get(f.id, now) >= now - dt.timedelta(milliseconds=1)
        ]
        self._results.count("fraud_alerts", new)
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
        audit = Audit("fraud_analysis", business_id, report.model_version, summary, elapsed_ms, now)
        return Served(response, audit)

    async def score(self, caller: Caller, request: FraudScoreRequest) -> FraudScoreResponse:
        """Inline scoring: reads nothing from the database."""
        asked = (_to_domain(request.transactions, "new"), _to_domain(request.history, "history"))
        (result,), elapsed_ms = await timed(self._model.score_many([asked]))
        now = self._clock()
        scores = result.scores
        summary = {"scored": len(scores), "suspicious": sum(s.suspicious for s in scores)}
        # Entry-time scoring must not wait on the database: the audit row is written after.
        self._auditor.later(
            caller, Audit("fraud_score", None, result.model_version, summary, elapsed_ms, now)
        )
        return FraudScoreResponse(
            scores=[TransactionScore.model_validate(s.model_dump()) for s in scores],
            model_version=result.model_version,
            scored_at=now,
        )
