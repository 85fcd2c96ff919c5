"""Health: liveness (in memory), readiness (database + models), and a detailed report whose
dependency checks are cached ~30 s so monitoring cannot load the database."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from serve_app.contract.errors import NotFound
from serve_app.contract.schemas.common import iso_utc
from serve_app.infra.cache import Cache
from serve_app.infra.deadline import detached
from serve_app.infra.jwks import ProjectKeys
from serve_app.infra.settings import Settings
from serve_app.infra.store_interface import Store
from serve_app.services.results import ModelVersions

DETAIL_TTL_S = 30.0
PROBE_TTL_S = 5.0
"""The public probes (/health/ready, /health/startup) and /health/dependencies check at most
this often, however often they are called."""
CHECK_TIMEOUT_S = 2.0
VERSION = "0.1.0"

logger = logging.getLogger("ai_backend")


@dataclass
class Check:
    status: str
    response_time_ms: float
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {**self.status_only(), **self.details}

    def status_only(self) -> dict[str, Any]:
        """What a public probe may show: no versions, hashes or replica ids."""
        return {
            "status": self.status,
            "response_time_ms": self.response_time_ms,
            "message": self.message,
        }


async def timed(probe: Callable[[], Awaitable[str | dict[str, Any]]], ok_message: str) -> Check:
    started = time.perf_counter()
    try:
        result = await asyncio.wait_for(probe(), CHECK_TIMEOUT_S)
    except Exception as exc:  # a failing dependency is a report, never an error
        elapsed = round((time.perf_counter() - started) * 1000, 2)
        reason = getattr(exc, "message", None) or type(exc).__name__
        return Check("unhealthy", elapsed, str(reason))
    elapsed = round((time.perf_counter() - started) * 1000, 2)
    details = result if isinstance(result, dict) else {}
    return Check("healthy", elapsed, result if isinstance(result, str) else ok_message, details)


class HealthService:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        cache: Cache,
        versions: ModelVersions,
        upkeep: Sequence[Callable[[], Awaitable[None]]] = (),
        waiting: Callable[[], Awaitable[dict[str, int]]] | None = None,
        keys: ProjectKeys | None = None,
    ) -> None:
        """Model checks go through `versions`, so each one also refreshes the version the cache
        keys use. `upkeep` runs after each background round (the audit outbox's replay).
        `keys`: the project's JWKS, checked (and fetched when old) as component `jwks`."""
        self._settings, self._store, self._cache, self._versions = settings, store, cache, versions
        self._keys = keys
        self._upkeep = list(upkeep)
        self._waiting = waiting
        """The audit rows not in the database yet, by place (Auditor.waiting), in each round."""
        self._started = time.monotonic()
        self._detail: tuple[float, dict[str, Any]] | None = None
        self._lock = asyncio.Lock()
        self._probed: tuple[float, Check, Check] | None = None
        self._dependencies: tuple[float, Check, Check] | None = None
        self._probe_lock = asyncio.Lock()
        self.started_ok = False
        self.requests = 0
        self._refresher: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def count(self, _status: int, _elapsed_ms: float) -> None:
        self.requests += 1

    def summary(self) -> dict[str, Any]:
        """In memory only: what /health, /api/health and /api/v1/health answer. `services`
        comes from the detailed checks, refreshed in the background every DETAIL_TTL_S."""
        self.keep_refreshing()
        services = dict.fromkeys(self.components(), "unknown")
        if self._detail is not None:
            services |= {n: c["status"] for n, c in self._detail[1]["checks"].items()}
        return {
            "status": "healthy",
            "timestamp": iso_utc(dt.datetime.now(dt.UTC)),
            "version": VERSION,
            "services": services,
            "features": self._settings.features,
        }

    def keep_refreshing(self) -> None:
        """Starts the background round (details, model versions, `upkeep`) unless it runs."""
        if self._stopping.is_set():
            return
        if self._refresher is None or self._refresher.done():
            self._refresher = detached(self._refresh())

    async def _refresh(self) -> None:
        while not self._stopping.is_set():
            await self.detailed()  # every probe reports failure as a check, never raises
            for task in self._upkeep:
                try:
                    await task()
                except Exception as exc:  # upkeep must never stop the health refresher
                    logger.warning("upkeep failed: %r", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), DETAIL_TTL_S)

    async def close(self) -> None:
        """Stops the refresher between rounds: a probe cancelled mid-query would leave a
        database driver thread calling back into a loop that is about to close."""
        self._stopping.set()
        if self._refresher is not None:
            await self._refresher

    def components(self, now: bool = False) -> dict[str, Callable[[], Awaitable[Check]]]:
        """Each component's check; `now`: the operator asked for this one (POST /health/test),
        so the JWKS is fetched again whatever its cooldown (the cache-bust)."""
        probes: dict[str, Callable[[], Awaitable[Check]]] = {
            "database": self._check_database,
            "redis": self._check_cache,
            "ml_models": self._check_models,
        }
        for name in self._versions.names:
            probes[f"{name}_deployment"] = lambda n=name: self._check_model(n)  # type: ignore[misc]
        if self._keys is not None:
            probes["jwks"] = lambda: self._check_keys(force=now)
        return probes

    async def _check_database(self) -> Check:
        async def probe() -> str:
            await self._store.ping()
            return f"{self._store.kind} reachable"

        return await timed(probe, "reachable")

    async def _check_cache(self) -> Check:
        async def probe() -> str:
            await self._cache.ping()
            return f"{self._cache.kind} cache reachable"

        check = await timed(probe, "reachable")
        if check.status != "healthy":  # the cache fails open: degraded, not down
            check.status = "degraded"
            check.message = f"{self._cache.kind} unreachable; serving without cache"
        return check

    async def _check_keys(self, force: bool) -> Check:
        """The project's signing keys: fetched when missing or past their lifespan (so the
        background round keeps them fresh off the request path), or at once when forced.
        Unhealthy with no keys ever fetched; degraded while serving ones fetched before a
        failed fetch."""
        keys = self._keys
        assert keys is not None

        async def probe() -> dict[str, Any]:
            state = await keys.refresh(force)
            if state.fetched_s_ago is None:
                raise RuntimeError(f"never fetched: {state.error}")
            return dataclasses.asdict(state)

        check = await timed(probe, "signing keys fetched")
        if check.status == "healthy" and check.details.get("error"):
            check.status = "degraded"
            check.message = f"last fetch failed ({check.details['error']}); serving the keys held"
        return check

    async def _check_model(self, name: str) -> Check:
        async def probe() -> dict[str, Any]:
            info = await self._versions.refresh(name)
            return {
                "model_version": info.version,
                "loaded_at": iso_utc(info.loaded_at),
                "replica_id": info.replica_id,
                "load_error": info.load_error,
            }

        check = await timed(probe, "replica answering, model loaded")
        if check.details.get("load_error"):
            check.status, check.message = "degraded", str(check.details["load_error"])
        return check

    async def _check_models(self) -> Check:
        async def probe() -> dict[str, Any]:
            infos = await asyncio.gather(*(self._versions.refresh(n) for n in self._versions.names))
            return {
                "models": {
                    i.name: {
                        "version": i.version,
                        "loaded_at": iso_utc(i.loaded_at),
                        "metrics": i.metrics,
                    }
                    for i in infos
                }
            }

        return await timed(probe, f"{len(self._versions.names)} model(s) loaded")

    async def ready(self) -> tuple[bool, dict[str, Any]]:
        """Ready while every model answers with a loaded model. The database is reported, not
        required: in an outage the analyses answer 503 database_unavailable while inline scores,
        validation and the public parsers go on, and a blip does not take every pod out of the
        load balancer at once. Checked at most every PROBE_TTL_S, whoever probes how often."""
        async with self._probe_lock:
            if self._probed is None or time.monotonic() - self._probed[0] > PROBE_TTL_S:
                database, models = await asyncio.gather(
                    self._check_database(), self._check_models()
                )
                self._probed = (time.monotonic(), database, models)
        _, database, models = self._probed
        ok = models.status == "healthy"
        if ok:
            self.started_ok = True
        return ok, {
            "status": "ready" if ok else "not_ready",
            "checks": {"database": database.status_only(), "ml_models": models.status_only()},
        }

    async def detailed(self) -> dict[str, Any]:
        async with self._lock:
            if self._detail is None or time.monotonic() - self._detail[0] > DETAIL_TTL_S:
                probes = self.components()
                results = await asyncio.gather(*(p() for p in probes.values()))
                checks = {n: c.as_dict() for n, c in zip(probes, results, strict=True)}
                statuses = {c["status"] for c in checks.values()}
                status = (
                    "unhealthy"
                    if "unhealthy" in statuses
                    else "degraded"
                    if "degraded" in statuses
                    else "healthy"
                )
                waiting = await self._waiting() if self._waiting is not None else {}
                self._detail = (
                    time.monotonic(),
                    {
                        "status": status,
                        "timestamp": iso_utc(dt.datetime.now(dt.UTC)),
                        "version": VERSION,
                        "environment": self._settings.ENVIRONMENT,
                        "checks": checks,
                        "features": self._settings.features,
                        "audit_rows_waiting": waiting,
                    },
                )
        body = dict(self._detail[1])
        body["metrics"] = {
            "uptime_s": round(time.monotonic() - self._started, 1),
            "requests_served": self.requests,
            "checks_age_s": round(time.monotonic() - self._detail[0], 1),
        }
        return body

    async def dependencies(self) -> dict[str, Any]:
        async with self._probe_lock:
            if self._dependencies is None or time.monotonic() - self._dependencies[0] > PROBE_TTL_S:
                checks = await asyncio.gather(self._check_database(), self._check_cache())
                self._dependencies = (time.monotonic(), *checks)
        _, database, cache = self._dependencies
        return {
            "database": {"kind": self._store.kind, **database.as_dict()},
            "redis": {"kind": self._cache.kind, **cache.as_dict()},
        }

    async def test(self, component: str) -> dict[str, Any]:
        probe = self.components(now=True).get(component)
        if probe is None:
            raise NotFound(
                f"Unknown component: {component}", {"components": sorted(self.components())}
            )
        check = await probe()
        return {"component": component, **check.as_dict()}
