"""Insights at the ingress: a business's report (cached per books fingerprint and day, stored,
audited), and a forecast of a monthly series sent inline (no database read). The key carries the
model version and tuning too, so new data, a new model or a new day recompute."""

from __future__ import annotations

import datetime as dt

from kernel.models.insights import InsightsModel
from serve_app.contract.schemas.insights import (
    BusinessInsight,
    BusinessInsightsResponse,
    ForecastRequest,
    ForecastResponse,
)
from serve_app.infra.auditing import Audit
from serve_app.infra.auth import Caller
from serve_app.infra.store.tenancy import business_for
from serve_app.services.results import Lookup, ModelService, Served, timed

CACHE_TTL_S = 24 * 3600
"""The docs' server-side TTL for insights; the key also carries a data fingerprint."""


class InsightsService(ModelService[InsightsModel]):
    async def insights(self, caller: Caller, business_id: str) -> BusinessInsightsResponse:
        await business_for(self._store, caller, business_id)  # tenancy first, then the cache
        now = self._clock()
        lookup = Lookup("insights", business_id, business_id, CACHE_TTL_S, now.date())
        return await self._results.cached(
            caller, lookup, BusinessInsightsResponse, lambda: self._report(business_id, now)
        )

    async def _report(self, business_id: str, now: dt.datetime) -> Served[BusinessInsightsResponse]:
        books = await self._store.load_books(business_id)
        report, elapsed_ms = await timed(self._model.report(books, now))
        await self._store.save_insights(business_id, report.insights)
        self._results.count("insights", [i.insight_type for i in report.insights])
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
        audit = Audit(
            "business_insights", business_id, report.model_version, summary, elapsed_ms, now
        )
        return Served(response, audit)

    async def forecast(self, caller: Caller, request: ForecastRequest) -> ForecastResponse:
        """Inline series: reads nothing from the database."""
        result, elapsed_ms = await timed(
            self._model.forecast(
                request.series[0].month, [p.value for p in request.series], request.horizon
            )
        )
        now = self._clock()
        summary = {"points": len(request.series), "horizon": request.horizon}
        self._auditor.later(
            caller, Audit("series_forecast", None, result.model_version, summary, elapsed_ms, now)
        )
        return ForecastResponse(
            forecast=result.forecast,
            baselines={"last_value": result.last_value, "seasonal_naive": result.seasonal_naive},
            interval=result.interval,
            model_version=result.model_version,
            generated_at=now,
        )
