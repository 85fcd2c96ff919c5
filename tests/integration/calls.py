"""What the serving journeys share: calls against the deployed app and reads of its PostgreSQL
and its Ray cluster."""

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from sqlalchemy import text

from testkit.factories import (
    business_id,
)
from testkit.stores import setup_store
from tests.integration.conftest import Stack

FRAUD_TYPES = {
    "duplicate_invoice",
    "payment_mismatch",
    "suspicious_pattern",
    "duplicate_supplier_bill",
}


def analyze(
    http: httpx.Client,
    headers: dict[str, str],
    business: str | None = None,
) -> httpx.Response:
    return http.post(
        "/api/v1/fraud/analyze", json={"business_id": business or business_id()}, headers=headers
    )


def count(stack: Stack, sql: str) -> int:
    """A COUNT(*) over the stack's PostgreSQL, with :b bound to the demo business."""

    async def run() -> int:
        store = setup_store(stack.postgres.url)
        try:
            async with store.engine.connect() as conn:
                return int((await conn.execute(text(sql), {"b": business_id()})).scalar())
        finally:
            await store.close()

    return asyncio.run(run())


def replicas_of(deployment: str) -> dict[str, str]:
    """The deployment's live replica actors, name -> namespace. A name ends in the replica's
    unique id, the `replica_id` its health answer carries."""
    import ray

    return {
        a["name"]: a["namespace"] for a in ray.util.list_named_actors(all_namespaces=True)
        if a["name"].startswith("SERVE_REPLICA") and f"#{deployment}#" in a["name"]
    }  # fmt: skip


def poll(http: httpx.Client, path: str, status: int, timeout_s: float = 40) -> httpx.Response:
    deadline = time.monotonic() + timeout_s
    while True:
        response = http.get(path)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.5)


def fraud_check(
    http: httpx.Client, until: Callable[[dict[str, Any]], bool], timeout_s: float = 60
) -> dict[str, Any]:
    """The fraud deployment's own health check, asked again until `until` holds or time is up."""
    deadline = time.monotonic() + timeout_s
    check: dict[str, Any] = http.post("/health/test/fraud_deployment").json()
    while not until(check) and time.monotonic() < deadline:
        time.sleep(0.5)
        check = http.post("/health/test/fraud_deployment").json()
    return check


@contextlib.contextmanager
def fraud_model_version(stack: Stack, version: str) -> Iterator[None]:
    """The fraud deployment redeployed on `version` (by user_config) for the block, back on v1
    after it whatever happens inside."""
    try:
        stack.deploy(model_version=version)
        stack.wait_until_running()
        yield
    finally:
        stack.deploy(model_version="v1")
        stack.wait_until_running()
