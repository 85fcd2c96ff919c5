"""The fraud model's seam: findings in a business's books (`report`) and suspicion scores of
transactions at entry (`score_many`, several requests in one call)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from kernel.books import Books, Transaction
from kernel.models import ModelInfo, Seam
from kernel.tuning import ModelTuning

FraudType = Literal[
    "duplicate_invoice", "payment_mismatch", "suspicious_pattern", "duplicate_supplier_bill"
]


class Finding(BaseModel):
    """One fraud/error finding. `subject_ids` name the rows; `evidence` is flat for the app."""

    model_config = ConfigDict(frozen=True)

    id: str
    type: FraudType
    message: str
    confidence_score: float = Field(ge=0.0, le=1.0)
    evidence: dict[str, str | int | float | bool | None]
    subject_ids: tuple[str, ...]


class TxnScore(BaseModel):
    """The suspicion score of one transaction scored inline."""

    index: int
    transaction_id: str | None
    score: float
    suspicious: bool
    reasons: list[str]


class TxnScores(BaseModel):
    scores: list[TxnScore]
    model_version: str


class FraudReport(BaseModel):
    findings: list[Finding]
    risk_score: float
    model_version: str


ScoreRequest = tuple[Sequence[Transaction], Sequence[Transaction]]
"""One request's transactions to score and the history they are scored against."""


class FraudTuning(ModelTuning):
    min_confidence: float = Field(ge=0.0, le=1.0)
    """Findings below this are not reported. The app shows alerts from 0.7 up by default."""
    duplicate_window_days: int = Field(ge=1, le=365)
    """How far apart two sales may be to be compared as a possible duplicate."""
    supplier_window_days: int = Field(ge=1, le=365)
    """The same for supplier bills, which are often booked weeks late."""


class FraudModel(Protocol):
    async def report(self, books: Books) -> FraudReport: ...
    async def score_many(self, requests: Sequence[ScoreRequest]) -> list[TxnScores]: ...
    async def info(self) -> ModelInfo: ...


def held_out_accuracy(metrics: dict[str, Any]) -> float | None:
    """The share of held-out alerts that were right: precision pooled over the types."""
    counts = [m for m in metrics.values() if isinstance(m, dict) and "true_positives" in m]
    raised = sum(m["true_positives"] + m["false_positives"] for m in counts)
    return sum(m["true_positives"] for m in counts) / raised if raised else None


FRAUD: Seam[FraudModel] = Seam(
    "fraud", "FraudDeployment", FraudTuning, FraudModel, held_out_accuracy
)
