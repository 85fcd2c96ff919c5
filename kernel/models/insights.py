"""The insights model's seam: a business's insights from its books (`report`) and a bare
monthly series forecast (`forecast`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from kernel.books import Books
from kernel.models import ModelInfo, Seam
from kernel.tuning import ModelTuning

InsightType = Literal[
    "cash_flow_prediction",
    "revenue_forecast",
    "expense_trend",
    "customer_analysis",
    "working_capital",
    "general",
]


class Insight(BaseModel):
    """One business insight, already in the client's terms (docs/api.md)."""

    model_config = ConfigDict(frozen=True)

    insight_id: str
    insight_type: InsightType
    title: str
    description: str
    recommendations: list[str]
    impact_score: float = Field(ge=0.0, le=1.0)
    valid_until: dt.datetime
    priority: Literal["high", "medium", "low"]
    category: str
    data: dict[str, Any]


class InsightsReport(BaseModel):
    insights: list[Insight]
    model_version: str
    as_of: dt.date
    """The last day the books record anything: where the forecasts start."""
    history_months: int


class ForecastPoint(BaseModel):
    month: dt.date
    value: float
    lower: float
    upper: float


class SeriesForecast(BaseModel):
    """A bare monthly series forecast (no books): the model and both baselines."""

    forecast: list[ForecastPoint]
    last_value: list[float]
    seasonal_naive: list[float] | None
    model_version: str
    interval: float


class InsightsTuning(ModelTuning):
    """What counts as worth telling the owner. Every threshold is live-tunable."""

    top_customers: int = Field(ge=1, le=20)
    concentration_share: float = Field(gt=0.0, le=1.0)
    """Warn when the top customers' share of the last 12 months' revenue reaches this."""
    slowdown_factor: float = Field(ge=1.0, le=10.0)
    """A regular customer has slowed when the days since their last order exceed this many
    times their usual gap between orders."""
    min_orders_for_pattern: int = Field(ge=2, le=50)
    runway_warning_days: int = Field(ge=1, le=365)
    expense_growth_alert: float = Field(ge=0.0, le=5.0)
    """Warn when the last 3 months' operating expenses exceed the 3 before by this share."""
    expense_drop_check: float = Field(default=0.4, gt=0.0, le=1.0)
    """When they fell by this share or more, ask the owner to check the books rather than call
    it good news: a fall that large is more often bills not yet entered than spending cut."""
    valid_hours: int = Field(ge=1, le=24 * 30)


class InsightsModel(Protocol):
    async def report(self, books: Books, now: dt.datetime) -> InsightsReport: ...
    async def forecast(
        self, start: dt.date, values: Sequence[float], horizon: int
    ) -> SeriesForecast: ...
    async def info(self) -> ModelInfo: ...


def held_out_accuracy(metrics: dict[str, Any]) -> float | None:
    """The share of held-out months that fell inside the forecast's shown 80% range."""
    coverage = metrics.get("interval_coverage_80")
    return float(coverage) if coverage is not None else None


INSIGHTS: Seam[InsightsModel] = Seam(
    "insights", "InsightsDeployment", InsightsTuning, InsightsModel, held_out_accuracy
)
