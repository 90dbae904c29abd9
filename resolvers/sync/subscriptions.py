"""``syncProgress(integrationId)``: a sync run's progress after every batch it stores,
then how it ended, from whichever process runs it.

    subscription { syncProgress(integrationId: "SW50ZWdyYXRpb246Mw==") {
      kind phase processed counts status run { id status } } }
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from enum import Enum

import sqlalchemy as sa
import strawberry
from strawberry.scalars import JSON

from gateway.events import EventName, SyncFinished, SyncProgressed, parse
from gateway.permissions import Permission
from gateway.pubsub import Event
from gateway.store.base import table_of
from gateway.store.enums import SyncStatus
from gateway.store.models import SyncRun as SyncRunModel
from resolvers.context import Info
from resolvers.dataloaders import light_columns
from resolvers.subscription import enum_or_none, event_time, subscribed_record, tenant_stream
from resolvers.sync.types import SyncRun, build_sync_run
from resolvers.type_fields import global_id_of

EVENT_TYPES = frozenset({EventName.SYNC_PROGRESS, EventName.SYNC_FINISHED})


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

    run_id = global_id_of(SyncRun.NODE_TYPE, "run_pk")
    integration_id = global_id_of("Integration", "integration_pk")

    @strawberry.field(description="The run as stored when the update is delivered.")
    async def run(self, info: Info) -> SyncRun | None:
        table = table_of(SyncRunModel)
        row = await info.context.reader.one_or_none(
            sa.select(*light_columns(table)).where(
                table.c.tenant_id == info.context.tenant_id, table.c.id == self.run_pk
            )
        )
        return build_sync_run(row) if row is not None else None


def sync_progress(event: Event) -> SyncProgress | None:
    """What a sync event says; ``None`` for any other event and a malformed one."""
    match parse(event):
        case SyncProgressed() as batch:
            return SyncProgress(
                kind=SyncProgressKind.PROGRESS,
                phase=batch.phase,
                processed=batch.processed,
                counts=JSON(batch.counts),
                status=None,
                error=None,
                at=event_time(event),
                run_pk=batch.run_id,
                integration_pk=batch.integration_id,
            )
        case SyncFinished() as end:
            return SyncProgress(
                kind=SyncProgressKind.FINISHED,
                phase=None,
                processed=None,
                counts=JSON(end.counts),
                status=enum_or_none(SyncStatus, end.status),
                error=end.error,
                at=event_time(event),
                run_pk=end.run_id,
                integration_pk=end.integration_id,
            )
    return None


@strawberry.type
class SyncSubscriptions:
    @strawberry.subscription(
        description="Progress of the integration's sync runs, batch by batch, and how each "
        "ended. Needs integrations:read."
    )
    async def sync_progress(
        self, info: Info, integration_id: strawberry.ID
    ) -> AsyncIterator[SyncProgress]:
        tenant_id, integration_pk = await subscribed_record(
            info,
            Permission.INTEGRATIONS_READ,
            integration_id,
            "Integration",
            field="integrationId",
            loader="integration_by_id",
        )
        return tenant_stream(
            info,
            tenant_id,
            EVENT_TYPES,
            sync_progress,
            lambda update: update.integration_pk == integration_pk,
        )
