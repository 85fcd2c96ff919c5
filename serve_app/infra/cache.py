"""Result cache: Redis when REDIS_URL is set, an in-process TTL cache otherwise.

Fails open: a Redis outage or timeout is a miss on read and a no-op on write, never an error.
Timeouts are ~100 ms so a dead Redis cannot stall a request.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

logger = logging.getLogger("ai_backend")
REDIS_TIMEOUT_S = 0.1


class CacheUnavailable(RuntimeError):
    """Raised only by `ping`, for health checks."""


class Cache(Protocol):
    kind: str

    async def get(self, key: str) -> bytes | None: ...
    async def set(self, key: str, value: bytes, ttl_s: int) -> None: ...
    async def incr(self, key: str, ttl_s: int) -> int | None: ...
    async def ping(self) -> None: ...
    async def close(self) -> None: ...


class MemoryCache:
    """LRU with per-entry expiry, bounded by MODEL_CACHE_SIZE entries. Per replica."""

    kind = "memory"

    def __init__(self, max_entries: int, clock: Callable[[], float] | None = None) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._max = max_entries
        self._now = clock or time.monotonic

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self._now():
            self._entries.pop(key, None)
            return None
        self._entries.move_to_end(key)
        return entry[1]

    async def set(self, key: str, value: bytes, ttl_s: int) -> None:
        self._entries[key] = (self._now() + ttl_s, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    async def incr(self, key: str, ttl_s: int) -> int | None:  # noqa: ARG002
        """None: a count in this replica's LRU would evict cached answers and share nothing;
        the rate limiter counts in process instead."""
        return None

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._entries.clear()


class RedisCache:
    kind = "redis"

    def __init__(self, url: str) -> None:
        self._client = aioredis.Redis.from_url(
            url,
            socket_timeout=REDIS_TIMEOUT_S,
            socket_connect_timeout=REDIS_TIMEOUT_S,
            retry=Retry(NoBackoff(), 0),
            health_check_interval=0,
        )

    async def get(self, key: str) -> bytes | None:
        try:
            value = await self._client.get(key)
        except (RedisError, OSError, TimeoutError) as exc:
            logger.warning("cache read failed, treating as a miss: %s", type(exc).__name__)
            return None
        return value if isinstance(value, bytes) else None

    async def set(self, key: str, value: bytes, ttl_s: int) -> None:
        try:
            await self._client.set(key, value, ex=ttl_s)
        except (RedisError, OSError, TimeoutError) as exc:
            logger.warning("cache write skipped: %s", type(exc).__name__)

    async def incr(self, key: str, ttl_s: int) -> int | None:
        """One round trip: the key is made with its expiry if new, then counted."""
        try:
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.set(key, 0, ex=ttl_s, nx=True)
                pipe.incr(key)
                _, count = await pipe.execute()
        except (RedisError, OSError, TimeoutError) as exc:
            logger.warning("shared counter unavailable: %s", type(exc).__name__)
            return None
        return int(count)

    async def ping(self) -> None:
        try:
            await self._client.ping()
        except (RedisError, OSError, TimeoutError) as exc:
            raise CacheUnavailable("redis unreachable") from exc

    async def close(self) -> None:
        await self._client.aclose()
