"""OcrDeployment: the Serve shell around one OcrPredictor per replica, and nothing else.
Loading (the artifact that pins Tesseract and its language data), user_config and health come
from ModelHost. Images and their text are never logged or kept."""

from __future__ import annotations

from ray import serve

from deployments.hosting.host import ModelHost
from deployments.ocr.predictor import OcrModels, OcrPredictor
from kernel.models.ocr import OCR, OcrResult


@serve.deployment
class OcrDeployment(ModelHost[OcrPredictor]):
    seam = OCR
    artifact_type = OcrModels
    predictor_type = OcrPredictor

    async def read(self, image: bytes) -> OcrResult:
        with self._observed("image"):
            return await self._threaded(self._ready().read, image)
