"""InsightsDeployment: the Serve shell around one InsightsPredictor per replica, and nothing
else. Loading, user_config (thresholds, live) and health come from ModelHost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ray import serve

from deployments.hosting.host import ModelHost
from deployments.insights.forecasting import ForecastModels
from deployments.insights.predictor import InsightsPredictor
from kernel.books import Books
from kernel.model_io import InsightsReport, SeriesForecast
from kernel.tuning import InsightsTuning


@serve.deployment
class InsightsDeployment(ModelHost[InsightsPredictor]):
    name = "insights"
    tuning_type = InsightsTuning
    artifact_type = ForecastModels
    predictor_type = InsightsPredictor

    @staticmethod
    def held_out_accuracy(metrics: dict[str, Any]) -> float | None:
        """The share of held-out months that fell inside the forecast's shown 80% range."""
        coverage = metrics.get("interval_coverage_80")
        return float(coverage) if coverage is not None else None

    async def report(self, books: Books, now: dt.datetime) -> InsightsReport:
        with self._observed("insights"):
            return await self._threaded(self._ready().report, books, now)

    async def forecast(
        self, start: dt.date, values: Sequence[float], horizon: int
    ) -> SeriesForecast:
        with self._observed("forecast"):
            return await self._threaded(self._ready().forecast_series, start, values, horizon)
