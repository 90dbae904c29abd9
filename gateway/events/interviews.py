"""Interview events: the record's lifecycle and the live chat of a self-service interview."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.events.catalogue import _builds, _event, _payload
from gateway.events.names import EventName
from gateway.events.payload import Payload, _subject
from gateway.pubsub import Event


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class InterviewCreated(Payload):
    """From a sync (``remote_id``), a scheduling write-back (``remote_id``, ``job_id``,
    ``candidate_id``, ``interview_type``, ``scheduled_at``) or a self-service invitation
    (``kind``, ``expires_at``, no remote id)."""

    NAME = EventName.INTERVIEW_CREATED
    interview_id: int = _subject()
    remote_id: str | None = None
    application_id: int
    job_id: int | None = None
    candidate_id: int | None = None
    kind: str | None = None
    interview_type: str | None = None
    scheduled_at: str | None = None
    status: str
    expires_at: str | None = None
    previous_status: str | None = None


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class InterviewUpdated(Payload):
    NAME = EventName.INTERVIEW_UPDATED
    interview_id: int = _subject()
    remote_id: str
    application_id: int
    status: str
    previous_status: str | None


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class InterviewStatusChanged(Payload):
    NAME = EventName.INTERVIEW_STATUS_CHANGED
    interview_id: int
    status: str
    previous_status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class _InterviewEnded(Payload):
    interview_id: int = _subject()
    application_id: int
    job_id: int | None
    candidate_id: int | None
    kind: str
    status: str
    previous_status: str


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class InterviewCompleted(_InterviewEnded):
    NAME = EventName.INTERVIEW_COMPLETED


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class InterviewCancelled(_InterviewEnded):
    NAME = EventName.INTERVIEW_CANCELLED


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class InterviewEvaluated(Payload):
    NAME = EventName.INTERVIEW_EVALUATED
    interview_id: int
    evaluation_id: int


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class InterviewMessage(Payload):
    NAME = EventName.INTERVIEW_MESSAGE
    interview_id: int
    message_id: int
    sequence: int
    role: str
    content: str


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class InterviewDelta(Payload):
    """The interviewer's next tokens while it streams the reply numbered ``sequence``."""

    NAME = EventName.INTERVIEW_DELTA
    interview_id: int
    sequence: int
    delta: str


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class InterviewHumanRequested(Payload):
    NAME = EventName.INTERVIEW_HUMAN_REQUESTED
    interview_id: int


@_builds(EventName.INTERVIEW_CREATED)
def interview_created(
    tenant_id: int,
    *,
    interview_id: int,
    remote_id: str | None = None,
    application_id: int,
    job_id: int | None = None,
    candidate_id: int | None = None,
    kind: str | None = None,
    interview_type: str | None = None,
    scheduled_at: str | None = None,
    status: str,
    expires_at: str | None = None,
    previous_status: str | None = None,
) -> Event:
    return _event(
        tenant_id,
        InterviewCreated(
            interview_id=interview_id,
            remote_id=remote_id,
            application_id=application_id,
            job_id=job_id,
            candidate_id=candidate_id,
            kind=kind,
            interview_type=interview_type,
            scheduled_at=scheduled_at,
            status=status,
            expires_at=expires_at,
            previous_status=previous_status,
        ),
    )


@_builds(EventName.INTERVIEW_UPDATED)
def interview_updated(
    tenant_id: int,
    *,
    interview_id: int,
    remote_id: str,
    application_id: int,
    status: str,
    previous_status: str | None,
) -> Event:
    return _event(
        tenant_id,
        InterviewUpdated(
            interview_id=interview_id,
            remote_id=remote_id,
            application_id=application_id,
            status=status,
            previous_status=previous_status,
        ),
    )


@_builds(EventName.INTERVIEW_STATUS_CHANGED)
def interview_status_changed(
    tenant_id: int, *, interview_id: int, status: str, previous_status: str
) -> Event:
    return _event(
        tenant_id,
        InterviewStatusChanged(
            interview_id=interview_id, status=status, previous_status=previous_status
        ),
    )


@_builds(EventName.INTERVIEW_COMPLETED)
def interview_completed(
    tenant_id: int,
    *,
    interview_id: int,
    application_id: int,
    job_id: int | None,
    candidate_id: int | None,
    kind: str,
    previous_status: str,
) -> Event:
    return _event(
        tenant_id,
        InterviewCompleted(
            interview_id=interview_id,
            application_id=application_id,
            job_id=job_id,
            candidate_id=candidate_id,
            kind=kind,
            status="completed",
            previous_status=previous_status,
        ),
    )


@_builds(EventName.INTERVIEW_CANCELLED)
def interview_cancelled(
    tenant_id: int,
    *,
    interview_id: int,
    application_id: int,
    job_id: int | None,
    candidate_id: int | None,
    kind: str,
    previous_status: str,
) -> Event:
    return _event(
        tenant_id,
        InterviewCancelled(
            interview_id=interview_id,
            application_id=application_id,
            job_id=job_id,
            candidate_id=candidate_id,
            kind=kind,
            status="cancelled",
            previous_status=previous_status,
        ),
    )


@_builds(EventName.INTERVIEW_EVALUATED)
def interview_evaluated(tenant_id: int, *, interview_id: int, evaluation_id: int) -> Event:
    return _event(
        tenant_id, InterviewEvaluated(interview_id=interview_id, evaluation_id=evaluation_id)
    )


@_builds(EventName.INTERVIEW_MESSAGE)
def interview_message(
    tenant_id: int, *, interview_id: int, message_id: int, sequence: int, role: str, content: str
) -> Event:
    return _event(
        tenant_id,
        InterviewMessage(
            interview_id=interview_id,
            message_id=message_id,
            sequence=sequence,
            role=role,
            content=content,
        ),
    )


@_builds(EventName.INTERVIEW_DELTA)
def interview_delta(tenant_id: int, *, interview_id: int, sequence: int, delta: str) -> Event:
    return _event(
        tenant_id, InterviewDelta(interview_id=interview_id, sequence=sequence, delta=delta)
    )


@_builds(EventName.INTERVIEW_HUMAN_REQUESTED)
def interview_human_requested(tenant_id: int, *, interview_id: int) -> Event:
    return _event(tenant_id, InterviewHumanRequested(interview_id=interview_id))
