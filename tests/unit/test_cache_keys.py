"""Result cache keys: one failing half never leaves the other running."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import cast

import pytest

from kernel.model_io import ModelInfo
from serve_app.cache_keys import result_key
from serve_app.errors import ModelUnavailable
from serve_app.store import Store


class SlowBooks:
    def __init__(self) -> None:
        self.finished = False

    async def fingerprint(self, business_id: str) -> str:
        await asyncio.sleep(0.05)
        self.finished = True
        return f"invoices:3:{business_id}"


class Gone:
    async def info(self) -> ModelInfo:
        raise ModelUnavailable("fraud", "unavailable")


class Loaded:
    async def info(self) -> ModelInfo:
        return ModelInfo(
            name="fraud", version="v2", config_hash="abc", loaded_at=dt.datetime.now(dt.UTC)
        )


async def test_a_failing_model_waits_for_the_books_query_before_raising() -> None:
    books = SlowBooks()
    with pytest.raises(ModelUnavailable):
        await result_key("fraud", "b1", Gone(), cast(Store, books), "b1")
    assert books.finished  # no query outlives the request


async def test_the_key_names_model_tuning_books_and_day() -> None:
    store = cast(Store, SlowBooks())
    key = await result_key("insights", "b1", Loaded(), store, "b1", dt.date(2026, 11, 27))
    other_books = await result_key("insights", "b2", Loaded(), store, "b2", dt.date(2026, 11, 27))
    assert key.startswith("insights:b1:v2:abc:") and key.endswith(":2026-11-27")
    assert key.split(":")[4] != other_books.split(":")[4]
