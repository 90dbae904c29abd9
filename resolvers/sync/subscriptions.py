"""``syncProgress(integrationId)``: a sync run's progress after every batch it stores,
then how it ended, from whichever process runs it.

    subscription { syncProgress(integrationId: "SW50ZWdyYXRpb246Mw==") {
      kind phase processed counts status run { id status } } }
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
import strawberry
from strawberry.scalars import JSON

from gateway.errors import NotFound
from gateway.permissions import Permission
from gateway.pubsub import Event
from gateway.store.base import table_of
from gateway.store.enums import SyncStatus
from gateway.store.models import SyncRun as SyncRunModel
from resolvers.context import Info
from resolvers.dataloaders import light_columns
from resolvers.relay import pk_of, to_global_id
from resolvers.subscription import event_time, int_of, str_of, subscriber, tenant_events
from resolvers.sync.types import SyncRun, build_sync_run

PROGRESS = "sync.progress"
FINISHED = "sync.finished"


@strawberry.enum(name="SyncProgressKind")
class SyncProgressKind(Enum):
    PROGRESS = "progress"
    FINISHED = "finished"


@strawberry.type(name="SyncProgress", description="How far a sync run has come.")
class SyncProgress:
    kind: SyncProgressKind
    phase: str | None = strawberry.field(
        description='The part just stored ("jobs", "candidates", "applications", ...); '
        "null once finished."
    )
    processed: int | None = strawberry.field(
        description="Records processed so far; null once finished."
    )
    counts: JSON = strawberry.field(
        description='Per entity and outcome, e.g. {"jobs": {"created": 3, "updated": 1}}.'
    )
    status: SyncStatus | None = strawberry.field(
        description="How the run ended; null while running."
    )
    error: str | None
    at: datetime
    run_pk: strawberry.Private[int]
    integration_pk: strawberry.Private[int]

    @strawberry.field
    def run_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id(SyncRun.NODE_TYPE, self.run_pk))

    @strawberry.field
    def integration_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Integration", self.integration_pk))

    @strawberry.field(description="The run as stored when the update is delivered.")
    async def run(self, info: Info) -> SyncRun | None:
        table = table_of(SyncRunModel)
        row = await info.context.reader.one_or_none(
            sa.select(*light_columns(table)).where(
                table.c.tenant_id == info.context.tenant_id, table.c.id == self.run_pk
            )
        )
        return build_sync_run(row) if row is not None else None


def _status(value: Any) -> SyncStatus | None:
    try:
        return SyncStatus(value)
    except ValueError:
        return None


def sync_progress(event: Event) -> SyncProgress | None:
    data = event.data
    run_pk, integration_pk = int_of(data.get("runId")), int_of(data.get("integrationId"))
    if run_pk is None or integration_pk is None:
        return None
    finished = event.type == FINISHED
    counts = data.get("counts")
    return SyncProgress(
        kind=SyncProgressKind.FINISHED if finished else SyncProgressKind.PROGRESS,
        phase=None if finished else str_of(data.get("phase")),
        processed=None if finished else int_of(data.get("processed")),
        counts=JSON(counts if isinstance(counts, dict) else {}),
        status=_status(data.get("status")) if finished else None,
        error=str_of(data.get("error")),
        at=event_time(event),
        run_pk=run_pk,
        integration_pk=integration_pk,
    )


async def _progress(info: Info, tenant_id: int, integration_pk: int) -> AsyncIterator[SyncProgress]:
    async for event in tenant_events(info, tenant_id, (PROGRESS, FINISHED)):
        if event.data.get("integrationId") != integration_pk:
            continue
        update = sync_progress(event)
        if update is not None:
            yield update


@strawberry.type
class SyncSubscriptions:
    @strawberry.subscription(
        description="Progress of the integration's sync runs, batch by batch, and how each "
        "ended. Needs integrations:read."
    )
    async def sync_progress(
        self, info: Info, integration_id: strawberry.ID
    ) -> AsyncIterator[SyncProgress]:
        principal = subscriber(info, Permission.INTEGRATIONS_READ)
        integration_pk = pk_of(integration_id, "Integration", field="integrationId")
        if await info.context.loaders.integration_by_id.load(integration_pk) is None:
            raise NotFound("Integration", integration_id)
        return _progress(info, principal.tenant_id, integration_pk)
