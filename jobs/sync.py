"""Full and incremental sync of one integration: stream, map, bulk-upsert, detect
deletes, checkpoint, publish.

    outcome = await sync_integration(deps, tenant_id, integration_id, mode=SyncMode.FULL)

One run per integration at a time (an expiring lock, renewed with the run's heartbeat:
``jobs.sync_lease``); a second request while one runs returns ``already_running`` and
does nothing. Records are upserted in batches, each committed with a checkpoint on the
run; a run whose worker died stays ``running`` and the next request for the integration
resumes it, skipping the writes its checkpoint says were committed. So does a run the
source cut short with an error a retry can fix (a 5xx, a timeout, a 429 past its
retries): it ends ``partially_failed`` (or ``failed`` when nothing was written) and
*resumable*, its queued task is retried with backoff, and the retry (or any sync of the
integration within ``RESUME_WITHIN``) continues it from its checkpoint instead of
starting a fresh run. Only a full run that completed every phase without error marks
the records it did not see as deleted; nothing is ever dropped.

A run that does not succeed leaves its error on the integration (``last_error``,
``sync: ...``) until a run succeeds.

Phases run in dependency order: jobs, candidates, applications (with stage history),
interviews, onboarding tasks. What a provider cannot list yields nothing, and an empty
listing never deletes anything.

The run is the actor of what it writes (``ActorType.SYNC``, actor id the run id): each
stage or status change it brings is an activity (``jobs.sync_writer``), and a run that
changed something, or failed, closes with one ``sync.finished`` activity holding its
counts. A run that found nothing new records none.

The run's parts: ``jobs.sync_phases`` (streaming and writing each phase, deletes),
``jobs.sync_close`` (closing the run, its outcome on the integration) and
``jobs.sync_state`` (what the run has done so far). The one-job refresh is
``jobs.sync_job``; which integrations are due, ``jobs.sync_schedule``.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import ConnectorBase
from connectors.errors import AuthError, ConnectorError
from gateway.crypto import CryptoError
from gateway.events import sync_finished
from gateway.ports import HasSessions
from gateway.queue import Leases
from gateway.services.connections import connector_for
from gateway.services.ranking import recompute_ranks, write_back_ranks
from gateway.services.scoring import recompute_scores
from gateway.store.base import utcnow
from gateway.store.enums import SyncKind, SyncStatus
from gateway.store.models import Integration, SyncRun, TenantSettings
from jobs.sync_api import ProgressCallback, SyncDeps, SyncMode, SyncOutcome
from jobs.sync_close import announce, close_run
from jobs.sync_lease import RunLease, release
from jobs.sync_phases import PHASES, SyncPhases
from jobs.sync_state import RunState, SyncFailed, saved_cursors

RESUME_WITHIN = timedelta(hours=6)
"""A resumable run that ended this recently is continued by the next sync; an older one
is left as it ended and a fresh run starts."""
CURSOR_OVERLAP = timedelta(minutes=2)
"""Incremental reads start this much before the last success, for clock skew."""


async def sync_integration(
    deps: SyncDeps,
    tenant_id: int,
    integration_id: int,
    *,
    mode: SyncMode = SyncMode.INCREMENTAL,
    trigger: str = "manual",
    progress: ProgressCallback | None = None,
) -> SyncOutcome:
    lock = deps.locks.lock(f"sync:{integration_id}", ttl=Leases.lock_ttl())
    if not await lock.acquire():
        return await _held_elsewhere(deps, integration_id)
    try:
        async with deps.session_factory.begin() as session:
            integration = await session.get(Integration, integration_id)
            if integration is None or integration.tenant_id != tenant_id:
                return SyncOutcome(
                    run_id=None,
                    status=None,
                    error="integration not found",
                    details={"retryable": False},
                )
            state, mode, since = await _open_run(session, integration, mode, trigger)
        lease = RunLease(lock, deps.session_factory, state.run_id)
        async with lease.kept():
            return await _run(deps, integration, state, mode, since, lease, progress)
    finally:
        await release(lock)


async def _held_elsewhere(deps: HasSessions, integration_id: int) -> SyncOutcome:
    """What a sync that found the lock held reports: the run holding it, and whether that
    run is alive. A lock whose run is stalled (or not there) belongs to a process that
    stopped; it expires shortly, so a queued sync should try again, not count as done."""
    async with deps.session_factory() as session:
        row = (
            await session.execute(
                sa.select(SyncRun.id, SyncRun.heartbeat_at, SyncRun.started_at)
                .where(
                    SyncRun.integration_id == integration_id,
                    SyncRun.status == SyncStatus.RUNNING,
                )
                .order_by(SyncRun.id.desc())
                .limit(1)
            )
        ).first()
    renewed = (row.heartbeat_at or row.started_at) if row is not None else None
    alive = renewed is not None and renewed > utcnow() - Leases.lease()
    return SyncOutcome(
        run_id=row.id if row is not None else None,
        status=SyncStatus.RUNNING,
        already_running=True,
        details={"holderAlive": alive},
    )


async def _open_run(
    session: AsyncSession, integration: Integration, mode: SyncMode, trigger: str
) -> tuple[RunState, SyncMode, datetime | None]:
    """Resume the run a dead worker left ``running`` or the source cut short (see the
    module doc), or start a new one. An incremental request with no successful run to
    start from becomes a full one."""
    now = utcnow()
    if mode is SyncMode.INCREMENTAL and integration.last_successful_sync_at is None:
        mode = SyncMode.FULL
    latest = (
        await session.execute(
            sa.select(SyncRun)
            .where(
                SyncRun.integration_id == integration.id,
                SyncRun.kind.in_((SyncKind.FULL, SyncKind.INCREMENTAL)),
            )
            .order_by(SyncRun.id.desc())
            .limit(1)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if latest is not None and _resumable(latest, mode, now):
        run = latest
        run.checkpoint = {
            **(run.checkpoint or {}),
            "resumed": (run.checkpoint or {}).get("resumed", 0) + 1,
        }
        run.status = SyncStatus.RUNNING
        run.finished_at = None
        run.heartbeat_at = now
        mode = SyncMode(run.kind.value)
    else:
        run = SyncRun(
            tenant_id=integration.tenant_id,
            integration_id=integration.id,
            kind=SyncKind(mode.value),
            status=SyncStatus.RUNNING,
            trigger=trigger,
            started_at=now,
            heartbeat_at=now,
            counts={},
            checkpoint={"phase": PHASES[0], "done": 0, "completed": []},
        )
        session.add(run)
    await session.flush()
    since = None
    if mode is SyncMode.INCREMENTAL and integration.last_successful_sync_at is not None:
        since = integration.last_successful_sync_at - CURSOR_OVERLAP
    state = RunState(
        run_id=run.id,
        tenant_id=integration.tenant_id,
        integration_id=integration.id,
        started_at=run.started_at or now,
        checkpoint=dict(run.checkpoint or {}),
        counts={k: dict(v) for k, v in (run.counts or {}).items()},
    )
    return state, mode, since


def _resumable(run: SyncRun, mode: SyncMode, now: datetime) -> bool:
    """A run left ``running`` by a dead process, or one the source cut short recently;
    an incremental one only for an incremental request (a full request wants all)."""
    if run.kind is SyncKind.INCREMENTAL and mode is SyncMode.FULL:
        return False
    if run.status is SyncStatus.RUNNING:
        return True
    return (
        bool((run.error_details or {}).get("resumable"))
        and run.finished_at is not None
        and run.finished_at > now - RESUME_WITHIN
    )


async def _run(
    deps: SyncDeps,
    integration: Integration,
    state: RunState,
    mode: SyncMode,
    since: datetime | None,
    lease: RunLease,
    progress: ProgressCallback | None,
) -> SyncOutcome:
    started = time.perf_counter()
    status = SyncStatus.SUCCEEDED
    error: str | None = None
    retryable = True
    resumable = False
    try:
        try:
            connector = connector_for(
                integration,
                deps.keyring,
                deps.http,
                session_factory=deps.session_factory,
                sleep=deps.sleep,
            )
        except (ConnectorError, CryptoError) as exc:
            raise SyncFailed(SyncStatus.FAILED, f"cannot build the connector: {exc}") from exc
        if since is not None:
            connector.use_cursors(saved_cursors(integration))
        phases = SyncPhases(deps, connector, integration, state, since, lease, progress)
        await phases.run_all()
        if mode is SyncMode.FULL:
            await phases.detect_deletes()
        await _rank_and_write_back(deps, connector, state)
        state.source_cursors = connector.cursors()
        if state.failures:
            status = SyncStatus.PARTIALLY_FAILED
            error = f"{len(state.failures)} record(s) failed; first: {state.failures[0]}"
    except SyncFailed as failure:
        status, error, retryable = failure.status, failure.message, False
    except AuthError as exc:
        status, error, retryable = SyncStatus.AUTHENTICATION_FAILED, exc.message, False
    except ConnectorError as exc:
        status = SyncStatus.PARTIALLY_FAILED if state.processed else SyncStatus.FAILED
        error, retryable = f"{type(exc).__name__}: {exc.message}", exc.retryable
        resumable = exc.retryable
    await close_run(deps, integration, state, status, error, started, resumable=resumable)
    await announce(
        deps,
        sync_finished(
            state.tenant_id,
            run_id=state.run_id,
            integration_id=state.integration_id,
            status=status.value,
            counts=state.counts,
            error=error,
        ),
    )
    return SyncOutcome(
        run_id=state.run_id,
        status=status,
        counts=state.counts,
        error=error,
        details={
            "retryable": retryable and status is not SyncStatus.SUCCEEDED,
            "resumable": resumable,
        },
    )


async def _rank_and_write_back(
    deps: HasSessions, connector: ConnectorBase, state: RunState
) -> None:
    """After the records landed: re-score and re-rank the tenant's jobs and send changed
    ranks and scores to the ATS's configured job custom fields
    (``settings.rankCustomField``, ``settings.scoreCustomField``)."""
    async with deps.session_factory.begin() as session:
        await recompute_scores(session, state.tenant_id)
        await recompute_ranks(session, state.tenant_id)
        settings = await session.get(TenantSettings, state.tenant_id)
    rank_field = settings.rank_custom_field if settings is not None else None
    score_field = settings.score_custom_field if settings is not None else None
    if not rank_field and not score_field:
        return
    report = await write_back_ranks(
        connector,
        deps.session_factory,
        state.tenant_id,
        state.integration_id,
        field_name=rank_field,
        score_field=score_field,
    )
    if report.written or report.failed:
        state.count("rank_writeback", "updated", report.written)
        state.count("rank_writeback", "failed", report.failed)
        state.failures.extend(report.errors[:10])
