"""The assistant model's seam: what one chat message asks for (`understand`)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from kernel.models import ModelInfo, Seam
from kernel.tuning import ModelTuning

LearnedIntent = Literal[
    "cash_outlook",
    "receivables",
    "payables",
    "top_customers",
    "expense_trend",
    "fraud_alerts",
    "gst_rate",
    "gst_due_dates",
    "gstin_check",
    "make_bill",
    "help",
    "out_of_scope",
]
"""What the assistant's intent model tells apart (its training labels)."""
AssistantIntent = LearnedIntent | Literal["unsure", "classify_expense"]
"""...and what rules add: too unsure to say, or the app's expense-classification prompt."""


class Understanding(BaseModel):
    """What one chat message asks for, and what its answer needs from the text."""

    model_config = ConfigDict(frozen=True)

    intent: AssistantIntent
    confidence: float = Field(ge=0.0, le=1.0)
    priority: Literal["essential", "important", "discretionary", "non_essential"] | None = None
    """The answer to the app's expense-classification prompt (intent classify_expense)."""
    gstin: str | None = None
    hsn: str | None = None
    item: str | None = None
    """The goods a GST-rate question names ("cement" in "is GST on cement 18% now?")."""
    on_date: dt.date | None = None
    gst_return: str | None = None
    horizon_months: int | None = Field(default=None, ge=1, le=4)


class AssistantTuning(ModelTuning):
    min_intent_confidence: float = Field(ge=0.0, le=1.0)
    """Below this the assistant says what it can answer instead of guessing what was asked."""


class AssistantModel(Protocol):
    async def understand(self, prompt: str) -> Understanding: ...
    async def info(self) -> ModelInfo: ...


def held_out_accuracy(metrics: dict[str, Any]) -> float | None:
    """Intent accuracy on the questions written apart from training (eval_world)."""
    accuracy = metrics.get("accuracy_independent")
    return float(accuracy) if accuracy is not None else None


ASSISTANT: Seam[AssistantModel] = Seam(
    "assistant", "AssistantDeployment", AssistantTuning, AssistantModel, held_out_accuracy
)
