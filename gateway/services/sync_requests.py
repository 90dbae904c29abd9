"""Asking for a sync: the checks a user's request passes, and the queued task it becomes.

    enqueued = await request_integration_sync(session_factory, queue, tenant_id, 42,
                                              mode=SyncMode.FULL, requested_by=7)
    enqueued.job_record_id, enqueued.duplicate      # (12, False)

The core queues through the ``TaskQueue`` port (``gateway.queue``), which the assembly
fills with arq or the in-process runner; the tasks that run what is queued live in
``jobs.tasks``. The schedule, webhooks and the API all queue a sync through
``enqueue_integration_sync`` and ``enqueue_job_sync``; the ``request_*`` functions are
the API's "sync now", which first check that there is something to sync.
"""

from __future__ import annotations

from typing import Any

from gateway.errors import NotFound, ValidationFailed
from gateway.queue import SYNC_INTEGRATION, SYNC_JOB, Enqueued, TaskQueue, job_sync_key, sync_key
from gateway.store.engine import SessionFactory
from gateway.store.enums import IntegrationStatus
from gateway.store.models import Integration, Job
from gateway.sync_modes import SyncMode


async def enqueue_integration_sync(
    queue: TaskQueue,
    tenant_id: int,
    integration_id: int,
    *,
    mode: SyncMode = SyncMode.INCREMENTAL,
    trigger: str = "manual",
    requested_by: int | None = None,
) -> Enqueued:
    payload: dict[str, Any] = {
        "integration_id": integration_id,
        "mode": mode.value,
        "trigger": trigger,
    }
    if requested_by is not None:
        payload["requested_by"] = requested_by
    return await queue.enqueue(
        SYNC_INTEGRATION, key=sync_key(integration_id), tenant_id=tenant_id, payload=payload
    )


async def enqueue_job_sync(
    queue: TaskQueue,
    tenant_id: int,
    job_id: int,
    *,
    trigger: str = "manual",
    requested_by: int | None = None,
) -> Enqueued:
    payload: dict[str, Any] = {"job_id": job_id, "trigger": trigger}
    if requested_by is not None:
        payload["requested_by"] = requested_by
    return await queue.enqueue(
        SYNC_JOB, key=job_sync_key(job_id), tenant_id=tenant_id, payload=payload
    )


async def request_integration_sync(
    session_factory: SessionFactory,
    queue: TaskQueue,
    tenant_id: int,
    integration_id: int,
    *,
    mode: SyncMode,
    requested_by: int | None,
) -> Enqueued:
    """A user's "sync now": the integration must be in the tenant, active or pending,
    and have credentials (nothing else can sync)."""
    async with session_factory() as session:
        integration = await session.get(Integration, integration_id)
    if integration is None or integration.tenant_id != tenant_id:
        raise NotFound("Integration", integration_id)
    if integration.status is IntegrationStatus.INACTIVE:
        raise ValidationFailed("integrationId", f"{integration.name} is inactive")
    if integration.credentials_encrypted is None:
        raise ValidationFailed("integrationId", f"{integration.name} has no credentials yet")
    return await enqueue_integration_sync(
        queue, tenant_id, integration_id, mode=mode, requested_by=requested_by
    )


async def request_job_sync(
    session_factory: SessionFactory,
    queue: TaskQueue,
    tenant_id: int,
    job_id: int,
    *,
    requested_by: int | None,
) -> Enqueued:
    """A user's "refresh this requisition": it must be in the tenant and come from an ATS."""
    async with session_factory() as session:
        job = await session.get(Job, job_id)
    if job is None or job.tenant_id != tenant_id:
        raise NotFound("Job", job_id)
    if job.integration_id is None or not job.remote_id:
        raise ValidationFailed("jobId", f"{job.title} was not synced from an integration")
    return await enqueue_job_sync(queue, tenant_id, job_id, requested_by=requested_by)
