"""FraudDeployment: the Serve shell around one FraudPredictor per replica, and nothing else.
Loading, user_config and health come from ModelHost."""

from __future__ import annotations

import time
from collections.abc import Sequence

from ray import serve

from deployments.fraud.predictor import FraudModels, FraudPredictor
from deployments.hosting.host import ModelHost
from kernel.books import Books
from kernel.models.fraud import FRAUD, FraudReport, ScoreRequest, TxnScores


@serve.deployment
class FraudDeployment(ModelHost[FraudPredictor]):
    seam = FRAUD
    artifact_type = FraudModels
    predictor_type = FraudPredictor

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
