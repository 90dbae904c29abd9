"""Every task that can be queued, by name (``TASKS``): how the queues call it with a
record's payload, how many attempts it gets and how long one may take.

    spec = task_spec("sync_integration")
    await spec.run(ctx, tenant_id, {"integration_id": 42, "mode": "full"})
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from gateway.queue import SYNC_INTEGRATION, SYNC_JOB
from gateway.services.analysis import ANALYZE_APPLICATION, ANALYZE_APPLICATIONS
from gateway.services.automation import CHECK_REQUISITION
from jobs.analysis_tasks import analyze_application_task, analyze_applications_task
from jobs.automation_tasks import check_requisition_task
from jobs.recruiter_tasks import RECRUITER_SYNC, recruiter_sync_task
from jobs.sync_api import SyncMode
from jobs.sync_tasks import sync_integration_task, sync_job_task
from jobs.task_context import TaskContext

TaskRun = Callable[[TaskContext, int, dict[str, Any]], Awaitable[object]]
"""A task as the queues call it: context, tenant id and the record's payload."""
DEFAULT_TIMEOUT = 3600.0


@dataclass(frozen=True, slots=True)
class TaskSpec:
    name: str
    run: TaskRun
    max_attempts: int = 5
    timeout: float = DEFAULT_TIMEOUT
    """Seconds one attempt may take before it is cancelled and counted as failed."""


async def _run_sync_integration(
    ctx: TaskContext, tenant_id: int, payload: dict[str, Any]
) -> object:
    return await sync_integration_task(
        ctx,
        tenant_id,
        int(payload["integration_id"]),
        mode=SyncMode(payload.get("mode", SyncMode.INCREMENTAL.value)),
        trigger=str(payload.get("trigger", "manual")),
    )


async def _run_sync_job(ctx: TaskContext, tenant_id: int, payload: dict[str, Any]) -> object:
    return await sync_job_task(
        ctx, tenant_id, int(payload["job_id"]), trigger=str(payload.get("trigger", "manual"))
    )


async def _run_recruiter_sync(ctx: TaskContext, tenant_id: int, payload: dict[str, Any]) -> object:
    return await recruiter_sync_task(
        ctx,
        tenant_id,
        int(payload["integration_id"]),
        create_missing=bool(payload.get("create_missing", False)),
    )


async def _run_analyze_application(
    ctx: TaskContext, tenant_id: int, payload: dict[str, Any]
) -> object:
    requested_by = payload.get("requested_by")
    return await analyze_application_task(
        ctx,
        tenant_id,
        int(payload["application_id"]),
        trigger=str(payload.get("trigger", "manual")),
        requested_by=int(requested_by) if requested_by is not None else None,
    )


async def _run_analyze_applications(
    ctx: TaskContext, tenant_id: int, payload: dict[str, Any]
) -> object:
    return await analyze_applications_task(
        ctx,
        tenant_id,
        [int(ident) for ident in payload.get("application_ids") or []],
        trigger=str(payload.get("trigger", "new")),
    )


async def _run_check_requisition(
    ctx: TaskContext, tenant_id: int, payload: dict[str, Any]
) -> object:
    return await check_requisition_task(ctx, tenant_id, int(payload["job_id"]))


TASKS: dict[str, TaskSpec] = {
    SYNC_INTEGRATION: TaskSpec(
        SYNC_INTEGRATION, _run_sync_integration, max_attempts=5, timeout=4 * 3600.0
    ),
    SYNC_JOB: TaskSpec(SYNC_JOB, _run_sync_job, max_attempts=3, timeout=300.0),
    RECRUITER_SYNC: TaskSpec(RECRUITER_SYNC, _run_recruiter_sync, max_attempts=3, timeout=600.0),
    ANALYZE_APPLICATION: TaskSpec(
        ANALYZE_APPLICATION, _run_analyze_application, max_attempts=4, timeout=600.0
    ),
    ANALYZE_APPLICATIONS: TaskSpec(
        ANALYZE_APPLICATIONS, _run_analyze_applications, max_attempts=4, timeout=3 * 3600.0
    ),
    CHECK_REQUISITION: TaskSpec(
        CHECK_REQUISITION, _run_check_requisition, max_attempts=3, timeout=900.0
    ),
}
"""Every task that can be queued, by name."""


def task_spec(task: str) -> TaskSpec:
    try:
        return TASKS[task]
    except KeyError:
        raise ValueError(f"no task named {task!r}; known: {sorted(TASKS)}") from None


def task_timeout(job_type: str) -> float:
    """Seconds an attempt of ``job_type`` may take (the default for an unknown one)."""
    spec = TASKS.get(job_type)
    return spec.timeout if spec is not None else DEFAULT_TIMEOUT
