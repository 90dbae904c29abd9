"""Is a worker alive? Each ``talentgraph worker`` beats into Redis; ``/readyz`` reads it.

    heartbeat = WorkerHeartbeat.create(settings)
    await heartbeat.beat()                       # the worker, every BEAT_SECONDS (``run``)
    await heartbeat.liveness()                   # the gateway
    Liveness(state='running', last_beat_at=datetime(...))

One key, ``<prefix>:worker:heartbeat``, holds the time of the newest beat of any worker
and expires after ``FORGET_AFTER``:

- ``running``: a beat within ``STALE_AFTER`` (three beats);
- ``stale``: the key is there but older: every worker stopped (or lost Redis) lately;
- ``absent``: no key: no worker beat for ``FORGET_AFTER``, or none ever ran;
- ``in-process``: no Redis configured: ``serve`` runs the work itself;
- ``unknown``: Redis did not answer.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from gateway.redis_clients import raise_if_cancelled, redis_client
from gateway.settings import Settings
from gateway.store.base import utcnow

logger = logging.getLogger("talentgraph.worker_heartbeat")

BEAT_SECONDS = 10.0
STALE_AFTER = timedelta(seconds=3 * BEAT_SECONDS)
FORGET_AFTER = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Liveness:
    state: str
    last_beat_at: datetime | None = None

    def as_json(self) -> dict[str, str | None]:
        return {
            "state": self.state,
            "lastBeatAt": self.last_beat_at.isoformat() if self.last_beat_at else None,
        }


class WorkerHeartbeat:
    def __init__(self, redis: aioredis.Redis | None, prefix: str) -> None:
        self.redis = redis
        self.key = f"{prefix}:worker:heartbeat"

    @classmethod
    def create(cls, settings: Settings) -> WorkerHeartbeat:
        redis = redis_client(settings.redis_url) if settings.redis_url else None
        return cls(redis, settings.redis_prefix)

    async def beat(self, now: datetime | None = None) -> None:
        if self.redis is None:
            return
        moment = now or utcnow()
        await self.redis.set(
            self.key, moment.isoformat(), px=int(FORGET_AFTER / timedelta(milliseconds=1))
        )

    async def run(self) -> None:
        """Beat until cancelled; a beat Redis refused is logged and tried at the next."""
        while True:
            try:
                await self.beat()
            except (RedisError, OSError) as exc:
                logger.warning("worker heartbeat not written: %s", exc)
            raise_if_cancelled()
            await asyncio.sleep(BEAT_SECONDS)

    async def liveness(self, now: datetime | None = None) -> Liveness:
        if self.redis is None:
            return Liveness("in-process")
        try:
            value = await self.redis.get(self.key)
        except (RedisError, OSError):
            return Liveness("unknown")
        if value is None:
            return Liveness("absent")
        last = datetime.fromisoformat(value.decode() if isinstance(value, bytes) else str(value))
        fresh = (now or utcnow()) - last <= STALE_AFTER
        return Liveness("running" if fresh else "stale", last)

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
