"""Which integrations are due a sync now (``due_syncs``), by their intervals or because
their run stalled; the schedule queues one sync for each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from gateway.queue import Leases
from gateway.store.base import utcnow
from gateway.store.enums import IntegrationStatus, SyncKind, SyncStatus
from gateway.store.models import Integration, SyncRun
from jobs.sync_api import SyncMode


@dataclass(frozen=True, slots=True)
class DueSync:
    tenant_id: int
    integration_id: int
    mode: SyncMode


async def due_syncs(session_factory: Any, now: datetime | None = None) -> list[DueSync]:
    """Integrations whose interval has passed: incremental every ``sync_interval_minutes``,
    full every ``full_sync_interval_minutes`` (default daily) or when never fully synced.
    A full run that ended partially failed (some records listed as failures) counts as
    the last full one: its failed records are retried by the incremental runs, whose
    cursor stays where the last successful run left it, not by a full run every tick.
    An integration whose run stalled (left ``running``, no heartbeat for ``Leases.lease()``) is
    due at once, whatever its interval: the sync resumes that run."""
    now = now or utcnow()
    async with session_factory() as session:
        last_full = (
            sa.select(SyncRun.integration_id, sa.func.max(SyncRun.started_at).label("at"))
            .where(
                SyncRun.kind == SyncKind.FULL,
                SyncRun.status.in_((SyncStatus.SUCCEEDED, SyncStatus.PARTIALLY_FAILED)),
            )
            .group_by(SyncRun.integration_id)
            .subquery()
        )
        stalled = (
            sa.select(SyncRun.integration_id, sa.func.min(SyncRun.kind).label("kind"))
            .where(
                SyncRun.status == SyncStatus.RUNNING,
                SyncRun.kind.in_((SyncKind.FULL, SyncKind.INCREMENTAL)),
                sa.func.coalesce(SyncRun.heartbeat_at, SyncRun.started_at) < now - Leases.lease(),
            )
            .group_by(SyncRun.integration_id)
            .subquery()
        )
        rows = (
            await session.execute(
                sa.select(
                    Integration.id,
                    Integration.tenant_id,
                    Integration.last_sync_at,
                    Integration.sync_interval_minutes,
                    Integration.full_sync_interval_minutes,
                    last_full.c.at,
                    stalled.c.kind.label("stalled_kind"),
                )
                .outerjoin(last_full, last_full.c.integration_id == Integration.id)
                .outerjoin(stalled, stalled.c.integration_id == Integration.id)
                .where(
                    Integration.status.in_((IntegrationStatus.ACTIVE, IntegrationStatus.PENDING)),
                    Integration.credentials_encrypted.is_not(None),
                )
            )
        ).all()
    due = []
    for row in rows:
        if row.stalled_kind is not None:
            due.append(DueSync(row.tenant_id, row.id, SyncMode(SyncKind(row.stalled_kind).value)))
        elif row.at is None or row.at <= now - timedelta(minutes=row.full_sync_interval_minutes):
            due.append(DueSync(row.tenant_id, row.id, SyncMode.FULL))
        elif row.last_sync_at is None or row.last_sync_at <= now - timedelta(
            minutes=row.sync_interval_minutes
        ):
            due.append(DueSync(row.tenant_id, row.id, SyncMode.INCREMENTAL))
    return due
