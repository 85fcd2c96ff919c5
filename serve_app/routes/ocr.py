"""The OCR Invoice Scanner: a photo's printed lines (no token)."""

from __future__ import annotations

from fastapi import APIRouter

from serve_app.contract.schemas.ocr import OcrRequest, OcrResponse
from serve_app.dependencies import PUBLIC_ERRORS, AddressDep, ComponentsDep

OCR_PATH = "/api/v1/ocr/extract-text"
"""The one route with its own body limit and in-flight cap (serve_app/api.py)."""

router = APIRouter(tags=["ocr"])


@router.post(OCR_PATH, responses=PUBLIC_ERRORS)
async def extract_text(body: OcrRequest, address: AddressDep, parts: ComponentsDep) -> OcrResponse:
    """The OCR Invoice Scanner's photo (docs/api.md): no token; its printed lines, top to
    bottom, a table's columns two spaces apart. Never logged or stored."""
    return await parts.ocr.extract(body, address)
