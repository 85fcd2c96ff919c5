"""Request budgets per minute: per user on the authenticated routes, per client address on the
public ones.

Counted in Redis when REDIS_URL is set, so every ingress replica spends one budget (a fixed
window per minute: one INCR, expiring with its window). Without Redis, or while Redis does not
answer, each replica counts in process (a sliding minute): with N replicas a caller then gets at
most N x the limit. A refusal is a 429 with Retry-After.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Protocol

from serve_app.contract.errors import RateLimited

WINDOW_S = 60
MAX_CLIENTS = 10_000


class SharedCounter(Protocol):
    async def incr(self, key: str, ttl_s: int) -> int | None:
        """The key's count after adding one (it expires after ttl_s); None if the store
        cannot say."""
        ...


class LocalWindow:
    """The last minute of one replica's requests per caller, the oldest callers forgotten
    first past MAX_CLIENTS."""

    def __init__(self, per_minute: int) -> None:
        self._limit = per_minute
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after(self, who: str, now: float) -> int | None:
        """Counts one request; the seconds to wait when it is over the limit."""
        hits = self._seen.pop(who, None) or deque()
        while hits and now - hits[0] >= WINDOW_S:
            hits.popleft()
        self._seen[who] = hits  # most recent last
        if len(self._seen) > MAX_CLIENTS:
            self._seen.popitem(last=False)
        if len(hits) >= self._limit:
            return max(1, int(WINDOW_S - (now - hits[0])) + 1)
        hits.append(now)
        return None


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        shared: SharedCounter | None = None,
        clock: Callable[[], float] = time.time,
        scope: str = "public",
    ) -> None:
        self._limit, self._shared, self._clock, self._scope = per_minute, shared, clock, scope
        self._local = LocalWindow(per_minute)

    async def check(self, who: str) -> None:
        """Counts one request of `who` (a user id or a client address); RateLimited (429)
        above the limit."""
        now = self._clock()
        retry = None
        counted = False
        if self._shared is not None:
            window = int(now // WINDOW_S)
            count = await self._shared.incr(f"rl:{self._scope}:{who}:{window}", WINDOW_S + 5)
            if count is not None:
                counted = True
                if count > self._limit:
                    retry = max(1, int((window + 1) * WINDOW_S - now) + 1)
        if not counted:
            retry = self._local.retry_after(who, now)
        if retry is not None:
            raise RateLimited(
                f"Too many requests: at most {self._limit} a minute", {"retry_after_s": retry}
            )
