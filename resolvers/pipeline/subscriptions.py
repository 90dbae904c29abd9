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
from datetime import datetime
from enum import Enum

import strawberry

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
from resolvers.context import Info
from resolvers.subscription import enum_or_none, event_time, subscribed_record, tenant_stream
from resolvers.type_fields import global_id_of, related_node
from resolvers.type_refs import APPLICATION

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

    application_id = global_id_of("Application", "application_pk")
    job_id = global_id_of("Job", "job_pk")
    candidate_id = global_id_of("Candidate", "candidate_pk", nullable=True)
    application = related_node(
        APPLICATION,
        loader="application_by_id",
        key="application_pk",
        description="The application as stored when the update is delivered (one read "
        "per subscriber and update); null if it is gone.",
    )


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
        status=enum_or_none(ApplicationStatus, change.status),
        at=event_time(event),
        application_pk=change.application_id,
        job_pk=change.job_id,
        candidate_pk=change.candidate_id,
    )


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
        tenant_id, job_pk = await subscribed_record(
            info, Permission.APPLICATIONS_READ, job_id, "Job", field="jobId", loader="job_by_id"
        )
        wanted = frozenset(kinds) if kinds else None
        return tenant_stream(
            info,
            tenant_id,
            EVENT_TYPES,
            pipeline_update,
            lambda update: update.job_pk == job_pk and (wanted is None or update.kind in wanted),
        )
