"""Request rate limits per caller, shared across processes through Redis when configured.

    limits = RateLimits.create(settings)
    public, user, credentials = buckets(settings)
    decision = await limits.hit(public, "203.0.113.7")
    decision.allowed, decision.retry_after          # False, 12.4 (seconds)

Buckets (per minute): public interview operations 60 per client IP, authenticated
operations 300 per user, integration credential operations 10 per user.

Sliding-window counters: a caller's count in the current minute plus the previous
minute's count weighted by how much of it still lies inside the last 60 seconds. That
is smooth at window edges (no double burst) and costs one Redis round trip (a script
that checks and counts atomically). Only admitted calls count: a refused call changes
nothing, so the ``retry_after`` it is told (the earliest moment the same call would be
admitted, if nothing else arrives meanwhile) holds: a client that waits it gets in.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from gateway.redis_clients import redis_client
from gateway.settings import Settings

logger = logging.getLogger("talentgraph.rate_limits")

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
    """``remaining``: calls still admitted now, this one counted; ``reset``: seconds
    until the current window ends and its count starts sliding out (for a refusal,
    ``retry_after``)."""

    allowed: bool
    retry_after: float = 0.0
    remaining: int = 0
    reset: float = 0.0


def _admitted(limit: int, current: int, previous: int, now: float) -> Decision:
    """The decision for a call admitted at ``now``, ``current`` counting it."""
    window_start = math.floor(now / WINDOW) * WINDOW
    weight = 1.0 - (now - window_start) / WINDOW
    remaining = max(0, math.floor(limit - current - previous * weight))
    return Decision(True, remaining=remaining, reset=window_start + WINDOW - now)


def _decide(bucket: Bucket, current: int, previous: int, now: float) -> Decision:
    """Whether one more call at ``now`` fits, given the counts of admitted calls in the
    current window and the one before; when it does not, how long until it would."""
    window_start = math.floor(now / WINDOW) * WINDOW
    limit = bucket.per_minute
    elapsed = (now - window_start) / WINDOW
    if current + 1 + previous * (1.0 - elapsed) <= limit:
        return _admitted(limit, current + 1, previous, now)
    if previous and current + 1 <= limit:
        # later in this window, once enough of the previous one has slid out
        needed = 1.0 - (limit - current - 1) / previous
        if needed < 1.0:
            return _refused(window_start + needed * WINDOW - now)
    # in the next window, where this window's count is the one that slides out
    needed = max(0.0, 1.0 - (limit - 1) / current) if current else 0.0
    return _refused(window_start + WINDOW + needed * WINDOW - now)


def _refused(seconds: float) -> Decision:
    """A refusal with a wait a client can honour to the second: never zero, a hair over
    the exact moment so that waiting ``ceil(retry_after)`` seconds always gets in."""
    wait = max(0.1, seconds + 0.001)
    return Decision(False, wait, reset=wait)


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
        return await self._admit(bucket, subject, self.clock())

    async def _admit(self, bucket: Bucket, subject: str, now: float) -> Decision:
        window = math.floor(now / WINDOW)
        key = (bucket.name, subject, window)
        current = self.counts.get(key, 0)
        previous = self.counts.get((bucket.name, subject, window - 1), 0)
        decision = _decide(bucket, current, previous, now)
        if decision.allowed:
            self.counts[key] = current + 1
            if len(self.counts) > 100_000:
                self.counts = {k: v for k, v in self.counts.items() if k[2] >= window - 1}
        return decision

    async def close(self) -> None:
        return None


_ADMIT = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local limit = tonumber(ARGV[1])
local weight = tonumber(ARGV[2])
if current + 1 + previous * weight <= limit then
  current = redis.call('INCR', KEYS[1])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
  return {1, current, previous}
end
return {0, current, previous}
"""
"""Check and count in one step, so concurrent calls from many processes can neither
both take the last slot nor count a refusal."""


class RedisRateLimits(RateLimits):
    def __init__(self, url: str, prefix: str, clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock)
        self.prefix = prefix
        self.redis: aioredis.Redis = redis_client(url)
        self.script = self.redis.register_script(_ADMIT)

    async def _admit(self, bucket: Bucket, subject: str, now: float) -> Decision:
        """Counted in Redis; while Redis cannot be reached, in this process (the limits
        still hold per process, and no caller is refused for an outage of ours)."""
        window = math.floor(now / WINDOW)
        weight = 1.0 - (now - window * WINDOW) / WINDOW
        key = f"{self.prefix}:rl:{bucket.name}:{subject}"
        try:
            admitted, current, previous = await self.script(
                keys=[f"{key}:{window}", f"{key}:{window - 1}"],
                args=[bucket.per_minute, repr(weight), int(2 * WINDOW) + 1],
            )
        except (TimeoutError, OSError, ConnectionError, RedisError) as exc:
            logger.warning("rate limits counted in process, Redis unavailable: %s", exc)
            return await super()._admit(bucket, subject, now)
        if admitted:
            return _admitted(bucket.per_minute, int(current), int(previous), now)
        decision = _decide(bucket, int(current), int(previous), now)
        return decision if not decision.allowed else _refused(0.0)

    async def close(self) -> None:
        await self.redis.aclose()


def rate_limit_headers(bucket: Bucket, decision: Decision) -> dict[str, str]:
    """``RateLimit-Limit``, ``-Remaining`` and ``-Reset`` (whole seconds) as in
    draft-ietf-httpapi-ratelimit-headers-07.

    >>> rate_limit_headers(Bucket("user", 300), Decision(True, remaining=12, reset=41.2))
    {'ratelimit-limit': '300', 'ratelimit-remaining': '12', 'ratelimit-reset': '42'}
    """
    return {
        "ratelimit-limit": str(bucket.per_minute),
        "ratelimit-remaining": str(decision.remaining),
        "ratelimit-reset": str(max(1, math.ceil(decision.reset))),
    }
