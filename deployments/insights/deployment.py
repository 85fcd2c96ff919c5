"""InsightsDeployment: the Serve shell around one InsightsPredictor per replica, and nothing
else. Loading, user_config (thresholds, live) and health come from ModelHost."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

from ray import serve

from deployments.hosting.artifacts import ArtifactError
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

    def build(self, payload: Any, tuning: Any) -> InsightsPredictor:
        if not isinstance(payload, ForecastModels):
            raise ArtifactError("insights: not a ForecastModels bundle")
        return InsightsPredictor(payload, tuning)

    async def report(self, books: Books, now: dt.datetime) -> InsightsReport:
        started = time.perf_counter()
        # ~50-150 ms of numpy and scikit-learn: off the event loop, so health checks answer.
        report = await asyncio.to_thread(self._ready().report, books, now)
        self._observe("insights", 1, started)
        return report

    async def forecast(
        self, start: dt.date, values: Sequence[float], horizon: int
    ) -> SeriesForecast:
        started = time.perf_counter()
        result = self._ready().forecast_series(start, values, horizon)
        self._observe("forecast", 1, started)
        return result
