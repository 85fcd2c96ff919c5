"""AssistantDeployment: the Serve shell around one AssistantPredictor per replica, and nothing
else. Loading, user_config (the confidence below which it says it is unsure, live) and health
come from ModelHost. It reads messages, never books: the ingress composes the answers."""

from __future__ import annotations

from ray import serve

from deployments.assistant.predictor import AssistantModels, AssistantPredictor
from deployments.hosting.host import ModelHost
from kernel.models.assistant import ASSISTANT, Understanding


@serve.deployment
class AssistantDeployment(ModelHost[AssistantPredictor]):
    seam = ASSISTANT
    artifact_type = AssistantModels
    predictor_type = AssistantPredictor

    async def understand(self, prompt: str) -> Understanding:
        with self._observed("message"):
            return await self._threaded(self._ready().understand, prompt)
