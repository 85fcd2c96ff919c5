"""The shared skeleton of the model-backed services: cache keys from the versions the ingress
knows (a hit calls no model), a new version or tuning still invalidates, and a failing half of a
key never leaves the other running."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import cast

import pytest
from pydantic import BaseModel

from kernel.models import ModelInfo
from serve_app.contract.errors import ModelUnavailable
from serve_app.infra.auditing import Audit, Auditor
from serve_app.infra.auth import Caller
from serve_app.infra.cache import MemoryCache
from serve_app.infra.store_interface import AnalysisRecord, Store
from serve_app.infra.telemetry import InProcessTelemetry
from serve_app.services.results import Lookup, ModelVersions, Results, Served

CALLER = Caller(user_id="u1", role="authenticated")
NOW = dt.datetime(2026, 11, 27, 10, tzinfo=dt.UTC)


class Books:
    """The store's part of a key (and the audit rows), with a fingerprint that can be slow."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay, self.finished, self.audited = delay, False, 0

    async def fingerprint(self, business_id: str) -> str:
        await asyncio.sleep(self.delay)
        self.finished = True
        return f"invoices:3:{business_id}"

    async def record_analyses(self, records: Sequence[AnalysisRecord]) -> None:
        self.audited += len(records)


class Model:
    """A model deployment as the ingress sees it: counts every call into it."""

    def __init__(self, version: str = "v1", up: bool = True) -> None:
        self.version, self.up, self.infos, self.answers = version, up, 0, 0

    async def info(self) -> ModelInfo:
        self.infos += 1
        if not self.up:
            raise ModelUnavailable("fraud", "unavailable")
        return ModelInfo(name="fraud", version=self.version, config_hash="abc", loaded_at=NOW)

    async def answer(self) -> Served[Answer]:
        self.answers += 1
        audit = Audit("fraud_analysis", "b1", self.version, {}, 1.0, NOW)
        return Served(Answer(version=self.version), audit)


class Answer(BaseModel):
    version: str


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def results(model: Model, books: Books, clock: Clock | None = None) -> Results:
    store = cast(Store, books)
    versions = ModelVersions({"fraud": model}, max_age_s=30, clock=clock or Clock())
    return Results(store, MemoryCache(16), versions, Auditor(store), InProcessTelemetry())


LOOKUP = Lookup("fraud", "b1", "b1", 600)


async def test_a_failing_model_waits_for_the_books_query_before_raising() -> None:
    books = Books(delay=0.05)
    with pytest.raises(ModelUnavailable):
        await results(Model(up=False), books).key(LOOKUP)
    assert books.finished  # no query outlives the request


async def test_the_key_names_model_tuning_books_and_day() -> None:
    parts = results(Model("v2"), Books())
    key, version = await parts.key(Lookup("fraud", "b1", "b1", 600, dt.date(2026, 11, 27)))
    other, _ = await parts.key(Lookup("fraud", "b2", "b2", 600, dt.date(2026, 11, 27)))
    assert version == "v2"
    assert key.startswith("fraud:b1:v2:abc:") and key.endswith(":2026-11-27")
    assert key.split(":")[4] != other.split(":")[4]


async def test_a_cache_hit_makes_no_call_into_the_model() -> None:
    model, books = Model(), Books()
    parts = results(model, books)
    first = await parts.cached(CALLER, LOOKUP, Answer, model.answer)
    calls = (model.infos, model.answers)
    second = await parts.cached(CALLER, LOOKUP, Answer, model.answer)
    assert first == second and calls == (1, 1)
    assert (model.infos, model.answers, books.audited) == (1, 1, 1)


async def test_a_new_version_is_learned_in_the_background_and_invalidates() -> None:
    model, clock = Model("v1"), Clock()
    parts = results(model, Books(), clock)
    await parts.cached(CALLER, LOOKUP, Answer, model.answer)
    model.version = "v2"  # a rollout: serve deploy with a new user_config
    clock.now = 31.0  # the known version is now older than max_age_s
    stale = await parts.cached(CALLER, LOOKUP, Answer, model.answer)
    assert stale.version == "v1" and model.answers == 1  # the hit still calls no model
    await asyncio.sleep(0)  # the background refresh runs
    await asyncio.sleep(0)
    fresh = await parts.cached(CALLER, LOOKUP, Answer, model.answer)
    assert fresh.version == "v2" and model.answers == 2


async def test_an_answer_from_another_version_is_not_cached_under_the_old_one() -> None:
    model = Model("v1")
    parts = results(model, Books())
    await parts.key(LOOKUP)  # the ingress knows v1
    model.version = "v2"  # the answer comes from a replica already on v2
    await parts.cached(CALLER, LOOKUP, Answer, model.answer)
    again = await parts.cached(CALLER, LOOKUP, Answer, model.answer)
    assert again.version == "v2" and model.answers == 2 and model.infos == 2


async def test_a_model_that_goes_down_keeps_its_known_version() -> None:
    model, clock = Model("v1"), Clock()
    parts = results(model, Books(), clock)
    versions = parts._versions
    await parts.cached(CALLER, LOOKUP, Answer, model.answer)
    model.up, clock.now = False, 31.0
    assert (await parts.cached(CALLER, LOOKUP, Answer, model.answer)).version == "v1"
    await versions.close()  # waits for the failed background refresh, which only logs
    assert (await versions.current("fraud")).version == "v1"


async def test_a_cached_value_that_no_longer_validates_is_recomputed_not_a_500() -> None:
    model = Model()
    parts = results(model, Books())
    await parts.cached(CALLER, LOOKUP, Answer, model.answer)
    cache = parts._cache
    assert isinstance(cache, MemoryCache)
    for key in list(cache._entries):  # a corrupted value, and one of an older shape
        await cache.set(key, b'{"versio', 600)
    again = await parts.cached(CALLER, LOOKUP, Answer, model.answer)
    assert again == Answer(version="v1") and model.answers == 2
    third = await parts.cached(CALLER, LOOKUP, Answer, model.answer)
    assert third == again and model.answers == 2  # the recomputed value replaced it


async def test_the_key_names_the_response_schema() -> None:
    class Wider(Answer):
        extra: int = 0

    model = Model()
    parts = results(model, Books())
    await parts.cached(CALLER, LOOKUP, Answer, model.answer)
    await parts.cached(CALLER, LOOKUP, Wider, model.answer)  # type: ignore[arg-type]
    assert model.answers == 2  # a changed shape misses, even under the same model version
