"""Application events: created, updated, moved between stages, analysed, a person asked
for by the candidate and that request resolved."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.events.catalogue import _builds, _event, _payload
from gateway.events.names import EventName
from gateway.events.payload import Payload, _subject
from gateway.pubsub import Event


@dataclass(frozen=True, slots=True, kw_only=True)
class _ApplicationRecord(Payload):
    application_id: int = _subject()
    remote_id: str
    job_id: int
    candidate_id: int
    stage: str | None
    status: str


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationCreated(_ApplicationRecord):
    NAME = EventName.APPLICATION_CREATED


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationUpdated(_ApplicationRecord):
    """The application changed without moving; a move is ``ApplicationStageChanged``."""

    NAME = EventName.APPLICATION_UPDATED


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationStageChanged(Payload):
    """A move, whoever made it: a sync or webhook (the source moved it) or a write-back
    (``moved_by``, the user). ``remote_id`` is absent from events of older versions."""

    NAME = EventName.APPLICATION_STAGE_CHANGED
    application_id: int = _subject()
    remote_id: str | None = None
    job_id: int
    candidate_id: int
    stage: str | None
    previous_stage: str | None
    status: str
    moved_by: int | None = None


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationAnalyzed(Payload):
    """``id`` and ``applicationId`` both name the application."""

    NAME = EventName.APPLICATION_ANALYZED
    id: int
    application_id: int
    analysis_id: int
    job_id: int
    candidate_id: int
    risk_score: float


@_builds(EventName.APPLICATION_CREATED)
def application_created(
    tenant_id: int,
    *,
    application_id: int,
    remote_id: str,
    job_id: int,
    candidate_id: int,
    stage: str | None,
    status: str,
) -> Event:
    return _event(
        tenant_id,
        ApplicationCreated(
            application_id=application_id,
            remote_id=remote_id,
            job_id=job_id,
            candidate_id=candidate_id,
            stage=stage,
            status=status,
        ),
    )


@_builds(EventName.APPLICATION_UPDATED)
def application_updated(
    tenant_id: int,
    *,
    application_id: int,
    remote_id: str,
    job_id: int,
    candidate_id: int,
    stage: str | None,
    status: str,
) -> Event:
    return _event(
        tenant_id,
        ApplicationUpdated(
            application_id=application_id,
            remote_id=remote_id,
            job_id=job_id,
            candidate_id=candidate_id,
            stage=stage,
            status=status,
        ),
    )


@_builds(EventName.APPLICATION_STAGE_CHANGED)
def application_stage_changed(
    tenant_id: int,
    *,
    application_id: int,
    remote_id: str | None = None,
    job_id: int,
    candidate_id: int,
    stage: str | None,
    previous_stage: str | None,
    status: str,
    moved_by: int | None = None,
) -> Event:
    return _event(
        tenant_id,
        ApplicationStageChanged(
            application_id=application_id,
            remote_id=remote_id,
            job_id=job_id,
            candidate_id=candidate_id,
            stage=stage,
            previous_stage=previous_stage,
            status=status,
            moved_by=moved_by,
        ),
    )


@_builds(EventName.APPLICATION_ANALYZED)
def application_analyzed(
    tenant_id: int,
    *,
    application_id: int,
    analysis_id: int,
    job_id: int,
    candidate_id: int,
    risk_score: float,
) -> Event:
    return _event(
        tenant_id,
        ApplicationAnalyzed(
            id=application_id,
            application_id=application_id,
            analysis_id=analysis_id,
            job_id=job_id,
            candidate_id=candidate_id,
            risk_score=risk_score,
        ),
    )


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationHumanRequested(Payload):
    """The candidate asked to speak with a person (from their interview page)."""

    NAME = EventName.APPLICATION_HUMAN_REQUESTED
    application_id: int = _subject()
    interview_id: int
    job_id: int
    candidate_id: int
    note: str | None = None


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationHumanRequestResolved(Payload):
    """A user dealt with the candidate's request for a person (``resolved_by``)."""

    NAME = EventName.APPLICATION_HUMAN_REQUEST_RESOLVED
    application_id: int = _subject()
    job_id: int
    candidate_id: int
    resolved_by: int | None = None
    note: str | None = None


@_builds(EventName.APPLICATION_HUMAN_REQUESTED)
def application_human_requested(
    tenant_id: int,
    *,
    application_id: int,
    interview_id: int,
    job_id: int,
    candidate_id: int,
    note: str | None,
) -> Event:
    return _event(
        tenant_id,
        ApplicationHumanRequested(
            application_id=application_id,
            interview_id=interview_id,
            job_id=job_id,
            candidate_id=candidate_id,
            note=note,
        ),
    )


@_builds(EventName.APPLICATION_HUMAN_REQUEST_RESOLVED)
def application_human_request_resolved(
    tenant_id: int,
    *,
    application_id: int,
    job_id: int,
    candidate_id: int,
    resolved_by: int | None,
    note: str | None,
) -> Event:
    return _event(
        tenant_id,
        ApplicationHumanRequestResolved(
            application_id=application_id,
            job_id=job_id,
            candidate_id=candidate_id,
            resolved_by=resolved_by,
            note=note,
        ),
    )
