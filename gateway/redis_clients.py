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

import redis.asyncio as aioredis

SOCKET_TIMEOUT = 5.0


def redis_client(url: str) -> aioredis.Redis:
    client: aioredis.Redis = aioredis.Redis.from_url(
        url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT
    )
    return client
