"""Faults on the real stack (Serve, PostgreSQL, Redis): processes killed or stopped while
requests flow, and what each costs. Each test leaves the app RUNNING for the next."""

from __future__ import annotations

import os
import signal
import time
import uuid

import httpx
import psutil
from sqlalchemy import text

from serve_app.infra.auth import mint_token
from tests.integration.conftest import Stack
from tests.support.factories import SECRET
from tests.support.stores import setup_store


def _alive_actors(class_part: str) -> list[dict[str, object]]:
    from ray.util.state import list_actors

    return [
        {"name": a.name, "pid": a.pid, "node_id": a.node_id}
        for a in list_actors(filters=[("state", "=", "ALIVE")], limit=10_000)
        if class_part in (a.class_name or "")
    ]


def _rows_of(stack: Stack, caller: str) -> int:
    import asyncio

    async def run() -> int:
        store = setup_store(stack.postgres.url)
        try:
            async with store.engine.connect() as conn:
                found = await conn.execute(
                    text("SELECT COUNT(*), COUNT(DISTINCT id) FROM ai_analysis_results"
                         " WHERE caller_id = :c"),
                    {"c": caller},
                )  # fmt: skip
                total, distinct = found.one()
                assert total == distinct
                return int(total)
        finally:
            await store.close()

    return asyncio.run(run())


def gone(pid: int, timeout_s: float) -> bool:
    """Whether process `pid` exits within `timeout_s` (a zombie not yet reaped has)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.2)
    return False


def _held_in_redis(stack: Stack) -> int:
    import redis

    from serve_app.infra.outbox import SHARED_KEY

    client = redis.Redis.from_url(stack.redis.url)
    try:
        return int(client.llen(SHARED_KEY))
    finally:
        client.close()


def test_ingress_replicas_sigtermed_in_an_outage_lose_no_audit_row_and_store_each_once(
    stack: Stack, http: httpx.Client
) -> None:
    """PostgreSQL stopped; a user's scores are answered and their audit rows, refused by the
    database, wait in the shared outbox in Redis. Every Ingress replica gets SIGTERM (a pod
    deleted, `ray stop`), SIGKILL if still there 20 s later (the end of a pod's grace period),
    and their node's disk is wiped (the pod's emptyDir gone with it): the rows do not depend on
    it. Serve starts new replicas; PostgreSQL back, every row is stored, once."""
    import shutil

    caller = str(uuid.uuid4())
    headers = {"Authorization": f"Bearer {mint_token(SECRET, caller)}"}
    score = {"transactions": [{"id": "t1", "type": "expense", "amount": 1250.0,
                               "date": "2026-06-02T11:00:00", "payment_mode": "upi",
                               "description": "Stationery"}]}  # fmt: skip
    held_before = _held_in_redis(stack)
    stack.postgres.stop()
    try:
        answered = 0
        for _ in range(20):
            response = http.post("/api/v1/fraud/score", headers=headers, json=score)
            assert response.status_code == 200, response.text
            answered += 1
        ingress = _alive_actors("Ingress")
        assert ingress
        for actor in ingress:
            os.kill(int(actor["pid"]), signal.SIGTERM)  # type: ignore[call-overload]
        # A Ray worker does not always leave on SIGTERM (the kubelet then SIGKILLs the pod's
        # processes at the end of its grace period): the rows must not depend on how it ends.
        for actor in ingress:
            pid = int(actor["pid"])  # type: ignore[call-overload]
            if not gone(pid, timeout_s=20):
                os.kill(pid, signal.SIGKILL)
                assert gone(pid, timeout_s=20)
        assert _held_in_redis(stack) - held_before >= answered
        shutil.rmtree(stack.log_dir / "outbox", ignore_errors=True)
    finally:
        stack.postgres.start()
    stack.wait_until_running()
    deadline = time.monotonic() + 120
    while _rows_of(stack, caller) < answered and time.monotonic() < deadline:
        time.sleep(1)
    time.sleep(3)  # a row replayed twice would show now
    assert _rows_of(stack, caller) == answered
