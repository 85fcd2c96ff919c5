"""Every model's seam, and what follows from the list: the `user_config` type of each model
deployment by its name in config/serve.yaml."""

from __future__ import annotations

from typing import Any

from kernel.models import Seam, assistant, compliance, fraud, insights, invoice, ocr
from kernel.tuning import ModelTuning

SEAMS: tuple[Seam[Any], ...] = (
    fraud.FRAUD,
    insights.INSIGHTS,
    compliance.COMPLIANCE,
    invoice.INVOICE,
    assistant.ASSISTANT,
    ocr.OCR,
)
TUNINGS: dict[str, type[ModelTuning]] = {seam.deployment: seam.tuning for seam in SEAMS}
"""Each model deployment's `user_config` type, by its name in serve.yaml."""
