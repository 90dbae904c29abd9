"""Redis unreachable is never a request's failure: the response cache misses, stores
nothing and remembers the invalidations it could not make (so no answer cached before
an outage is served after it), and rate limits are counted in the process meanwhile.
The outage is real: the clients are pointed at a port nothing listens on."""

from __future__ import annotations

import socket

import redis.asyncio as aioredis

from gateway.cache import CacheEntryKey, CacheKind, ResponseCache
from gateway.rate_limits import Bucket, RedisRateLimits
from gateway.settings import Settings


def dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


ENTRY = CacheEntryKey(tenant_id=7, kind=CacheKind.JOB_LIST, scope="u1:admin", digest="d")


async def test_the_cache_survives_an_outage_and_serves_nothing_stale_after_it(
    redis_url: str, redis_prefix: str
) -> None:
    cache = ResponseCache(Settings(redis_url=redis_url, redis_prefix=redis_prefix))
    working = cache.backend.client
    try:
        key, cached = await cache.get(ENTRY)
        assert key is not None and cached is None
        await cache.set(key, b"before the outage", 60)
        assert (await cache.get(ENTRY))[1] == b"before the outage"

        cache.backend.client = aioredis.Redis(port=dead_port())
        await cache.invalidate(ENTRY.tenant_id)  # a write committed during the outage
        assert await cache.get(ENTRY) == (None, None)
        await cache.set("anything", b"x", 60)

        cache.backend.client = working  # Redis is back, with its data
        key, cached = await cache.get(ENTRY)
        assert cached is None, "the answer cached before the write is not served"
        assert key is not None, "and caching resumes"
        assert not cache.pending
    finally:
        cache.backend.client = working
        await cache.close()


async def test_rate_limits_are_counted_in_the_process_while_redis_is_down() -> None:
    limits = RedisRateLimits(f"redis://127.0.0.1:{dead_port()}/0", "outage")
    bucket = Bucket("user", 2)
    try:
        decisions = [await limits.hit(bucket, "u1") for _ in range(3)]
    finally:
        await limits.close()
    assert [d.allowed for d in decisions] == [True, True, False]
