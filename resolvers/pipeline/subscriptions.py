"""``pipelineUpdates(jobId)``: applications created, moved, rejected, hired or updated in
one requisition, as syncs, webhooks and write-backs change them, from any process.

    subscription { pipelineUpdates(jobId: "Sm9iOjQy") {
      kind stage previousStage status at application { id candidate { name } } } }

A stage change by a sync or a webhook arrives twice, as ``UPDATED`` (the record
changed) and as ``MOVED``/``REJECTED``/``HIRED`` (the stage did); ``kinds`` keeps only
the kinds a client wants.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from gateway.errors import NotFound
from gateway.permissions import Permission
from gateway.pubsub import Event
from gateway.store.enums import ApplicationStatus
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.applications.types import Application, build_application
from resolvers.context import Info
from resolvers.relay import pk_of, to_global_id
from resolvers.subscription import event_time, int_of, str_of, subscriber, tenant_events

EVENT_TYPES = frozenset({"application.created", "application.updated", "application.stage_changed"})


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


def _kind(event: Event) -> PipelineUpdateKind:
    if event.type == "application.created":
        return PipelineUpdateKind.CREATED
    if event.type == "application.updated":
        return PipelineUpdateKind.UPDATED
    status = event.data.get("status")
    if status == ApplicationStatus.REJECTED.value:
        return PipelineUpdateKind.REJECTED
    if status == ApplicationStatus.HIRED.value:
        return PipelineUpdateKind.HIRED
    return PipelineUpdateKind.MOVED


def _status(value: Any) -> ApplicationStatus | None:
    try:
        return ApplicationStatus(value)
    except ValueError:
        return None


def pipeline_update(event: Event) -> PipelineUpdate | None:
    """The update an application event announces; ``None`` for one that names no
    application or requisition."""
    data = event.data
    application_pk, job_pk = int_of(data.get("id")), int_of(data.get("jobId"))
    if application_pk is None or job_pk is None:
        return None
    return PipelineUpdate(
        kind=_kind(event),
        stage=str_of(data.get("stage")),
        previous_stage=str_of(data.get("previousStage")),
        status=_status(data.get("status")),
        at=event_time(event),
        application_pk=application_pk,
        job_pk=job_pk,
        candidate_pk=int_of(data.get("candidateId")),
    )


@dataclass(frozen=True, slots=True)
class _Filter:
    tenant_id: int
    job_pk: int
    kinds: frozenset[PipelineUpdateKind] | None


async def _updates(info: Info, wanted: _Filter) -> AsyncIterator[PipelineUpdate]:
    async for event in tenant_events(info, wanted.tenant_id, EVENT_TYPES):
        if event.data.get("jobId") != wanted.job_pk:
            continue
        update = pipeline_update(event)
        if update is not None and (wanted.kinds is None or update.kind in wanted.kinds):
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
