"""Closing a sync run: its row (status, counts, duration, what failed), its outcome on
the integration (``last_error`` until a run succeeds), one ``sync.finished`` activity
when it changed something or failed, and the bus events that announce it.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.metrics import observe_sync_run
from gateway.oplog import LogEntry, stage_logs
from gateway.ports import HasBus, HasCache, HasSessions
from gateway.pubsub import Event
from gateway.services.activities import record_activity
from gateway.store.base import utcnow
from gateway.store.enums import IntegrationStatus, LogLevel, SyncKind, SyncStatus
from gateway.store.models import Integration, SyncRun
from jobs.sync_state import RunState, saved_cursors, sync_actor

logger = logging.getLogger("talentgraph.jobs.sync")


class RunClosing(HasSessions, HasCache, Protocol):
    """``SyncDeps`` and ``Runtime`` fit."""


async def announce(deps: HasBus, event: Event) -> None:
    """Progress and outcome events are news, not records: with the bus away the run goes
    on (and its outcome stays readable on the run)."""
    try:
        await deps.bus.publish(event)
    except Exception as exc:
        logger.warning("sync event %s not published: %s", event.type, exc)


def _changed(counts: dict[str, dict[str, int]]) -> bool:
    return any(c.get("created") or c.get("updated") or c.get("deleted") for c in counts.values())


def _record_summary(
    session: AsyncSession,
    integration: Integration,
    state: RunState,
    status: SyncStatus,
    error: str | None,
    job_id: int | None,
) -> bool:
    """The run's ``sync.finished`` activity, when it changed something or failed."""
    if status is SyncStatus.SUCCEEDED and not _changed(state.counts):
        return False
    done = {
        outcome: sum(bucket.get(outcome, 0) for bucket in state.counts.values())
        for outcome in ("created", "updated", "deleted", "failed")
    }
    tally = ", ".join(f"{amount} {outcome}" for outcome, amount in done.items() if amount)
    description = f"Sync of {integration.name} {status.value.replace('_', ' ')}"
    record_activity(
        session,
        sync_actor(integration, state.run_id),
        action="sync.finished",
        subject_type="Job" if job_id is not None else "Integration",
        subject_id=job_id if job_id is not None else integration.id,
        description=f"{description}: {tally or 'nothing changed'}"
        + (f" ({error[:200]})" if error else ""),
        job_id=job_id,
        details={
            "runId": state.run_id,
            "integrationId": integration.id,
            "status": status.value,
            "counts": state.counts,
            "error": error,
        },
    )
    return True


_LEVELS = {
    SyncStatus.SUCCEEDED: LogLevel.INFO,
    SyncStatus.PARTIALLY_FAILED: LogLevel.WARNING,
}


def _log_entry(
    integration: Integration,
    state: RunState,
    status: SyncStatus,
    error: str | None,
    kind: SyncKind,
    job_id: int | None,
) -> LogEntry:
    """The run in the operational log (with the same condition as its activity)."""
    done = {
        outcome: sum(bucket.get(outcome, 0) for bucket in state.counts.values())
        for outcome in ("created", "updated", "deleted", "failed")
    }
    tally = ", ".join(f"{amount} {outcome}" for outcome, amount in done.items() if amount)
    return LogEntry(
        state.tenant_id,
        _LEVELS.get(status, LogLevel.ERROR),
        "sync",
        f"{kind.value.capitalize()} sync of {integration.name} "
        f"{status.value.replace('_', ' ')}: {tally or 'nothing changed'}"
        + (f" ({error[:500]})" if error else ""),
        job_id=job_id,
        extra={
            "runId": state.run_id,
            "integrationId": integration.id,
            "provider": str(integration.provider),
            "counts": state.counts,
            "failures": state.failures[:10],
        },
    )


async def close_run(
    deps: RunClosing,
    integration: Integration,
    state: RunState,
    status: SyncStatus,
    error: str | None,
    started: float,
    *,
    job_id: int | None = None,
    resumable: bool = False,
) -> None:
    finished = utcnow()
    async with deps.session_factory.begin() as session:
        run = await session.get(SyncRun, state.run_id, with_for_update=True)
        stored = await session.get(Integration, integration.id, with_for_update=True)
        assert run is not None
        run.status = status
        run.counts = state.counts
        run.finished_at = finished
        run.duration_ms = int((time.perf_counter() - started) * 1000)
        kind = run.kind
        run.error_message = error
        details: dict[str, Any] = {}
        if state.failures:
            details.update(failures=state.failures[:50], records=state.failed_records)
        if state.warnings:
            details["warnings"] = state.warnings[:20]
        if resumable:
            details["resumable"] = True
        run.error_details = details or None
        if stored is not None:
            _note_on_integration(stored, state, status, error, finished)
        recorded = _record_summary(session, integration, state, status, error, job_id)
        if recorded:
            await stage_logs(session, [_log_entry(integration, state, status, error, kind, job_id)])
    observe_sync_run(
        str(integration.provider),
        str(kind),
        status.value,
        time.perf_counter() - started,
        state.counts,
    )
    if _changed(state.counts) or recorded:
        await deps.cache.invalidate(state.tenant_id)


SYNC_ERROR_PREFIX = "sync: "


def _note_on_integration(
    integration: Integration,
    state: RunState,
    status: SyncStatus,
    error: str | None,
    finished: datetime,
) -> None:
    """The run's outcome where the integration's users look: a failed or partial run's
    error stays as ``last_error`` until a run succeeds; a refused key also sets the
    status to ``error`` (the health check sets it back)."""
    integration.last_sync_at = finished
    if status is SyncStatus.SUCCEEDED:
        integration.last_successful_sync_at = state.started_at
        integration.sync_cursor = {
            "since": state.started_at.isoformat(),
            "source": {**saved_cursors(integration), **state.source_cursors},
        }
        if (integration.last_error or "").startswith(SYNC_ERROR_PREFIX):
            integration.last_error = None
        return
    if status is SyncStatus.AUTHENTICATION_FAILED:
        integration.status = IntegrationStatus.ERROR
    integration.last_error = f"{SYNC_ERROR_PREFIX}{error or status.value}"[:2000]
    integration.last_error_at = finished
