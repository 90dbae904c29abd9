"""A worker SIGKILLed in the middle of a full sync loses nothing and repeats nothing.

The worker process dies with its lease and its lock held. Until the lease runs out
the sync's key stays taken (``integrationSync`` answers ``alreadyRunning``); once it
has, ``integrationSync`` takes the job over instead, and a new worker resumes the very
same run from its checkpoint, ends it ``SUCCEEDED`` and leaves every record of the
source in the store exactly once.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from gateway.store.base import utcnow
from gateway.store.enums import BackgroundJobStatus, SyncStatus
from tests.support.faults import (
    LEASE_SECONDS,
    RECOVERY_SECONDS,
    Stack,
    eventually,
    in_applications,
    recovered,
)

ROW = "row 3: worker SIGKILLed mid full sync"
RESUMED_WITHIN = RECOVERY_SECONDS
"""From starting the new worker to the run's end: the process's start (~5 s on a busy
machine) and the rest of the run (the stage movements and activity logs of every
candidate, ~15 s there)."""


async def test_a_killed_workers_sync_is_taken_over_and_resumed_from_its_checkpoint(
    stack: Stack,
) -> None:
    stack.fake.faults.latency = 0.02
    integration_id = await stack.new_integration("killed worker")
    first = await stack.sync_mutation(ROW, integration_id)
    assert first["queued"] and not first["alreadyRunning"], f"[{ROW}] {first}"

    async def mid_sync() -> Any:
        runs = await stack.sync_runs(integration_id)
        if runs and in_applications(runs[-1]):
            return runs[-1]
        assert not runs or runs[-1].status is SyncStatus.RUNNING, (
            f"[{ROW}] the sync ended before the worker could be killed: make it slower "
            f"({runs[-1].status}, {runs[-1].checkpoint})"
        )
        return None

    run = await eventually(ROW, "the run commits its candidates", 30, mid_sync, stack=stack)
    stack.kill_worker()
    killed = time.monotonic()

    held = await stack.sync_mutation(ROW, integration_id)
    if time.monotonic() - killed < LEASE_SECONDS / 2:  # answered well within the lease
        assert held["alreadyRunning"] and not held["queued"], (
            f"[{ROW}] within the dead worker's lease its job still holds the key: {held}"
        )

    records = await stack.job_records(integration_id)
    assert len(records) == 1, f"[{ROW}] one job record: {records}"
    record_id = records[0].id

    async def lease_ran_out() -> bool | None:
        record = (await stack.job_records(integration_id))[0]
        beat = record.heartbeat_at or record.started_at
        expired = beat < utcnow() - timedelta(seconds=LEASE_SECONDS)
        return True if record.status is BackgroundJobStatus.RUNNING and expired else None

    await eventually(ROW, "the dead worker's lease runs out", 3 * LEASE_SECONDS, lease_ran_out)

    taken = await stack.sync_mutation(ROW, integration_id)
    assert not taken["alreadyRunning"] and taken["queued"], (
        f"[{ROW}] once the lease ran out, integrationSync must take the stalled job over, "
        f"not answer alreadyRunning: {taken}"
    )
    assert taken["backgroundJob"]["id"] == first["backgroundJob"]["id"], (
        f"[{ROW}] the stalled record itself is taken over: {first} then {taken}"
    )

    stack.start_worker()
    ended = time.monotonic()

    async def finished() -> Any:
        runs = await stack.sync_runs(integration_id)
        records = await stack.job_records(integration_id)
        done = runs[-1].status is not SyncStatus.RUNNING
        settled = records[-1].status in (BackgroundJobStatus.SUCCEEDED, BackgroundJobStatus.DEAD)
        return (runs, records) if done and settled else None

    runs, records = await eventually(
        ROW,
        "the new worker resumes the run and the job ends",
        RESUMED_WITHIN,
        finished,
        stack=stack,
    )
    recovered(ROW, "(a new worker started) the run resumed and ended", ended)
    assert [r.id for r in runs] == [run.id], (
        f"[{ROW}] the same run is resumed, no second one started: "
        f"{[(r.id, r.status) for r in runs]}"
    )
    resumed = runs[0]
    assert resumed.status is SyncStatus.SUCCEEDED, (
        f"[{ROW}] the resumed run ends SUCCEEDED, not {resumed.status}: "
        f"{resumed.error_message} {resumed.error_details}"
    )
    assert (resumed.checkpoint or {}).get("resumed", 0) >= 1, (
        f"[{ROW}] the run continued from its checkpoint: {resumed.checkpoint}"
    )
    assert [(r.id, r.status) for r in records] == [(record_id, BackgroundJobStatus.SUCCEEDED)], (
        f"[{ROW}] the one job record ends SUCCEEDED: "
        f"{[(r.id, r.status, r.attempts, r.last_error) for r in records]}"
    )
    assert records[0].attempts >= 2, f"[{ROW}] the killed attempt counted: {records[0].attempts}"
    await stack.assert_everything_synced_once(ROW, integration_id)
    assert stack.worker_alive()
