"""The events outbound webhooks carry, and how bus events become them.

    event = application_stage_changed(1, application_id=7, job_id=2, candidate_id=5,
                                      stage="Hired", previous_stage="Offer", status="hired")
    names_for(event)      # [APPLICATION_STAGE_CHANGED, APPLICATION_HIRED]
    payload("application.hired", "acme", event)
    # {"event": "application.hired", "timestamp": "2026-10-01T09:30:00.000Z",
    #  "organizationId": "acme",
    #  "data": {"applicationId": "QXBwbGljYXRpb246Nw==", "jobId": "Sm9iOjI=", ...}}

The bus speaks in what the store did (``job.updated``, ``interview.updated``); a
subscriber wants what happened (``job.closed``, ``interview.completed``): ``names_for``
maps one to the other, purely, from the typed payload (a malformed event fires
nothing); ``FIRES`` says which outbound events each bus event can fire. Ids in ``data``
are global ids, the ones ``node(id:)`` takes: the subject's ``id`` becomes ``<entity>Id``
(``applicationId`` ...), and integer ``jobId``, ``candidateId`` ... are encoded too.
``organizationId`` is the tenant's slug.

Status events need the status to have moved: an update that carries ``previousStatus``
equal to ``status`` fires nothing, but one whose ``previousStatus`` is unknown (``null``)
fires ``interview.completed`` again on every later update of a completed interview;
receivers deduplicate on the subject.

``data`` is the bus event's data as it came (``payload`` never rebuilds it), so a given
event always makes the same bytes, whichever version of the gateway delivers it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from gateway.events import (
    PAYLOADS,
    ApplicationStageChanged,
    EventName,
    InterviewCreated,
    InterviewUpdated,
    JobCreated,
    JobStatusChanged,
    OfferStatusChanged,
    WebhookSubscriptionFailures,
    parse,
    read,
)
from gateway.global_ids import to_global_id
from gateway.pubsub import Event

_N = EventName


class OutboundEvent(StrEnum):
    """Where a bus event of the same name exists, the name is the bus event's."""

    APPLICATION_CREATED = _N.APPLICATION_CREATED.value
    APPLICATION_STAGE_CHANGED = _N.APPLICATION_STAGE_CHANGED.value
    APPLICATION_REJECTED = "application.rejected"
    APPLICATION_HIRED = "application.hired"
    APPLICATION_HUMAN_REQUESTED = _N.APPLICATION_HUMAN_REQUESTED.value
    APPLICATION_HUMAN_REQUEST_RESOLVED = _N.APPLICATION_HUMAN_REQUEST_RESOLVED.value
    INTERVIEW_SCHEDULED = "interview.scheduled"
    INTERVIEW_COMPLETED = _N.INTERVIEW_COMPLETED.value
    INTERVIEW_CANCELLED = _N.INTERVIEW_CANCELLED.value
    OFFER_CREATED = _N.OFFER_CREATED.value
    OFFER_SENT = _N.OFFER_SENT.value
    OFFER_STATUS_CHANGED = _N.OFFER_STATUS_CHANGED.value
    OFFER_ACCEPTED = "offer.accepted"
    OFFER_DECLINED = "offer.declined"
    CANDIDATE_CREATED = _N.CANDIDATE_CREATED.value
    CANDIDATE_UPDATED = _N.CANDIDATE_UPDATED.value
    JOB_CREATED = _N.JOB_CREATED.value
    JOB_OPENED = "job.opened"
    JOB_CLOSED = "job.closed"
    INTEGRATION_WEBHOOK_FAILURES = _N.INTEGRATION_WEBHOOK_FAILURES.value
    WEBHOOK_SUBSCRIPTION_FAILURES = _N.WEBHOOK_SUBSCRIPTION_FAILURES.value


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
    "subscriptionId": "WebhookSubscription",
}
_INTERVIEW_ENDINGS = {"completed": _E.INTERVIEW_COMPLETED, "cancelled": _E.INTERVIEW_CANCELLED}
_OFFER_ANSWERS = {
    "accepted": _E.OFFER_ACCEPTED,
    "declined": _E.OFFER_DECLINED,
}


def _job_status(status: object) -> list[OutboundEvent]:
    if status == "open":
        return [_E.JOB_OPENED]
    if status in ("closed", "archived"):
        return [_E.JOB_CLOSED]
    return []


FIRES: dict[EventName, tuple[OutboundEvent, ...]] = {
    _N.APPLICATION_CREATED: (_E.APPLICATION_CREATED,),
    _N.APPLICATION_STAGE_CHANGED: (
        _E.APPLICATION_STAGE_CHANGED,
        _E.APPLICATION_REJECTED,
        _E.APPLICATION_HIRED,
    ),
    _N.APPLICATION_HUMAN_REQUESTED: (_E.APPLICATION_HUMAN_REQUESTED,),
    _N.APPLICATION_HUMAN_REQUEST_RESOLVED: (_E.APPLICATION_HUMAN_REQUEST_RESOLVED,),
    _N.CANDIDATE_CREATED: (_E.CANDIDATE_CREATED,),
    _N.CANDIDATE_UPDATED: (_E.CANDIDATE_UPDATED,),
    _N.JOB_CREATED: (_E.JOB_CREATED, _E.JOB_OPENED),
    _N.JOB_STATUS_CHANGED: (_E.JOB_OPENED, _E.JOB_CLOSED),
    _N.INTERVIEW_CREATED: (_E.INTERVIEW_SCHEDULED,),
    _N.INTERVIEW_UPDATED: (_E.INTERVIEW_COMPLETED, _E.INTERVIEW_CANCELLED),
    _N.INTERVIEW_COMPLETED: (_E.INTERVIEW_COMPLETED,),
    _N.INTERVIEW_CANCELLED: (_E.INTERVIEW_CANCELLED,),
    _N.OFFER_CREATED: (_E.OFFER_CREATED,),
    _N.OFFER_SENT: (_E.OFFER_SENT,),
    _N.OFFER_STATUS_CHANGED: (
        _E.OFFER_STATUS_CHANGED,
        _E.OFFER_ACCEPTED,
        _E.OFFER_DECLINED,
    ),
    _N.INTEGRATION_WEBHOOK_FAILURES: (_E.INTEGRATION_WEBHOOK_FAILURES,),
    _N.WEBHOOK_SUBSCRIPTION_FAILURES: (_E.WEBHOOK_SUBSCRIPTION_FAILURES,),
}
"""The outbound events each bus event can fire; the others fire none."""


def names_for(event: Event) -> list[OutboundEvent]:
    """The outbound events a bus event fires, in a fixed order; ``[]`` for the rest.
    An event this version does not know fires the outbound event of its name, if any
    (one a newer process published)."""
    found = parse(event)
    match found:
        case None if event.type not in PAYLOADS:
            try:
                return [OutboundEvent(event.type)]
            except ValueError:
                return []
        case None:
            return []
        case ApplicationStageChanged(status=status):
            extra = {"rejected": [_E.APPLICATION_REJECTED], "hired": [_E.APPLICATION_HIRED]}
            return [_E.APPLICATION_STAGE_CHANGED, *extra.get(status, [])]
        case JobCreated(status=status):
            return [_E.JOB_CREATED, *([_E.JOB_OPENED] if status == "open" else [])]
        case JobStatusChanged(status=status, previous_status=previous):
            return [] if previous == status else _job_status(status)
        case InterviewCreated(status=status):
            return [_E.INTERVIEW_SCHEDULED] if status == "scheduled" else []
        case InterviewUpdated(status=status, previous_status=previous):
            ending = _INTERVIEW_ENDINGS.get(status)
            return [ending] if ending is not None and previous != status else []
        case OfferStatusChanged(status=status):
            answer = _OFFER_ANSWERS.get(status)
            return [_E.OFFER_STATUS_CHANGED, *([answer] if answer is not None else [])]
    return list(FIRES.get(found.NAME, ()))


def withheld_from(event: Event) -> int | None:
    """The subscription ``event`` is never delivered to: a subscription's own failure
    alert goes to the tenant's other subscriptions, not to the endpoint that is failing
    (where it would only fail again)."""
    alert = read(event, WebhookSubscriptionFailures)
    return alert.subscription_id if alert is not None else None


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
