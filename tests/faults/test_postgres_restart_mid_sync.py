"""PostgreSQL restarted in the middle of a full sync: nobody has to do anything. The
attempt that lost the database fails, its outcome is recorded once the server is back,
the retry resumes the same run from its checkpoint, and the job and the run both end
``SUCCEEDED`` with every record of the source in the store exactly once.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from gateway.store.enums import BackgroundJobStatus, SyncStatus
from tests.support.faults import (
    AS_FILED,
    OUTAGE_SECONDS,
    RECOVERY_SECONDS,
    RETRY_BASE_SECONDS,
    Stack,
    eventually,
    recovered,
)

ROW = "row 5: PostgreSQL restarted mid full sync"
SETTLED_WITHIN = RECOVERY_SECONDS + (RETRY_BASE_SECONDS + 20 if AS_FILED else 0)
"""Run as filed, the retry waits its production base (10 s) once the failed attempt is
recorded, and the resumed run then has the rest of the sync to do."""


async def test_a_sync_that_lost_the_database_resumes_and_succeeds_by_itself(
    stack: Stack,
) -> None:
    stack.fake.faults.latency = 0.01
    integration_id = await stack.new_integration("postgres restart")
    queued = await stack.sync_mutation(ROW, integration_id)
    assert queued["queued"], f"[{ROW}] {queued}"

    async def writing() -> Any:
        runs = await stack.sync_runs(integration_id)
        if runs and runs[-1].status is SyncStatus.RUNNING:
            checkpoint = runs[-1].checkpoint or {}
            if checkpoint.get("phase") == "candidates" and checkpoint.get("done", 0) > 0:
                return runs[-1]
        assert not runs or runs[-1].status is SyncStatus.RUNNING, (
            f"[{ROW}] the sync ended before the restart: {runs[-1].status}"
        )
        return None

    run = await eventually(ROW, "the run commits its first candidates", 30, writing, stack=stack)
    stack.postgres.down("fast")
    try:
        await asyncio.sleep(OUTAGE_SECONDS)  # the outage itself, not a wait for a result
    finally:
        stack.postgres.up()
    ended = time.monotonic()

    async def settled() -> Any:
        runs = await stack.sync_runs(integration_id)
        records = await stack.job_records(integration_id)
        if runs[-1].status is not SyncStatus.RUNNING and records[-1].status in (
            BackgroundJobStatus.SUCCEEDED,
            BackgroundJobStatus.DEAD,
        ):
            return runs, records
        return None

    runs, records = await eventually(
        ROW,
        "the job and the run end by themselves after PostgreSQL is back",
        SETTLED_WITHIN,
        settled,
        stack=stack,
    )
    recovered(ROW, "the run and its job ended", ended)
    assert [(r.id, r.status) for r in runs] == [(run.id, SyncStatus.SUCCEEDED)], (
        f"[{ROW}] the same run ends SUCCEEDED: {[(r.id, r.status, r.error_message) for r in runs]}"
    )
    assert (runs[0].checkpoint or {}).get("resumed", 0) >= 1, (
        f"[{ROW}] the run was resumed from its checkpoint: {runs[0].checkpoint}"
    )
    assert [r.status for r in records] == [BackgroundJobStatus.SUCCEEDED], (
        f"[{ROW}] the one job record ends SUCCEEDED: "
        f"{[(r.id, r.status, r.attempts, r.last_error) for r in records]}"
    )
    assert records[0].attempts >= 2, f"[{ROW}] it took a retry: {records[0].attempts}"
    await stack.assert_everything_synced_once(ROW, integration_id)
    assert stack.worker_alive(), f"[{ROW}] the worker is still running\n{stack.log_tails()}"
