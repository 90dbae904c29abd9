"""Exclusive locks that expire if their holder dies: Redis when configured, in
process otherwise (the embedded default runs one process).

    lock = locks.lock("sync:42", ttl=60)
    if not await lock.acquire():
        ...  # someone else holds it
    try:
        await lock.extend()   # heartbeat while working
    finally:
        await lock.release()
"""

from __future__ import annotations

import secrets
import time
from typing import Protocol

import redis.asyncio as aioredis

from gateway.redis_clients import redis_client

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""


class Lock(Protocol):
    async def acquire(self) -> bool: ...
    async def extend(self) -> bool: ...
    async def release(self) -> None: ...


class LockFactory(Protocol):
    def lock(self, name: str, *, ttl: float = 60.0) -> Lock: ...
    async def held(self, name: str) -> bool: ...
    async def close(self) -> None: ...


class _LocalLock:
    def __init__(self, table: dict[str, tuple[str, float]], name: str, ttl: float) -> None:
        self.table, self.name, self.ttl = table, name, ttl
        self.token = secrets.token_hex(8)

    async def acquire(self) -> bool:
        holder = self.table.get(self.name)
        if holder is not None and holder[1] > time.monotonic() and holder[0] != self.token:
            return False
        self.table[self.name] = (self.token, time.monotonic() + self.ttl)
        return True

    async def extend(self) -> bool:
        holder = self.table.get(self.name)
        if holder is None or holder[0] != self.token:
            return False
        self.table[self.name] = (self.token, time.monotonic() + self.ttl)
        return True

    async def release(self) -> None:
        holder = self.table.get(self.name)
        if holder is not None and holder[0] == self.token:
            del self.table[self.name]


class LocalLocks:
    def __init__(self) -> None:
        self.table: dict[str, tuple[str, float]] = {}

    def lock(self, name: str, *, ttl: float = 60.0) -> Lock:
        return _LocalLock(self.table, name, ttl)

    async def held(self, name: str) -> bool:
        holder = self.table.get(name)
        return holder is not None and holder[1] > time.monotonic()

    async def close(self) -> None:
        return None


class _RedisLock:
    def __init__(self, redis: aioredis.Redis, key: str, ttl: float) -> None:
        self.redis, self.key, self.ttl_ms = redis, key, int(ttl * 1000)
        self.token = secrets.token_hex(16)

    async def acquire(self) -> bool:
        return bool(await self.redis.set(self.key, self.token, nx=True, px=self.ttl_ms))

    async def extend(self) -> bool:
        return bool(await self.redis.eval(_EXTEND, 1, self.key, self.token, str(self.ttl_ms)))  # type: ignore[misc]

    async def release(self) -> None:
        await self.redis.eval(_RELEASE, 1, self.key, self.token)  # type: ignore[misc]


class RedisLocks:
    def __init__(self, url: str, prefix: str) -> None:
        self.redis: aioredis.Redis = redis_client(url)
        self.prefix = prefix

    def lock(self, name: str, *, ttl: float = 60.0) -> Lock:
        return _RedisLock(self.redis, f"{self.prefix}:lock:{name}", ttl)

    async def held(self, name: str) -> bool:
        return bool(await self.redis.exists(f"{self.prefix}:lock:{name}"))

    async def close(self) -> None:
        await self.redis.aclose()


def create_locks(redis_url: str | None, prefix: str) -> LockFactory:
    return RedisLocks(redis_url, prefix) if redis_url else LocalLocks()
