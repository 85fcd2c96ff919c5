"""POST /api/v1/ocr/extract-text: a photo in, its printed lines out."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from serve_app.contract.schemas.common import Strict

OCR_MAX_IMAGE_BYTES = 6_000_000
"""The largest photo the OCR route takes: a 1920x1080 JPEG at quality 85 (what the client's
picker sends) is 0.3-1.5 MB; a PNG of the same size up to ~6 MB."""
OCR_MAX_BASE64_CHARS = 4 * -(-OCR_MAX_IMAGE_BYTES // 3)


class OcrRequest(Strict):
    """The OCR screen's photo (docs/api.md): base64 of the JPEG/PNG bytes."""

    model_config = ConfigDict(extra="ignore", strict=True)
    image: str = Field(min_length=1, max_length=OCR_MAX_BASE64_CHARS)
    format: Literal["base64"] = "base64"


class OcrResponse(BaseModel):
    success: bool = True
    extracted_text: str
