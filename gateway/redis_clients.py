"""Redis clients that give up instead of hanging.

    redis = redis_client(settings.redis_url)

A Redis that stops answering without closing its connections (a paused server, a
network partition) would otherwise hold every call on it forever: a request waiting
on its rate limit, a write waiting on its outbox. With these timeouts such a call
fails after ``SOCKET_TIMEOUT`` seconds like a refused one, and what Redis serves
degrades the way the outage of an unreachable Redis does (see README "Operations").
Blocking reads stay shorter than it (the inbox waits at most a second; the event bus
polls with its own timeout).
"""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

SOCKET_TIMEOUT = 5.0


def redis_client(url: str) -> aioredis.Redis:
    client: aioredis.Redis = aioredis.Redis.from_url(
        url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT
    )
    return client


def raise_if_cancelled() -> None:
    """Raise ``CancelledError`` in a task that was cancelled but is still running.

    redis-py can swallow a cancellation that lands while it opens a connection
    (redis/redis-py#2028, #2551): the command then returns or fails as usual and a loop
    around it would run on forever, holding up shutdown. Loops that wait on Redis call
    this after each call so a cancelled loop ends all the same."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
