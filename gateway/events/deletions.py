"""Events for records a source no longer has: each marks one record deleted."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.events.catalogue import _builds, _event, _payload
from gateway.events.names import EventName
from gateway.events.payload import Payload, _subject
from gateway.pubsub import Event


@dataclass(frozen=True, slots=True, kw_only=True)
class _Deleted(Payload):
    """The record is marked deleted (the source no longer lists it)."""

    record_id: int = _subject()


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationDeleted(_Deleted):
    NAME = EventName.APPLICATION_DELETED


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateDeleted(_Deleted):
    NAME = EventName.CANDIDATE_DELETED


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class JobDeleted(_Deleted):
    NAME = EventName.JOB_DELETED


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class InterviewDeleted(_Deleted):
    NAME = EventName.INTERVIEW_DELETED


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class OnboardingTaskDeleted(_Deleted):
    NAME = EventName.ONBOARDING_TASK_DELETED


@_builds(EventName.APPLICATION_DELETED)
def application_deleted(tenant_id: int, *, application_id: int) -> Event:
    return _event(tenant_id, ApplicationDeleted(record_id=application_id))


@_builds(EventName.CANDIDATE_DELETED)
def candidate_deleted(tenant_id: int, *, candidate_id: int) -> Event:
    return _event(tenant_id, CandidateDeleted(record_id=candidate_id))


@_builds(EventName.JOB_DELETED)
def job_deleted(tenant_id: int, *, job_id: int) -> Event:
    return _event(tenant_id, JobDeleted(record_id=job_id))


@_builds(EventName.INTERVIEW_DELETED)
def interview_deleted(tenant_id: int, *, interview_id: int) -> Event:
    return _event(tenant_id, InterviewDeleted(record_id=interview_id))


@_builds(EventName.ONBOARDING_TASK_DELETED)
def onboarding_task_deleted(tenant_id: int, *, task_id: int) -> Event:
    return _event(tenant_id, OnboardingTaskDeleted(record_id=task_id))
