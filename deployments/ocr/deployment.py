"""OcrDeployment: the Serve shell around one OcrPredictor per replica, and nothing else.
Loading (the artifact that pins Tesseract and its language data), user_config and health come
from ModelHost. Images and their text are never logged or kept."""

from __future__ import annotations

from typing import Any

from ray import serve

from deployments.hosting.host import ModelHost
from deployments.ocr.predictor import OcrModels, OcrPredictor
from kernel.model_io import OcrResult
from kernel.tuning import OcrTuning


@serve.deployment
class OcrDeployment(ModelHost[OcrPredictor]):
    name = "ocr"
    tuning_type = OcrTuning
    artifact_type = OcrModels
    predictor_type = OcrPredictor

    @staticmethod
    def held_out_accuracy(metrics: dict[str, Any]) -> float | None:
        """1 - character error rate on the photographed invoices of eval_world."""
        cer = metrics.get("cer_independent")
        return 1.0 - float(cer) if cer is not None else None

    async def read(self, image: bytes) -> OcrResult:
        with self._observed("image"):
            return await self._threaded(self._ready().read, image)
