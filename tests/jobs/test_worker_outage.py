"""The worker outlives Redis: started while Redis is down it waits for it, and when Redis
goes away under it the worker keeps polling and runs what is queued once Redis is back,
instead of ending the process (arq's own loop raises out of ``Worker.main``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from gateway.background_tasks import STOP_GRACE
from gateway.services.sync_requests import enqueue_integration_sync
from gateway.settings import Settings
from gateway.store.enums import BackgroundJobStatus, SyncStatus
from jobs import sync_tasks
from jobs.queue_arq import ArqQueue, arq_redis
from jobs.sync_api import SyncOutcome
from jobs.worker import create_worker, run_worker
from tests.support.queue_harness import World, queue_settings
from tests.support.restartable_redis import RestartableRedis, restartable_redis

ARQ_CONNECT_TRIES_SECONDS = 5
"""arq's own connection attempts at start last this long (5 tries, 1 s apart)."""


@pytest.fixture
def redis_server() -> Iterator[RestartableRedis]:
    with restartable_redis() as server:
        yield server


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []

    async def fake(_deps: Any, _tenant_id: int, integration_id: int, **_: Any) -> SyncOutcome:
        calls.append(integration_id)
        return SyncOutcome(run_id=None, status=SyncStatus.SUCCEEDED)

    monkeypatch.setattr(sync_tasks, "sync_integration", fake)
    return calls


@contextlib.asynccontextmanager
async def running_worker(settings: Settings) -> AsyncIterator[asyncio.Task[Any]]:
    worker = asyncio.create_task(
        run_worker(settings, handle_signals=False, cron_jobs=[], poll_delay=0.05)
    )
    try:
        yield worker
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await worker


async def until(condition: Any, what: str, within: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {within} s: {what}")
        await asyncio.sleep(0.05)


async def test_the_worker_survives_redis_going_away_and_works_again(
    world: World, redis_server: RestartableRedis, synced: list[int]
) -> None:
    settings = queue_settings(world.url, redis_url=redis_server.url, redis_prefix="outage")
    queue = ArqQueue(arq_redis(settings), world.session_factory, settings.redis_prefix)
    try:
        async with running_worker(settings) as worker:
            first = await enqueue_integration_sync(queue, world.tenant_id, world.integration_ids[0])

            async def succeeded(record_id: int) -> bool:
                record = await queue.records.get(record_id)
                return record is not None and record.status is BackgroundJobStatus.SUCCEEDED

            await until(lambda: succeeded(first.job_record_id), "the first job ran")

            redis_server.halt()
            await asyncio.sleep(1.5)
            assert not worker.done(), f"the worker ended while Redis was away: {worker}"
            redis_server.resume()

            async def enqueued() -> bool:
                try:
                    return not (
                        await enqueue_integration_sync(
                            queue, world.tenant_id, world.integration_ids[1]
                        )
                    ).duplicate
                except Exception:
                    return False

            await until(enqueued, "Redis answers again")
            record = await queue.records.find_active(
                world.tenant_id, f"sync:{world.integration_ids[1]}"
            )
            assert record is not None
            await until(lambda: succeeded(record.id), "the worker ran the job queued after")
            assert synced == [world.integration_ids[0], world.integration_ids[1]]
            assert not worker.done()
    finally:
        await queue.close()


async def test_a_worker_started_while_redis_is_down_waits_for_it(
    world: World, redis_server: RestartableRedis, synced: list[int]
) -> None:
    settings = queue_settings(world.url, redis_url=redis_server.url, redis_prefix="late")
    redis_server.halt()
    async with running_worker(settings) as worker:
        await asyncio.sleep(ARQ_CONNECT_TRIES_SECONDS + 1)
        assert not worker.done(), f"the worker gave up on Redis: {worker}"
        redis_server.resume()
        queue = ArqQueue(arq_redis(settings), world.session_factory, settings.redis_prefix)
        try:
            queued = await enqueue_integration_sync(
                queue, world.tenant_id, world.integration_ids[2]
            )

            async def done() -> bool:
                record = await queue.records.get(queued.job_record_id)
                return record is not None and record.status is BackgroundJobStatus.SUCCEEDED

            await until(done, "the worker that waited for Redis ran the job")
        finally:
            await queue.close()


async def test_a_worker_stopped_while_redis_is_down_still_shuts_down(
    world: World, redis_server: RestartableRedis
) -> None:
    """arq's ``close`` first deletes its health-check key and only then runs the
    shutdown hook: with Redis away the hook was skipped, and the ingest, delivery and
    heartbeat loops and the runtime (database pool, HTTP clients) were left open."""
    settings = queue_settings(world.url, redis_url=redis_server.url, redis_prefix="stopping")
    worker = create_worker(settings, handle_signals=False, cron_jobs=[], poll_delay=0.05)
    running = asyncio.create_task(worker.async_run())
    try:

        async def started() -> bool:
            return "background" in worker.ctx

        await until(started, "the worker started")
        background: list[asyncio.Task[Any]] = list(worker.ctx["background"])
        runtime = worker.ctx["runtime"]
        redis_server.halt()
        await asyncio.sleep(0.3)
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await asyncio.wait_for(worker.close(), timeout=STOP_GRACE)
        assert "runtime" not in worker.ctx, "the shutdown hook ran"
        assert [task.get_name() for task in background if not task.done()] == []
        assert runtime.outbound_http.is_closed
    finally:
        running.cancel()
        with contextlib.suppress(BaseException):
            await running
