"""A business's insights, and forecasts of a series the client sends."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from serve_app.contract.schemas.common import Uuid
from serve_app.contract.schemas.insights import (
    BusinessInsightsResponse,
    ForecastRequest,
    ForecastResponse,
)
from serve_app.dependencies import USER_ERRORS, CallerDep, ComponentsDep, feature

router = APIRouter(
    prefix="/api/v1/insights",
    tags=["insights"],
    dependencies=[Depends(feature("predictive_analytics"))],
    responses=USER_ERRORS,
)


@router.post("/forecast")
async def forecast_series(
    body: ForecastRequest, parts: ComponentsDep, who: CallerDep
) -> ForecastResponse:
    return await parts.insights.forecast(who, body)


@router.get("/{business_id}")
async def business_insights(
    business_id: Annotated[Uuid, Path()], parts: ComponentsDep, who: CallerDep
) -> BusinessInsightsResponse:
    return await parts.insights.insights(who, business_id)
