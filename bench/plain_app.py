"""The baselines of bench/compare.py: this project's own HTTP app (`create_api`, the same routes,
settings, store and cache) on plain uvicorn, with the four models in-process (the tests'
Local*Model adapters over the same artifacts and tunings the Serve app loads). No Ray import.

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
from typing import Generic, TypeVar

from fastapi import FastAPI

from deployments.assistant.predictor import AssistantPredictor
from deployments.compliance.checker import ComplianceChecker
from deployments.fraud.predictor import FraudPredictor, ScoreRequest
from deployments.hosting.artifacts import load_artifact
from deployments.insights.predictor import InsightsPredictor
from deployments.invoice.parser import InvoiceParser
from deployments.ocr.predictor import OcrPredictor
from kernel.books import Transaction
from kernel.model_io import TxnScores
from kernel.tuning import (
    AssistantTuning,
    ComplianceTuning,
    FraudTuning,
    InsightsTuning,
    InvoiceTuning,
    OcrTuning,
)
from serve_app import serve_config
from serve_app.api import create_api
from serve_app.components import build_components
from serve_app.infra.settings import load_settings
from tests.support.fakes import (
    LocalAssistantModel,
    LocalComplianceModel,
    LocalFraudModel,
    LocalInsightsModel,
    LocalInvoiceModel,
    LocalOcrModel,
)

TUNINGS = {
    "FraudDeployment": FraudTuning,
    "InsightsDeployment": InsightsTuning,
    "ComplianceDeployment": ComplianceTuning,
    "InvoiceDeployment": InvoiceTuning,
    "AssistantDeployment": AssistantTuning,
    "OcrDeployment": OcrTuning,
}
"""serve_app.app.TUNINGS, restated so this process never imports Ray (a unit test holds them
equal)."""
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


class BatchedFraudModel(LocalFraudModel):
    def __init__(self, predictor: FraudPredictor) -> None:
        super().__init__(predictor)
        self._batcher: MicroBatcher[ScoreRequest, TxnScores] = MicroBatcher(predictor.score_many)

    async def score(
        self, batch: Sequence[Transaction], history: Sequence[Transaction]
    ) -> TxnScores:
        return await self._batcher.submit((batch, history))


def create() -> FastAPI:
    settings = load_settings()
    config = serve_config.validate(serve_config.read(), TUNINGS)
    models_dir = config.args.models.models_dir

    def artifact(name: str, deployment: str) -> object:
        tuned = config.tunings[deployment]
        return load_artifact(models_dir, name, tuned.model_version, tuned.model_sha256)[0]

    fraud = FraudPredictor(artifact("fraud", "FraudDeployment"), config.tuning(FraudTuning))
    components = build_components(
        settings,
        BatchedFraudModel(fraud) if os.environ.get("BENCH_MICROBATCH") else LocalFraudModel(fraud),
        LocalInsightsModel(
            InsightsPredictor(
                artifact("insights", "InsightsDeployment"), config.tuning(InsightsTuning)
            )
        ),
        LocalComplianceModel(
            ComplianceChecker(
                artifact("compliance", "ComplianceDeployment"), config.tuning(ComplianceTuning)
            )
        ),
        LocalInvoiceModel(
            InvoiceParser(artifact("invoice", "InvoiceDeployment"), config.tuning(InvoiceTuning))
        ),
        LocalAssistantModel(
            AssistantPredictor(
                artifact("assistant", "AssistantDeployment"), config.tuning(AssistantTuning)
            )
        ),
        LocalOcrModel(OcrPredictor(artifact("ocr", "OcrDeployment"), config.tuning(OcrTuning))),
    )
    return create_api(lambda: components, settings)
