"""POST /api/v1/feedback/structured and GET /api/v1/models/performance: votes on
predictions, and each model's accuracy with them."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from serve_app.contract.schemas.common import Clean, IsoDateTime, Strict, UtcDateTime

Identifier = Annotated[Clean, Field(min_length=1, max_length=100)]


class FeedbackIn(Strict):
    """POST /api/v1/feedback/structured (contract 3.5): `submitted_at` is Dart's
    toIso8601String, naive local time with micro- or milliseconds; `comment` may be null."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, strict=True)
    id: Identifier
    feedback_type: Annotated[Clean, Field(min_length=1, max_length=64)]
    entity_id: Identifier
    helpful: bool
    comment: Annotated[Clean, Field(max_length=2000)] | None = None
    submitted_at: IsoDateTime


class FeedbackResponse(BaseModel):
    """Status 200 always (the client throws on 201/204); the body says whether this vote
    counted or one by the same user on the same prediction already had."""

    success: bool = True
    recorded: bool
    model: str
    message: str


class ModelPerformance(BaseModel):
    """One model in GET /api/v1/models/performance (contract 3.6), plus what the score is
    made of (held_out_accuracy, feedback_votes, helpful_votes)."""

    model_name: str
    model_type: str
    accuracy_score: float
    last_updated: UtcDateTime
    total_predictions: int
    correct_predictions: int
    response_time_ms: float
    held_out_accuracy: float | None
    feedback_votes: int


class ModelsPerformanceResponse(BaseModel):
    models: list[ModelPerformance]
    accuracy_method: str
