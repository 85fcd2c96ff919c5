"""Faults on the real stack (Serve, PostgreSQL, Redis): processes killed or stopped while
requests flow, and what each costs. Each test leaves the app RUNNING for the next."""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy import text

from serve_app.infra.auth import mint_token
from testkit.factories import (
    CASH_WITHDRAWAL_AT_NIGHT,
    SECRET,
    business_id,
    owner_headers,
)
from testkit.stores import setup_store
from tests.integration.conftest import Stack
from tests.support.traffic import Traffic

logger = logging.getLogger(__name__)


def alive_actors(class_part: str) -> list[dict[str, object]]:
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


def _waiting_until(
    http: httpx.Client, done: Callable[[dict[str, float]], bool], timeout_s: float = 70
) -> bool:
    """Whether /metrics?scope=app's ai_backend_audit_rows_waiting (by place) comes to satisfy
    `done` within `timeout_s`."""
    from prometheus_client.parser import text_string_to_metric_families

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page = http.get("/metrics", params={"scope": "app"}).text
        rows = {
            s.labels["place"]: s.value
            for family in text_string_to_metric_families(page)
            if family.name == "ai_backend_audit_rows_waiting"
            for s in family.samples
        }
        if rows and done(rows):
            return True
        time.sleep(2)
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
        # T56: the metrics page counts what waits, where (the health round refreshes it)
        assert _waiting_until(http, lambda rows: rows.get("shared", 0) >= answered)
        ingress = alive_actors("Ingress")
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
    assert _held_in_redis(stack) == held_before  # what waited there was taken once stored


def test_the_serve_controller_killed_under_traffic_fails_no_request(stack: Stack) -> None:
    """T7: Serve's controller dies (Ray restarts it); the data path does not need it, so no
    request fails, not even a first attempt, and the controller is back within the minute."""
    import ray

    with Traffic(stack.base_url, retry_once=False) as traffic:
        time.sleep(3)
        ray.kill(ray.get_actor("SERVE_CONTROLLER_ACTOR", namespace="serve"), no_restart=False)
        time.sleep(10)
        stack.wait_until_running()  # `serve status` answers again: the controller is back
        time.sleep(3)
    assert len(traffic.statuses) > 30 and traffic.failed == [], traffic.statuses


def test_redis_hung_costs_no_request_and_no_wait_past_its_timeout(
    stack: Stack, http: httpx.Client
) -> None:
    """T13: Redis stopped with SIGSTOP (it holds every connection open and answers nothing) for
    8 s under scores and cached analyses: each request gives up on Redis after its 100 ms
    timeout (the rate limit counts in the replica, the cache misses), none fails or hangs."""
    assert stack.redis.process is not None
    with Traffic(stack.base_url, retry_once=False) as traffic:
        time.sleep(2)
        stack.redis.process.send_signal(signal.SIGSTOP)
        try:
            answers = []
            for _ in range(8):
                started = time.monotonic()
                response = http.get(f"/api/v1/insights/{business_id()}", headers=owner_headers())
                answers.append((response.status_code, time.monotonic() - started))
                time.sleep(0.5)
        finally:
            stack.redis.process.send_signal(signal.SIGCONT)
        time.sleep(2)
    assert {status for status, _ in answers} == {200}, answers
    assert len(traffic.statuses) > 20 and traffic.failed == [], traffic.statuses
    logger.info("insights during the hang, seconds: %s", sorted(round(s, 3) for _, s in answers))


@contextlib.contextmanager
def changed(stack: Stack, deployment: str, **options: Any) -> Iterator[None]:
    """`deployment` deployed with `options` (merged into its config), then as shipped again."""
    app = stack.config["applications"][0]
    entry = next(d for d in app["deployments"] if d["name"] == deployment)
    shipped = copy.deepcopy(entry)
    for key, value in options.items():
        entry[key] = {**entry[key], **value} if isinstance(value, dict) else value
    try:
        stack.deploy()
        stack.wait_until_running()
        yield
    finally:
        entry.clear()
        entry.update(shipped)
        stack.deploy()
        stack.wait_until_running()


def killed_one_of_two(deployment: str) -> None:
    import ray

    deadline = time.monotonic() + 120
    while len(alive_actors(deployment)) < 2:
        assert time.monotonic() < deadline, deployment
        time.sleep(1)
    victim = alive_actors(deployment)[0]
    ray.kill(ray.get_actor(str(victim["name"]), namespace="serve"))


def test_a_model_redeployed_twice_and_one_of_its_replicas_killed_fails_no_request(
    stack: Stack,
) -> None:
    """T10 and T1 under one stream of scores: FraudDeployment redeployed with a change that
    starts new replicas (two of them, other actor options), so Serve rolls them in and stops the
    old ones after their requests; one of the two killed (its process gone, as when its node
    dies), its in-flight requests failing their first attempt as JSON 503 model_unavailable;
    then redeployed as shipped, rolled again. After the client's one retry, nothing failed."""
    with Traffic(stack.base_url, callers=3, every_s=0.2) as traffic:
        time.sleep(2)
        before = {a["pid"] for a in alive_actors("FraudDeployment")}
        two = {"autoscaling_config": {"min_replicas": 2, "initial_replicas": 2},
               "ray_actor_options": {"num_cpus": 0.2}}  # fmt: skip
        with changed(stack, "FraudDeployment", **two):
            rolled = {a["pid"] for a in alive_actors("FraudDeployment")}
            killed_one_of_two("FraudDeployment")
            time.sleep(8)
        time.sleep(2)
    assert rolled and not (rolled & before), (before, rolled)  # new processes served
    assert len(traffic.statuses) > 60 and traffic.failed == [], traffic.statuses
    logger.info("first attempts failed: %d of %d", traffic.first_failures, len(traffic.statuses))


def test_the_proxy_killed_is_survived_by_clients_that_retry(stack: Stack) -> None:
    """T8: Serve's proxy actor on the node (which runs HAProxy, the HTTP entry) killed under
    traffic: requests fail while Serve restarts it; a client that retries (3 times, 1-4 s apart)
    gets every answer. The time without an entry is printed."""
    import ray

    proxies = alive_actors("ProxyActor")
    assert proxies, "no proxy actor"
    outage: list[float] = []
    answered: list[int] = []
    headers = {"Authorization": f"Bearer {mint_token(SECRET, str(uuid.uuid4()))}"}
    with httpx.Client(base_url=stack.base_url, timeout=10) as client:
        ray.kill(ray.get_actor(str(proxies[0]["name"]), namespace="serve"), no_restart=False)
        began = time.monotonic()
        for _ in range(20):
            for wait in (1, 2, 4, 0):
                try:
                    status = client.post(
                        "/api/v1/fraud/score",
                        headers=headers,
                        json={"transactions": [CASH_WITHDRAWAL_AT_NIGHT]},
                    ).status_code
                except httpx.HTTPError:
                    status = 0
                if 0 < status < 500:
                    break
                outage.append(time.monotonic() - began)
                time.sleep(wait)
            answered.append(status)
            time.sleep(0.3)
    stack.wait_until_running()
    assert set(answered) == {200}, answered
    logger.info(
        f"failed attempts: {len(outage)}, the last {max(outage, default=0):.1f} s after the kill"
    )


def test_the_dashboard_needs_rays_token_and_shows_no_secret(stack: Stack) -> None:
    """T46: Ray's dashboard (jobs, Serve's applications) with token auth on: no token 401, a
    wrong one 403, Ray's own 200; what it shows of the deployed app holds none of the secrets
    the replicas read (they come from the environment, never through the config)."""
    token = (Path.home() / ".ray" / "auth_token").read_text().strip()  # where ray.init wrote it
    url = f"{stack.dashboard}/api/jobs/"
    assert httpx.get(url, timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer " + "0" * 64}
    assert httpx.get(url, headers=wrong, timeout=10).status_code == 403
    right = {"Authorization": f"Bearer {token}", "User-Agent": "curl/8.0"}
    assert httpx.get(url, headers=right, timeout=10).status_code == 200
    shown = httpx.get(f"{stack.dashboard}/api/serve/applications/", headers=right, timeout=10)
    assert shown.status_code == 200
    for secret in (SECRET, stack.postgres.url, stack.redis.url):
        assert secret not in shown.text
