"""One time budget per request: calls take what is left of it, a spent budget is a 504 before
any call is made, and a model call past its time is cancelled at the replica, not abandoned."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import grpc
import pytest
from ray.exceptions import ActorDiedError
from ray.serve._private.common import DeploymentID
from ray.serve.exceptions import BackPressureError, DeploymentUnavailableError

from kernel.models.fraud import FRAUD
from kernel.models.invoice import INVOICE
from serve_app.contract.errors import DeadlineExceeded, ModelUnavailable, app_error_handler
from serve_app.infra.deadline import budget, detached, remaining
from serve_app.ingress import HandleClient


class Pending:
    """What `.remote()` returns: awaitable, and cancellable as a DeploymentResponse is."""

    def __init__(self) -> None:
        self.cancelled = False
        self._never: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def __await__(self) -> Any:
        return self._never.__await__()

    def cancel(self) -> None:
        self.cancelled = True


class Handle:
    """A DeploymentHandle whose calls never finish."""

    def __init__(self) -> None:
        self.sent: list[Pending] = []

    def __getattr__(self, method: str) -> Any:
        handle = self

        class Method:
            def remote(self, *args: Any) -> Pending:
                handle.sent.append(Pending())
                return handle.sent[-1]

        return Method()


async def test_a_model_call_past_the_budget_is_cancelled_at_the_replica() -> None:
    handle = Handle()
    client = HandleClient(FRAUD, handle, timeout_s=30.0)  # type: ignore[arg-type]
    with budget(0.05), pytest.raises(ModelUnavailable) as timed_out:
        await client.info()
    assert timed_out.value.details == {"model": "fraud", "reason": "timeout", "retry_after_s": 5}
    assert [p.cancelled for p in handle.sent] == [True]


async def test_a_request_cancelled_while_its_model_works_cancels_the_call_at_the_replica() -> None:
    """The client left (Serve cancels the request): the model call goes too, so the replica's
    thread stops at its next checkpoint instead of working for no one."""
    handle = Handle()
    client = HandleClient(INVOICE, handle, timeout_s=30.0)  # type: ignore[arg-type]
    call = asyncio.ensure_future(client.info())
    while not handle.sent:
        await asyncio.sleep(0)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert [p.cancelled for p in handle.sent] == [True]


async def test_a_spent_budget_is_a_504_before_any_call_is_made() -> None:
    handle = Handle()
    client = HandleClient(FRAUD, handle, timeout_s=30.0)  # type: ignore[arg-type]
    with budget(0.01):
        await asyncio.sleep(0.02)
        with pytest.raises(DeadlineExceeded):
            await client.info()
    assert handle.sent == []


async def test_calls_take_the_smaller_of_their_cap_and_what_is_left() -> None:
    assert remaining(7.0) == 7.0  # outside a request: the cap
    with budget(1.0):
        assert 0.9 < remaining(7.0) <= 1.0 and remaining(0.2) == 0.2
        with budget(60.0):  # an inner budget never extends the outer one
            assert remaining(7.0) <= 1.0


async def test_background_work_started_by_a_request_is_not_bound_by_its_budget() -> None:
    async def later() -> float:
        await asyncio.sleep(0.05)
        return remaining(7.0)

    with budget(0.01):
        task = detached(later())
    assert await task == 7.0


class Refusing(Handle):
    """A DeploymentHandle whose calls fail as Ray fails them."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error

    def __getattr__(self, method: str) -> Any:
        error = self.error

        class Method:
            def remote(self, *args: Any) -> Any:
                async def fail() -> Any:
                    raise error

                return fail()

        return Method()


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (BackPressureError(64, 64, 503, 5), "overloaded"),
        (DeploymentUnavailableError(DeploymentID("FraudDeployment", "fineasy")), "unavailable"),
        (ActorDiedError(), "unavailable"),
        (
            grpc.aio.AioRpcError(
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                grpc.aio.Metadata(),
                grpc.aio.Metadata(),
                "Received message larger than max",
            ),
            "transport",
        ),
    ],
)
async def test_rays_refusals_become_the_apps_json_503_with_retry_after(
    error: BaseException, reason: str
) -> None:
    """Serve's backpressure, a deployment that failed, a replica that died, the gRPC hop failing:
    each reaches the client as 503 model_unavailable in the one JSON shape with Retry-After, not
    Ray's text or a 500."""
    client = HandleClient(FRAUD, Refusing(error), timeout_s=30.0)  # type: ignore[arg-type]
    with pytest.raises(ModelUnavailable) as refused:
        await client.info()
    assert refused.value.details == {"model": "fraud", "reason": reason, "retry_after_s": 5}
    response = await app_error_handler(None, refused.value)  # type: ignore[arg-type]
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert json.loads(bytes(response.body))["code"] == "model_unavailable"
