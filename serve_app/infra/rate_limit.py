"""Requests per client address per minute, for the unauthenticated endpoints. In memory, per
ingress replica: with N replicas a client gets at most N x the limit (documented)."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

from serve_app.contract.errors import RateLimited

WINDOW_S = 60.0
MAX_CLIENTS = 10_000


class RateLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit, self._clock = per_minute, clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def check(self, client: str) -> None:
        """Counts one request from `client`; RateLimited (429) above the limit."""
        now = self._clock()
        hits = self._seen.pop(client, None) or deque()
        while hits and now - hits[0] >= WINDOW_S:
            hits.popleft()
        self._seen[client] = hits  # most recent last
        if len(self._seen) > MAX_CLIENTS:
            self._seen.popitem(last=False)
        if len(hits) >= self._limit:
            retry = max(1, int(WINDOW_S - (now - hits[0])) + 1)
            raise RateLimited(
                f"Too many requests: at most {self._limit} a minute", {"retry_after_s": retry}
            )
        hits.append(now)
