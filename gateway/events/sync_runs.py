"""Sync run events: progress per stored batch, and the end of a run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.events.catalogue import _builds, _event, _payload
from gateway.events.names import EventName
from gateway.events.payload import Payload
from gateway.pubsub import Event


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class SyncProgressed(Payload):
    """A batch stored; ``counts`` per entity and outcome, so far."""

    NAME = EventName.SYNC_PROGRESS
    run_id: int
    integration_id: int
    phase: str
    processed: int
    counts: dict[str, Any]


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class SyncFinished(Payload):
    NAME = EventName.SYNC_FINISHED
    run_id: int
    integration_id: int
    status: str
    counts: dict[str, Any]
    error: str | None


@_builds(EventName.SYNC_PROGRESS)
def sync_progress(
    tenant_id: int,
    *,
    run_id: int,
    integration_id: int,
    phase: str,
    processed: int,
    counts: dict[str, Any],
) -> Event:
    return _event(
        tenant_id,
        SyncProgressed(
            run_id=run_id,
            integration_id=integration_id,
            phase=phase,
            processed=processed,
            counts=counts,
        ),
    )


@_builds(EventName.SYNC_FINISHED)
def sync_finished(
    tenant_id: int,
    *,
    run_id: int,
    integration_id: int,
    status: str,
    counts: dict[str, Any],
    error: str | None,
) -> Event:
    return _event(
        tenant_id,
        SyncFinished(
            run_id=run_id, integration_id=integration_id, status=status, counts=counts, error=error
        ),
    )
