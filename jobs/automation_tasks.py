"""The requisition automation's task and its place in the schedule
(``gateway.services.automation``).

    await check_requisition_task(ctx, tenant_id=1, job_id=7)     # queued as check:7
    await enqueue_due_checks(session_factory, queue)              # every schedule tick

A check never raises for one application's failure (it is logged and tried at the next
check); the task fails, and is retried, only when the check itself could not run.
"""

from __future__ import annotations

import logging
from datetime import datetime

from gateway.queue import TaskQueue
from gateway.services.automation import (
    CHECK_REQUISITION,
    CheckReport,
    check_key,
    check_requisition,
    claim_due_checks,
)
from gateway.services.interview_deps import InterviewConfig, InterviewDeps
from gateway.store.engine import SessionFactory
from jobs.task_context import TaskContext

logger = logging.getLogger("talentgraph.jobs.automation")


async def check_requisition_task(ctx: TaskContext, tenant_id: int, job_id: int) -> CheckReport:
    deps = InterviewDeps(
        ctx.session_factory,
        ctx.deps.bus,
        ctx.deps.locks,
        InterviewConfig.from_settings(ctx.settings),
    )
    report = await check_requisition(
        deps, tenant_id, job_id, limit=ctx.settings.automation_max_invites_per_check
    )
    logger.info("automation: %s", report.note())
    return report


async def enqueue_due_checks(
    session_factory: SessionFactory, queue: TaskQueue, *, now: datetime | None = None
) -> dict[str, int]:
    """Queue a check of every requisition whose interval has passed."""
    queued = duplicates = 0
    for due in await claim_due_checks(session_factory, now=now):
        try:
            enqueued = await queue.enqueue(
                CHECK_REQUISITION,
                key=check_key(due.job_id),
                tenant_id=due.tenant_id,
                payload={"job_id": due.job_id, "trigger": "schedule"},
            )
        except Exception:
            logger.exception("could not queue the check of requisition %s", due.job_id)
            continue
        if enqueued.duplicate:
            duplicates += 1
        else:
            queued += 1
    return {"checks_queued": queued, "checks_duplicate": duplicates}
