"""``pipelineUpdates(jobId)``: applications created, moved, rejected, hired or updated in
one requisition, as syncs, webhooks and write-backs change them, from any process.

    subscription { pipelineUpdates(jobId: "Sm9iOjQy") {
      kind stage previousStage status at application { id candidate { name } } } }

A stage change, whoever made it (a sync, a webhook, a write-back), arrives once, as
``MOVED``/``REJECTED``/``HIRED``; ``UPDATED`` is a change that moved nothing. ``kinds``
keeps only the kinds a client wants.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import strawberry

from gateway.errors import NotFound
from gateway.events import (
    ApplicationCreated,
    ApplicationStageChanged,
    ApplicationUpdated,
    EventName,
    parse,
)
from gateway.permissions import Permission
from gateway.pubsub import Event
from gateway.store.enums import ApplicationStatus
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.applications.types import Application, build_application
from resolvers.context import Info
from resolvers.relay import pk_of, to_global_id
from resolvers.subscription import event_time, subscriber, tenant_events

EVENT_TYPES = frozenset(
    {
        EventName.APPLICATION_CREATED,
        EventName.APPLICATION_UPDATED,
        EventName.APPLICATION_STAGE_CHANGED,
    }
)


@strawberry.enum(name="PipelineUpdateKind", description="What happened to the application.")
class PipelineUpdateKind(Enum):
    CREATED = "created"
    MOVED = "moved"
    REJECTED = "rejected"
    HIRED = "hired"
    UPDATED = "updated"


@strawberry.type(name="PipelineUpdate", description="A change in a requisition's pipeline.")
class PipelineUpdate:
    kind: PipelineUpdateKind
    stage: str | None = strawberry.field(description="The stage the application is in now.")
    previous_stage: str | None = strawberry.field(description="The stage it left (moves only).")
    status: ApplicationStatus | None
    at: datetime = strawberry.field(description="When the change was announced.")
    application_pk: strawberry.Private[int]
    job_pk: strawberry.Private[int]
    candidate_pk: strawberry.Private[int | None]

    @strawberry.field
    def application_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Application", self.application_pk))

    @strawberry.field
    def job_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Job", self.job_pk))

    @strawberry.field
    def candidate_id(self) -> strawberry.ID | None:
        if self.candidate_pk is None:
            return None
        return strawberry.ID(to_global_id("Candidate", self.candidate_pk))

    @strawberry.field(
        description="The application as stored when the update is delivered (one read "
        "per subscriber and update); null if it is gone."
    )
    async def application(self, info: Info) -> Application | None:
        row = await info.context.loaders.application_by_id.load(self.application_pk)
        return build_application(row) if row is not None else None


_Application = ApplicationCreated | ApplicationUpdated | ApplicationStageChanged


def _kind(change: _Application) -> PipelineUpdateKind:
    if isinstance(change, ApplicationCreated):
        return PipelineUpdateKind.CREATED
    if isinstance(change, ApplicationUpdated):
        return PipelineUpdateKind.UPDATED
    if change.status == ApplicationStatus.REJECTED:
        return PipelineUpdateKind.REJECTED
    if change.status == ApplicationStatus.HIRED:
        return PipelineUpdateKind.HIRED
    return PipelineUpdateKind.MOVED


def _status(value: str) -> ApplicationStatus | None:
    try:
        return ApplicationStatus(value)
    except ValueError:
        return None


def _change(event: Event) -> _Application | None:
    found = parse(event)
    return found if isinstance(found, _Application) else None


def pipeline_update(event: Event) -> PipelineUpdate | None:
    """The update an application event announces; ``None`` for any other event and a
    malformed one."""
    change = _change(event)
    if change is None:
        return None
    moved = change if isinstance(change, ApplicationStageChanged) else None
    return PipelineUpdate(
        kind=_kind(change),
        stage=change.stage,
        previous_stage=moved.previous_stage if moved is not None else None,
        status=_status(change.status),
        at=event_time(event),
        application_pk=change.application_id,
        job_pk=change.job_id,
        candidate_pk=change.candidate_id,
    )


@dataclass(frozen=True, slots=True)
class _Filter:
    tenant_id: int
    job_pk: int
    kinds: frozenset[PipelineUpdateKind] | None


async def _updates(info: Info, wanted: _Filter) -> AsyncIterator[PipelineUpdate]:
    async for event in tenant_events(info, wanted.tenant_id, EVENT_TYPES):
        update = pipeline_update(event)
        if update is None or update.job_pk != wanted.job_pk:
            continue
        if wanted.kinds is None or update.kind in wanted.kinds:
            yield update


@strawberry.type
class PipelineSubscriptions:
    @strawberry.subscription(
        description="Live changes to one requisition's applications: created, moved, "
        "rejected, hired, updated. Needs applications:read."
    )
    async def pipeline_updates(
        self,
        info: Info,
        job_id: strawberry.ID,
        kinds: list[PipelineUpdateKind] | None = None,
    ) -> AsyncIterator[PipelineUpdate]:
        principal = subscriber(info, Permission.APPLICATIONS_READ)
        job_pk = pk_of(job_id, "Job", field="jobId")
        if await info.context.loaders.job_by_id.load(job_pk) is None:
            raise NotFound("Job", job_id)
        wanted = frozenset(kinds) if kinds else None
        return _updates(info, _Filter(principal.tenant_id, job_pk, wanted))
