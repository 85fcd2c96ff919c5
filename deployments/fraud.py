"""FraudDeployment: the Serve shell around one FraudPredictor per replica, and nothing else.

`user_config` (FraudTuning) names the model version; a new version is loaded in place by
`reconfigure`, after its sha256 check, without restarting the replica.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import time
from collections.abc import Sequence
from typing import Any

from ray import serve
from ray.serve import metrics
from ray.serve.exceptions import RayServeException

from deployments.artifacts import ArtifactError, load_artifact
from deployments.fraud_predictor import FraudModels, FraudPredictor, ScoreRequest
from serve_app.domain import Books, FraudReport, ModelInfo, Transaction, TxnScores
from serve_app.settings import FraudConfig, FraudTuning

logger = logging.getLogger("ai_backend")


@serve.deployment(
    max_ongoing_requests=16,
    max_queued_requests=64,
    ray_actor_options={"num_cpus": 0.25},
    autoscaling_config={
        "min_replicas": 1,
        "max_replicas": 2,
        "target_ongoing_requests": 4,
        "upscale_delay_s": 10,
        "downscale_delay_s": 120,
    },
    health_check_period_s=10,
    health_check_timeout_s=30,
    graceful_shutdown_timeout_s=20,
)
class FraudDeployment:
    def __init__(self, config: FraudConfig) -> None:
        self._config = config
        self._served = metrics.Counter(
            "ai_backend_predictions",
            description="Fraud predictions served (business analyses, scored transactions)",
            tag_keys=("model", "kind"),
        )
        self._latency = metrics.Histogram(
            "ai_backend_model_latency_ms",
            description="Time in the fraud model per call",
            boundaries=[1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 5000.0],
            tag_keys=("model", "kind"),
        )
        self._loaded = metrics.Gauge(
            "ai_backend_model_loaded",
            description="1 for the model version this replica serves",
            tag_keys=("model", "version"),
        )
        self._predictor: FraudPredictor | None = None
        self._info: ModelInfo | None = None
        try:
            self._replica_id = serve.get_replica_context().replica_id.unique_id
        except RayServeException:  # constructed outside a replica
            self._replica_id = "local"

    def reconfigure(self, user_config: dict[str, Any]) -> None:
        """Applies a new user_config in place. A model version that fails its integrity check
        is refused: a replica already serving keeps its model and reports the refusal in
        info() (so /health/detailed shows it degraded); a replica with no model fails."""
        tuning = FraudTuning.model_validate(user_config)
        try:
            predictor, details = self._predictor_for(tuning)
        except ArtifactError as exc:
            if self._predictor is None or self._info is None:
                raise
            logger.error(
                "fraud %s refused, still serving %s: %s",
                tuning.model_version,
                self._predictor.version,
                exc,
            )
            self._info = self._info.model_copy(
                update={"load_error": f"{tuning.model_version} refused: {exc}"}
            )
            return
        if self._info is not None and self._info.version != tuning.model_version:
            self._loaded.set(0, tags={"model": "fraud", "version": self._info.version})
        self._loaded.set(1, tags={"model": "fraud", "version": tuning.model_version})
        self._info = ModelInfo(
            name="fraud",
            version=tuning.model_version,
            metrics=details,
            config_hash=hashlib.sha256(tuning.model_dump_json().encode()).hexdigest()[:12],
            loaded_at=dt.datetime.now(dt.UTC),
            replica_id=self._replica_id,
        )
        self._predictor = predictor

    def _predictor_for(self, tuning: FraudTuning) -> tuple[FraudPredictor, dict[str, Any]]:
        """The current predictor with new tuning, or a new one when the artifact changes."""
        current, info = self._predictor, self._info
        if (
            current is not None
            and info is not None
            and current.version == tuning.model_version
            and tuning.model_sha256 in (None, info.metrics.get("sha256"))
        ):
            current.tuning = tuning
            return current, info.metrics
        models, manifest = load_artifact(
            self._config.models_dir, "fraud", tuning.model_version, tuning.model_sha256
        )
        if not isinstance(models, FraudModels) or models.version != tuning.model_version:
            raise ArtifactError(f"fraud {tuning.model_version}: not a FraudModels bundle")
        logger.info("fraud model %s loaded (sha256 %s)", tuning.model_version, manifest.sha256[:12])
        details = {
            "sha256": manifest.sha256,
            "held_out": manifest.metrics,
            "created_at": manifest.created_at.isoformat(),
        }
        return FraudPredictor(models, tuning), details

    def _ready(self) -> FraudPredictor:
        if self._predictor is None:
            raise RuntimeError("no fraud model loaded: user_config.model_version is required")
        return self._predictor

    async def report(self, books: Books) -> FraudReport:
        started = time.perf_counter()
        # scikit-learn is CPU-bound: keep the replica's event loop free for health checks.
        report = await asyncio.to_thread(self._ready().report, books)
        self._observe("analysis", 1, started)
        return report

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

    def _observe(self, kind: str, count: int, started: float) -> None:
        tags = {"model": "fraud", "kind": kind}
        self._served.inc(count, tags=tags)
        self._latency.observe((time.perf_counter() - started) * 1000, tags=tags)

    def info(self) -> ModelInfo:
        self._ready()
        assert self._info is not None
        return self._info

    def check_health(self) -> None:
        self._ready()
