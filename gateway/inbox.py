"""Hand-offs of stored work: ids of rows that some process should act on now.

    inbox = Inbox.create(settings, "webhook-events")
    await inbox.put([41, 42])                 # after the rows are committed
    ids = await inbox.take(limit=50, timeout=1.0)   # [41, 42], or [] after 1 s

The rows are the record (an inbound ``webhook_events`` row, an outbound
``webhook_deliveries`` row): an inbox only says "look at these now". An id can be
lost (a process dies after ``take``) or arrive twice; whoever takes it claims the row
in the store before acting, and a sweep re-puts the rows that are due and unclaimed.
So the inbox needs no durability of its own, and one Redis round trip is all that
putting costs the webhook route.

In-process by default; a Redis list under the deployment's prefix when Redis is
configured, so ``serve`` processes put and ``worker`` processes take.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import redis.asyncio as aioredis

from gateway.redis_clients import raise_if_cancelled, redis_client
from gateway.settings import Settings

HANDOFF_GRACE = timedelta(seconds=10)
"""A row stored with a hand-off is left to it this long before a sweep hands it on."""
WEBHOOK_EVENTS = "webhook-events"
WEBHOOK_DELIVERIES = "webhook-deliveries"


class Inbox:
    """In-process: an unbounded asyncio queue."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.queue: asyncio.Queue[int] = asyncio.Queue()

    @staticmethod
    def create(settings: Settings, name: str) -> Inbox:
        if settings.redis_url:
            return RedisInbox(name, settings.redis_url, settings.redis_prefix)
        return Inbox(name)

    async def put(self, ids: Sequence[int]) -> None:
        for row_id in ids:
            self.queue.put_nowait(row_id)

    async def take(self, *, limit: int, timeout: float) -> list[int]:  # noqa: ASYNC109
        """Up to ``limit`` ids, waiting at most ``timeout`` seconds for the first."""
        try:
            first = await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return []
        taken = [first]
        while len(taken) < limit:
            try:
                taken.append(self.queue.get_nowait())
            except asyncio.QueueEmpty:
                break
        return taken

    async def close(self) -> None:
        return None


class RedisInbox(Inbox):
    """A Redis list ``<prefix>:inbox:<name>``: LPUSH to put, BRPOP then RPOP to take."""

    def __init__(self, name: str, url: str, prefix: str) -> None:
        super().__init__(name)
        self.key = f"{prefix}:inbox:{name}"
        self.redis: aioredis.Redis = redis_client(url)

    async def put(self, ids: Sequence[int]) -> None:
        if ids:
            await self.redis.lpush(self.key, *[str(row_id) for row_id in ids])  # type: ignore[misc]

    async def take(self, *, limit: int, timeout: float) -> list[int]:  # noqa: ASYNC109
        wait: Any = max(timeout, 0.01)  # Redis >= 6 takes fractions of a second
        popped = await self.redis.brpop([self.key], timeout=wait)  # type: ignore[misc]
        raise_if_cancelled()
        if popped is None:
            return []
        taken = [int(popped[1])]
        if limit > 1:
            more = await self.redis.rpop(self.key, limit - 1)  # type: ignore[misc]
            taken += [int(value) for value in more or ()]
        return taken

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.redis.aclose()
