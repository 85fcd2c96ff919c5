"""POST /api/v1/fraud/analyze and /score: a business's alerts, and entry-time scores of
new transactions."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from kernel.models.fraud import FraudType
from serve_app.contract.schemas.common import (
    Clean,
    CleanText,
    IsoDateTime,
    Strict,
    UtcDateTime,
    Uuid,
)


class FraudAnalyzeRequest(Strict):
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, strict=True)
    business_id: Uuid


class FraudAlert(BaseModel):
    id: str
    type: FraudType
    message: str
    confidence_score: float
    evidence: dict[str, str | int | float | bool | None]
    detected_at: UtcDateTime


class FraudAnalysisResponse(BaseModel):
    business_id: str
    alerts: list[FraudAlert]
    risk_score: float
    analysis_metadata: dict[str, str | int | float | bool | None]
    analyzed_at: UtcDateTime


TxnType = Literal[
    "income", "expense", "credit", "debit", "payment_in", "payment_out", "sale", "purchase"
]


class TransactionIn(Strict):
    """A transaction as the app holds it at entry time."""

    id: Annotated[Clean, Field(max_length=64)] | None = None
    type: TxnType
    amount: float = Field(gt=0, le=1e12)
    date: IsoDateTime
    payment_mode: Annotated[Clean, Field(max_length=32)] = "cash"
    description: CleanText = ""
    customer_id: Uuid | None = None
    supplier_id: Uuid | None = None
    invoice_id: Uuid | None = None


class FraudScoreRequest(Strict):
    transactions: list[TransactionIn] = Field(min_length=1, max_length=1000)
    history: list[TransactionIn] = Field(default_factory=list, max_length=5000)
    """Recent transactions of the same business, to judge the new ones against."""


class TransactionScore(BaseModel):
    index: int
    transaction_id: str | None
    score: float
    suspicious: bool
    reasons: list[str]


class FraudScoreResponse(BaseModel):
    scores: list[TransactionScore]
    model_version: str
    scored_at: UtcDateTime
