"""The daily recruiter sync: ``enqueue_recruiter_syncs`` (from the worker's cron or the
embedded schedule) queues one ``recruiter_sync`` per active integration whose provider
lists users; each matches users to remote recruiters by email and drops stale links
(``gateway.services.recruiter_links``), creating nobody.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from connectors.base import Capability
from connectors.registry import connector_class
from gateway.errors import RemoteWriteFailed
from gateway.queue import Enqueued, TaskQueue
from gateway.services.activities import Actor
from gateway.services.recruiter_links import RecruiterSyncReport, sync_recruiters
from gateway.store.engine import SessionFactory
from gateway.store.enums import ActorType, IntegrationStatus
from gateway.store.models import Integration
from jobs.task_context import TaskContext, TaskError

logger = logging.getLogger("talentgraph.jobs.tasks")

RECRUITER_SYNC = "recruiter_sync"
RECRUITER_SYNC_EVERY = 86_400.0
"""Seconds between recruiter syncs of the embedded schedule (the worker's cron: daily)."""


async def recruiter_sync_task(
    ctx: TaskContext, tenant_id: int, integration_id: int, *, create_missing: bool = False
) -> RecruiterSyncReport:
    """Match the tenant's users to the integration's by email; a source failure that a
    retry can fix is retried, any other expected failure is final."""
    actor = Actor(tenant_id, ActorType.SYSTEM, RECRUITER_SYNC, "Recruiter sync")
    try:
        return await sync_recruiters(
            ctx.deps, tenant_id, integration_id, create_missing=create_missing, actor=actor
        )
    except RemoteWriteFailed as exc:
        if exc.retryable:
            raise TaskError(exc.message) from None
        raise


def recruiter_sync_key(integration_id: int) -> str:
    return f"recruiter-sync:{integration_id}"


async def enqueue_recruiter_sync(
    queue: TaskQueue,
    tenant_id: int,
    integration_id: int,
    *,
    create_missing: bool = False,
    trigger: str = "schedule",
) -> Enqueued:
    return await queue.enqueue(
        RECRUITER_SYNC,
        key=recruiter_sync_key(integration_id),
        tenant_id=tenant_id,
        payload={
            "integration_id": integration_id,
            "create_missing": create_missing,
            "trigger": trigger,
        },
    )


async def enqueue_recruiter_syncs(
    session_factory: SessionFactory, queue: TaskQueue
) -> dict[str, int]:
    """Queue the recruiter sync of every active integration, with credentials, whose
    provider lists users (``Capability.USERS``); nobody is created in the source."""
    async with session_factory() as session:
        rows = (
            await session.execute(
                sa.select(Integration.id, Integration.tenant_id, Integration.provider).where(
                    Integration.status == IntegrationStatus.ACTIVE,
                    Integration.credentials_encrypted.is_not(None),
                )
            )
        ).all()
    queued = duplicates = 0
    for row in rows:
        try:
            if Capability.USERS not in connector_class(row.provider.value).capabilities:
                continue
            enqueued = await enqueue_recruiter_sync(queue, row.tenant_id, row.id)
        except Exception:
            logger.exception("could not queue the recruiter sync of integration %s", row.id)
            continue
        if enqueued.duplicate:
            duplicates += 1
        else:
            queued += 1
    if queued:
        logger.info("queued %d recruiter sync(s); %d already queued", queued, duplicates)
    return {"queued": queued, "duplicates": duplicates}
