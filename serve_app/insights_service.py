"""Insights orchestration at the ingress: tenancy -> cache -> model -> store -> audit.

No Ray import: the model is reached through the InsightsModel protocol (a handle client in
production, a fake in tests). The cache key carries the model version and tuning, a fingerprint
of the business's books and today's date, so new data, a new model or a new day recompute.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from kernel.books import Books
from kernel.model_io import InsightsReport, ModelInfo, SeriesForecast
from serve_app.auditing import Auditor
from serve_app.auth import Caller
from serve_app.cache import Cache
from serve_app.cache_keys import result_key
from serve_app.fraud_service import utcnow
from serve_app.schemas import (
    BusinessInsight,
    BusinessInsightsResponse,
    ForecastRequest,
    ForecastResponse,
)
from serve_app.store import Store

CACHE_TTL_S = 24 * 3600
"""The docs' server-side TTL for insights; the key also carries a data fingerprint."""


class InsightsModel(Protocol):
    async def report(self, books: Books, now: dt.datetime) -> InsightsReport: ...
    async def forecast(
        self, start: dt.date, values: Sequence[float], horizon: int
    ) -> SeriesForecast: ...
    async def info(self) -> ModelInfo: ...


class InsightsService:
    def __init__(
        self,
        store: Store,
        cache: Cache,
        model: InsightsModel,
        auditor: Auditor,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._store, self._cache, self._model, self._clock = store, cache, model, clock
        self._auditor = auditor

    async def insights(self, caller: Caller, business_id: str) -> BusinessInsightsResponse:
        await self._store.business_for(caller, business_id)  # tenancy first, then the cache
        now = self._clock()
        key = await result_key(
            "insights", business_id, self._model, self._store, business_id, now.date()
        )
        cached = await self._cache.get(key)
        if cached is not None:
            return BusinessInsightsResponse.model_validate_json(cached)
        books = await self._store.load_books(business_id)
        started = time.perf_counter()
        report = await self._model.report(books, now)
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        await self._store.save_insights(business_id, report.insights)
        response = BusinessInsightsResponse(
            timestamp=now,
            business_id=business_id,
            insights=[BusinessInsight.model_validate(i.model_dump()) for i in report.insights],
            generated_at=now,
            next_update=now + dt.timedelta(seconds=CACHE_TTL_S),
        )
        summary = {
            "insights": len(report.insights),
            "types": sorted({i.insight_type for i in report.insights}),
            "as_of": report.as_of.isoformat(),
            "history_months": report.history_months,
        }
        await self._auditor.record(
            caller, "business_insights", business_id, report.model_version, summary, elapsed_ms, now
        )
        await self._cache.set(key, response.model_dump_json().encode(), CACHE_TTL_S)
        return response

    async def forecast(self, caller: Caller, request: ForecastRequest) -> ForecastResponse:
        """Inline series: reads nothing from the database."""
        started = time.perf_counter()
        result = await self._model.forecast(
            request.series[0].month, [p.value for p in request.series], request.horizon
        )
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        now = self._clock()
        self._auditor.later(
            caller,
            "series_forecast",
            None,
            result.model_version,
            {"points": len(request.series), "horizon": request.horizon},
            elapsed_ms,
            now,
        )
        return ForecastResponse(
            forecast=result.forecast,
            baselines={"last_value": result.last_value, "seasonal_naive": result.seasonal_naive},
            interval=result.interval,
            model_version=result.model_version,
            generated_at=now,
        )
