"""A business's fraud alerts, and entry-time scores of new transactions."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from serve_app.contract.schemas.fraud import (
    FraudAnalysisResponse,
    FraudAnalyzeRequest,
    FraudScoreRequest,
    FraudScoreResponse,
)
from serve_app.dependencies import USER_ERRORS, CallerDep, ComponentsDep, feature

router = APIRouter(
    prefix="/api/v1/fraud",
    tags=["fraud"],
    dependencies=[Depends(feature("fraud_detection"))],
    responses=USER_ERRORS,
)


@router.post("/analyze")
async def analyze_fraud(
    body: FraudAnalyzeRequest, parts: ComponentsDep, who: CallerDep
) -> FraudAnalysisResponse:
    return await parts.fraud.analyze(who, body.business_id)


@router.post("/score")
async def score_transactions(
    body: FraudScoreRequest, parts: ComponentsDep, who: CallerDep
) -> FraudScoreResponse:
    return await parts.fraud.score(who, body)
