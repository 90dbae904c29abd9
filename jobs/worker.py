"""The arq worker: the queued tasks, the schedule, and the resources they share.

    talentgraph worker                       # await run_worker(Settings())
    arq jobs.worker.WorkerSettings           # the same, settings read at import

Queued work (``sync_integration``, ``sync_job``) arrives as the record id and runs
through ``jobs.recorded.run_recorded``; a failed attempt is re-queued with
``arq.Retry(defer=backoff)`` and a dead one raises, so arq's completed / retried /
failed counts match the records. The schedule:

    every minute      queue the syncs that are due (``jobs.sync_schedule.due_syncs``:
                      incremental per ``sync_interval_minutes``, full per
                      ``full_sync_interval_minutes``)
    every 5 minutes   integration health checks
    continuously      inbound webhook events handed over by ``serve`` (``jobs.ingest``);
                      outbound webhook deliveries of every event on the bus (``jobs.deliver``)
    hourly            maintenance: expired OAuth states, dead and old job records
    daily, 03:07      queue the recruiter sync of each integration that lists users

    every minute      also: take over stalled records and queue again the ones arq lost
                      (``ArqQueue.reclaim``)

Queue name, arq job ids and cron names live under ``TALENTGRAPH_REDIS_PREFIX`` so two
deployments (or two test runs) can share one Redis. Everything arq-specific stays here
and in ``jobs.queue_arq``.

The worker outlives Redis outages: it waits for Redis before it starts, and while Redis
is away its polling loop (``SteadfastWorker``) logs the outage once, pauses (0.5 s
doubling to 5 s) and goes on, where arq's own loop would end the process. Running tasks
go on meanwhile (they need the database and the source, not Redis). A queued task whose
outcome could not be recorded is handed back to arq as a retry, never dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis
from arq import Retry
from arq.connections import RedisSettings
from arq.cron import CronJob, cron
from arq.worker import Function, Worker, func
from redis.exceptions import RedisError

from gateway.background_tasks import stop_all
from gateway.pubsub import EventBus
from gateway.queue import Leases, TaskQueue
from gateway.redis_clients import raise_if_cancelled, redis_client
from gateway.runtime import Runtime, close_runtime, open_runtime
from gateway.settings import Settings
from gateway.store.enums import BackgroundJobStatus
from jobs.deliver import Deliveries
from jobs.ingest import Ingestor
from jobs.maintenance import health_task, maintenance_task
from jobs.queue_arq import ArqQueue, queue_name
from jobs.recorded import run_recorded
from jobs.recruiter_tasks import enqueue_recruiter_syncs
from jobs.sync_tasks import schedule_tick
from jobs.task_context import TaskContext, task_context_for
from jobs.task_registry import TASKS, TaskSpec

logger = logging.getLogger("talentgraph.jobs.worker")

ARQ_MAX_TRIES = 1000
"""arq's own cap stays out of the way: each record's ``max_attempts`` decides."""


REDIS_DOWN = (OSError, ConnectionError, TimeoutError, RedisError)
"""What a call to Redis raises while Redis cannot be reached."""
PAUSE_FIRST = 0.5
PAUSE_MAX = 5.0
UNRECORDED_RETRY = 15.0
"""Seconds before arq runs again a record whose attempt could not be started or recorded
(the database was away); at least the lease and a second more (``unrecorded_retry``)."""


def unrecorded_retry() -> float:
    """When to run again a record whose outcome could not be recorded: the record still
    says its attempt is running, and a new attempt starts only once that one's lease has
    run out (``JobRecords.start_attempt``), so not before."""
    return max(UNRECORDED_RETRY, Leases.seconds + 1.0)


class TaskDead(Exception):
    """Raised to arq for a record that is now dead, so arq counts the job failed."""


class SteadfastWorker(Worker):
    """arq's worker, kept alive through Redis outages (see the module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pause = PAUSE_FIRST
        self.redis_lost_at: float | None = None
        self.shutdown_ran = False
        hook = self.on_shutdown

        async def shutdown_once(ctx: dict[Any, Any]) -> None:
            if self.shutdown_ran or hook is None:
                return
            self.shutdown_ran = True
            await hook(ctx)

        self.on_shutdown = shutdown_once

    async def close(self) -> None:
        """arq's ``close``, except that Redis being away does not skip the shutdown hook:
        arq deletes its health-check key before running it, and would raise out of
        ``close`` with the background loops and the runtime still open."""
        try:
            await super().close()
        except REDIS_DOWN as exc:
            logger.warning("worker stopping while Redis is away (%s)", exc)
            if self.on_shutdown is not None:
                await self.on_shutdown(self.ctx)
            pool, self._pool = self._pool, None
            if pool is not None:
                with contextlib.suppress(*REDIS_DOWN):
                    await pool.aclose(close_connection_pool=True)

    async def _poll_iteration(self) -> None:
        try:
            await super()._poll_iteration()
        except REDIS_DOWN as exc:
            if self.redis_lost_at is None:
                self.redis_lost_at = asyncio.get_running_loop().time()
                logger.warning("worker lost Redis (%s); polling again until it is back", exc)
            await asyncio.sleep(self.pause)
            self.pause = min(self.pause * 2, PAUSE_MAX)
            return
        if self.redis_lost_at is not None:
            away = asyncio.get_running_loop().time() - self.redis_lost_at
            logger.info("worker has Redis again after %.1f s", away)
            self.redis_lost_at = None
            self.pause = PAUSE_FIRST


def _queued_task(spec: TaskSpec) -> Function:
    async def run(ctx: dict[Any, Any], record_id: int) -> str | None:
        try:
            attempt = await run_recorded(ctx["task_context"], record_id)
        except Exception as exc:
            logger.warning(
                "%s (record %s) could not be started or recorded (%s); again in %.0f s",
                spec.name,
                record_id,
                exc,
                unrecorded_retry(),
            )
            raise Retry(defer=unrecorded_retry()) from None
        if attempt.status is BackgroundJobStatus.FAILED and attempt.retry_in is not None:
            raise Retry(defer=attempt.retry_in)
        if attempt.status is BackgroundJobStatus.DEAD:
            raise TaskDead(attempt.error or "dead")
        return attempt.status.value if attempt.status is not None else None

    run.__qualname__ = run.__name__ = spec.name
    return func(
        run,
        name=spec.name,
        timeout=spec.timeout + 60,  # our own timeout fires first and is recorded
        max_tries=ARQ_MAX_TRIES,
        keep_result=0,
    )


FUNCTIONS: list[Function] = [_queued_task(spec) for spec in TASKS.values()]


async def cron_due_syncs(ctx: dict[Any, Any]) -> dict[str, int]:
    context: TaskContext = ctx["task_context"]
    return await schedule_tick(context.session_factory, ctx["queue"])


async def cron_health(ctx: dict[Any, Any]) -> int:
    return len(await health_task(ctx["task_context"]))


async def cron_maintenance(ctx: dict[Any, Any]) -> dict[str, int]:
    return await maintenance_task(ctx["task_context"])


async def cron_recruiter_sync(ctx: dict[Any, Any]) -> dict[str, int]:
    return await enqueue_recruiter_syncs(ctx["task_context"].session_factory, ctx["queue"])


def cron_jobs(prefix: str) -> list[CronJob]:
    """Named under ``prefix``: arq makes a cron run unique by name and time."""

    def named(run: Any, name: str, timeout: int, **when: Any) -> CronJob:
        return cron(run, name=f"{prefix}:cron:{name}", timeout=timeout, max_tries=1, **when)

    return [
        named(cron_due_syncs, "due-syncs", 55, second=0),
        named(cron_health, "health", 280, minute=set(range(0, 60, 5)), second=20),
        named(cron_maintenance, "maintenance", 900, minute=17, second=40),
        named(cron_recruiter_sync, "recruiter-sync", 300, hour=3, minute=7, second=0),
    ]


async def startup(ctx: dict[Any, Any]) -> None:
    """The process's runtime (``gateway.runtime``) on arq's own Redis pool, and the
    background work: the bus's start, inbound webhook events, outbound deliveries."""
    settings: Settings = ctx.get("settings") or Settings()

    async def arq_queue(parts: Runtime) -> TaskQueue:
        return ArqQueue(ctx["redis"], parts.session_factory, settings.redis_prefix, owns_pool=False)

    runtime = await open_runtime(settings, queue_factory=arq_queue)
    tasks = task_context_for(runtime)
    ctx["runtime"] = runtime
    ctx["task_context"] = tasks
    ctx["queue"] = runtime.queue
    ingestor = Ingestor(tasks.deps, settings, runtime.webhook_inbox, runtime.queue)
    deliveries = Deliveries(
        runtime.session_factory,
        runtime.keyring,
        runtime.bus,  # outbound webhooks listen to every tenant's events
        runtime.delivery_inbox,
        settings,
        runtime.outbound_http,
    )
    ctx["background"] = [
        asyncio.create_task(_start_bus(runtime.bus), name="event-bus-start"),
        asyncio.create_task(ingestor.run(), name="webhook-ingest"),
        asyncio.create_task(deliveries.run(), name="webhook-deliveries"),
        asyncio.create_task(runtime.worker_heartbeat.run(), name="worker-heartbeat"),
    ]


async def _until_redis_answers(step: Callable[[], Awaitable[object]], what: str) -> None:
    """``step()`` until it does not fail for want of Redis, pausing 0.5 s doubling to 5 s."""
    pause = PAUSE_FIRST
    while True:
        try:
            await step()
            return
        except REDIS_DOWN as exc:
            raise_if_cancelled()
            logger.warning("%s (%s); trying again in %.1f s", what, exc, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, PAUSE_MAX)


async def _start_bus(bus: EventBus) -> None:
    """Outbound deliveries listen to the bus; while Redis is away, keep trying."""
    await _until_redis_answers(bus.start, "event bus not started")


async def shutdown(ctx: dict[Any, Any]) -> None:
    background: list[asyncio.Task[None]] = ctx.pop("background", [])
    await stop_all(background)
    ctx.pop("task_context", None)
    ctx.pop("queue", None)
    runtime: Runtime | None = ctx.pop("runtime", None)
    if runtime is not None:
        await close_runtime(runtime)


def _redis_settings(settings: Settings) -> RedisSettings:
    return RedisSettings.from_dsn(settings.redis_url) if settings.redis_url else RedisSettings()


def worker_options(settings: Settings) -> dict[str, Any]:
    """The ``arq.Worker`` keyword arguments for ``settings``."""
    return {
        "functions": FUNCTIONS,
        "cron_jobs": cron_jobs(settings.redis_prefix),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "redis_settings": _redis_settings(settings),
        "queue_name": queue_name(settings.redis_prefix),
        "ctx": {"settings": settings},
        "keep_result": 0,
        "max_tries": ARQ_MAX_TRIES,
        "health_check_interval": 60,
    }


_ENV = Settings()


class WorkerSettings:
    """For ``arq jobs.worker.WorkerSettings``: the environment's settings at import time."""

    functions = FUNCTIONS
    cron_jobs = cron_jobs(_ENV.redis_prefix)
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = _redis_settings(_ENV)
    queue_name = queue_name(_ENV.redis_prefix)
    keep_result = 0
    max_tries = ARQ_MAX_TRIES
    health_check_interval = 60


def create_worker(settings: Settings, **overrides: Any) -> Worker:
    """A ``SteadfastWorker`` for ``settings``; ``overrides`` as ``arq.Worker`` takes them
    (``burst=True``, ``handle_signals=False``, ``cron_jobs=[]``, ``poll_delay=0.05``...)."""
    if not settings.redis_url:
        raise RuntimeError("the worker needs Redis: set TALENTGRAPH_REDIS_URL")
    return SteadfastWorker(**{**worker_options(settings), **overrides})


async def wait_for_redis(url: str) -> None:
    """Return once Redis answers, logging while it does not (a worker started during an
    outage waits for it instead of exiting)."""
    client: aioredis.Redis = redis_client(url)
    try:
        await _until_redis_answers(client.ping, "waiting for Redis")
    finally:
        await client.aclose()


async def run_worker(settings: Settings, **overrides: Any) -> Worker:
    """Run until stopped (SIGINT/SIGTERM) or, with ``burst=True``, until the queue is empty."""
    if settings.redis_url:
        await wait_for_redis(settings.redis_url)
    worker = create_worker(settings, **overrides)
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await worker.async_run()
    finally:
        await worker.close()
    return worker
