"""Candidate events: created and updated."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.events.catalogue import _builds, _event, _payload
from gateway.events.names import EventName
from gateway.events.payload import Payload, _subject
from gateway.pubsub import Event


@dataclass(frozen=True, slots=True, kw_only=True)
class _CandidateRecord(Payload):
    candidate_id: int = _subject()
    remote_id: str


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateCreated(_CandidateRecord):
    NAME = EventName.CANDIDATE_CREATED


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateUpdated(_CandidateRecord):
    NAME = EventName.CANDIDATE_UPDATED


@_builds(EventName.CANDIDATE_CREATED)
def candidate_created(tenant_id: int, *, candidate_id: int, remote_id: str) -> Event:
    return _event(tenant_id, CandidateCreated(candidate_id=candidate_id, remote_id=remote_id))


@_builds(EventName.CANDIDATE_UPDATED)
def candidate_updated(tenant_id: int, *, candidate_id: int, remote_id: str) -> Event:
    return _event(tenant_id, CandidateUpdated(candidate_id=candidate_id, remote_id=remote_id))
