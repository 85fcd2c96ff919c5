"""The FastAPI ingress deployment: handles in, components out. Ray's exceptions stop here."""

from __future__ import annotations

import asyncio
import atexit
import dataclasses
import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, cast

import grpc  # type: ignore[import-untyped]
from fastapi import FastAPI
from ray import serve
from ray.exceptions import ActorUnavailableError, RayActorError, RayTaskError
from ray.serve import context as serve_context
from ray.serve.exceptions import BackPressureError, DeploymentUnavailableError
from ray.serve.handle import DeploymentHandle

from kernel.models import ModelInfo, Seam
from kernel.models.assistant import ASSISTANT
from kernel.models.compliance import COMPLIANCE
from kernel.models.fraud import FRAUD, FraudModel, ScoreRequest, TxnScores
from kernel.models.insights import INSIGHTS
from kernel.models.invoice import INVOICE
from kernel.models.ocr import OCR
from serve_app.api import create_api
from serve_app.components import Components, build_components
from serve_app.contract.errors import AppError, ModelUnavailable
from serve_app.infra.deadline import remaining
from serve_app.infra.logs import configure_logging
from serve_app.infra.settings import load_settings
from serve_app.ray_telemetry import RayTelemetry

M = TypeVar("M")


def serve_request_id(rid: str) -> None:
    """Makes the app's own request id Serve's for this request: Serve passes its request id with
    every handle call made while serving it, so the model replicas' log lines (Serve's JSON
    logs, `request_id`) carry the id of the ingress's lines, the audit rows and the response's
    X-Request-ID. (A batch of fraud scores travels under the id of the request that started it.)
    Ray's request context is private API: Ray is pinned, and tests/integration/test_faults.py
    follows one id through every place."""
    context = serve_context._get_serve_request_context()
    serve_context._serve_request_context.set(dataclasses.replace(context, request_id=rid))


class HandleClient:
    """A model deployment's methods, as its seam declares them (kernel/models), over its
    DeploymentHandle with the replica's deadline. Typed as the seam's Protocol by `remote`."""

    def __init__(self, seam: Seam[Any], handle: DeploymentHandle[Any], timeout_s: float) -> None:
        self._seam, self._handle, self._timeout = seam, handle, timeout_s

    def __getattr__(self, method: str) -> Callable[..., Awaitable[Any]]:
        if method.startswith("_") or method not in self._seam.methods:
            raise AttributeError(method)
        return functools.partial(self._call, method)

    async def _call(self, method: str, *args: Any, budgeted: bool = True) -> Any:
        """The call, within the model's deadline and what the request has left of its budget
        (`budgeted`). Past it, or when the request itself is cancelled (the client left), the
        remote call is cancelled: Ray cancels the replica's task, whose thread then stops at its
        next checkpoint (deployments/hosting/host.py), so abandoned work does not keep its
        model slot."""
        name = self._seam.name
        timeout = remaining(self._timeout) if budgeted else self._timeout
        response = getattr(self._handle, method).remote(*args)
        try:
            return await asyncio.wait_for(response, timeout)
        except asyncio.CancelledError:
            response.cancel()
            raise
        except TimeoutError as exc:
            response.cancel()
            raise ModelUnavailable(name, "timeout") from exc
        except BackPressureError as exc:
            raise ModelUnavailable(name, "overloaded") from exc
        except (DeploymentUnavailableError, ActorUnavailableError, RayActorError) as exc:
            raise ModelUnavailable(name, "unavailable") from exc
        except grpc.aio.AioRpcError as exc:  # the gRPC hop between deployments itself failed
            raise ModelUnavailable(name, "transport") from exc
        except RayTaskError as exc:
            if isinstance(exc, AppError):  # keeps its status; str(exc) is a remote traceback
                raise
            raise ModelUnavailable(name, "model_error") from exc

    async def info(self) -> ModelInfo:
        result: ModelInfo = await self._call("info")
        return result


def remote(seam: Seam[M], handle: DeploymentHandle[Any], timeout_s: float) -> M:
    """The model behind `handle`, as its seam's Protocol."""
    return cast(M, HandleClient(seam, handle, timeout_s))


class FraudClient(HandleClient):
    """The fraud model, with its scores batched before the hop."""

    async def score_many(self, requests: Sequence[ScoreRequest]) -> list[TxnScores]:
        return list(await asyncio.gather(*(self._score_together(r) for r in requests)))

    @serve.batch(max_batch_size=32, batch_wait_timeout_s=0.0, max_concurrent_batches=16)
    async def _score_together(self, requests: list[ScoreRequest]) -> list[TxnScores]:
        """Batching before the hop: scores that arrive while earlier ones are in flight travel
        in one handle call and one model call (FraudPredictor.score_many). No waiting: a lone
        request goes at once; under load, batches form from what queued meanwhile. Up to 16
        batches in flight, as many as a FraudDeployment replica takes (max_ongoing_requests in
        config/serve.yaml); 1, 2, 4, 8 and 16 were measured (docs/performance.md)."""
        # Serve's batch loop runs in the context of the request that started it, long answered:
        # its budget is not this batch's, so only the model's own deadline applies.
        result: list[TxnScores] = await self._call("score_many", requests, budgeted=False)
        return result


@serve.deployment  # its settings: config/serve.yaml
@serve.ingress()
class Ingress:
    def __init__(
        self,
        fraud: DeploymentHandle[Any],
        insights: DeploymentHandle[Any],
        compliance: DeploymentHandle[Any],
        invoice: DeploymentHandle[Any],
        assistant: DeploymentHandle[Any],
        ocr: DeploymentHandle[Any],
    ) -> None:
        settings = load_settings()
        configure_logging(settings.LOG_DIR, settings.LOG_LEVEL, settings.LOG_FILES)
        timeout = settings.MODEL_TIMEOUT_SECONDS
        self.components: Components = build_components(
            settings,
            cast(FraudModel, FraudClient(FRAUD, fraud, timeout)),
            remote(INSIGHTS, insights, timeout),
            remote(COMPLIANCE, compliance, timeout),
            remote(INVOICE, invoice, timeout),
            remote(ASSISTANT, assistant, timeout),
            remote(OCR, ocr, timeout),
            telemetry=RayTelemetry(),
        )

        # A replica stopped by SIGTERM (a pod deleted, `ray stop`) leaves Python through its exit
        # handlers: the audit rows it still holds are handed off there (a graceful stop does it
        # in __del__ below).
        atexit.register(self.components.auditor.hand_off)

    async def check_health(self) -> None:
        """Serve's periodic check of this replica (health_check_period_s). It also keeps the
        replica's background round going from its start, before any request: a replica that
        replaced one that died replays the audit rows left behind at once. It never fails for
        a dependency: a database outage must not have Serve restart the ingress."""
        self.components.health.keep_refreshing()

    def __serve_build_asgi_app__(self) -> FastAPI:
        return create_api(lambda: self.components, self.components.settings, serve_request_id)

    async def __del__(self) -> None:
        """Graceful replica shutdown: Serve awaits this on the replica's loop, so pending audit
        writes land and the pools close cleanly."""
        components: Components | None = getattr(self, "components", None)  # __init__ may fail
        if components is not None:
            await components.close()
