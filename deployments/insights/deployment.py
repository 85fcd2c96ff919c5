"""InsightsDeployment: the Serve shell around one InsightsPredictor per replica, and nothing
else. Loading, user_config (thresholds, live) and health come from ModelHost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ray import serve

from deployments.hosting.host import ModelHost
from deployments.insights.forecasting import ForecastModels
from deployments.insights.predictor import InsightsPredictor
from kernel.books import Books
from kernel.models.insights import INSIGHTS, InsightsReport, SeriesForecast


@serve.deployment
class InsightsDeployment(ModelHost[InsightsPredictor]):
    seam = INSIGHTS
    artifact_type = ForecastModels
    predictor_type = InsightsPredictor

    async def report(self, books: Books, now: dt.datetime) -> InsightsReport:
        with self._observed("insights"):
            return await self._threaded(self._ready().report, books, now)

    async def forecast(
        self, start: dt.date, values: Sequence[float], horizon: int
    ) -> SeriesForecast:
        with self._observed("forecast"):
            return await self._threaded(self._ready().forecast, start, values, horizon)
