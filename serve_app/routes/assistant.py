"""The web dashboard's AI Autopilot chat: a message answered, as text or with its reading."""

from __future__ import annotations

from fastapi import APIRouter

from serve_app.contract.schemas.assistant import (
    GenerateRequest,
    GenerateResponse,
    GenerateTextResponse,
)
from serve_app.dependencies import USER_ERRORS, CallerDep, ComponentsDep

router = APIRouter(prefix="/api/v1/generate", tags=["assistant"], responses=USER_ERRORS)


@router.post("/text")
async def generate_text(
    body: GenerateRequest, parts: ComponentsDep, who: CallerDep
) -> GenerateTextResponse:
    """The web dashboard's AI Autopilot chat (contract 3.8): the answer's text."""
    return GenerateTextResponse(text=(await parts.assistant.answer(who, body)).text)


@router.post("/response")
async def generate_response(
    body: GenerateRequest, parts: ComponentsDep, who: CallerDep
) -> GenerateResponse:
    """The same answer with what the message was read as and the figures it used."""
    answer = await parts.assistant.answer(who, body)
    return GenerateResponse(
        text=answer.text,
        intent=answer.intent,
        confidence=answer.confidence,
        business_id=answer.business_id,
        figures=answer.figures,
        generated_at=parts.assistant.now(),
    )
