"""The sync tasks and the schedule that queues them.

    await sync_integration_task(ctx, tenant_id=1, integration_id=42, mode=SyncMode.FULL)
    await schedule_tick(session_factory, queue)   # reclaim what stalled, queue what is due

A sync outcome that a retry can help (a cut-short run that resumes from its checkpoint,
a lock left by a sync that stopped) raises ``TaskError``; one no retry can fix (nothing
to sync, a refused key) raises ``PermanentTaskError`` (``settled``).

The sync engine is called through this module's names ``sync_integration``,
``sync_job`` and ``due_syncs``, so a test can replace them here.
"""

from __future__ import annotations

import logging
from datetime import datetime

from gateway.queue import TaskQueue
from gateway.services.sync_requests import enqueue_integration_sync
from gateway.store.engine import SessionFactory
from gateway.store.enums import SyncStatus
from jobs.automation_tasks import enqueue_due_checks
from jobs.sync import sync_integration as sync_integration
from jobs.sync_api import SyncMode, SyncOutcome
from jobs.sync_job import sync_job as sync_job
from jobs.sync_schedule import due_syncs as due_syncs
from jobs.task_context import PermanentTaskError, TaskContext, TaskError

logger = logging.getLogger("talentgraph.jobs.tasks")


async def sync_integration_task(
    ctx: TaskContext,
    tenant_id: int,
    integration_id: int,
    *,
    mode: SyncMode = SyncMode.INCREMENTAL,
    trigger: str = "manual",
) -> SyncOutcome:
    outcome = await sync_integration(
        ctx.deps, tenant_id, integration_id, mode=mode, trigger=trigger
    )
    return settled(outcome, f"integration {integration_id}")


async def sync_job_task(
    ctx: TaskContext, tenant_id: int, job_id: int, *, trigger: str = "manual"
) -> SyncOutcome:
    outcome = await sync_job(ctx.deps, tenant_id, job_id, trigger=trigger)
    return settled(outcome, f"job {job_id}")


def settled(outcome: SyncOutcome, what: str) -> SyncOutcome:
    """The outcome of a sync that needs no retry; raises for one that does or cannot."""
    if outcome.already_running:
        if outcome.details.get("holderAlive") is False:
            raise TaskError(f"the lock on {what} is held by a sync that stopped; trying again")
        return outcome
    if outcome.status is None:
        raise PermanentTaskError(outcome.error or f"nothing to sync for {what}")
    if outcome.status is SyncStatus.AUTHENTICATION_FAILED:
        raise PermanentTaskError(outcome.error or "authentication failed")
    if outcome.details.get("resumable"):
        raise TaskError(f"cut short, resumes from its checkpoint: {outcome.error}")
    if outcome.status is SyncStatus.FAILED:
        if outcome.details.get("retryable") is False:
            raise PermanentTaskError(outcome.error or "sync failed")
        raise TaskError(outcome.error or "sync failed")
    return outcome


async def enqueue_due_syncs(
    session_factory: SessionFactory, queue: TaskQueue, *, now: datetime | None = None
) -> dict[str, int]:
    """Queue every sync whose interval has passed (see ``jobs.sync_schedule.due_syncs``)."""
    queued = duplicates = 0
    for due in await due_syncs(session_factory, now):
        try:
            enqueued = await enqueue_integration_sync(
                queue, due.tenant_id, due.integration_id, mode=due.mode, trigger="schedule"
            )
        except Exception:
            logger.exception("could not queue the sync of integration %s", due.integration_id)
            continue
        if enqueued.duplicate:
            duplicates += 1
        else:
            queued += 1
    if queued:
        logger.info("queued %d due sync(s); %d already queued", queued, duplicates)
    return {"queued": queued, "duplicates": duplicates}


async def schedule_tick(session_factory: SessionFactory, queue: TaskQueue) -> dict[str, int]:
    """The every-minute step of the schedule: take over what stalled (and queue again
    what the queue lost), then queue what is due: syncs (a stalled sync run is due) and
    the automation's requisition checks (``jobs.automation_tasks``)."""
    reclaimed = await queue.reclaim()
    if reclaimed:
        logger.warning("%d stalled or lost background job(s) queued again", reclaimed)
    return {
        **await enqueue_due_syncs(session_factory, queue),
        **await enqueue_due_checks(session_factory, queue),
        "reclaimed": reclaimed,
    }
