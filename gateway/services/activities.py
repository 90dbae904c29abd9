"""Who acts, and the activity record every write leaves behind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import Principal
from gateway.store.enums import ActorType
from gateway.store.models import Activity

SOURCE_ACTIVITY = "candidate.source_activity"
"""Something a recruiter did with a candidate in the source (a note, a move...)."""
CONTACTED = "candidate.contacted"
"""A source activity that was a contact with the candidate: an email, a call, a message,
a meeting. ``Candidate.lastContactedAt`` is the latest of these."""


@dataclass(frozen=True, slots=True)
class Actor:
    tenant_id: int
    actor_type: ActorType
    actor_id: str | None
    name: str | None
    user_id: int | None = None

    @classmethod
    def from_principal(cls, principal: Principal) -> Actor:
        return cls(
            tenant_id=principal.tenant_id,
            actor_type=ActorType.USER,
            actor_id=str(principal.user_id),
            name=principal.name or principal.email or None,
            user_id=principal.user_id,
        )


def record_activity(
    session: AsyncSession,
    actor: Actor,
    *,
    action: str,
    subject_type: str,
    subject_id: int | None,
    description: str,
    job_id: int | None = None,
    candidate_id: int | None = None,
    application_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> Activity:
    activity = Activity(
        tenant_id=actor.tenant_id,
        action=action,
        actor_type=actor.actor_type,
        actor_id=actor.actor_id,
        actor_name=actor.name,
        subject_type=subject_type,
        subject_id=subject_id,
        description=description,
        job_id=job_id,
        candidate_id=candidate_id,
        application_id=application_id,
        details=details or {},
    )
    session.add(activity)
    return activity
