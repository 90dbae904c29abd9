"""The queue over arq and Redis, for any number of ``serve`` and ``worker`` processes.

    queue = ArqQueue(arq_redis(settings), session_factory, settings.redis_prefix)
    await queue.enqueue(SYNC_INTEGRATION, key="sync:42", tenant_id=1, payload={...})

The arq job runs ``jobs.worker``'s function of the task's name with the record id; the
record holds the rest. A record is first queued under its key below the Redis prefix
(``<prefix>:sync:42``), so arq itself refuses a second job with that key while one is
queued, deferred for a retry or running; the worker keeps no results, so the key is
free again the moment the job ends. A failed attempt's retry stays under the id it ran
under (``arq.Retry``).

A worker killed mid-job leaves its arq job behind (arq keeps it "in progress" for the
task's whole timeout, hours for a sync). The record's lease says so within seconds
(``gateway.queue.Leases``): a stalled record is taken over (``take_over``) and queued
again, by the next enqueue of its key, by ``retry`` and by ``reclaim``, which the worker
runs every minute. ``reclaim`` also queues again the records arq lost (pending or due
for a retry, and unknown to arq).

Queued again, a record gets an arq id of its own, named after the attempt it is for
(``<prefix>:sync:42#7.3``: record 7, attempt 3). A stalled attempt may still be running
in a worker that lost the database for a while; when it ends, arq clears everything it
holds under that attempt's id (its job, its queue entry, its "in progress" mark). Under
one shared id that would wipe the job queued for the next attempt, or its deferred
retry, and a worker running both would trip over its own bookkeeping.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from arq.connections import ArqRedis
from arq.constants import in_progress_key_prefix, job_key_prefix, retry_key_prefix

from gateway.queue import Enqueued, JobRecords, is_stalled
from gateway.settings import Settings
from gateway.store.base import utcnow
from gateway.store.engine import SessionFactory
from gateway.store.enums import BackgroundJobStatus
from gateway.store.models import BackgroundJob
from jobs.task_registry import task_spec

logger = logging.getLogger(__name__)

ORPHAN_AFTER = timedelta(seconds=30)
"""An active record arq does not know, older than this, was lost (e.g. Redis was flushed).
Younger ones may belong to an ``enqueue`` in another process that is between its two steps."""
OVERDUE = timedelta(minutes=1)
"""A record due this long ago that arq does not know is queued again by ``reclaim``."""


QUEUED_IN_ARQ = (BackgroundJobStatus.PENDING, BackgroundJobStatus.FAILED)
"""Records whose work arq holds waiting (not in progress) while they are in this status."""


def due_for(priority: int) -> datetime | None:
    """When arq should think a job of ``priority`` was due: ``priority`` seconds ago.

    arq keeps its queue as a sorted set scored by the due time in milliseconds
    (``ArqRedis.enqueue_job``: ``_defer_until`` becomes the score) and a worker takes the
    lowest scores first (``zrangebyscore`` up to now), so an earlier due time is a
    higher priority. None (due now, arq's own score) for priority 0."""
    return utcnow() - timedelta(seconds=priority) if priority else None


def queue_name(prefix: str) -> str:
    """The arq queue (a Redis sorted set) under the deployment's key prefix."""
    return f"{prefix}:arq:queue"


def arq_job_id(prefix: str, key: str) -> str:
    """The id a record is first queued under: one per key, so arq refuses a duplicate."""
    return f"{prefix}:{key}"


def attempt_job_id(prefix: str, record: BackgroundJob) -> str:
    """The id a record is queued again under, for its next attempt."""
    assert record.job_key is not None
    return f"{arq_job_id(prefix, record.job_key)}#{record.id}.{record.attempts + 1}"


def job_ids_of(prefix: str, record: BackgroundJob) -> list[str]:
    """Every id arq may hold the record's work under: its first one and those of each
    attempt it could have been queued again for (up to its next)."""
    assert record.job_key is not None
    first = arq_job_id(prefix, record.job_key)
    return [first, *(f"{first}#{record.id}.{n}" for n in range(1, record.attempts + 2))]


def arq_redis(settings: Settings) -> ArqRedis:
    """A client for enqueueing; it connects on first use, so a process starts (and answers
    ``/readyz`` with 503) while Redis is down."""
    if not settings.redis_url:
        raise RuntimeError("TALENTGRAPH_REDIS_URL is not set")
    redis: ArqRedis = ArqRedis.from_url(settings.redis_url)
    redis.default_queue_name = queue_name(settings.redis_prefix)
    return redis


class ArqQueue:
    def __init__(
        self,
        redis: ArqRedis,
        session_factory: SessionFactory,
        prefix: str,
        *,
        owns_pool: bool = True,
    ) -> None:
        self.redis = redis
        self.records = JobRecords(session_factory)
        self.prefix = prefix
        self.queue_name = queue_name(prefix)
        self.owns_pool = owns_pool

    async def enqueue(
        self,
        task: str,
        *,
        key: str,
        tenant_id: int,
        payload: dict[str, Any],
        priority: int = 0,
    ) -> Enqueued:
        spec = task_spec(task)
        arq_id = arq_job_id(self.prefix, key)
        active = await self.records.find_active(tenant_id, key)
        if active is not None:
            if is_stalled(active):
                if await self.records.take_over(active.id):
                    await self._requeue(active)
                    return Enqueued(active.id, duplicate=False)
                return Enqueued(active.id, duplicate=True)  # taken over meanwhile
            if active.created_at > utcnow() - ORPHAN_AFTER or await self._known(active):
                return Enqueued(active.id, duplicate=True)
            await self.records.mark_dead(active.id, "lost: the queue no longer held it")
        record = await self.records.create(
            task,
            key=key,
            tenant_id=tenant_id,
            payload=payload,
            max_attempts=spec.max_attempts,
            priority=priority,
        )
        try:
            job = await self.redis.enqueue_job(
                task,
                record.id,
                _job_id=arq_id,
                _queue_name=self.queue_name,
                _defer_until=due_for(priority),
            )
            if job is None:
                holder = await self.records.find_active(tenant_id, key)
                if holder is not None and holder.id != record.id:
                    await self.records.delete(record.id)
                    return Enqueued(holder.id, duplicate=True)
                # what arq holds belongs to no active record: a job whose worker died
                await self._purge(arq_id)
                await self.redis.enqueue_job(
                    task,
                    record.id,
                    _job_id=arq_id,
                    _queue_name=self.queue_name,
                    _defer_until=due_for(priority),
                )
        except BaseException:
            await self.records.delete(record.id)
            raise
        return Enqueued(record.id, duplicate=False)

    async def retry(self, job_record_id: int, *, tenant_id: int) -> Enqueued:
        before = await self.records.get(job_record_id)
        enqueued = await self.records.reset_for_retry(tenant_id, job_record_id)
        if enqueued.duplicate:
            return enqueued
        record = await self.records.get(job_record_id)
        assert before is not None and record is not None and record.job_key is not None
        await self._requeue(record, replacing=job_ids_of(self.prefix, before))
        return enqueued

    async def reclaim(self) -> int:
        """Queue again what no worker will otherwise run soon: stalled records (taken
        over) and records due over ``OVERDUE`` ago that arq does not hold waiting in its
        queue (lost, or "in progress" for a worker that died between recording a failed
        attempt and handing arq its retry: no attempt runs, the record would say so).
        How many arq took; one it refused stays due, and the next reclaim tries again."""
        reclaimed = 0
        for record in await self.records.stalled():
            if await self.records.take_over(record.id):
                reclaimed += await self._requeue(record)
        for record in await self.records.overdue(before=utcnow() - OVERDUE):
            if record.job_key is None:
                continue
            if not await self._waiting(record):
                reclaimed += await self._requeue(record)
        return reclaimed

    async def _requeue(self, record: BackgroundJob, *, replacing: Iterable[str] = ()) -> bool:
        """Replace whatever arq holds for the record (and the ids in ``replacing``) by a
        job due now, under the id of the record's next attempt. Whether arq holds it
        waiting afterwards: ``enqueue_job`` answers None, without a word, when the id's
        key appeared meanwhile or its transaction was interrupted."""
        assert record.job_key is not None
        await self._purge(*job_ids_of(self.prefix, record), *replacing)
        arq_id = attempt_job_id(self.prefix, record)
        job = await self.redis.enqueue_job(
            record.job_type,
            record.id,
            _job_id=arq_id,
            _queue_name=self.queue_name,
            _defer_until=due_for(record.priority),
        )
        if job is not None or await self._waiting(record):
            return True
        logger.warning("arq did not queue %s for record %s; it stays due", arq_id, record.id)
        return False

    async def clear(self, tenant_id: int, statuses: Iterable[BackgroundJobStatus]) -> int:
        """Delete the records, then what arq holds for the pending and failed ones (a job
        waiting in its queue, or deferred for a retry): cleared work never starts. A
        worker that took one between the two steps finds no record and does nothing."""
        cleared = await self.records.clear(tenant_id, statuses)
        for record in cleared:
            if record.job_key is not None and record.status in QUEUED_IN_ARQ:
                await self._purge(*job_ids_of(self.prefix, record))
        return len(cleared)

    async def _purge(self, *arq_ids: str) -> None:
        if not arq_ids:
            return
        async with self.redis.pipeline(transaction=True) as pipe:
            for arq_id in arq_ids:
                pipe.delete(
                    job_key_prefix + arq_id,
                    in_progress_key_prefix + arq_id,
                    retry_key_prefix + arq_id,
                )
                pipe.zrem(self.queue_name, arq_id)
            await pipe.execute()

    async def _known(self, record: BackgroundJob) -> bool:
        """arq holds the record's work under any of its ids, queued or in progress."""
        keys = [
            prefix + arq_id
            for arq_id in job_ids_of(self.prefix, record)
            for prefix in (job_key_prefix, in_progress_key_prefix)
        ]
        return bool(await self.redis.exists(*keys))

    async def _waiting(self, record: BackgroundJob) -> bool:
        """arq holds the record's work in its queue, under one of its ids, and no worker
        has that job in progress. A job needs both its key and its queue entry: arq's
        worker only looks at the queue, so a key without an entry never runs."""
        arq_ids = job_ids_of(self.prefix, record)
        async with self.redis.pipeline(transaction=False) as pipe:
            for arq_id in arq_ids:
                pipe.exists(job_key_prefix + arq_id)
                pipe.zscore(self.queue_name, arq_id)
                pipe.exists(in_progress_key_prefix + arq_id)
            found = await pipe.execute()
        return any(
            stored and score is not None and not in_progress
            for stored, score, in_progress in zip(found[::3], found[1::3], found[2::3], strict=True)
        )

    async def close(self) -> None:
        if self.owns_pool:
            await self.redis.aclose()
