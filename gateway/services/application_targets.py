"""An application as the writes on it see it (``Target``), and the steps they share:
finding it in the caller's tenant (synced, not deleted at the source), refusing a
closed one, and moving it to a stage the way the next sync would (``record_move``:
the stage row created if new, the open transition closed, the status following the
stage's kind).

    target = await load_application(deps, principal, application_id=12)
    require_open(target)                   # rejected or withdrawn: ValidationFailed
    event = await record_move(session, target, actor, stage, when=utcnow())
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import Principal
from gateway.errors import NotFound, ValidationFailed
from gateway.events import application_stage_changed
from gateway.ports import HasSessions
from gateway.pubsub import Event
from gateway.services.activities import Actor
from gateway.store.enums import (
    ApplicationStatus,
    StageKind,
    stage_kind_of,
    unlisted_position,
)
from gateway.store.models import Application, Integration, PipelineStage, StageTransition

CLOSED_APPLICATION = frozenset({ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN})
"""Applications no interview, offer or onboarding task is written for."""


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
    integration_name: str = ""
    provider: str = ""


async def load_application(deps: HasSessions, principal: Principal, application_id: int) -> Target:
    async with deps.session_factory() as session:
        row = (
            await session.execute(
                sa.select(Application, PipelineStage.name, Integration.name, Integration.provider)
                .outerjoin(PipelineStage, PipelineStage.id == Application.current_stage_id)
                .outerjoin(Integration, Integration.id == Application.integration_id)
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
    if application.remote_deleted_at is not None:
        raise ValidationFailed("applicationId", "this application was deleted in its source")
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
        row[2] or "",
        str(row[3]) if row[3] is not None else "",
    )


def require_open(target: Target, field: str = "applicationId") -> None:
    """Refuse a write for a rejected or withdrawn application."""
    if target.status in CLOSED_APPLICATION:
        raise ValidationFailed(field, f"the application is {target.status}")


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
            position=unlisted_position(stage_kind_of(name)),
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
    return application_stage_changed(
        target.tenant_id,
        application_id=target.id,
        remote_id=target.remote_id,
        job_id=target.job_id,
        candidate_id=target.candidate_id,
        stage=stage.name,
        previous_stage=target.stage_name,
        status=str(new_status),
        moved_by=actor.user_id,
    )
