"""Leases on running background jobs: a record whose worker died is taken over within
seconds (by the next enqueue, by ``backgroundJobRetry`` and by the worker's reclaim
step), the old attempt is fenced out, and an outcome the database would not take is
recorded once it does, or handed back to the queue, never dropped."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from arq import Retry
from arq.constants import in_progress_key_prefix, job_key_prefix

from gateway import queue as queue_module
from gateway.errors import ValidationFailed
from gateway.queue import SYNC_INTEGRATION, JobRecords, sync_key
from gateway.services.sync_requests import enqueue_integration_sync
from gateway.store.base import utcnow
from gateway.store.enums import BackgroundJobStatus
from gateway.store.models import BackgroundJob
from jobs import recorded, sync_tasks
from jobs.queue_arq import ArqQueue, arq_job_id
from jobs.queue_local import InProcessQueue
from jobs.recorded import run_recorded
from jobs.sync_api import SyncOutcome
from jobs.sync_tasks import schedule_tick
from jobs.task_context import TaskContext
from jobs.worker import FUNCTIONS
from tests.support.queue_harness import (
    FakeSync,
    Harness,
    World,
    queue_settings,
    stored_record,
)

STALE = timedelta(minutes=5)


@pytest.fixture(autouse=True)
async def _no_records_of_earlier_tests(world: World) -> None:
    """The module's tests share one store: each starts without background job records, so
    what an earlier one left (a failed record, the syncs a schedule tick queued) is never
    reclaimed, counted or run in a later one."""
    async with world.session_factory.begin() as session:
        await session.execute(sa.delete(BackgroundJob))


async def _arq_state(queue: ArqQueue) -> str:
    """What arq holds in the queue and the records say, for an assertion's message."""
    entries = await queue.redis.zrange(queue.queue_name, 0, -1, withscores=True)
    held = {
        key.decode(): await queue.redis.exists(job_key_prefix + key.decode())
        for key, _score in entries
    }
    async with queue.records.session_factory() as session:
        records = (
            await session.execute(
                sa.select(
                    BackgroundJob.id,
                    BackgroundJob.job_key,
                    BackgroundJob.status,
                    BackgroundJob.attempts,
                    BackgroundJob.scheduled_at,
                )
            )
        ).all()
    return f"queue {entries} (job key present: {held}); records {records}"


async def _running_record(harness: Harness, *, beat_ago: timedelta, attempts: int = 1) -> int:
    """A record some worker is running, its last heartbeat ``beat_ago``."""
    world = harness.world
    async with world.session_factory.begin() as session:
        record = BackgroundJob(
            tenant_id=world.tenant_id,
            job_type=SYNC_INTEGRATION,
            job_key=sync_key(world.integration_ids[2]),
            status=BackgroundJobStatus.RUNNING,
            attempts=attempts,
            payload={"integration_id": world.integration_ids[2]},
            created_at=utcnow() - STALE,
            started_at=utcnow() - STALE,
            heartbeat_at=utcnow() - beat_ago,
        )
        session.add(record)
        await session.flush()
        return record.id


async def _clear(harness: Harness, record_id: int) -> None:
    async with harness.world.session_factory.begin() as session:
        await session.execute(sa.delete(BackgroundJob).where(BackgroundJob.id == record_id))


async def test_an_alive_record_blocks_its_key_and_a_stalled_one_is_taken_over(
    harness: Harness, fake_sync: FakeSync
) -> None:
    world = harness.world
    alive = await _running_record(harness, beat_ago=timedelta(seconds=1))
    if isinstance(harness.queue, ArqQueue):  # arq holds its job "in progress"
        job_id = arq_job_id(harness.queue.prefix, sync_key(world.integration_ids[2]))
        await harness.queue.redis.set(in_progress_key_prefix + job_id, b"1", ex=4 * 3600)
        await harness.queue.redis.set(job_key_prefix + job_id, b"x", ex=4 * 3600)
    try:
        again = await enqueue_integration_sync(
            harness.queue, world.tenant_id, world.integration_ids[2]
        )
        assert again.duplicate and again.job_record_id == alive, "alive: already running"
        with pytest.raises(ValidationFailed, match="alive"):
            await harness.queue.retry(alive, tenant_id=world.tenant_id)

        async with world.session_factory.begin() as session:  # its worker dies
            await session.execute(
                sa.update(BackgroundJob)
                .where(BackgroundJob.id == alive)
                .values(heartbeat_at=utcnow() - STALE)
            )
        taken = await enqueue_integration_sync(
            harness.queue, world.tenant_id, world.integration_ids[2]
        )
        assert not taken.duplicate and taken.job_record_id == alive
        await harness.run()
        record = await stored_record(harness, alive)
        assert record.status is BackgroundJobStatus.SUCCEEDED
        assert record.attempts == 2, "the lost attempt counts"
        assert len(fake_sync.calls) == 1
    finally:
        await _clear(harness, alive)


async def test_retry_takes_over_a_stalled_record(harness: Harness, fake_sync: FakeSync) -> None:
    stalled = await _running_record(harness, beat_ago=STALE, attempts=3)
    try:
        retried = await harness.queue.retry(stalled, tenant_id=harness.world.tenant_id)
        assert retried.job_record_id == stalled and not retried.duplicate
        await harness.run()
        record = await stored_record(harness, stalled)
        assert record.status is BackgroundJobStatus.SUCCEEDED
        assert (record.attempts, record.max_attempts) == (4, 8), (
            "a fresh budget on top: attempt numbers never repeat, so the stalled attempt "
            "(number 3) stays fenced out"
        )
        assert len(fake_sync.calls) == 1
    finally:
        await _clear(harness, stalled)


async def test_the_schedule_reclaims_stalled_records_by_itself(
    harness: Harness, fake_sync: FakeSync
) -> None:
    stalled = await _running_record(harness, beat_ago=STALE)
    alive = None
    try:
        report = await schedule_tick(harness.world.session_factory, harness.queue)
        assert report["reclaimed"] == 1
        await harness.run()
        record = await stored_record(harness, stalled)
        assert record.status is BackgroundJobStatus.SUCCEEDED and record.attempts == 2
        assert record.last_error is None
        alive = await _running_record(harness, beat_ago=timedelta(seconds=1))
        again = await schedule_tick(harness.world.session_factory, harness.queue)
        assert again["reclaimed"] == 0, "an alive record is left alone"
    finally:
        await _clear(harness, stalled)
        if alive is not None:
            await _clear(harness, alive)


ARQ_ONLY = pytest.mark.parametrize("kind", ["arq"], indirect=True)


@ARQ_ONLY
async def test_reclaim_queues_again_what_arq_lost(harness: Harness, fake_sync: FakeSync) -> None:
    assert isinstance(harness.queue, ArqQueue)
    world = harness.world
    queued = await enqueue_integration_sync(
        harness.queue, world.tenant_id, world.integration_ids[1]
    )
    await harness.queue._purge(arq_job_id(harness.queue.prefix, sync_key(world.integration_ids[1])))
    async with world.session_factory.begin() as session:
        await session.execute(
            sa.update(BackgroundJob)
            .where(BackgroundJob.id == queued.job_record_id)
            .values(created_at=utcnow() - STALE)
        )
    assert await harness.queue.reclaim() == 1
    await harness.run()
    assert (
        await stored_record(harness, queued.job_record_id)
    ).status is BackgroundJobStatus.SUCCEEDED
    assert len(fake_sync.calls) == 1


@ARQ_ONLY
async def test_reclaim_queues_again_a_job_whose_queue_entry_is_gone(
    harness: Harness, fake_sync: FakeSync
) -> None:
    """arq's worker reads only its queue (a sorted set): a job key left without its entry
    there never runs, so it does not count as waiting."""
    assert isinstance(harness.queue, ArqQueue)
    world = harness.world
    queued = await enqueue_integration_sync(
        harness.queue, world.tenant_id, world.integration_ids[1]
    )
    first = arq_job_id(harness.queue.prefix, sync_key(world.integration_ids[1]))
    await harness.queue.redis.zrem(harness.queue.queue_name, first)
    async with world.session_factory.begin() as session:
        await session.execute(
            sa.update(BackgroundJob)
            .where(BackgroundJob.id == queued.job_record_id)
            .values(created_at=utcnow() - STALE)
        )
    assert await harness.queue.reclaim() == 1, await _arq_state(harness.queue)
    counts = await harness.run()
    record = await stored_record(harness, queued.job_record_id)
    assert record.status is BackgroundJobStatus.SUCCEEDED, await _arq_state(harness.queue)
    assert counts["complete"] == 1 and len(fake_sync.calls) == 1


@ARQ_ONLY
async def test_reclaim_counts_only_what_arq_took_and_tries_again_next_time(
    harness: Harness,
    fake_sync: FakeSync,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``enqueue_job`` answers None, silently, when its transaction is interrupted: the
    record is not counted as queued, and stays due for the next reclaim."""
    assert isinstance(harness.queue, ArqQueue)
    queue = harness.queue
    world = harness.world
    queued = await enqueue_integration_sync(queue, world.tenant_id, world.integration_ids[1])
    await queue._purge(arq_job_id(queue.prefix, sync_key(world.integration_ids[1])))
    async with world.session_factory.begin() as session:
        await session.execute(
            sa.update(BackgroundJob)
            .where(BackgroundJob.id == queued.job_record_id)
            .values(created_at=utcnow() - STALE)
        )

    async def refused(*_args: Any, **_kwargs: Any) -> None:
        return None

    with monkeypatch.context() as patched:
        patched.setattr(queue.redis, "enqueue_job", refused)
        assert await queue.reclaim() == 0
    assert "did not queue" in caplog.text
    assert await queue.reclaim() == 1, await _arq_state(queue)
    await harness.run()
    assert (await stored_record(harness, queued.job_record_id)).status is (
        BackgroundJobStatus.SUCCEEDED
    )


@ARQ_ONLY
async def test_reclaim_queues_again_a_retry_its_worker_died_before_handing_to_arq(
    harness: Harness, fake_sync: FakeSync
) -> None:
    """The attempt failed and was recorded with its retry time, then the worker died
    before arq heard of the retry: arq keeps the job "in progress" for hours."""
    assert isinstance(harness.queue, ArqQueue)
    world = harness.world
    queued = await enqueue_integration_sync(
        harness.queue, world.tenant_id, world.integration_ids[3]
    )
    job_id = arq_job_id(harness.queue.prefix, sync_key(world.integration_ids[3]))
    await harness.queue.redis.set(in_progress_key_prefix + job_id, b"1", ex=4 * 3600)
    async with world.session_factory.begin() as session:
        await session.execute(
            sa.update(BackgroundJob)
            .where(BackgroundJob.id == queued.job_record_id)
            .values(
                status=BackgroundJobStatus.FAILED,
                attempts=1,
                last_error="the ATS timed out",
                scheduled_at=utcnow() - STALE,
            )
        )
    assert await harness.queue.reclaim() == 1, await _arq_state(harness.queue)
    reclaimed = await stored_record(harness, queued.job_record_id)
    assert await harness.queue._waiting(reclaimed), await _arq_state(harness.queue)
    counts = await harness.run()
    record = await stored_record(harness, queued.job_record_id)
    assert (record.status, record.attempts) == (BackgroundJobStatus.SUCCEEDED, 2), (
        f"{counts}; {await _arq_state(harness.queue)}"
    )
    assert len(fake_sync.calls) == 1


@ARQ_ONLY
async def test_a_leftover_arq_job_does_not_block_its_key(
    harness: Harness, fake_sync: FakeSync
) -> None:
    """A worker that lost Redis while finishing leaves arq's job behind, "in progress"
    for hours, with no active record: the next enqueue replaces it."""
    assert isinstance(harness.queue, ArqQueue)
    world = harness.world
    job_id = arq_job_id(harness.queue.prefix, sync_key(world.integration_ids[0]))
    await harness.queue.redis.set(in_progress_key_prefix + job_id, b"1", ex=4 * 3600)
    await harness.queue.redis.set(job_key_prefix + job_id, b"x", ex=4 * 3600)
    queued = await enqueue_integration_sync(
        harness.queue, world.tenant_id, world.integration_ids[0]
    )
    assert not queued.duplicate
    await harness.run()
    assert (
        await stored_record(harness, queued.job_record_id)
    ).status is BackgroundJobStatus.SUCCEEDED
    assert len(fake_sync.calls) == 1


IN_PROCESS_ONLY = pytest.mark.parametrize("kind", ["in_process"], indirect=True)
"""The attempt wrapper is the same for both queues: one is enough."""


@IN_PROCESS_ONLY
async def test_an_attempt_that_lost_its_lease_stops_and_records_nothing(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert isinstance(harness.queue, InProcessQueue)
    monkeypatch.setattr(queue_module.Leases, "seconds", 0.12)
    world = harness.world
    records = JobRecords(world.session_factory)
    record = await records.create(
        SYNC_INTEGRATION,
        key=sync_key(world.integration_ids[3]),
        tenant_id=world.tenant_id,
        payload={"integration_id": world.integration_ids[3]},
        max_attempts=5,
    )
    started = asyncio.Event()
    stopped = asyncio.Event()

    async def slow_sync(*_args: Any, **_kwargs: Any) -> SyncOutcome:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            stopped.set()
            raise
        raise AssertionError("not cancelled")

    monkeypatch.setattr(sync_tasks, "sync_integration", slow_sync)
    context = TaskContext(world.deps, queue_settings(world.url))
    first = asyncio.create_task(run_recorded(context, record.id))
    await started.wait()
    async with world.session_factory.begin() as session:  # another worker took it over
        await session.execute(
            sa.update(BackgroundJob)
            .where(BackgroundJob.id == record.id)
            .values(attempts=2, last_error="the new attempt's")
        )
    attempt = await asyncio.wait_for(first, 5)
    assert stopped.is_set()
    assert attempt.status is None and attempt.error == "taken over"
    stored = await stored_record(harness, record.id)
    assert (stored.status, stored.attempts, stored.last_error) == (
        BackgroundJobStatus.RUNNING,
        2,
        "the new attempt's",
    ), "the old attempt's outcome does not overwrite the new one's"
    assert not await records.beat(record.id, 1)
    assert not await records.succeed(record.id, attempt=1)
    assert not await records.fail(record.id, "late", retry_at=utcnow(), attempt=1)
    assert (await stored_record(harness, record.id)).status is BackgroundJobStatus.RUNNING
    await _clear(harness, record.id)


@IN_PROCESS_ONLY
async def test_an_outcome_is_recorded_through_a_database_blip(
    harness: Harness, fake_sync: FakeSync, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert isinstance(harness.queue, InProcessQueue)
    monkeypatch.setattr(recorded, "RECORDING_PAUSES", (0.01, 0.01, 0.01))
    world = harness.world
    records = JobRecords(world.session_factory)
    real_succeed = JobRecords.succeed
    refusals = 2

    async def flaky_succeed(self: JobRecords, record_id: int, **kwargs: Any) -> bool:
        nonlocal refusals
        if refusals:
            refusals -= 1
            raise ConnectionRefusedError("the database is restarting")
        return await real_succeed(self, record_id, **kwargs)

    monkeypatch.setattr(JobRecords, "succeed", flaky_succeed)
    record = await records.create(
        SYNC_INTEGRATION,
        key=sync_key(world.integration_ids[3]),
        tenant_id=world.tenant_id,
        payload={"integration_id": world.integration_ids[3]},
        max_attempts=5,
    )
    context = TaskContext(world.deps, queue_settings(world.url))
    attempt = await run_recorded(context, record.id)
    assert attempt.status is BackgroundJobStatus.SUCCEEDED
    assert (await stored_record(harness, record.id)).status is BackgroundJobStatus.SUCCEEDED

    refusals = 100
    second = await records.create(
        SYNC_INTEGRATION,
        key=sync_key(world.integration_ids[1]),
        tenant_id=world.tenant_id,
        payload={"integration_id": world.integration_ids[1]},
        max_attempts=5,
    )
    arq_run = next(f for f in FUNCTIONS if f.name == SYNC_INTEGRATION).coroutine
    with pytest.raises(Retry) as retry:  # arq runs it again later; the record still says running
        await arq_run({"task_context": context}, second.id)
    stalled = await stored_record(harness, second.id)
    assert stalled.status is BackgroundJobStatus.RUNNING
    assert stalled.heartbeat_at is not None
    again_at = stalled.heartbeat_at + timedelta(milliseconds=retry.value.defer_score or 0)
    assert queue_module.is_stalled(stalled, now=again_at), (
        "the retry comes once the unrecorded attempt's lease has run out: earlier, it "
        "would find the record running and start nothing"
    )
    await _clear(harness, record.id)
    await _clear(harness, second.id)


def test_the_lease_outlives_several_heartbeats_and_the_sync_lock() -> None:
    leases = queue_module.Leases
    assert leases.lease().total_seconds() >= 4 * leases.heartbeat()
    assert leases.heartbeat() < leases.lock_ttl() < leases.lease().total_seconds()


@ARQ_ONLY
async def test_a_stalled_attempt_still_running_leaves_its_successor_queued(
    harness: Harness, fake_sync: FakeSync
) -> None:
    """The database went away under attempt 1 (first queued under its key's id), so its
    heartbeats failed and ``reclaim`` took the record over. Attempt 1 was still running in
    its worker; when it ends, arq clears what it holds under attempt 1's id (its job, its
    queue entry). Under a shared id that was the job queued for attempt 2, and the record
    stayed ``failed`` until the next reclaim a minute or more later (CI saw it happen)."""
    assert isinstance(harness.queue, ArqQueue)
    queue = harness.queue
    world = harness.world
    queued = await enqueue_integration_sync(queue, world.tenant_id, world.integration_ids[0])
    first = arq_job_id(queue.prefix, sync_key(world.integration_ids[0]))
    await queue.redis.set(in_progress_key_prefix + first, b"1", ex=4 * 3600)  # a worker has it
    async with world.session_factory.begin() as session:  # attempt 1 runs, cut off
        await session.execute(
            sa.update(BackgroundJob)
            .where(BackgroundJob.id == queued.job_record_id)
            .values(
                status=BackgroundJobStatus.RUNNING,
                attempts=1,
                started_at=utcnow() - STALE,
                heartbeat_at=utcnow() - STALE,
            )
        )
    assert await queue.reclaim() == 1, await _arq_state(queue)
    taken_over = await stored_record(harness, queued.job_record_id)

    async with queue.redis.pipeline(transaction=True) as pipe:  # arq ends attempt 1's job
        pipe.delete(job_key_prefix + first, in_progress_key_prefix + first)
        pipe.zrem(queue.queue_name, first)
        await pipe.execute()

    assert await queue._waiting(taken_over), "the job queued for attempt 2 is still there"
    assert await queue.redis.zcard(queue.queue_name) == 1
    await harness.run()
    record = await stored_record(harness, queued.job_record_id)
    assert (record.status, record.attempts) == (BackgroundJobStatus.SUCCEEDED, 2)
    assert len(fake_sync.calls) == 1


@IN_PROCESS_ONLY
async def test_a_second_job_for_a_record_running_alive_starts_nothing(
    harness: Harness, fake_sync: FakeSync
) -> None:
    """A retry handed to the queue and a take-over can both leave a job for one record:
    the one that arrives while the other's attempt holds a live lease does nothing."""
    alive = await _running_record(harness, beat_ago=timedelta(seconds=1), attempts=2)
    try:
        context = TaskContext(harness.world.deps, queue_settings(harness.world.url))
        attempt = await run_recorded(context, alive)
        assert attempt.status is None
        assert fake_sync.calls == []
        record = await stored_record(harness, alive)
        assert (record.status, record.attempts) == (BackgroundJobStatus.RUNNING, 2)

        async with harness.world.session_factory.begin() as session:  # its worker died
            await session.execute(
                sa.update(BackgroundJob)
                .where(BackgroundJob.id == alive)
                .values(heartbeat_at=utcnow() - STALE)
            )
        attempt = await run_recorded(context, alive)
        assert attempt.status is BackgroundJobStatus.SUCCEEDED
        assert (await stored_record(harness, alive)).attempts == 3
    finally:
        await _clear(harness, alive)


@IN_PROCESS_ONLY
async def test_an_attempt_that_fails_after_being_taken_over_asks_for_no_retry(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its failure is not the record's: arq must not run it again (the attempt that took
    the record over has its own job), and the record keeps the newer attempt's state."""
    world = harness.world
    records = JobRecords(world.session_factory)
    record = await records.create(
        SYNC_INTEGRATION,
        key=sync_key(world.integration_ids[2]),
        tenant_id=world.tenant_id,
        payload={"integration_id": world.integration_ids[2]},
        max_attempts=5,
    )

    async def overtaken_sync(*_args: Any, **_kwargs: Any) -> SyncOutcome:
        async with world.session_factory.begin() as session:
            await session.execute(
                sa.update(BackgroundJob).where(BackgroundJob.id == record.id).values(attempts=2)
            )
        raise RuntimeError("the ATS answered 502")

    monkeypatch.setattr(sync_tasks, "sync_integration", overtaken_sync)
    arq_run = next(f for f in FUNCTIONS if f.name == SYNC_INTEGRATION).coroutine
    context = TaskContext(world.deps, queue_settings(world.url))
    assert await arq_run({"task_context": context}, record.id) is None, "no arq.Retry"
    stored = await stored_record(harness, record.id)
    assert (stored.status, stored.attempts, stored.last_error) == (
        BackgroundJobStatus.RUNNING,
        2,
        None,
    )
    await _clear(harness, record.id)
