"""At most N writes in flight per integration; the rest wait their turn.

    limits = WriteLimits.create(settings)          # in-process, or Redis when configured
    async with limits.slot(integration_id):
        await connector.move_stage(...)

A burst beyond the limit queues, it never fails. In one process an asyncio semaphore
per integration does it. With Redis the limit holds across every ``serve`` and
``worker`` process: a slot is a member of a sorted set ``<prefix>:writes:<id>`` scored
by its expiry, taken by a Lua script only while fewer than N unexpired members exist;
a process that dies holding slots loses them when they expire. The local semaphore
stays in front so one process never polls Redis for more slots than it could use, and
while Redis cannot be reached it is the only limit: writes go on, N per process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from gateway.redis_clients import redis_client
from gateway.settings import Settings

logger = logging.getLogger("talentgraph.write_limits")
REDIS_DOWN = (OSError, ConnectionError, TimeoutError, RedisError)

Release = Callable[[], Awaitable[None]]
DEFAULT_LIMIT = 30
SLOT_TTL_SECONDS = 120.0
"""A slot older than this belonged to a process that died mid-write."""

_TAKE = """
local key, now, expires = KEYS[1], tonumber(ARGV[1]), ARGV[2]
local token, limit = ARGV[3], tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, expires, token)
  redis.call('PEXPIRE', key, math.ceil((tonumber(expires) - now) * 1000))
  return 1
end
return 0
"""


class WriteLimits:
    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self._local: dict[int, asyncio.Semaphore] = {}
        self.in_flight: dict[int, int] = {}
        self.peak: dict[int, int] = {}

    @staticmethod
    def create(settings: Settings) -> WriteLimits:
        limit = settings.max_writes_in_flight
        if settings.redis_url:
            return RedisWriteLimits(settings.redis_url, settings.redis_prefix, limit)
        return WriteLimits(limit)

    @contextlib.asynccontextmanager
    async def slot(self, integration_id: int) -> AsyncIterator[None]:
        semaphore = self._local.setdefault(integration_id, asyncio.Semaphore(self.limit))
        async with semaphore:
            release = await self._acquire_shared(integration_id)
            self.in_flight[integration_id] = self.in_flight.get(integration_id, 0) + 1
            self.peak[integration_id] = max(
                self.peak.get(integration_id, 0), self.in_flight[integration_id]
            )
            try:
                yield
            finally:
                self.in_flight[integration_id] -= 1
                await release()

    async def _acquire_shared(self, integration_id: int) -> Release:
        return _nothing

    async def close(self) -> None:
        return None


async def _nothing() -> None:
    return None


class RedisWriteLimits(WriteLimits):
    def __init__(self, url: str, prefix: str, limit: int = DEFAULT_LIMIT) -> None:
        super().__init__(limit)
        self.prefix = prefix
        self.redis: aioredis.Redis = redis_client(url)
        self._take = self.redis.register_script(_TAKE)

    async def _acquire_shared(self, integration_id: int) -> Release:
        key = f"{self.prefix}:writes:{integration_id}"
        token = uuid.uuid4().hex
        delay = 0.005
        while True:
            now = time.time()
            try:
                taken = await self._take(
                    keys=[key], args=[now, now + SLOT_TTL_SECONDS, token, self.limit]
                )
            except REDIS_DOWN as exc:
                logger.warning(
                    "write limit of integration %s held in process: %s", integration_id, exc
                )
                return _nothing
            if taken:
                break
            await asyncio.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.1)

        async def release() -> None:
            with contextlib.suppress(Exception):
                await self.redis.zrem(key, token)

        return release

    async def close(self) -> None:
        await self.redis.aclose()
