"""Fakes behind the model seams (kernel/models): the real predictors hosted in-process
(deployments/hosting/local.py) with fixed held-out figures, and a model that is down."""

from __future__ import annotations

from typing import Any

from deployments.hosting.local import LocalModel
from kernel.models import ModelInfo, Seam
from serve_app.contract.errors import ModelUnavailable

HELD_OUT_ACCURACY = {
    "fraud": 0.9,
    "insights": 0.8,
    "compliance": 0.92,
    "invoice": 0.95,
    "assistant": 0.91,
    "ocr": 0.99,
}
"""What each fake says it scored on held-out data (a real host reads its manifest)."""


def local(seam: Seam[Any], predictor: Any) -> LocalModel[Any]:
    """`predictor` behind `seam`'s methods, in-process, saying it scored HELD_OUT_ACCURACY on
    held-out data (a real host reads its manifest)."""
    details = {"accuracy": HELD_OUT_ACCURACY[seam.name], "created_at": "2025-12-31T08:00:00+00:00"}
    return LocalModel(seam, predictor, details)


class UnavailableModel:
    """Any model deployment that is overloaded (calls) or gone (info)."""

    def __init__(self, name: str = "fraud") -> None:
        self.name = name

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_"):
            raise AttributeError(method)

        async def overloaded(*_: object) -> Any:
            raise ModelUnavailable(self.name, "overloaded")

        return overloaded

    async def info(self) -> ModelInfo:
        raise ModelUnavailable(self.name, "unavailable")
