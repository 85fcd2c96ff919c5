"""Votes on predictions, and each model's performance with them (contract 3.5, 3.6)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header

from serve_app.contract.schemas.feedback import (
    FeedbackIn,
    FeedbackResponse,
    ModelsPerformanceResponse,
)
from serve_app.dependencies import (
    USER_ERRORS,
    CallerDep,
    ComponentsDep,
    caller,
    presents_operator_credential,
)

router = APIRouter(prefix="/api/v1", tags=["feedback"], responses=USER_ERRORS)


@router.post("/feedback/structured")
async def structured_feedback(
    body: FeedbackIn, parts: ComponentsDep, who: CallerDep
) -> FeedbackResponse:
    """Contract 3.5: always 200 when taken (a repeated vote too: `recorded` says which)."""
    return await parts.feedback.submit(who, body)


@router.get("/models/performance")
async def models_performance(
    parts: ComponentsDep, authorization: Annotated[str | None, Header()] = None
) -> ModelsPerformanceResponse:
    """A signed-in user sees the figures of their own businesses (and each model's held-out
    accuracy); the operator credential (OPS_TOKEN) sees the whole platform's."""
    if presents_operator_credential(parts.settings, authorization):
        return await parts.feedback.performance()
    return await parts.feedback.performance_of(await caller(parts, authorization))
