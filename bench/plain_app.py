"""The baselines of bench/compare.py: this project's own HTTP app (`create_api`, the same routes,
settings, store and cache) on plain uvicorn, with the six models in-process
(deployments/hosting/local.py over the same artifacts and tunings the Serve app loads). No Ray
import.

    uvicorn bench.plain_app:create --factory             U1 (1 worker), U2 (--workers 2)
    BENCH_MICROBATCH=1 uvicorn bench.plain_app:create --factory      UB

UB puts an asyncio micro-batcher (up to 32 requests or 2 ms, as FraudDeployment's @serve.batch)
in front of fraud scoring, the one model with a vectorised batch path; the other models run
per request in UB as in U1.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from fastapi import FastAPI

from deployments.assistant.predictor import AssistantPredictor
from deployments.compliance.checker import ComplianceChecker
from deployments.fraud.predictor import FraudPredictor
from deployments.hosting.artifacts import load_artifact, reported
from deployments.hosting.local import LocalModel
from deployments.insights.predictor import InsightsPredictor
from deployments.invoice.resolver import InvoiceDrafter
from deployments.ocr.predictor import OcrPredictor
from kernel.models import Seam
from kernel.models.assistant import ASSISTANT
from kernel.models.compliance import COMPLIANCE
from kernel.models.fraud import FRAUD, FraudModel, ScoreRequest, TxnScores
from kernel.models.insights import INSIGHTS
from kernel.models.invoice import INVOICE
from kernel.models.ocr import OCR
from serve_app import serve_config
from serve_app.api import create_api
from serve_app.components import build_components
from serve_app.infra.settings import load_settings
from serve_app.infra.telemetry import InProcessTelemetry

T = TypeVar("T")
R = TypeVar("R")


class MicroBatcher(Generic[T, R]):
    """Collects concurrent calls for up to `max_size` items or `wait_s`, then runs `run` once on
    the event loop for all of them (what @serve.batch does inside a replica)."""

    def __init__(
        self, run: Callable[[list[T]], list[R]], max_size: int = 32, wait_s: float = 0.002
    ) -> None:
        self._run, self._max, self._wait = run, max_size, wait_s
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._timer: asyncio.TimerHandle | None = None

    async def submit(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._pending.append((item, future))
        if len(self._pending) >= self._max:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(self._wait, self._flush)
        return await future

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, []
        try:
            results = self._run([item for item, _ in batch])
        except Exception as exc:
            for _, future in batch:
                future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)


class BatchedFraudModel(LocalModel[FraudModel]):
    """The fraud model with concurrent scores gathered into one predictor call, as the
    ingress batches them before the hop."""

    def __init__(self, predictor: FraudPredictor, details: dict[str, Any]) -> None:
        super().__init__(FRAUD, predictor, details)
        self._batcher: MicroBatcher[ScoreRequest, TxnScores] = MicroBatcher(predictor.score_many)

    async def score_many(self, requests: Sequence[ScoreRequest]) -> list[TxnScores]:
        return list(await asyncio.gather(*(self._batcher.submit(r) for r in requests)))


PREDICTORS: dict[Seam[Any], Callable[[Any, Any], Any]] = {
    FRAUD: FraudPredictor,
    INSIGHTS: InsightsPredictor,
    COMPLIANCE: ComplianceChecker,
    INVOICE: InvoiceDrafter,
    ASSISTANT: AssistantPredictor,
    OCR: OcrPredictor,
}
"""Each model's predictor, built from its artifact and tuning as its Serve shell builds it."""


def create() -> FastAPI:
    settings = load_settings()
    config = serve_config.load()
    models_dir = config.args.models.models_dir
    hosts: dict[Seam[Any], LocalModel[Any]] = {}
    for seam, predictor_type in PREDICTORS.items():
        tuned = config.tunings[seam.deployment]
        payload, manifest = load_artifact(
            models_dir, seam.name, tuned.model_version, tuned.model_sha256
        )
        predictor, details = predictor_type(payload, tuned), reported(seam, manifest)
        batched = seam is FRAUD and os.environ.get("BENCH_MICROBATCH")
        hosts[seam] = (
            BatchedFraudModel(predictor, details)
            if batched
            else LocalModel(seam, predictor, details)
        )
    models = {s.name: host.model() for s, host in hosts.items()}
    components = build_components(settings, **models, telemetry=InProcessTelemetry())
    return create_api(lambda: components, settings)
