from serve_app.infra.cache import MemoryCache, RedisCache
from testkit.ports import free_port


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_memory_cache_expires_entries() -> None:
    clock = Clock()
    cache = MemoryCache(10, clock=clock)
    await cache.set("k", b"v", ttl_s=5)
    assert await cache.get("k") == b"v"
    clock.now = 5.0
    assert await cache.get("k") is None


async def test_memory_cache_evicts_least_recently_used() -> None:
    cache = MemoryCache(2)
    await cache.set("a", b"1", 60)
    await cache.set("b", b"2", 60)
    await cache.get("a")
    await cache.set("c", b"3", 60)
    assert (await cache.get("a"), await cache.get("b"), await cache.get("c")) == (b"1", None, b"3")


async def test_unreachable_redis_is_a_miss_never_an_error() -> None:
    cache = RedisCache(f"redis://127.0.0.1:{free_port()}/0")
    await cache.set("k", b"v", 60)
    assert await cache.get("k") is None
    await cache.close()
