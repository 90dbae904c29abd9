"""Where a self-service interview is in its life (see ``gateway.services.interview_lifecycle``
for the statuses): ``transition`` moves it, records the activity and returns the events;
``expire_if_due`` closes one whose link is past its expiry. The actors named in the
timeline when nobody signed in acted live here too."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import NotFound, ValidationFailed
from gateway.events import interview_cancelled, interview_completed, interview_status_changed
from gateway.pubsub import Event
from gateway.services.activities import Actor, record_activity
from gateway.store.enums import ActorType, InterviewKind, InterviewStatus
from gateway.store.models import Application, Interview

OPEN = frozenset({InterviewStatus.SCHEDULED, InterviewStatus.IN_PROGRESS})


async def transition(
    session: AsyncSession,
    interview: Interview,
    status: InterviewStatus,
    actor: Actor,
    *,
    now: datetime,
    description: str,
    details: dict[str, Any] | None = None,
) -> list[Event]:
    """Move ``interview`` to ``status`` in the caller's transaction; its events to stage."""
    previous = interview.status
    interview.status = status
    interview.updated_at = now
    if status is InterviewStatus.IN_PROGRESS and interview.started_at is None:
        interview.started_at = now
    if status is InterviewStatus.COMPLETED:
        interview.completed_at = now
    application = await session.get(Application, interview.application_id)
    job_id = application.job_id if application is not None else None
    candidate_id = application.candidate_id if application is not None else None
    record_activity(
        session,
        actor,
        action=f"interview.{status.value}",
        subject_type="Interview",
        subject_id=interview.id,
        description=description,
        job_id=job_id,
        candidate_id=candidate_id,
        application_id=interview.application_id,
        details={"previousStatus": previous.value, "status": status.value, **(details or {})},
    )
    tenant = interview.tenant_id
    events = [
        interview_status_changed(
            tenant, interview_id=interview.id, status=status.value, previous_status=previous.value
        )
    ]
    ended = {
        InterviewStatus.COMPLETED: interview_completed,
        InterviewStatus.CANCELLED: interview_cancelled,
    }.get(status)
    if ended is not None:
        events.append(
            ended(
                tenant,
                interview_id=interview.id,
                application_id=interview.application_id,
                job_id=job_id,
                candidate_id=candidate_id,
                kind=interview.kind.value,
                previous_status=previous.value,
            )
        )
    return events


def system_actor(tenant_id: int) -> Actor:
    return Actor(tenant_id, ActorType.SYSTEM, None, "Self-service interview")


def candidate_actor(tenant_id: int, name: str) -> Actor:
    return Actor(tenant_id, ActorType.SYSTEM, "candidate", f"{name} (candidate)"[:255])


async def tenant_interview(session: AsyncSession, tenant_id: int, interview_id: int) -> Interview:
    """The tenant's self-service interview, row-locked for the caller's transaction."""
    interview = await session.scalar(
        sa.select(Interview)
        .where(Interview.id == interview_id, Interview.tenant_id == tenant_id)
        .with_for_update()
    )
    if interview is None:
        raise NotFound("Interview", interview_id)
    if interview.kind is not InterviewKind.SELF_SERVICE:
        raise ValidationFailed("interviewId", "this is a scheduled round, not a self-service one")
    return interview


async def expire_if_due(session: AsyncSession, interview: Interview, now: datetime) -> list[Event]:
    """In the caller's transaction: an open interview whose token is past its expiry
    becomes expired. Returns the events to stage ([] when nothing moved)."""
    if (
        interview.status in OPEN
        and interview.token_expires_at is not None
        and interview.token_expires_at <= now
    ):
        return await transition(
            session,
            interview,
            InterviewStatus.EXPIRED,
            system_actor(interview.tenant_id),
            now=now,
            description="The interview link expired",
            details={"expiresAt": interview.token_expires_at.isoformat()},
        )
    return []
