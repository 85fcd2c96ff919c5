"""HealthService lifecycle: closing never cancels a dependency probe mid-call."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from serve_app.health import HealthService
from serve_app.infra.cache import MemoryCache
from serve_app.infra.settings import load_settings
from serve_app.infra.store_interface import Store
from serve_app.services.results import ModelVersions
from testkit.factories import SECRET


class SlowStore:
    """Pings take as long as the test says; records whether a ping was cut short."""

    kind = "sqlite"

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.finished = 0
        self.cancelled = 0

    async def ping(self) -> None:
        self.entered.set()
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        self.finished += 1


async def test_close_lets_an_in_flight_probe_finish_and_stops_refreshing() -> None:
    store = SlowStore()
    health = HealthService(
        load_settings({"ENVIRONMENT": "development", "SUPABASE_JWT_SECRET": SECRET}),
        cast(Store, store),
        MemoryCache(8),
        ModelVersions({}),
    )
    body: dict[str, Any] = health.summary()  # starts the background refresh
    assert body["services"]["database"] == "unknown"
    await store.entered.wait()
    closing = asyncio.create_task(health.close())
    await asyncio.sleep(0.01)
    assert not closing.done()  # waits for the probe instead of cancelling it
    store.release.set()
    await closing
    assert (store.finished, store.cancelled) == (1, 0)
    health.summary()  # after close, no new refresher starts
    await asyncio.sleep(0.01)
    assert store.finished == 1
