"""The per-integration write limit: in one process, and across processes through Redis
(two limiters on one Redis stand for two gateway processes). A burst waits, never
fails; a dead holder's slot expires."""

from __future__ import annotations

import asyncio
import socket
import uuid

import pytest

from gateway import write_limits
from gateway.write_limits import RedisWriteLimits, WriteLimits


async def burst(limits: list[WriteLimits], integration_id: int, writes: int) -> int:
    """Run ``writes`` writes spread over ``limits``; the most ever in flight at once."""
    now = peak = 0

    async def write(limiter: WriteLimits) -> None:
        nonlocal now, peak
        async with limiter.slot(integration_id):
            now += 1
            peak = max(peak, now)
            await asyncio.sleep(0.01)
            now -= 1

    await asyncio.gather(*[write(limits[n % len(limits)]) for n in range(writes)])
    return peak


async def test_one_process_never_exceeds_the_limit_and_queues_the_rest() -> None:
    limits = WriteLimits(limit=5)
    assert await burst([limits], integration_id=1, writes=40) == 5
    assert limits.peak[1] == 5
    assert limits.in_flight[1] == 0


async def test_limits_are_per_integration() -> None:
    limits = WriteLimits(limit=2)
    peaks = await asyncio.gather(burst([limits], 1, 10), burst([limits], 2, 10))
    assert peaks == [2, 2]
    assert limits.peak == {1: 2, 2: 2}


async def test_two_processes_share_the_limit_through_redis(
    redis_url: str, redis_prefix: str
) -> None:
    prefix = f"{redis_prefix}limits-{uuid.uuid4().hex[:6]}"
    first = RedisWriteLimits(redis_url, prefix, limit=3)
    second = RedisWriteLimits(redis_url, prefix, limit=3)
    try:
        assert await burst([first, second], integration_id=7, writes=30) == 3
        assert await first.redis.zcard(f"{prefix}:writes:7") == 0
    finally:
        await first.close()
        await second.close()


async def test_a_slot_left_by_a_dead_process_expires(
    redis_url: str, redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = f"{redis_prefix}limits-{uuid.uuid4().hex[:6]}"
    monkeypatch.setattr(write_limits, "SLOT_TTL_SECONDS", 0.2)
    dead = RedisWriteLimits(redis_url, prefix, limit=1)
    alive = RedisWriteLimits(redis_url, prefix, limit=1)
    try:
        await dead._acquire_shared(9)  # taken, never released: its process "died"
        async with asyncio.timeout(5):
            async with alive.slot(9):
                pass
    finally:
        await dead.close()
        await alive.close()


async def test_with_redis_away_each_process_keeps_its_own_limit() -> None:
    """Writes go on while Redis cannot be reached (nothing listens on the port), limited
    by the process's own semaphore."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    limits = RedisWriteLimits(f"redis://127.0.0.1:{port}/0", "away", limit=4)
    try:
        assert await burst([limits], integration_id=3, writes=20) == 4
        assert limits.in_flight[3] == 0
    finally:
        await limits.close()
