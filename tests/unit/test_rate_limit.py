"""Request budgets: one per caller for every replica while Redis answers (a real redis-server),
each replica's own while it does not; a refusal says how long to wait."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from serve_app.contract.errors import RateLimited
from serve_app.infra.cache import RedisCache
from serve_app.infra.rate_limit import RateLimiter
from tests.support.services import RedisServer


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.destroy()


async def spent(limiter: RateLimiter, who: str, times: int) -> list[int | None]:
    """Retry-After of each of `times` requests (None: let through)."""
    answers: list[int | None] = []
    for _ in range(times):
        try:
            await limiter.check(who)
            answers.append(None)
        except RateLimited as refused:
            assert refused.details is not None
            answers.append(refused.details["retry_after_s"])
    return answers


async def test_two_replicas_spend_one_budget_in_redis(redis: RedisServer) -> None:
    clock = Clock(6_000_000.0 + 20)  # 20 s into a minute
    first, second = RedisCache(redis.url), RedisCache(redis.url)
    replicas = [RateLimiter(3, shared, clock, scope="user") for shared in (first, second)]
    answers = [*await spent(replicas[0], "u1", 2), *await spent(replicas[1], "u1", 2)]
    assert answers == [None, None, None, 41]  # the fourth waits for the next minute
    assert await spent(replicas[1], "u2", 1) == [None]  # another caller, its own budget
    clock.now += 41
    assert await spent(replicas[0], "u1", 1) == [None]
    await first.close()
    await second.close()


async def test_without_redis_each_replica_counts_alone(redis: RedisServer) -> None:
    cache = RedisCache(redis.url)
    clock = Clock(6_000_000.0)
    limiter = RateLimiter(2, cache, clock)
    assert await spent(limiter, "10.0.0.7", 1) == [None]
    redis.stop()  # Redis goes away: the replica's own sliding minute takes over
    assert await spent(limiter, "10.0.0.7", 3) == [None, None, 61]
    clock.now += 61
    assert await spent(limiter, "10.0.0.7", 1) == [None]
    await cache.close()
