"""Pipeline writes on an application, sent to its source as the acting recruiter.

    written = await move_stage(deps, principal, application_id=12, stage="Offer",
                               idempotency_key=None)
    written.ids["application"]     # 12

Each function finds the record in the caller's tenant, hands the remote call and the
local change to ``write_back`` (source first, then the store), and describes the
change: the activity and the bus events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Capability
from connectors.models import WriteResult
from gateway.auth import Principal
from gateway.errors import NotFound, ValidationFailed
from gateway.pubsub import Event
from gateway.services.activities import Actor, record_activity
from gateway.services.validation import required_text
from gateway.services.writeback import LocalChange, WriteDeps, Written, write_back
from gateway.store.base import utcnow
from gateway.store.enums import ApplicationStatus, StageKind, stage_kind_of
from gateway.store.models import Application, PipelineStage, StageTransition

MAX_STAGE_LENGTH = 255


@dataclass(frozen=True, slots=True)
class Target:
    """An application as a write needs it: where it lives and what it is now."""

    id: int
    tenant_id: int
    integration_id: int
    remote_id: str
    job_id: int
    candidate_id: int
    stage_id: int | None
    stage_name: str | None
    status: ApplicationStatus


async def load_application(deps: WriteDeps, principal: Principal, application_id: int) -> Target:
    async with deps.session_factory() as session:
        row = (
            await session.execute(
                sa.select(Application, PipelineStage.name)
                .outerjoin(PipelineStage, PipelineStage.id == Application.current_stage_id)
                .where(Application.id == application_id)
            )
        ).first()
    if row is None or row[0].tenant_id != principal.tenant_id:
        raise NotFound("Application", application_id)
    application: Application = row[0]
    if application.integration_id is None or not application.remote_id:
        raise ValidationFailed(
            "applicationId", "this application was not synced from a source system"
        )
    return Target(
        application.id,
        application.tenant_id,
        application.integration_id,
        application.remote_id,
        application.job_id,
        application.candidate_id,
        application.current_stage_id,
        row[1],
        application.status,
    )


async def stage_row(
    session: AsyncSession, tenant_id: int, integration_id: int, name: str
) -> PipelineStage:
    """The integration's stage of that name, created (as the sync would) if new."""
    found = await session.scalar(
        sa.select(PipelineStage).where(
            PipelineStage.integration_id == integration_id, PipelineStage.remote_id == name
        )
    )
    if found is None:
        found = PipelineStage(
            tenant_id=tenant_id,
            integration_id=integration_id,
            remote_id=name,
            name=name,
            kind=stage_kind_of(name),
            position=0,
        )
        session.add(found)
        await session.flush()
    return found


STATUS_OF_KIND = {
    StageKind.HIRED: ApplicationStatus.HIRED,
    StageKind.REJECTED: ApplicationStatus.REJECTED,
}


async def record_move(
    session: AsyncSession,
    target: Target,
    actor: Actor,
    stage: PipelineStage,
    *,
    when: datetime,
    status: ApplicationStatus | None = None,
) -> Event:
    """Move the local application (closing its open transition) and return the event."""
    await session.execute(
        sa.update(StageTransition)
        .where(StageTransition.application_id == target.id, StageTransition.left_at.is_(None))
        .values(left_at=when)
    )
    session.add(
        StageTransition(
            tenant_id=target.tenant_id,
            application_id=target.id,
            integration_id=target.integration_id,
            from_stage_id=target.stage_id,
            from_stage_name=target.stage_name,
            to_stage_id=stage.id,
            to_stage_name=stage.name,
            entered_at=when,
            moved_by_user_id=actor.user_id,
            moved_by_name=actor.name,
        )
    )
    new_status = status or STATUS_OF_KIND.get(stage.kind, target.status)
    values: dict[str, object] = {
        "current_stage_id": stage.id,
        "stage_entered_at": when,
        "status": new_status,
        "updated_at": when,
    }
    if new_status is ApplicationStatus.HIRED:
        values["hired_at"] = when
    await session.execute(sa.update(Application).where(Application.id == target.id).values(values))
    return Event(
        "application.stage_changed",
        target.tenant_id,
        {
            "id": target.id,
            "jobId": target.job_id,
            "candidateId": target.candidate_id,
            "stage": stage.name,
            "previousStage": target.stage_name,
            "status": str(new_status),
            "movedBy": actor.user_id,
        },
    )


async def move_stage(
    deps: WriteDeps,
    principal: Principal,
    *,
    application_id: int,
    stage: str,
    idempotency_key: str | None,
) -> Written:
    name = required_text("stage", stage, max_length=MAX_STAGE_LENGTH)
    target = await load_application(deps, principal, application_id)

    async def local(session: AsyncSession, result: WriteResult, actor: Actor) -> LocalChange:
        row = await stage_row(session, target.tenant_id, target.integration_id, name)
        event = await record_move(session, target, actor, row, when=utcnow())
        record_activity(
            session,
            actor,
            action="application.stage_moved",
            subject_type="Application",
            subject_id=target.id,
            description=f"Moved the application from {target.stage_name or 'no stage'} to {name}",
            job_id=target.job_id,
            candidate_id=target.candidate_id,
            application_id=target.id,
            details={"from": target.stage_name, "to": name, "remoteId": target.remote_id},
        )
        return LocalChange({"application": target.id}, [event])

    return await write_back(
        deps,
        principal,
        integration_id=target.integration_id,
        operation="applicationMoveStage",
        capability=Capability.MOVE_STAGE,
        request={"applicationId": application_id, "stage": name},
        idempotency_key=idempotency_key,
        remote=lambda connector, attribution: connector.move_stage(
            target.remote_id, name, attribution
        ),
        local=local,
    )
