"""FraudDeployment: the Serve shell around one FraudPredictor per replica, and nothing else.
Loading, user_config and health come from ModelHost."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from ray import serve

from deployments.fraud.predictor import FraudModels, FraudPredictor, ScoreRequest
from deployments.hosting.host import ModelHost
from kernel.books import Books, Transaction
from kernel.model_io import FraudReport, TxnScores
from kernel.tuning import FraudTuning


@serve.deployment
class FraudDeployment(ModelHost[FraudPredictor]):
    name = "fraud"
    tuning_type = FraudTuning
    artifact_type = FraudModels
    predictor_type = FraudPredictor

    async def report(self, books: Books) -> FraudReport:
        with self._observed("analysis"):
            # scikit-learn is CPU-bound: keep the replica's event loop free for health checks.
            return await asyncio.to_thread(self._ready().report, books)

    async def score(
        self, batch: Sequence[Transaction], history: Sequence[Transaction]
    ) -> TxnScores:
        scored: TxnScores = await self._score_batch((batch, history))
        return scored

    @serve.batch(max_batch_size=32, batch_wait_timeout_s=0.002)
    async def _score_batch(self, requests: list[ScoreRequest]) -> list[TxnScores]:
        # Concurrent entry-time scores share one model call (see FraudPredictor.score_many).
        # It runs on the event loop: a batch takes ~20 ms, less than a thread hop costs here.
        started = time.perf_counter()
        scored = self._ready().score_many(requests)
        self._observe("transaction", sum(len(s.scores) for s in scored), started)
        return scored
