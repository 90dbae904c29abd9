"""Request rate limits per caller, shared across processes through Redis when configured.

    limits = RateLimits.create(settings)
    public, user, credentials = buckets(settings)
    decision = await limits.hit(public, "203.0.113.7")
    decision.allowed, decision.retry_after          # False, 12.4 (seconds)

Buckets (per minute): public interview operations 60 per client IP, authenticated
operations 300 per user, integration credential operations 10 per user.

Sliding-window counters: a caller's count in the current minute plus the previous
minute's count weighted by how much of it still lies inside the last 60 seconds. That
is smooth at window edges (no double burst) and costs one Redis round trip
(INCR, EXPIRE and GET in one pipeline). A refused call still counts, so hammering a
limit keeps it closed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis.asyncio as aioredis

from gateway.settings import Settings

WINDOW = 60.0


@dataclass(frozen=True, slots=True)
class Bucket:
    name: str
    per_minute: int


def buckets(settings: Settings) -> tuple[Bucket, Bucket, Bucket]:
    """(public per IP, authenticated per user, credentials per user); 0 turns one off."""
    return (
        Bucket("public", settings.rate_limit_public_per_minute),
        Bucket("user", settings.rate_limit_user_per_minute),
        Bucket("credentials", settings.rate_limit_credentials_per_minute),
    )


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0


def _decide(
    bucket: Bucket, current: int, previous: int, now: float, window_start: float
) -> Decision:
    weight = 1.0 - (now - window_start) / WINDOW
    estimate = current + previous * weight
    if estimate <= bucket.per_minute:
        return Decision(True)
    if previous and current <= bucket.per_minute:
        # wait until enough of the previous window has slid out
        needed = (estimate - bucket.per_minute) / previous * WINDOW
        return Decision(False, max(0.1, min(needed, window_start + WINDOW - now)))
    return Decision(False, max(0.1, window_start + WINDOW - now))


class RateLimits:
    """In-process counters (one ``serve`` without Redis)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.counts: dict[tuple[str, str, int], int] = {}

    @staticmethod
    def create(settings: Settings) -> RateLimits:
        if settings.redis_url:
            return RedisRateLimits(settings.redis_url, settings.redis_prefix)
        return RateLimits()

    async def hit(self, bucket: Bucket, subject: str) -> Decision:
        if bucket.per_minute <= 0:
            return Decision(True)
        now = self.clock()
        window = math.floor(now / WINDOW)
        current = await self._count(bucket, subject, window, now)
        return _decide(bucket, current[0], current[1], now, window * WINDOW)

    async def _count(
        self, bucket: Bucket, subject: str, window: int, now: float
    ) -> tuple[int, int]:
        key = (bucket.name, subject, window)
        self.counts[key] = self.counts.get(key, 0) + 1
        if len(self.counts) > 100_000:
            self.counts = {k: v for k, v in self.counts.items() if k[2] >= window - 1}
        return self.counts[key], self.counts.get((bucket.name, subject, window - 1), 0)

    async def close(self) -> None:
        return None


class RedisRateLimits(RateLimits):
    def __init__(self, url: str, prefix: str, clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock)
        self.prefix = prefix
        self.redis: aioredis.Redis = aioredis.Redis.from_url(url)

    async def _count(
        self, bucket: Bucket, subject: str, window: int, now: float
    ) -> tuple[int, int]:
        key = f"{self.prefix}:rl:{bucket.name}:{subject}"
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.incr(f"{key}:{window}")
            pipe.expire(f"{key}:{window}", int(2 * WINDOW) + 1)
            pipe.get(f"{key}:{window - 1}")
            current, _, previous = await pipe.execute()
        return int(current), int(previous or 0)

    async def close(self) -> None:
        await self.redis.aclose()
