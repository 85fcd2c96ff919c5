"""AssistantDeployment: the Serve shell around one AssistantPredictor per replica, and nothing
else. Loading, user_config (the confidence below which it says it is unsure, live) and health
come from ModelHost. It reads messages, never books: the ingress composes the answers."""

from __future__ import annotations

from typing import Any

from ray import serve

from deployments.assistant.predictor import AssistantModels, AssistantPredictor
from deployments.hosting.host import ModelHost
from kernel.model_io import Understanding
from kernel.tuning import AssistantTuning


@serve.deployment
class AssistantDeployment(ModelHost[AssistantPredictor]):
    name = "assistant"
    tuning_type = AssistantTuning
    artifact_type = AssistantModels
    predictor_type = AssistantPredictor

    @staticmethod
    def held_out_accuracy(metrics: dict[str, Any]) -> float | None:
        """Intent accuracy on the questions written apart from training (eval_world)."""
        accuracy = metrics.get("accuracy_independent")
        return float(accuracy) if accuracy is not None else None

    async def understand(self, prompt: str) -> Understanding:
        with self._observed("message"):
            return await self._threaded(self._ready().understand, prompt)
