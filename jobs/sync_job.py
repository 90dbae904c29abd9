"""Refetching one requisition from its source now (``sync_job``, the manual refresh
button). Only the job record is refetched: no provider offers "applications of one
job", so its pipeline follows with the next sync of the integration.
"""

from __future__ import annotations

import time

from connectors.errors import AuthError, ConnectorError
from gateway.crypto import CryptoError
from gateway.outbox import Outbox, stage
from gateway.queue import Leases
from gateway.services.connections import connector_for
from gateway.store.base import utcnow
from gateway.store.enums import SyncKind, SyncStatus
from gateway.store.models import Integration, Job, SyncRun
from jobs.sync_api import SyncDeps, SyncOutcome
from jobs.sync_close import close_run
from jobs.sync_lease import release
from jobs.sync_state import RunState, sync_actor
from jobs.sync_writer import RecordWriter


async def sync_job(
    deps: SyncDeps, tenant_id: int, job_id: int, *, trigger: str = "manual"
) -> SyncOutcome:
    """Refetch one requisition from its source now (the manual refresh button).

    Only the job record is refetched: no provider offers "applications of one job",
    so its pipeline follows with the next sync of the integration.
    """
    async with deps.session_factory() as session:
        job = await session.get(Job, job_id)
        if (
            job is None
            or job.tenant_id != tenant_id
            or job.integration_id is None
            or not job.remote_id
        ):
            return SyncOutcome(
                run_id=None,
                status=None,
                error="job not found or not synced",
                details={"retryable": False},
            )
        integration = await session.get(Integration, job.integration_id)
    assert integration is not None
    lock = deps.locks.lock(f"job-sync:{job_id}", ttl=Leases.lock_ttl())
    if not await lock.acquire():
        return SyncOutcome(run_id=None, status=SyncStatus.RUNNING, already_running=True)
    started = time.perf_counter()
    try:
        async with deps.session_factory.begin() as session:
            run = SyncRun(
                tenant_id=tenant_id,
                integration_id=integration.id,
                kind=SyncKind.JOB,
                status=SyncStatus.RUNNING,
                trigger=trigger,
                job_id=job_id,
                started_at=utcnow(),
                counts={},
            )
            session.add(run)
            await session.flush()
            state = RunState(run.id, tenant_id, integration.id, run.started_at or utcnow(), {})
        status, error = SyncStatus.SUCCEEDED, None
        try:
            connector = connector_for(
                integration,
                deps.keyring,
                deps.http,
                session_factory=deps.session_factory,
                sleep=deps.sleep,
            )
            found = await connector.get_jobs([job.remote_id])
            if found:
                async with deps.session_factory.begin() as session:
                    writer = RecordWriter(state, sync_actor(integration, state.run_id))
                    staged = await stage(session, await writer.write_jobs(session, found))
                await Outbox(deps.session_factory, deps.bus).release(staged)
            else:
                async with deps.session_factory.begin() as session:
                    gone = await session.get(Job, job_id, with_for_update=True)
                    if gone is not None and gone.remote_deleted_at is None:
                        gone.remote_deleted_at, gone.is_active = utcnow(), False
                        state.count("jobs", "deleted")
        except AuthError as exc:
            status, error = SyncStatus.AUTHENTICATION_FAILED, exc.message
        except (ConnectorError, CryptoError) as exc:
            status, error = SyncStatus.FAILED, str(exc)
        await close_run(deps, integration, state, status, error, started, job_id=job_id)
        return SyncOutcome(run_id=state.run_id, status=status, counts=state.counts, error=error)
    finally:
        await release(lock)
