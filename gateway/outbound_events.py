"""The events outbound webhooks carry, and how bus events become them.

    event = Event("application.stage_changed", 1, {"id": 7, "jobId": 2, "stage": "Hired",
                                                    "status": "hired"})
    names_for(event)      # [APPLICATION_STAGE_CHANGED, APPLICATION_HIRED]
    payload("application.hired", "acme", event)
    # {"event": "application.hired", "timestamp": "2026-10-01T09:30:00.000Z",
    #  "organizationId": "acme",
    #  "data": {"applicationId": "QXBwbGljYXRpb246Nw==", "jobId": "Sm9iOjI=", ...}}

The bus speaks in what the store did (``job.updated``, ``interview.updated``); a
subscriber wants what happened (``job.closed``, ``interview.completed``): ``names_for``
maps one to the other, purely. Ids in ``data`` are global ids, the ones ``node(id:)``
takes: the subject's ``id`` becomes ``<entity>Id`` (``applicationId`` ...), and integer
``jobId``, ``candidateId`` ... are encoded too. ``organizationId`` is the tenant's slug.

Status events need the status to have moved: an update that carries ``previousStatus``
equal to ``status`` fires nothing, but one without ``previousStatus`` (today's
``interview.updated``) fires ``interview.completed`` again on every later update of a
completed interview; receivers deduplicate on the subject, or publishers add it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from gateway.global_ids import to_global_id
from gateway.pubsub import Event


class OutboundEvent(StrEnum):
    APPLICATION_CREATED = "application.created"
    APPLICATION_STAGE_CHANGED = "application.stage_changed"
    APPLICATION_REJECTED = "application.rejected"
    APPLICATION_HIRED = "application.hired"
    INTERVIEW_SCHEDULED = "interview.scheduled"
    INTERVIEW_COMPLETED = "interview.completed"
    INTERVIEW_CANCELLED = "interview.cancelled"
    OFFER_CREATED = "offer.created"
    OFFER_SENT = "offer.sent"
    OFFER_ACCEPTED = "offer.accepted"
    OFFER_DECLINED = "offer.declined"
    CANDIDATE_CREATED = "candidate.created"
    CANDIDATE_UPDATED = "candidate.updated"
    JOB_CREATED = "job.created"
    JOB_OPENED = "job.opened"
    JOB_CLOSED = "job.closed"


TEST_EVENT = "webhook.test"
"""What ``webhookSubscriptionTest`` sends when no event is named; nothing subscribes to it."""

_E = OutboundEvent

_ENTITIES = frozenset({"application", "candidate", "interview", "job", "offer"})
_REFERENCE_TYPES = {
    "applicationId": "Application",
    "candidateId": "Candidate",
    "interviewId": "Interview",
    "jobId": "Job",
    "offerId": "Offer",
    "stageId": "PipelineStage",
    "integrationId": "Integration",
}
_INTERVIEW_ENDINGS = {"completed": _E.INTERVIEW_COMPLETED, "cancelled": _E.INTERVIEW_CANCELLED}


def _job_status(status: object) -> list[OutboundEvent]:
    if status == "open":
        return [_E.JOB_OPENED]
    if status in ("closed", "archived"):
        return [_E.JOB_CLOSED]
    return []


def _unchanged(data: dict[str, Any]) -> bool:
    """An update that says what the status was and where it did not move."""
    return "previousStatus" in data and data["previousStatus"] == data.get("status")


def names_for(event: Event) -> list[OutboundEvent]:
    """The outbound events a bus event fires, in a fixed order; ``[]`` for the rest."""
    data = event.data
    status = data.get("status")
    match event.type:
        case "application.stage_changed":
            extra = {"rejected": [_E.APPLICATION_REJECTED], "hired": [_E.APPLICATION_HIRED]}
            return [_E.APPLICATION_STAGE_CHANGED, *extra.get(str(status), [])]
        case "job.created":
            opened = [_E.JOB_OPENED] if status == "open" else []
            return [_E.JOB_CREATED, *opened]
        case "job.status_changed":
            return [] if _unchanged(data) else _job_status(status)
        case "interview.created":
            return [_E.INTERVIEW_SCHEDULED] if status == "scheduled" else []
        case "interview.updated":
            ending = _INTERVIEW_ENDINGS.get(str(status))
            return [ending] if ending is not None and not _unchanged(data) else []
    try:
        return [OutboundEvent(event.type)]
    except ValueError:
        return []


def _data(event: Event) -> dict[str, Any]:
    entity = event.type.partition(".")[0]
    data: dict[str, Any] = {}
    for key, value in event.data.items():
        name = f"{entity}Id" if key == "id" and entity in _ENTITIES else key
        type_name = _REFERENCE_TYPES.get(name)
        if type_name is not None and isinstance(value, int) and not isinstance(value, bool):
            value = to_global_id(type_name, value)
        data[name] = value
    return data


def timestamp(at: str | datetime) -> str:
    """ISO-8601 in UTC with milliseconds and a ``Z``: ``2026-10-01T09:30:00.000Z``."""
    try:
        moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    except ValueError:
        moment = datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def payload(name: str, organization_id: str, event: Event) -> dict[str, Any]:
    return {
        "event": name,
        "timestamp": timestamp(event.at),
        "organizationId": organization_id,
        "data": _data(event),
    }
