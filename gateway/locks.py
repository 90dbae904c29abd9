"""Exclusive locks that expire if their holder dies: Redis when configured (redis-py's
lock), in process otherwise (the embedded default runs one process).

    lock = locks.lock("sync:42", ttl=60)
    if not await lock.acquire():
        ...  # someone else holds it
    try:
        await lock.extend()   # heartbeat while working
    finally:
        await lock.release()
"""

from __future__ import annotations

import contextlib
import secrets
import time
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import LockError

from gateway.redis_clients import redis_client


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
    """redis-py's lock (``SET NX PX`` to take it, Lua scripts that check the token to
    extend or release it), without waiting: a lock held elsewhere is not ours."""

    def __init__(self, redis: aioredis.Redis, key: str, ttl: float) -> None:
        self.lock = redis.lock(key, timeout=ttl, blocking=False, thread_local=False)

    async def acquire(self) -> bool:
        return bool(await self.lock.acquire(blocking=False))

    async def extend(self) -> bool:
        try:
            return bool(await self.lock.reacquire())
        except LockError:
            return False

    async def release(self) -> None:
        with contextlib.suppress(LockError):
            await self.lock.release()


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
