"""GET /api/v1/insights/{business_id} and POST /api/v1/insights/forecast: a business's
insights, and a forecast of a monthly series the client sends."""

from __future__ import annotations

import itertools

from pydantic import BaseModel, Field, model_validator

from kernel.models.insights import ForecastPoint, InsightType
from serve_app.contract.schemas.common import IsoDate, Strict, UtcDateTime


class BusinessInsight(BaseModel):
    """docs/api.md: note the prefixed keys insight_id/insight_type (not id/type)."""

    insight_id: str
    insight_type: InsightType
    title: str
    description: str
    recommendations: list[str]
    impact_score: float = Field(ge=0.0, le=1.0)
    valid_until: UtcDateTime
    priority: str
    category: str
    data: dict[str, object]


class BusinessInsightsResponse(BaseModel):
    success: bool = True
    message: str | None = None
    timestamp: UtcDateTime
    business_id: str
    insights: list[BusinessInsight]
    generated_at: UtcDateTime
    next_update: UtcDateTime


class SeriesPoint(Strict):
    month: IsoDate
    """Any day of the month; the month is what counts."""
    value: float = Field(ge=0, le=1e13)


class ForecastRequest(Strict):
    """A monthly series of money (e.g. cash in), oldest first, consecutive months."""

    series: list[SeriesPoint] = Field(min_length=3, max_length=240)
    horizon: int = Field(default=3, ge=1, le=4)

    @model_validator(mode="after")
    def _consecutive(self) -> ForecastRequest:
        months = [p.month.year * 12 + p.month.month for p in self.series]
        if any(b - a != 1 for a, b in itertools.pairwise(months)):
            raise ValueError("series months must be consecutive, oldest first, one point each")
        return self


class ForecastResponse(BaseModel):
    forecast: list[ForecastPoint]
    baselines: dict[str, list[float] | None]
    interval: float
    model_version: str
    generated_at: UtcDateTime
