"""What every model-backed service does around its model call, written once: the cache key (what
was asked, the model version and tuning this ingress knows, a fingerprint of the books, the day),
the cache, the model, the audit record, the cache set. Tenancy is checked before, by the service.

No Ray import. The model version comes from ModelVersions, which the health checks refresh, so a
cache hit makes no call into a model deployment.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from kernel.models import ModelInfo
from serve_app.infra.auditing import Audit, Auditor
from serve_app.infra.auth import Caller
from serve_app.infra.cache import Cache
from serve_app.infra.deadline import detached
from serve_app.infra.store_interface import Store
from serve_app.infra.telemetry import Telemetry

logger = logging.getLogger("ai_backend")
T = TypeVar("T")
R = TypeVar("R", bound=BaseModel)
VERSION_MAX_AGE_S = 30.0
"""How long a known model version is trusted before it is asked again (in the background)."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def timed(call: Awaitable[T]) -> tuple[T, float]:
    """The call's result and how long it took, in ms (the audit's model time)."""
    started = time.perf_counter()
    result = await call
    return result, round((time.perf_counter() - started) * 1000, 1)


class HasInfo(Protocol):
    async def info(self) -> ModelInfo: ...


class ModelVersions:
    """The version and tuning of each model deployment as this ingress replica last saw them.

    Refreshed by every health check (`refresh`); a version older than `max_age_s` is asked
    again in the background while requests go on using it; a model is asked on the request
    path only while its version is unknown. So a cache hit never calls a model deployment, and a
    rollout or retune reaches the cache keys within `max_age_s` (or at once, when an answer
    shows another version: `forget`)."""

    def __init__(
        self,
        models: Mapping[str, HasInfo],
        max_age_s: float = VERSION_MAX_AGE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._models, self._max_age, self._clock = dict(models), max_age_s, clock
        self._known: dict[str, tuple[float, ModelInfo]] = {}
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._closed = False

    @property
    def names(self) -> list[str]:
        return list(self._models)

    async def refresh(self, name: str) -> ModelInfo:
        info = await self._models[name].info()
        self._known[name] = (self._clock(), info)
        return info

    async def current(self, name: str) -> ModelInfo:
        known = self._known.get(name)
        if known is None:
            return await self.refresh(name)
        seen_at, info = known
        if self._clock() - seen_at > self._max_age and name not in self._pending:
            self._refresh_later(name)
        return info

    def forget(self, name: str) -> None:
        self._known.pop(name, None)

    def _refresh_later(self, name: str) -> None:
        if self._closed:
            return
        task = detached(self._refresh_quietly(name))
        self._pending[name] = task
        task.add_done_callback(lambda _: self._pending.pop(name, None))

    async def _refresh_quietly(self, name: str) -> None:
        try:
            await self.refresh(name)
        except Exception as exc:  # the model is down: keep the version known until it answers
            logger.warning("%s version not refreshed: %s", name, type(exc).__name__)

    async def close(self) -> None:
        """Waits for background refreshes (a handle call must not outlive its loop)."""
        self._closed = True
        await asyncio.gather(*self._pending.values(), return_exceptions=True)


@functools.cache
def schema_tag(kind: type[BaseModel]) -> str:
    """A short digest of a response model's JSON schema: part of its cache keys."""
    schema = json.dumps(kind.model_json_schema(), sort_keys=True)
    return hashlib.sha256(schema.encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Lookup:
    """A cacheable question: `model` answers it about `subject` of `business_id`'s books."""

    model: str
    subject: str
    business_id: str
    ttl_s: int
    day: dt.date | None = None
    """Part of the key when the answer depends on today (forecasts, dated rules)."""


@dataclass(frozen=True)
class Served(Generic[R]):
    """A freshly computed answer and the audit record of computing it."""

    response: R
    audit: Audit


class Results:
    """tenancy (by the caller) -> key -> cache -> model -> audit -> cache set, for every
    model-backed service."""

    def __init__(
        self,
        store: Store,
        cache: Cache,
        versions: ModelVersions,
        auditor: Auditor,
        telemetry: Telemetry,
    ) -> None:
        """`telemetry` is told of every cache lookup (for ai_backend_cache_hit_rate) and of the
        business events (new fraud alerts, compliance issues, insights made, invoices parsed) by
        kind; never a business or user in them."""
        self._store, self._cache, self._versions, self._auditor = store, cache, versions, auditor
        self._telemetry = telemetry

    async def version(self, name: str) -> str:
        """The version `name` serves, as last learned (refreshed in the background)."""
        return (await self._versions.current(name)).version

    def count(self, event: str, kinds: Iterable[str]) -> None:
        """One `event` per item of `kinds` (e.g. the types of the alerts just raised)."""
        for kind, n in Counter(kinds).items():
            self._telemetry.record_event(event, kind, n)

    async def key(self, lookup: Lookup) -> tuple[str, str]:
        """(cache key, the model version in it). Asks the versions and the store together and
        waits for both, even when one fails: a query left running would outlive its request
        (and, at shutdown, its event loop)."""
        info, books = await asyncio.gather(
            self._versions.current(lookup.model),
            self._store.fingerprint(lookup.business_id),
            return_exceptions=True,
        )
        for outcome in (info, books):
            if isinstance(outcome, BaseException):
                raise outcome
        assert isinstance(info, ModelInfo) and isinstance(books, str)
        fingerprint = hashlib.sha256(books.encode()).hexdigest()[:24]
        key = f"{lookup.model}:{lookup.subject}:{info.version}:{info.config_hash}:{fingerprint}"
        return (f"{key}:{lookup.day.isoformat()}" if lookup.day else key), info.version

    async def cached(
        self,
        caller: Caller,
        lookup: Lookup,
        kind: type[R],
        compute: Callable[[], Awaitable[Served[R]]],
    ) -> R:
        """A cached answer is served only if it still validates as `kind` (its key also names
        `kind`'s schema, so a changed response shape misses at once); one that does not (a
        corrupted or foreign value) is recomputed and replaced, never a 500 until its TTL."""
        key, version = await self.key(lookup)
        key = f"{key}:{schema_tag(kind)}"
        hit = await self._cache.get(key)
        if hit is not None:
            try:
                answer = kind.model_validate_json(hit)
            except ValidationError:
                logger.warning("cached %s no longer validates: recomputed", lookup.model)
            else:
                self._telemetry.record_lookup(True)
                return answer
        self._telemetry.record_lookup(False)
        served = await compute()
        await self._auditor.record(caller, served.audit)
        if served.audit.model_version == version:
            await self._cache.set(key, served.response.model_dump_json().encode(), lookup.ttl_s)
        else:  # a rollout reached this model first: learn the new version, cache nothing stale
            self._versions.forget(lookup.model)
        return served.response


M = TypeVar("M")


class ModelService(Generic[M]):
    """What every model-backed service holds: the store, the shared results skeleton, its model
    (a protocol: a handle client in production, a fake in tests), the audit trail, a clock."""

    def __init__(
        self,
        store: Store,
        results: Results,
        model: M,
        auditor: Auditor,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._store, self._results, self._model = store, results, model
        self._auditor, self._clock = auditor, clock
