"""The OCR model's seam: what one photo says, line by line (`read`)."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, Field

from kernel.models import ModelInfo, Seam
from kernel.tuning import ModelTuning


class OcrLine(BaseModel):
    text: str
    confidence: float = Field(ge=0.0, le=100.0)
    """Tesseract's mean word confidence (0-100): a ranking, not a probability."""


class OcrResult(BaseModel):
    """What one photo says, line by line; or why it could not be read (`refused`)."""

    lines: list[OcrLine] = Field(default_factory=list)
    refused: str | None = None
    """Set when the bytes are not an image the service reads (the ingress answers 422)."""
    angle: float = 0.0
    width: int = 0
    height: int = 0
    model_version: str = ""

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


class OcrTuning(ModelTuning):
    max_pixels: int = Field(ge=100_000, le=100_000_000)
    """Larger images are refused from their header, before decoding (a 6000x4000 phone photo
    is 24 million; the client sends at most 1920x1080)."""
    timeout_s: float = Field(gt=0.0, le=60.0)
    """A photo is read in at most this long, cleanup and Tesseract together (Tesseract is then
    killed), else refused with the reason: under the ingress's time for a model call (10 s), so
    the caller hears why rather than a 503 timeout."""


class OcrModel(Protocol):
    async def read(self, image: bytes) -> OcrResult: ...
    async def info(self) -> ModelInfo: ...


def held_out_accuracy(metrics: dict[str, Any]) -> float | None:
    """1 - character error rate on the photographed invoices of eval_world."""
    cer = metrics.get("cer_independent")
    return 1.0 - float(cer) if cer is not None else None


OCR: Seam[OcrModel] = Seam("ocr", "OcrDeployment", OcrTuning, OcrModel, held_out_accuracy)
