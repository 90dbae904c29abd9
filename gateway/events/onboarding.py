"""Onboarding task events: created and updated."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.events.catalogue import _builds, _event, _payload
from gateway.events.names import EventName
from gateway.events.payload import Payload, _subject
from gateway.pubsub import Event


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class OnboardingTaskCreated(Payload):
    """From a sync (the ids only) or a write-back (with what was asked for)."""

    NAME = EventName.ONBOARDING_TASK_CREATED
    task_id: int = _subject()
    remote_id: str
    application_id: int | None = None
    candidate_id: int | None = None
    title: str | None = None
    status: str | None = None


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class OnboardingTaskUpdated(Payload):
    """From a sync (the ids only) or an approval or rejection (with the statuses)."""

    NAME = EventName.ONBOARDING_TASK_UPDATED
    task_id: int = _subject()
    remote_id: str
    application_id: int | None = None
    candidate_id: int | None = None
    status: str | None = None
    previous_status: str | None = None


@_builds(EventName.ONBOARDING_TASK_CREATED)
def onboarding_task_created(
    tenant_id: int,
    *,
    task_id: int,
    remote_id: str,
    application_id: int | None = None,
    candidate_id: int | None = None,
    title: str | None = None,
    status: str | None = None,
) -> Event:
    return _event(
        tenant_id,
        OnboardingTaskCreated(
            task_id=task_id,
            remote_id=remote_id,
            application_id=application_id,
            candidate_id=candidate_id,
            title=title,
            status=status,
        ),
    )


@_builds(EventName.ONBOARDING_TASK_UPDATED)
def onboarding_task_updated(
    tenant_id: int,
    *,
    task_id: int,
    remote_id: str,
    application_id: int | None = None,
    candidate_id: int | None = None,
    status: str | None = None,
    previous_status: str | None = None,
) -> Event:
    return _event(
        tenant_id,
        OnboardingTaskUpdated(
            task_id=task_id,
            remote_id=remote_id,
            application_id=application_id,
            candidate_id=candidate_id,
            status=status,
            previous_status=previous_status,
        ),
    )
