"""The event bus's catalogue: every event's name, what it carries, who listens.

    event = application_stage_changed(
        tenant_id, application_id=7, remote_id="A-7", job_id=2, candidate_id=5,
        stage="Offer", previous_stage="Screen", status="active", moved_by=3,
    )
    await bus.publish(event)                      # an Event: type, tenant_id, data
    ...
    moved = read(event, ApplicationStageChanged)  # typed again; None if malformed
    anything = parse(event)                       # the payload of whichever event it is

Producers call one builder per event and never spell a name; consumers compare with
``EventName`` and read payloads, never dicts. On the wire nothing changes: ``data`` is
the payload under its camelCase keys (``application_id`` is ``id``, the subject, where
the field says so), so processes of different versions still understand each other.

A field without a default is always on the wire, ``null`` included; a field that
defaults to ``None`` is left out while it is ``None`` (``movedBy`` is only there for a
move a user made). Reading is strict about what it knows: a missing required field or a
value of the wrong type (events come from Redis, from other versions) makes the event
malformed, and ``parse``/``read`` give ``None``; keys it does not know are ignored.

``markdown_table()`` renders the table of events the README shows.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import Field, dataclass, field, fields
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from gateway.pubsub import Event


class EventName(StrEnum):
    APPLICATION_CREATED = "application.created"
    APPLICATION_UPDATED = "application.updated"
    APPLICATION_STAGE_CHANGED = "application.stage_changed"
    APPLICATION_ANALYZED = "application.analyzed"
    APPLICATION_DELETED = "application.deleted"
    CANDIDATE_CREATED = "candidate.created"
    CANDIDATE_UPDATED = "candidate.updated"
    CANDIDATE_DELETED = "candidate.deleted"
    JOB_CREATED = "job.created"
    JOB_UPDATED = "job.updated"
    JOB_STATUS_CHANGED = "job.status_changed"
    JOB_DELETED = "job.deleted"
    INTERVIEW_CREATED = "interview.created"
    INTERVIEW_UPDATED = "interview.updated"
    INTERVIEW_STATUS_CHANGED = "interview.status_changed"
    INTERVIEW_COMPLETED = "interview.completed"
    INTERVIEW_CANCELLED = "interview.cancelled"
    INTERVIEW_EVALUATED = "interview.evaluated"
    INTERVIEW_MESSAGE = "interview.message"
    INTERVIEW_DELTA = "interview.delta"
    INTERVIEW_HUMAN_REQUESTED = "interview.human_requested"
    INTERVIEW_DELETED = "interview.deleted"
    OFFER_CREATED = "offer.created"
    OFFER_SENT = "offer.sent"
    ONBOARDING_TASK_CREATED = "onboarding_task.created"
    ONBOARDING_TASK_UPDATED = "onboarding_task.updated"
    ONBOARDING_TASK_DELETED = "onboarding_task.deleted"
    SYNC_PROGRESS = "sync.progress"
    SYNC_FINISHED = "sync.finished"


def _subject() -> Any:
    """A field that goes on the wire as ``id``: the record the event is about."""
    return _keyed("id")


def _keyed(key: str) -> Any:
    return field(metadata={"wire": key})


def _wire(item: Field[Any]) -> str:
    key = item.metadata.get("wire")
    if key is not None:
        return str(key)
    head, *rest = item.name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _optional(item: Field[Any]) -> bool:
    return item.default is None


class Malformed(ValueError):
    """Data that does not fit the event's payload."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Payload:
    """What one event carries; every concrete payload names its event in ``NAME``."""

    NAME: ClassVar[EventName]

    def data(self) -> dict[str, Any]:
        """The wire form: camelCase keys in field order, optional ``None`` left out."""
        found: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is None and _optional(item):
                continue
            found[_wire(item)] = value
        return found

    @classmethod
    def from_data(cls, data: object) -> typing.Self:
        """The payload ``data`` carries; raises ``Malformed``."""
        if not isinstance(data, Mapping):
            raise Malformed(f"{cls.NAME}: data is not an object")
        values: dict[str, Any] = {}
        for item, check in _checks(cls):
            key = _wire(item)
            if key not in data:
                if _optional(item):
                    continue
                raise Malformed(f"{cls.NAME}: {key} is missing")
            values[item.name] = check(key, data[key])
        return cls(**values)


def _scalar(kind: type) -> Callable[[str, object], object]:
    def check(key: str, value: object) -> object:
        if isinstance(value, bool) and kind is not bool:
            raise Malformed(f"{key} is not {kind.__name__}")
        if kind is float and isinstance(value, int):
            return float(value)
        if not isinstance(value, kind):
            raise Malformed(f"{key} is not {kind.__name__}")
        return value

    return check


def _checker(annotation: Any) -> Callable[[str, object], object]:
    args = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        inner = _checker(next(a for a in args if a is not type(None)))

        def nullable(key: str, value: object) -> object:
            return None if value is None else inner(key, value)

        return nullable
    origin = typing.get_origin(annotation) or annotation
    return _scalar(origin)


_Checks = tuple[tuple[Field[Any], Callable[[str, object], object]], ...]
_CHECKS: dict[type, _Checks] = {}


def _checks(kind: type[Payload]) -> _Checks:
    found = _CHECKS.get(kind)
    if found is None:
        hints = typing.get_type_hints(kind)
        found = _CHECKS[kind] = tuple((item, _checker(hints[item.name])) for item in fields(kind))
    return found


P = TypeVar("P", bound=Payload)

PAYLOADS: dict[str, type[Payload]] = {}
"""Each event's payload type, by name."""
BUILDERS: dict[str, Callable[..., Event]] = {}
"""Each event's builder, by name."""


def _payload(cls: type[P]) -> type[P]:
    if cls.NAME in PAYLOADS:
        raise TypeError(f"two payloads for {cls.NAME}")
    PAYLOADS[cls.NAME] = cls
    return cls


B = TypeVar("B", bound=Callable[..., Event])


def _builds(name: EventName) -> Callable[[B], B]:
    def register(builder: B) -> B:
        if name in BUILDERS:
            raise TypeError(f"two builders for {name}")
        BUILDERS[name] = builder
        return builder

    return register


def _event(tenant_id: int, payload: Payload) -> Event:
    return Event(payload.NAME, tenant_id, payload.data())


def parse(event: Event) -> Payload | None:
    """The event's payload, typed; ``None`` for an unknown or malformed event."""
    kind = PAYLOADS.get(event.type)
    if kind is None:
        return None
    try:
        return kind.from_data(event.data)
    except Malformed:
        return None


def read(event: Event, kind: type[P]) -> P | None:
    """The event's payload if it is a ``kind`` event and well formed, else ``None``."""
    if event.type != kind.NAME:
        return None
    try:
        return kind.from_data(event.data)
    except Malformed:
        return None


# -- applications -----------------------------------------------------------------------


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


# -- records a source no longer has -----------------------------------------------------


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


# -- candidates -------------------------------------------------------------------------


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


# -- jobs -------------------------------------------------------------------------------


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


# -- interviews -------------------------------------------------------------------------


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


# -- offers -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _OfferTerms(Payload):
    offer_id: int = _subject()
    application_id: int
    job_id: int
    candidate_id: int
    salary: str | None
    currency: str | None
    start_date: str | None
    status: str


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class OfferCreated(_OfferTerms):
    NAME = EventName.OFFER_CREATED


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class OfferSent(_OfferTerms):
    NAME = EventName.OFFER_SENT


@_builds(EventName.OFFER_CREATED)
def offer_created(
    tenant_id: int,
    *,
    offer_id: int,
    application_id: int,
    job_id: int,
    candidate_id: int,
    salary: str | None,
    currency: str | None,
    start_date: str | None,
    status: str,
) -> Event:
    return _event(
        tenant_id,
        OfferCreated(
            offer_id=offer_id,
            application_id=application_id,
            job_id=job_id,
            candidate_id=candidate_id,
            salary=salary,
            currency=currency,
            start_date=start_date,
            status=status,
        ),
    )


@_builds(EventName.OFFER_SENT)
def offer_sent(
    tenant_id: int,
    *,
    offer_id: int,
    application_id: int,
    job_id: int,
    candidate_id: int,
    salary: str | None,
    currency: str | None,
    start_date: str | None,
    status: str,
) -> Event:
    return _event(
        tenant_id,
        OfferSent(
            offer_id=offer_id,
            application_id=application_id,
            job_id=job_id,
            candidate_id=candidate_id,
            salary=salary,
            currency=currency,
            start_date=start_date,
            status=status,
        ),
    )


# -- onboarding tasks -------------------------------------------------------------------


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


# -- sync runs --------------------------------------------------------------------------


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


# -- who listens ------------------------------------------------------------------------

PIPELINE_UPDATES = "`pipelineUpdates`"
SYNC_PROGRESS = "`syncProgress`"
INTERVIEW_CHAT = "`interviewChat`, `publicInterviewChat`"
RESUME_ANALYSIS = "resume analysis (new active applications)"
CANDIDATE_ACTIVITY = "the sync run (reads the activity logs of the candidates it wrote)"

LISTENERS: dict[EventName, tuple[str, ...]] = {
    EventName.APPLICATION_CREATED: (PIPELINE_UPDATES, RESUME_ANALYSIS),
    EventName.APPLICATION_UPDATED: (PIPELINE_UPDATES,),
    EventName.APPLICATION_STAGE_CHANGED: (PIPELINE_UPDATES,),
    EventName.CANDIDATE_CREATED: (CANDIDATE_ACTIVITY,),
    EventName.CANDIDATE_UPDATED: (CANDIDATE_ACTIVITY,),
    EventName.INTERVIEW_STATUS_CHANGED: (INTERVIEW_CHAT,),
    EventName.INTERVIEW_MESSAGE: (INTERVIEW_CHAT,),
    EventName.INTERVIEW_DELTA: (INTERVIEW_CHAT,),
    EventName.INTERVIEW_HUMAN_REQUESTED: (INTERVIEW_CHAT,),
    EventName.SYNC_PROGRESS: (SYNC_PROGRESS,),
    EventName.SYNC_FINISHED: (SYNC_PROGRESS,),
}
"""Who reads each event on the bus, besides outbound webhooks (``outbound_events.FIRES``)."""


def wire_fields(kind: type[Payload]) -> Iterator[str]:
    """The payload's keys on the wire, optional ones with a ``?``."""
    for item in fields(kind):
        yield _wire(item) + ("?" if _optional(item) else "")


def markdown_table() -> str:
    """The README's table of bus events: name, payload keys, who listens."""
    from gateway.outbound_events import FIRES

    lines = ["| event | data | listened to by |", "|---|---|---|"]
    for name in EventName:
        keys = ", ".join(f"`{key}`" for key in wire_fields(PAYLOADS[name]))
        outbound = FIRES.get(name, ())
        listeners = list(LISTENERS.get(name, ()))
        if outbound:
            listeners.append("webhooks " + ", ".join(f"`{o}`" for o in outbound))
        lines.append(f"| `{name}` | {keys} | {'; '.join(listeners) or '—'} |")
    return "\n".join(lines) + "\n"
