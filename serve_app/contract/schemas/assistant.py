"""POST /api/v1/generate/text and /generate/response: the web dashboard's chat."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from serve_app.contract.schemas.common import Clean, Strict, UtcDateTime, Uuid


class GenerateContext(BaseModel):
    """What the web chat sends along (contract 3.8): the business on screen."""

    model_config = ConfigDict(extra="ignore", strict=True)
    business_id: Uuid | None = None
    business_name: Annotated[Clean, Field(max_length=200)] | None = None


class GenerateRequest(Strict):
    """POST /api/v1/generate/text and /generate/response: a chat message, capped."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, strict=True)
    prompt: Annotated[
        Clean,
        Field(
            min_length=1,
            max_length=4000,
            description="At most 4,000 characters; a message asking for a bill (intent "
            "`make_bill`) at most 2,000, the limit of POST /api/v1/invoice/generate, which "
            "drafts it: a longer one is a 422 naming `prompt`.",
        ),
    ]
    context: GenerateContext = Field(default_factory=GenerateContext)


class GenerateTextResponse(BaseModel):
    """The web chat shows `text`."""

    text: str


class GenerateResponse(BaseModel):
    """The same answer, with what it was read as and the figures it used."""

    success: bool = True
    text: str
    intent: str
    confidence: float
    business_id: str | None
    figures: dict[str, object]
    generated_at: UtcDateTime
