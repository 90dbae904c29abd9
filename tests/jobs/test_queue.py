"""Both task queues keep the same promises: a key queued twice runs once, every unit of
work has a ``background_jobs`` record that follows it, a failure is retried with backoff
until the record is dead, and a dead record can be retried.

The in-process queue runs work as it is queued; the arq one is drained by a real worker
in burst mode against the test Redis. The sync engine is replaced by fakes through
``jobs.sync_tasks``' names for it.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.errors import NotFound, ValidationFailed
from gateway.queue import SYNC_INTEGRATION, JobRecords, sync_key
from gateway.services.sync_requests import enqueue_integration_sync, enqueue_job_sync
from gateway.store.base import utcnow
from gateway.store.enums import BackgroundJobStatus, SyncStatus, WebhookEventStatus
from gateway.store.models import (
    BackgroundJob,
    IdempotencyKey,
    OAuthState,
    User,
    WebhookEvent,
)
from jobs import sync_tasks
from jobs.maintenance import maintenance_task
from jobs.queue_local import InProcessQueue
from jobs.sync_api import SyncDeps, SyncMode, SyncOutcome
from jobs.sync_schedule import DueSync
from jobs.sync_tasks import enqueue_due_syncs
from jobs.task_context import TaskContext
from tests.support.queue_harness import (
    FakeSync,
    Harness,
    World,
    queue_settings,
    stored_record,
)


async def test_a_key_queued_twice_runs_once(harness: Harness, fake_sync: FakeSync) -> None:
    world = harness.world
    first, second = world.integration_ids[:2]
    fake_sync.gate.clear()  # the in-process run waits, so the repeat meets it queued
    queued = await enqueue_integration_sync(
        harness.queue, world.tenant_id, first, mode=SyncMode.FULL, requested_by=7
    )
    repeat = await enqueue_integration_sync(harness.queue, world.tenant_id, first)
    other = await enqueue_integration_sync(harness.queue, world.tenant_id, second)
    assert not queued.duplicate
    assert repeat.duplicate and repeat.job_record_id == queued.job_record_id
    assert not other.duplicate and other.job_record_id != queued.job_record_id

    fake_sync.gate.set()
    counts = await harness.run()
    assert sorted(fake_sync.calls) == sorted(
        [
            (world.tenant_id, first, SyncMode.FULL, "manual"),
            (world.tenant_id, second, SyncMode.INCREMENTAL, "manual"),
        ]
    )
    if harness.kind == "arq":
        assert counts == {"complete": 2, "retried": 0, "failed": 0}

    record = await stored_record(harness, queued.job_record_id)
    assert record.status is BackgroundJobStatus.SUCCEEDED
    assert record.job_type == SYNC_INTEGRATION
    assert record.job_key == sync_key(first)
    assert record.tenant_id == world.tenant_id
    assert record.payload == {
        "integration_id": first,
        "mode": "full",
        "trigger": "manual",
        "requested_by": 7,
    }
    assert (record.attempts, record.max_attempts, record.last_error) == (1, 5, None)
    assert record.started_at is not None and record.finished_at is not None
    assert record.created_at <= record.started_at <= record.finished_at

    again = await enqueue_integration_sync(harness.queue, world.tenant_id, first)
    assert not again.duplicate and again.job_record_id != queued.job_record_id
    await harness.run()
    assert len(fake_sync.calls) == 3


async def test_a_failing_task_is_retried_with_backoff_until_dead(
    harness: Harness, fake_sync: FakeSync
) -> None:
    world = harness.world
    fake_sync.failures = -1
    queued = await enqueue_integration_sync(
        harness.queue, world.tenant_id, world.integration_ids[2]
    )
    counts = await harness.run()

    record = await stored_record(harness, queued.job_record_id)
    assert record.status is BackgroundJobStatus.DEAD
    assert record.attempts == record.max_attempts == 5
    assert record.last_error == "RuntimeError: boom 5"
    assert len(fake_sync.calls) == 5
    if harness.kind == "arq":
        assert counts == {"complete": 0, "retried": 4, "failed": 1}


async def test_a_transient_failure_recovers_on_retry(harness: Harness, fake_sync: FakeSync) -> None:
    world = harness.world
    fake_sync.failures = 2
    queued = await enqueue_integration_sync(
        harness.queue, world.tenant_id, world.integration_ids[3]
    )
    counts = await harness.run()
    record = await stored_record(harness, queued.job_record_id)
    assert (record.status, record.attempts, record.last_error) == (
        BackgroundJobStatus.SUCCEEDED,
        3,
        None,
    )
    if harness.kind == "arq":
        assert counts == {"complete": 1, "retried": 2, "failed": 0}


async def test_failures_no_retry_can_fix_are_dead_at_once(
    harness: Harness, fake_sync: FakeSync
) -> None:
    world = harness.world
    fake_sync.outcome = SyncOutcome(
        run_id=3, status=SyncStatus.AUTHENTICATION_FAILED, error="401: bad key"
    )
    queued = await enqueue_integration_sync(
        harness.queue, world.tenant_id, world.integration_ids[0]
    )
    await harness.run()
    record = await stored_record(harness, queued.job_record_id)
    assert (record.status, record.attempts, record.last_error) == (
        BackgroundJobStatus.DEAD,
        1,
        "401: bad key",
    )


async def test_a_sync_already_running_elsewhere_is_a_success(
    harness: Harness, fake_sync: FakeSync
) -> None:
    world = harness.world
    fake_sync.outcome = SyncOutcome(run_id=9, status=SyncStatus.RUNNING, already_running=True)
    queued = await enqueue_integration_sync(
        harness.queue, world.tenant_id, world.integration_ids[1]
    )
    await harness.run()
    assert (
        await stored_record(harness, queued.job_record_id)
    ).status is BackgroundJobStatus.SUCCEEDED


async def test_a_dead_job_can_be_retried(harness: Harness, fake_sync: FakeSync) -> None:
    world = harness.world
    integration_id = world.integration_ids[2]
    fake_sync.failures = -1
    dead = await enqueue_integration_sync(harness.queue, world.tenant_id, integration_id)
    await harness.run()
    assert (await stored_record(harness, dead.job_record_id)).status is BackgroundJobStatus.DEAD

    with pytest.raises(NotFound):
        await harness.queue.retry(dead.job_record_id, tenant_id=world.other_tenant_id)

    fake_sync.failures, fake_sync.calls = 0, []
    retried = await harness.queue.retry(dead.job_record_id, tenant_id=world.tenant_id)
    assert retried.job_record_id == dead.job_record_id and not retried.duplicate
    await harness.run()
    record = await stored_record(harness, dead.job_record_id)
    assert (record.status, record.attempts, record.last_error) == (
        BackgroundJobStatus.SUCCEEDED,
        1,
        None,
    )
    assert len(fake_sync.calls) == 1

    with pytest.raises(ValidationFailed):
        await harness.queue.retry(dead.job_record_id, tenant_id=world.tenant_id)


async def test_retrying_a_dead_job_whose_key_was_queued_again_reports_that_one(
    harness: Harness, fake_sync: FakeSync
) -> None:
    world = harness.world
    integration_id = world.integration_ids[3]
    fake_sync.failures = -1
    dead = await enqueue_integration_sync(harness.queue, world.tenant_id, integration_id)
    await harness.run()
    fake_sync.failures = 0
    fake_sync.gate.clear()
    newer = await enqueue_integration_sync(harness.queue, world.tenant_id, integration_id)
    retried = await harness.queue.retry(dead.job_record_id, tenant_id=world.tenant_id)
    assert retried.duplicate and retried.job_record_id == newer.job_record_id
    fake_sync.gate.set()
    await harness.run()
    assert (await stored_record(harness, dead.job_record_id)).status is BackgroundJobStatus.DEAD
    assert (
        await stored_record(harness, newer.job_record_id)
    ).status is BackgroundJobStatus.SUCCEEDED


async def test_job_sync_and_due_syncs_are_queued_by_key(
    harness: Harness, fake_sync: FakeSync, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = harness.world
    refreshed: list[tuple[int, int, str]] = []

    async def fake_sync_job(
        deps: SyncDeps, tenant_id: int, job_id: int, *, trigger: str = "manual"
    ) -> SyncOutcome:
        refreshed.append((tenant_id, job_id, trigger))
        return SyncOutcome(run_id=None, status=SyncStatus.SUCCEEDED)

    async def fake_due_syncs(session_factory: Any, now: Any = None) -> list[DueSync]:
        return [
            DueSync(world.tenant_id, world.integration_ids[0], SyncMode.FULL),
            DueSync(world.tenant_id, world.integration_ids[1], SyncMode.INCREMENTAL),
        ]

    monkeypatch.setattr(sync_tasks, "sync_job", fake_sync_job)
    monkeypatch.setattr(sync_tasks, "due_syncs", fake_due_syncs)
    fake_sync.gate.clear()
    job_id = world.job_ids[0]
    first = await enqueue_job_sync(harness.queue, world.tenant_id, job_id)
    assert (await enqueue_job_sync(harness.queue, world.tenant_id, job_id)).duplicate
    assert await enqueue_due_syncs(world.session_factory, harness.queue) == {
        "queued": 2,
        "duplicates": 0,
    }
    assert await enqueue_due_syncs(world.session_factory, harness.queue) == {
        "queued": 0,
        "duplicates": 2,
    }
    fake_sync.gate.set()
    await harness.run()
    assert refreshed == [(world.tenant_id, job_id, "manual")]
    assert sorted((c[1], c[2], c[3]) for c in fake_sync.calls) == [
        (world.integration_ids[0], SyncMode.FULL, "schedule"),
        (world.integration_ids[1], SyncMode.INCREMENTAL, "schedule"),
    ]
    record = await stored_record(harness, first.job_record_id)
    assert (record.job_key, record.job_id, record.status) == (
        f"job-sync:{job_id}",
        job_id,
        BackgroundJobStatus.SUCCEEDED,
    )


async def test_a_record_left_behind_does_not_block_its_key(
    harness: Harness, fake_sync: FakeSync
) -> None:
    """A record left running in the store by a process that died is run to the end: by
    the in-process queue when it starts; with arq its lease ran out, so queueing the key
    again takes it over."""
    world = harness.world
    integration_id = world.integration_ids[0]
    async with world.session_factory.begin() as session:
        lost = BackgroundJob(
            tenant_id=world.tenant_id,
            job_type=SYNC_INTEGRATION,
            job_key=sync_key(integration_id),
            status=BackgroundJobStatus.RUNNING,
            attempts=1,
            payload={"integration_id": integration_id},
            created_at=utcnow() - timedelta(minutes=5),
            started_at=utcnow() - timedelta(minutes=5),
        )
        session.add(lost)
    if isinstance(harness.queue, InProcessQueue):
        assert await harness.queue.recover() == 1, "queued again when the process starts"
    else:
        queued = await enqueue_integration_sync(harness.queue, world.tenant_id, integration_id)
        assert not queued.duplicate and queued.job_record_id == lost.id
    await harness.run()
    old = await stored_record(harness, lost.id)
    assert old.status is BackgroundJobStatus.SUCCEEDED
    assert old.attempts == 2, "the attempt cut off counts"
    assert old.last_error is None
    assert fake_sync.calls == [(world.tenant_id, integration_id, SyncMode.INCREMENTAL, "manual")]


async def test_unknown_tasks_are_refused(harness: Harness) -> None:
    with pytest.raises(ValueError, match="no task named"):
        await harness.queue.enqueue(
            "nope", key="x:1", tenant_id=harness.world.tenant_id, payload={}
        )


async def test_maintenance_marks_the_stuck_dead_and_prunes_the_old(world: World) -> None:
    now = utcnow()
    long_ago = now - timedelta(days=30)
    context = TaskContext(world.deps, queue_settings(world.url))
    async with world.session_factory.begin() as session:
        integration_id = world.integration_ids[0]

        def record(status: BackgroundJobStatus, key: str, **times: Any) -> BackgroundJob:
            row = BackgroundJob(
                tenant_id=world.tenant_id,
                job_type="sync_job",
                job_key=f"maintenance:{key}",
                status=status,
                payload={},
                **{"created_at": now, **times},
            )
            session.add(row)
            return row

        stuck = record(BackgroundJobStatus.RUNNING, "stuck", started_at=now - timedelta(hours=1))
        busy = record(BackgroundJobStatus.RUNNING, "busy", started_at=now - timedelta(minutes=2))
        forgotten = record(BackgroundJobStatus.PENDING, "forgotten", created_at=long_ago)
        waiting = record(BackgroundJobStatus.FAILED, "waiting", scheduled_at=now)
        old_done = record(BackgroundJobStatus.SUCCEEDED, "old", finished_at=long_ago)
        new_done = record(BackgroundJobStatus.SUCCEEDED, "new", finished_at=now)
        session.add(
            OAuthState(
                tenant_id=world.tenant_id,
                integration_id=integration_id,
                state_hash=secrets.token_hex(32),
                verifier_encrypted="x",
                redirect_uri="https://example.com/cb",
                expires_at=now - timedelta(minutes=1),
            )
        )
    report = await maintenance_task(context, now=now)
    assert report["oauth_states_deleted"] >= 1
    assert report["jobs_marked_dead"] >= 2
    assert report["jobs_pruned"] >= 1
    statuses = {}
    for row in (stuck, busy, forgotten, waiting, old_done, new_done):
        found = await JobRecords(world.session_factory).get(row.id)
        statuses[row.job_key] = found.status if found is not None else None
    assert statuses == {
        "maintenance:stuck": BackgroundJobStatus.DEAD,  # sync_job times out after 5 min
        "maintenance:busy": BackgroundJobStatus.RUNNING,
        "maintenance:forgotten": BackgroundJobStatus.DEAD,
        "maintenance:waiting": BackgroundJobStatus.FAILED,
        "maintenance:old": None,
        "maintenance:new": BackgroundJobStatus.SUCCEEDED,
    }


async def test_maintenance_prunes_settled_webhook_events_after_thirty_days(world: World) -> None:
    now = utcnow()
    context = TaskContext(world.deps, queue_settings(world.url))

    def event(status: WebhookEventStatus, age: timedelta) -> WebhookEvent:
        return WebhookEvent(
            tenant_id=world.tenant_id,
            integration_id=world.integration_ids[0],
            provider="recruiterflow",
            body_sha256=secrets.token_hex(32),
            headers={},
            body=b"{}",
            status=status,
            received_at=now - age,
        )

    async with world.session_factory.begin() as session:
        rows = {
            "old processed": event(WebhookEventStatus.PROCESSED, timedelta(days=31)),
            "old failed": event(WebhookEventStatus.FAILED, timedelta(days=31)),
            "old retrying": event(WebhookEventStatus.RETRYING, timedelta(days=31)),
            "recent processed": event(WebhookEventStatus.PROCESSED, timedelta(days=29)),
        }
        session.add_all(rows.values())
    report = await maintenance_task(context, now=now)
    assert report["webhook_events_pruned"] >= 2
    async with world.session_factory() as session:
        left = {name for name, row in rows.items() if await session.get(WebhookEvent, row.id)}
    assert left == {"old retrying", "recent processed"}


async def test_maintenance_prunes_expired_idempotency_keys(world: World) -> None:
    now = utcnow()
    context = TaskContext(world.deps, queue_settings(world.url))
    async with world.session_factory() as session:
        user_id = await session.scalar(
            sa.select(User.id).where(User.tenant_id == world.tenant_id).limit(1)
        )
    async with world.session_factory.begin() as session:
        expired, live = (
            IdempotencyKey(
                tenant_id=world.tenant_id,
                user_id=user_id,
                key=f"maintenance-{secrets.token_hex(4)}",
                operation="applicationMoveStage",
                request_hash="0" * 64,
                expires_at=now + offset,
            )
            for offset in (-timedelta(minutes=1), timedelta(hours=1))
        )
        session.add_all([expired, live])
    report = await maintenance_task(context, now=now)
    assert report["idempotency_keys_pruned"] >= 1
    async with world.session_factory() as session:
        assert await session.get(IdempotencyKey, expired.id) is None
        assert await session.get(IdempotencyKey, live.id) is not None


async def test_a_sync_with_failed_records_succeeds_and_says_so(
    harness: Harness, fake_sync: FakeSync
) -> None:
    """Records the source sent unmappable fail alone: retrying the task would not help
    (the next sync tries them), so it succeeds, and its record says what failed."""
    fake_sync.outcome = SyncOutcome(
        run_id=None,
        status=SyncStatus.PARTIALLY_FAILED,
        error="2 record(s) failed; first: candidate 7: no id",
    )
    world = harness.world
    queued = await enqueue_integration_sync(
        harness.queue, world.tenant_id, world.integration_ids[1]
    )
    await harness.run()
    record = await stored_record(harness, queued.job_record_id)
    assert record.status is BackgroundJobStatus.SUCCEEDED
    assert record.last_error == (
        "finished with failed records: 2 record(s) failed; first: candidate 7: no id"
    )
    assert len(fake_sync.calls) == 1
