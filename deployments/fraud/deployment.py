"""FraudDeployment: the Serve shell around one FraudPredictor per replica, and nothing else.
Loading, user_config and health come from ModelHost."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from ray import serve

from deployments.fraud.predictor import FraudModels, FraudPredictor, ScoreRequest
from deployments.hosting.host import ModelHost
from kernel.books import Books
from kernel.model_io import FraudReport, TxnScores
from kernel.tuning import FraudTuning


@serve.deployment
class FraudDeployment(ModelHost[FraudPredictor]):
    name = "fraud"
    tuning_type = FraudTuning
    artifact_type = FraudModels
    predictor_type = FraudPredictor

    @staticmethod
    def held_out_accuracy(metrics: dict[str, Any]) -> float | None:
        """The share of held-out alerts that were right: precision pooled over the types."""
        counts = [m for m in metrics.values() if isinstance(m, dict) and "true_positives" in m]
        raised = sum(m["true_positives"] + m["false_positives"] for m in counts)
        return sum(m["true_positives"] for m in counts) / raised if raised else None

    async def report(self, books: Books) -> FraudReport:
        with self._observed("analysis"):
            return await self._threaded(self._ready().report, books)

    async def score_many(self, requests: Sequence[ScoreRequest]) -> list[TxnScores]:
        """Several entry-time scores at once (the Ingress batches them before the hop): the
        model's fixed cost per call is paid once."""
        started = time.perf_counter()
        scored = await self._threaded(self._ready().score_many, requests)
        self._observe("transaction", sum(len(s.scores) for s in scored), started)
        return scored
