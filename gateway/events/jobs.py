"""Job (requisition) events: created, updated, status changed."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.events.catalogue import _builds, _event, _payload
from gateway.events.names import EventName
from gateway.events.payload import Payload, _subject
from gateway.pubsub import Event


@dataclass(frozen=True, slots=True, kw_only=True)
class _JobRecord(Payload):
    job_id: int = _subject()
    remote_id: str
    status: str
    is_active: bool


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class JobCreated(_JobRecord):
    NAME = EventName.JOB_CREATED


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class JobUpdated(_JobRecord):
    NAME = EventName.JOB_UPDATED


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class JobStatusChanged(Payload):
    NAME = EventName.JOB_STATUS_CHANGED
    job_id: int = _subject()
    status: str
    previous_status: str


@_builds(EventName.JOB_CREATED)
def job_created(tenant_id: int, *, job_id: int, remote_id: str, status: str) -> Event:
    return _event(
        tenant_id, JobCreated(job_id=job_id, remote_id=remote_id, status=status, is_active=True)
    )


@_builds(EventName.JOB_UPDATED)
def job_updated(tenant_id: int, *, job_id: int, remote_id: str, status: str) -> Event:
    return _event(
        tenant_id, JobUpdated(job_id=job_id, remote_id=remote_id, status=status, is_active=True)
    )


@_builds(EventName.JOB_STATUS_CHANGED)
def job_status_changed(tenant_id: int, *, job_id: int, status: str, previous_status: str) -> Event:
    return _event(
        tenant_id, JobStatusChanged(job_id=job_id, status=status, previous_status=previous_status)
    )
