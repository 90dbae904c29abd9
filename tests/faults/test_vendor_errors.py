"""A source that answers 500 for a while in the middle of a full sync: the run is cut
short and resumable, its job fails with a retry (it does not claim success), the
integration shows ``sync: <error>``; once the source answers again the retry resumes
the same run, ends it ``SUCCEEDED`` and clears the error.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from gateway.store.enums import BackgroundJobStatus, SyncStatus
from tests.support.faults import (
    AS_FILED,
    RECOVERY_SECONDS,
    RETRY_BASE_SECONDS,
    SOURCE_OUTAGE_SECONDS,
    Snapshot,
    Stack,
    eventually,
    in_applications,
    recovered,
    snapshot,
    watching,
)

ROW = "row 4: vendor answers 500 mid sync"
CUT_SHORT = (SyncStatus.PARTIALLY_FAILED.value, SyncStatus.FAILED.value)
RESUMED_WITHIN = RECOVERY_SECONDS + (2 * RETRY_BASE_SECONDS if AS_FILED else 0)
"""Run as filed, the source comes back between two retries: the next one may be up to
twice the base (20 s) away."""


async def test_a_sync_cut_short_by_server_errors_is_retried_and_resumes_its_run(
    stack: Stack,
) -> None:
    stack.fake.faults.latency = 0.02
    integration_id = await stack.new_integration("vendor errors")
    async with watching(stack, integration_id) as seen:
        queued = await stack.sync_mutation(ROW, integration_id)
        assert queued["queued"], f"[{ROW}] {queued}"

        async def under_way() -> Any:
            runs = await stack.sync_runs(integration_id)
            return runs[-1] if runs and in_applications(runs[-1]) else None

        run = await eventually(ROW, "the run reaches its applications", 30, under_way, stack=stack)
        stack.fake.faults.server_errors(times=100_000, status=500)
        erring = time.monotonic()
        try:

            async def cut_short() -> Snapshot | None:
                now = await snapshot(stack, integration_id)
                return now if now.runs and now.runs[-1][1] in CUT_SHORT else None

            during = await eventually(
                ROW, "the run is cut short by the 500s", 30, cut_short, stack=stack
            )
            assert during.runs[-1] == (run.id, during.runs[-1][1], True), (
                f"[{ROW}] the run cut short by a retryable error is resumable: {during}"
            )
            assert (during.last_error or "").startswith("sync: "), (
                f"[{ROW}] the integration shows the sync's error: {during.last_error!r}"
            )

            def failed_with_retry(shot: Snapshot) -> bool:
                return any(
                    status == BackgroundJobStatus.FAILED.value and scheduled
                    for _, status, _, scheduled in shot.records
                )

            await eventually(
                ROW,
                "the job is recorded failed with a retry scheduled",
                10,
                lambda: _found(seen, failed_with_retry),
                stack=stack,
            )
            succeeded_early = [
                shot
                for shot in seen
                if any(r[1] == BackgroundJobStatus.SUCCEEDED.value for r in shot.records)
            ]
            assert not succeeded_early, (
                f"[{ROW}] a cut-short run's job must not succeed: {succeeded_early[0]}"
            )
            await asyncio.sleep(max(0.0, SOURCE_OUTAGE_SECONDS - (time.monotonic() - erring)))
        finally:
            stack.fake.faults.pending.clear()
            ended = time.monotonic()

        async def finished() -> Any:
            runs = await stack.sync_runs(integration_id)
            records = await stack.job_records(integration_id)
            if runs[-1].status is SyncStatus.SUCCEEDED and records[-1].status in (
                BackgroundJobStatus.SUCCEEDED,
                BackgroundJobStatus.DEAD,
            ):
                return runs, records
            return None

        runs, records = await eventually(
            ROW, "the retry resumes the run and it succeeds", RESUMED_WITHIN, finished, stack=stack
        )
    recovered(ROW, "the resumed run and its job succeeded", ended)
    assert [r.id for r in runs] == [run.id], (
        f"[{ROW}] the retry resumes the same run: {[(r.id, r.status) for r in runs]}"
    )
    assert (runs[0].checkpoint or {}).get("resumed", 0) >= 1, f"[{ROW}] {runs[0].checkpoint}"
    assert len(records) == 1 and records[0].status is BackgroundJobStatus.SUCCEEDED, (
        f"[{ROW}] the one job record ends SUCCEEDED: "
        f"{[(r.id, r.status, r.attempts, r.last_error) for r in records]}"
    )
    assert records[0].attempts >= 2, f"[{ROW}] succeeded on a retry: {records[0].attempts}"
    integration = await stack.integration(integration_id)
    assert integration.last_error is None, (
        f"[{ROW}] a successful run clears the sync's error: {integration.last_error!r}"
    )
    await stack.assert_everything_synced_once(ROW, integration_id)


async def _found(seen: list[Snapshot], wanted: Any) -> Snapshot | None:
    return next((shot for shot in seen if wanted(shot)), None)
