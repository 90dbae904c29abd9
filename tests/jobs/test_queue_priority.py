"""Priorities and clearing on both queues. On arq (a real burst worker taking one job at a
time, on a real Redis) a job queued later with a higher priority runs first, and its
priority survives a retry; clearing pending work takes it off arq's queue as well as out
of the records, so it never runs, on either queue; running work cannot be cleared."""

from __future__ import annotations

import pytest
from arq.constants import job_key_prefix

from gateway.errors import ValidationFailed
from gateway.queue import SYNC_INTEGRATION, sync_key
from gateway.store.enums import BackgroundJobStatus
from jobs.queue_arq import ArqQueue, arq_job_id
from tests.support.queue_harness import FakeSync, Harness, burst, queue_settings, stored_record


def _payload(integration_id: int) -> dict[str, object]:
    return {"integration_id": integration_id, "mode": "incremental", "trigger": "manual"}


async def _enqueue(harness: Harness, integration_id: int, priority: int = 0) -> int:
    enqueued = await harness.queue.enqueue(
        SYNC_INTEGRATION,
        key=sync_key(integration_id),
        tenant_id=harness.world.tenant_id,
        payload=_payload(integration_id),
        priority=priority,
    )
    assert not enqueued.duplicate
    return enqueued.job_record_id


async def test_a_higher_priority_queued_later_runs_first(
    harness: Harness, fake_sync: FakeSync
) -> None:
    if harness.kind != "arq":
        pytest.skip("in process every task starts at once: there is no queue to reorder")
    assert isinstance(harness.queue, ArqQueue)
    low, high = harness.world.integration_ids[:2]
    low_record = await _enqueue(harness, low)
    high_record = await _enqueue(harness, high, priority=10)
    settings = queue_settings(
        harness.world.url, redis_url=_url(harness.queue), redis_prefix=harness.queue.prefix
    )
    assert await burst(settings, max_jobs=1) == {"complete": 2, "retried": 0, "failed": 0}
    assert [call[1] for call in fake_sync.calls] == [high, low]
    assert (await stored_record(harness, high_record)).priority == 10
    assert (await stored_record(harness, low_record)).priority == 0


async def test_clearing_pending_work_means_it_never_runs(
    harness: Harness, fake_sync: FakeSync
) -> None:
    if not isinstance(harness.queue, ArqQueue):
        pytest.skip("in process a queued task starts at once: nothing stays pending")
    first, second = harness.world.integration_ids[:2]
    cleared_id = await _enqueue(harness, first, priority=5)
    elsewhere = await harness.queue.enqueue(
        SYNC_INTEGRATION,
        key=sync_key(second),
        tenant_id=harness.world.other_tenant_id,
        payload=_payload(second),
    )
    cleared = await harness.queue.clear(harness.world.tenant_id, [BackgroundJobStatus.PENDING])
    assert cleared == 1
    assert await harness.records.get(cleared_id) is None
    arq_id = arq_job_id(harness.queue.prefix, sync_key(first))
    assert not await harness.queue.redis.exists(job_key_prefix + arq_id)
    assert await harness.queue.redis.zscore(harness.queue.queue_name, arq_id) is None
    assert (await stored_record(harness, elsewhere.job_record_id)).status is (
        BackgroundJobStatus.PENDING
    )
    assert await harness.run() == {"complete": 1, "retried": 0, "failed": 0}
    assert [call[:2] for call in fake_sync.calls] == [(harness.world.other_tenant_id, second)]
    again = await _enqueue(harness, first)  # the key is free again at once
    await harness.run()
    assert (await stored_record(harness, again)).status is BackgroundJobStatus.SUCCEEDED


async def test_running_work_cannot_be_cleared(harness: Harness) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await harness.queue.clear(harness.world.tenant_id, [BackgroundJobStatus.RUNNING])
    assert refused.value.field == "statuses"


def _url(queue: ArqQueue) -> str:
    kwargs = queue.redis.connection_pool.connection_kwargs
    host, port = kwargs.get("host", "127.0.0.1"), kwargs.get("port", 6379)
    return f"redis://{host}:{port}/{kwargs.get('db', 0)}"
