"""Photos to text at the ingress: rate limit -> base64 -> the OCR deployment -> lines.

Public like the other legacy routes (the app's OCR screen sends no token), so each client
address has its own budget (RATE_LIMIT_OCR_PER_ADDRESS: a photo costs about a second of CPU).
Neither the image nor its text is logged, cached, audited or stored: only counts of images read
and refused (ai_backend_ocr_images_total). No Ray import: the engine is reached through the
OcrModel protocol.
"""

from __future__ import annotations

import base64
import binascii
import re

from kernel.models.ocr import OcrModel
from serve_app.contract.errors import NoTextFound, UnreadableImage
from serve_app.contract.schemas.ocr import OCR_MAX_IMAGE_BYTES, OcrRequest, OcrResponse
from serve_app.infra.rate_limit import RateLimiter
from serve_app.services.results import Results

DATA_URL = re.compile(r"^data:image/[a-z0-9.+-]+;base64,", re.IGNORECASE)


def image_bytes(text: str) -> bytes:
    """The bytes of a base64 image: standard or URL-safe alphabet, line breaks (MIME encoders
    wrap at 76) and a `data:image/...;base64,` prefix allowed; anything else refused."""
    packed = re.sub(r"\s+", "", DATA_URL.sub("", text.strip()))
    if "-" in packed or "_" in packed:
        packed = packed.replace("-", "+").replace("_", "/")
    packed += "=" * (-len(packed) % 4) if not packed.endswith("=") else ""
    try:
        data = base64.b64decode(packed, validate=True)
    except (binascii.Error, ValueError):
        raise UnreadableImage("not valid base64") from None
    if not data:
        raise UnreadableImage("the image is empty")
    if len(data) > OCR_MAX_IMAGE_BYTES:
        raise UnreadableImage(f"the image is over {OCR_MAX_IMAGE_BYTES:,} bytes")
    return data


class OcrService:
    def __init__(self, model: OcrModel, results: Results, limiter: RateLimiter) -> None:
        self._model, self._results, self._limiter = model, results, limiter

    async def extract(self, body: OcrRequest, client: str) -> OcrResponse:
        await self._limiter.check(client)
        image = image_bytes(body.image)
        result = await self._model.read(image)
        if result.refused is not None:
            self._results.count("ocr_images", ["refused"])
            raise UnreadableImage(result.refused)
        if not result.text.strip():
            self._results.count("ocr_images", ["blank"])
            raise NoTextFound
        self._results.count("ocr_images", ["read"])
        return OcrResponse(success=True, extracted_text=result.text)
