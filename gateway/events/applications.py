"""Application events: created, updated, moved between stages, analysed."""

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
