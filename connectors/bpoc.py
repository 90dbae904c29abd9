"""BPOC, the agency platform: recruiters, requisitions, applications released to
clients, client interviews and onboarding, every write attributed to a recruiter.

    connector = BpocConnector.create(client, {"apiKey": key}, {}, integration="9:bpoc")
    await connector.create_job(JobDraft(title="Senior Developer"), Attribution(remote_id=uuid))
    # -> POST https://bpoc.io/api/v1/jobs/create {"title": "Senior Developer", "postedBy": uuid}

From BPOC's "Recruiter ID Synchronization Guide" (v1.0):

- Base ``https://bpoc.io/api/v1`` (config ``baseUrl`` overrides it); the agency's key
  goes in ``X-API-Key`` (credential ``apiKey``). A missing or wrong key is a 401.
- Recruiters are ``agency_recruiters.id`` UUIDs. ``GET /agency/recruiters`` answers
  ``{"recruiters": [...]}`` in one piece; ``POST /recruiters/create`` answers
  ``{"recruiterId": ...}``; ``POST /team/invite`` answers ``{"inviteToken": ...}``.
- Every write names the acting recruiter in its own field:

  =====================================  ====================================
  ``POST /jobs/create``                  ``postedBy``
  ``POST /jobs/{id}/approve``            ``approvedBy``
  ``POST /applications/{id}/release``    ``releasedBy`` (with ``notes``)
  ``POST /applications/{id}/reject``     ``rejectedBy`` (with ``reason``)
  ``POST /interviews``                   ``scheduledBy`` (and ``interviewerId``)
  ``POST /onboarding``                   ``createdBy`` (with ``tasks``)
  ``PUT /onboarding/{taskId}``           ``reviewedBy`` (with ``action``)
  =====================================  ====================================

- A recruiter of another agency is refused with 403
  ``{"error": "Recruiter does not belong to your agency", "status": 403}``
  (``RecruiterNotInAgencyError``); an unknown or inactive recruiter with an
  "Invalid recruiter ID" message (``InvalidRecruiterError``). The guide gives no
  status for the latter; ``demo/sandbox/bpoc.py`` answers 400, and the message decides
  here whatever the status.

Not in the guide, chosen here and served the same way by ``demo/sandbox/bpoc.py``:

- Read endpoints ``GET /jobs``, ``/applications``, ``/interviews`` and ``/onboarding``
  page with ``page`` (1-based) and ``limit`` (at most 100) and answer
  ``{"jobs": [...], "pagination": {"page", "limit", "total", "totalPages"}}`` (items
  under ``applications``, ``interviews`` and ``tasks`` for the others). The first page
  shorter than ``limit`` is the last (``PageNumberPaginator``); a configured
  ``pageSize`` above 100 is lowered to 100, or the server's cap would look like a
  short last page.
- There is no candidate list: each application embeds its ``candidate``, and
  ``candidates()`` reads them from ``/applications``.
- No server-side ``updated_since`` filter, so no ``INCREMENTAL``: reads filter on
  ``updatedAt`` client-side.
- No stage-move endpoint, so no ``MOVE_STAGE``: an application moves through BPOC's
  own actions (release, reject, interviews, onboarding). ``stages()`` lists its
  application statuses as the pipeline, in order, positions 0, 1, 2...
- An application's ``status`` is its current stage; ``statusHistory`` lists its status
  changes (``[{"status", "changedAt", "changedBy"}]``). With ``appliedAt``,
  ``releasedAt`` and ``rejectedAt`` they make its transitions, which always end at the
  current stage (see ``_transitions``).
- A job's owner is the recruiter who posted it (``postedBy``, the guide's
  ``jobs.posted_by``); a candidate's résumé is at ``resumeUrl``.
- Records are read leniently (``connectors.lenient``); one that cannot be read (no id,
  an application without its job or candidate) is skipped and reported through
  ``map_record`` while the listing goes on.
- JSON fields are camelCase like the guide's request bodies; times are ISO 8601.
  Writes answer the record they touched: ``{"job": ...}``, ``{"application": ...}``,
  ``{"interview": ...}``, ``{"tasks": [...]}`` or ``{"task": ...}``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, NotRequired, TypedDict
from urllib.parse import quote, urljoin

from connectors.assembly import ConnectorSettings, Count, setting
from connectors.base import Capability, ConnectorBase
from connectors.errors import (
    FatalError,
    InvalidRecruiterError,
    InvalidResponseError,
    MappingError,
    RecruiterNotInAgencyError,
)
from connectors.http import ApiKeyHeaderAuth, PageNumberPaginator
from connectors.lenient import boolean, day, identifier, objects, required, text, texts, timestamp
from connectors.models import (
    ApplicationState,
    Attribution,
    CheckResult,
    InterviewRequest,
    InterviewState,
    JobDraft,
    JobState,
    OnboardingTaskDraft,
    RemoteApplication,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
    RemoteOnboardingTask,
    RemotePerson,
    RemoteStage,
    RemoteStageTransition,
    RemoteUser,
    StageKind,
    TaskState,
    WriteResult,
)

DEFAULT_BASE_URL = "https://bpoc.io/api/v1"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


class BpocAuth(ApiKeyHeaderAuth):
    """Adds ``X-API-Key: <agency key>`` to every request."""

    header = "X-API-Key"


# Raw payloads ----------------------------------------------------------------


class RawRecruiter(TypedDict):
    id: str
    email: str
    firstName: NotRequired[str | None]
    lastName: NotRequired[str | None]
    role: NotRequired[str | None]  # "admin" | "manager" | "recruiter"
    isActive: NotRequired[bool]
    createdAt: NotRequired[str | None]
    updatedAt: NotRequired[str | None]


class RawJob(TypedDict):
    id: str
    title: str
    status: NotRequired[str | None]  # draft, pending_approval, active, paused, closed, filled
    clientId: NotRequired[str | None]
    clientName: NotRequired[str | None]
    description: NotRequired[str | None]
    location: NotRequired[str | None]
    employmentType: NotRequired[str | None]
    currency: NotRequired[str | None]
    postedBy: NotRequired[str | None]
    approvedBy: NotRequired[str | None]
    approvedAt: NotRequired[str | None]
    closedAt: NotRequired[str | None]
    createdAt: NotRequired[str | None]
    updatedAt: NotRequired[str | None]


class RawCandidate(TypedDict):
    id: str
    firstName: NotRequired[str | None]
    lastName: NotRequired[str | None]
    email: NotRequired[str | None]
    phone: NotRequired[str | None]
    location: NotRequired[str | None]
    headline: NotRequired[str | None]
    source: NotRequired[str | None]
    resumeUrl: NotRequired[str | None]
    skills: NotRequired[list[str]]
    createdAt: NotRequired[str | None]
    updatedAt: NotRequired[str | None]


class RawStatusChange(TypedDict):
    status: str  # see _PIPELINE
    changedAt: str
    changedBy: NotRequired[str | None]


class RawApplication(TypedDict):
    id: str
    jobId: str
    candidateId: str
    candidate: RawCandidate
    status: NotRequired[str | None]  # see _PIPELINE
    statusHistory: NotRequired[list[RawStatusChange]]
    appliedAt: NotRequired[str | None]
    reviewedBy: NotRequired[str | None]
    releasedAt: NotRequired[str | None]
    releasedBy: NotRequired[str | None]
    releaseNotes: NotRequired[str | None]
    rejectedAt: NotRequired[str | None]
    rejectedBy: NotRequired[str | None]
    rejectionReason: NotRequired[str | None]
    createdAt: NotRequired[str | None]
    updatedAt: NotRequired[str | None]


class RawInterview(TypedDict):
    id: str
    applicationId: str | None
    interviewType: NotRequired[str | None]  # e.g. "client_round_1"
    status: NotRequired[str | None]
    scheduledAt: NotRequired[str | None]
    interviewerId: NotRequired[str | None]
    scheduledBy: NotRequired[str | None]
    createdAt: NotRequired[str | None]
    updatedAt: NotRequired[str | None]


class RawOnboardingTask(TypedDict):
    id: str
    title: str
    applicationId: NotRequired[str | None]
    candidateId: NotRequired[str | None]
    description: NotRequired[str | None]
    taskType: NotRequired[str | None]
    status: NotRequired[str | None]  # pending, in_progress, submitted, approved, rejected
    dueDate: NotRequired[str | None]
    createdBy: NotRequired[str | None]
    reviewedBy: NotRequired[str | None]
    reviewedAt: NotRequired[str | None]
    createdAt: NotRequired[str | None]
    updatedAt: NotRequired[str | None]


# Mapping: raw payload -> common model ----------------------------------------
#
# Every field is read through ``connectors.lenient``: a number where a string was
# documented is that string, an object gives its id or name, a null list is empty,
# text is cut to what the store keeps. A record fails (``MappingError``) only without
# an id, or, for an application, without its job or candidate.

UNTITLED = "(untitled)"
"""The title of a job or onboarding task BPOC sends without one: the record is kept
(its applications and candidates still need it), the gap is visible."""

MAX_HISTORY = 1_000
"""Status changes read per application; a longer history keeps its first ones."""

_JOB_STATES: dict[str, JobState] = {
    "draft": "draft",
    "pending_approval": "draft",
    "active": "open",
    "paused": "on_hold",
    "closed": "closed",
    "filled": "closed",
    "archived": "archived",
}

# status -> (stage name, stage kind, application state), in pipeline order
_PIPELINE: dict[str, tuple[str, StageKind, ApplicationState]] = {
    "submitted": ("Submitted", "applied", "active"),
    "under_review": ("Under Review", "screen", "active"),
    "shortlisted": ("Shortlisted", "screen", "active"),
    "released": ("Released to Client", "screen", "released"),
    "interviewing": ("Client Interview", "interview", "released"),
    "offered": ("Offer", "offer", "released"),
    "hired": ("Hired", "hired", "hired"),
    "rejected": ("Rejected", "rejected", "rejected"),
    "withdrawn": ("Withdrawn", "other", "withdrawn"),
}

_BY_NAME = {name.lower(): status for status, (name, _kind, _state) in _PIPELINE.items()}

_INTERVIEW_STATES: dict[str, InterviewState] = {
    "scheduled": "scheduled",
    "confirmed": "scheduled",
    "rescheduled": "scheduled",
    "in_progress": "in_progress",
    "completed": "completed",
    "no_show": "abandoned",
    "cancelled": "cancelled",
}

_TASK_STATES: dict[str, TaskState] = {
    "pending": "pending",
    "in_progress": "pending",
    "submitted": "submitted",
    "approved": "approved",
    "completed": "approved",
    "rejected": "rejected",
}


def parse_time(value: object) -> datetime | None:
    """``"2024-02-01T10:00:00Z"`` -> ``datetime(2024, 2, 1, 10, tzinfo=UTC)``; a time
    without an offset is UTC, epoch seconds or milliseconds are read too, anything
    unreadable is ``None``."""
    return timestamp(value)


def format_time(moment: datetime) -> str:
    """``datetime(2024, 2, 1, 10, tzinfo=UTC)`` -> ``"2024-02-01T10:00:00Z"`` (naive is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _record_of(raw: object, entity: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise MappingError(f"{entity} record is {type(raw).__name__}, not an object", entity=entity)
    return raw


def _id(raw: Mapping[str, Any], entity: str) -> str:
    return required(identifier(raw.get("id")), "an id", entity=entity, raw=raw)


def _full_name(first: str | None, last: str | None) -> str:
    return " ".join(part for part in (first, last) if part)


def _key(value: object) -> str:
    """``"Under Review"``, ``"under-review"`` -> ``"under_review"``: how statuses are looked up."""
    return (
        (text(value, "id", "code", "name", "value") or "")
        .lower()
        .replace(" ", "_")
        .replace("-", "_")
    )


def _currency(value: object) -> str | None:
    code = text(value, "code", "currency", "name")
    return code.upper() if code and len(code) == 3 and code.isalpha() else None


def _person(value: object) -> RemotePerson | None:
    """Who acted: a recruiter UUID, or an object with its id, name or email."""
    if isinstance(value, Mapping):
        first = text(value.get("firstName"), limit=255)
        person = RemotePerson(
            remote_id=identifier(value),
            name=text(value.get("name"), limit=255)
            or _full_name(first, text(value.get("lastName"), limit=255))
            or None,
            email=text(value.get("email"), limit=320),
        )
        return person if person.remote_id or person.name or person.email else None
    remote_id = identifier(value)
    return RemotePerson(remote_id=remote_id) if remote_id else None


def _web_url(value: object, base_url: str | None) -> str | None:
    """An ``http(s)`` address, or a path on BPOC's host (``"/resumes/x.pdf"``) made
    absolute with ``base_url``. Other schemes (``javascript:``...) and addresses longer
    than the store keeps are dropped rather than cut into a wrong link."""
    found = text(value, "url", "fileUrl", "downloadUrl", "href", "resumeUrl")
    if not found or len(found) > 2048 or any(c.isspace() for c in found):
        return None
    if found.startswith("/") and not found.startswith("//") and base_url:
        found = urljoin(base_url, found)
    scheme, _, rest = found.partition("://")
    if scheme.lower() not in ("http", "https") or not rest or len(found) > 2048:
        return None
    return found


def job_from_raw(raw: object) -> RemoteJob:
    """A BPOC job; ``pending_approval`` is a draft until ``POST /jobs/{id}/approve``, and
    the recruiter who posted it (``postedBy``) is its owner. Without a title it is
    ``UNTITLED``."""
    record = _record_of(raw, "jobs")
    remote_id = _id(record, "jobs")
    status = text(record.get("status"), limit=128)
    return RemoteJob(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=timestamp(record.get("updatedAt")),
        title=text(record.get("title"), limit=512) or UNTITLED,
        status=_JOB_STATES.get(_key(status), "open"),
        remote_status=status,
        description=text(record.get("description"), "text", "html"),
        location=text(record.get("location"), "name", "city", "address", limit=255),
        employment_type=text(record.get("employmentType"), limit=64),
        client_name=text(record.get("clientName"), limit=255)
        or text(record.get("client"), "name", "companyName", limit=255),
        opened_at=timestamp(record.get("approvedAt")) or timestamp(record.get("createdAt")),
        closed_at=timestamp(record.get("closedAt")),
        currency=_currency(record.get("currency")),
        recruiter_remote_id=identifier(record.get("postedBy"))
        or identifier(record.get("posted_by")),
    )


def candidate_from_raw(raw: object, base_url: str | None = None) -> RemoteCandidate:
    """A candidate; its résumé is ``resumeUrl`` (or ``resume``, a URL or an object with
    one), made absolute with ``base_url`` when BPOC gives a path on its own host."""
    record = _record_of(raw, "candidates")
    remote_id = _id(record, "candidates")
    first = text(record.get("firstName"), limit=255)
    last = text(record.get("lastName"), limit=255)
    email = text(record.get("email"), limit=320)
    return RemoteCandidate(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=timestamp(record.get("updatedAt")),
        name=(_full_name(first, last) or email or remote_id)[:512],
        first_name=first,
        last_name=last,
        email=email,
        phone=text(record.get("phone"), "number", limit=64),
        location=text(record.get("location"), "name", "city", limit=255),
        headline=text(record.get("headline"), limit=512),
        source=text(record.get("source"), limit=128),
        resume_url=_web_url(record.get("resumeUrl"), base_url)
        or _web_url(record.get("resume"), base_url)
        or _web_url(record.get("resume_url"), base_url),
        tags=tuple(tag[:255] for tag in texts(record.get("skills"), "name")[:200]),
        created_at=timestamp(record.get("createdAt")),
    )


def application_candidate(raw: object, base_url: str | None = None) -> RemoteCandidate:
    """The candidate an application embeds: BPOC has no candidate list of its own. An
    application whose ``candidate`` is missing (or only an id) gives a candidate that is
    only its ``candidateId``, named by it."""
    record = _record_of(raw, "candidates")
    embedded = record.get("candidate")
    candidate_id = identifier(record.get("candidateId")) or identifier(embedded)
    if isinstance(embedded, Mapping):
        if candidate_id and not identifier(embedded.get("id")):
            embedded = {**embedded, "id": candidate_id}
        return candidate_from_raw(embedded, base_url)
    if candidate_id is None:
        raise MappingError("application without a candidate", entity="candidates", remote_id=None)
    return candidate_from_raw({"id": candidate_id}, base_url)


def _stage(status: str) -> str:
    """``"shortlisted"`` -> ``"Shortlisted"``; a status BPOC has not documented is its
    own stage name."""
    key = _key(status)
    known = _PIPELINE.get(key) or _PIPELINE.get(_BY_NAME.get(status.lower(), ""))
    return known[0] if known else status[:255]


@dataclass(frozen=True, slots=True)
class _Move:
    at: datetime
    order: int
    stage: str
    by: RemotePerson | None


def _moves(record: Mapping[str, Any]) -> list[_Move]:
    """Every timed status change: applied, the ``statusHistory`` entries, released and
    rejected, ordered by time (ties keep this order)."""
    found: list[tuple[object, object, object]] = [
        ("submitted", record.get("appliedAt") or record.get("createdAt"), None)
    ]
    history = objects(record.get("statusHistory") or record.get("stageHistory"))
    for entry in history[:MAX_HISTORY]:
        found.append(
            (
                entry.get("status") or entry.get("stage") or entry.get("toStatus"),
                entry.get("changedAt") or entry.get("at") or entry.get("enteredAt"),
                entry.get("changedBy") or entry.get("by"),
            )
        )
    found.append(("released", record.get("releasedAt"), record.get("releasedBy")))
    found.append(("rejected", record.get("rejectedAt"), record.get("rejectedBy")))
    moves = [
        _Move(at, order, _stage(status), _person(by))
        for order, (status_value, when, by) in enumerate(found)
        if (status := text(status_value, "id", "name", limit=255))
        and (at := timestamp(when)) is not None
    ]
    return sorted(moves, key=lambda move: (move.at, move.order))


def _transitions(
    record: Mapping[str, Any], current: str | None
) -> tuple[RemoteStageTransition, ...]:
    """The application's moves, oldest first, ending at its ``current`` stage.

    Each move enters a stage other than the one before it (a status recorded twice in a
    row is one stay, from its first record). If the last recorded move is not to the
    current stage, BPOC changed the status without recording it: a move to the current
    stage is added, entered at ``updatedAt`` (or the last move's time, if that is later)."""
    moves: list[_Move] = []
    for move in _moves(record):
        if moves and moves[-1].stage == move.stage:
            if moves[-1].by is None and move.by is not None:
                moves[-1] = _Move(moves[-1].at, moves[-1].order, moves[-1].stage, move.by)
            continue
        moves.append(move)
    if current and (not moves or moves[-1].stage != current):
        times = [moves[-1].at] if moves else []
        updated = timestamp(record.get("updatedAt"))
        if updated is not None:
            times.append(updated)
        if times:
            moves.append(_Move(max(times), len(moves), current, None))
    return tuple(
        RemoteStageTransition(
            to_stage=move.stage,
            entered_at=move.at,
            from_stage=moves[index - 1].stage if index else None,
            left_at=moves[index + 1].at if index + 1 < len(moves) else None,
            moved_by=move.by,
        )
        for index, move in enumerate(moves)
    )


def application_from_raw(raw: object) -> RemoteApplication:
    """An application: its ``status`` is the current stage, and the stage history is
    ``appliedAt``, ``statusHistory``, ``releasedAt`` and ``rejectedAt`` (who moved it
    from ``changedBy``, ``releasedBy``, ``rejectedBy``), always ending at that stage."""
    record = _record_of(raw, "applications")
    remote_id = _id(record, "applications")
    job_id = identifier(record.get("jobId")) or identifier(record.get("job"))
    candidate_id = identifier(record.get("candidateId")) or identifier(record.get("candidate"))
    status = text(record.get("status"), "id", "name", limit=255)
    stage: str | None = None
    state: ApplicationState = "active"
    if status:
        stage = _stage(status)
        known = _PIPELINE.get(_key(status)) or _PIPELINE.get(_BY_NAME.get(status.lower(), ""))
        if known:
            state = known[2]
    return RemoteApplication(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=timestamp(record.get("updatedAt")),
        job_remote_id=required(job_id, "a job id", entity="applications", raw=record),
        candidate_remote_id=required(
            candidate_id, "a candidate id", entity="applications", raw=record
        ),
        status=state,
        current_stage=stage,
        applied_at=timestamp(record.get("appliedAt")) or timestamp(record.get("createdAt")),
        rejected_at=timestamp(record.get("rejectedAt")),
        rejection_reason=text(record.get("rejectionReason"), "reason", "text"),
        transitions=_transitions(record, stage),
    )


def interview_from_raw(raw: object) -> RemoteInterview:
    record = _record_of(raw, "interviews")
    remote_id = _id(record, "interviews")
    return RemoteInterview(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=timestamp(record.get("updatedAt")),
        application_remote_id=identifier(record.get("applicationId"))
        or identifier(record.get("application")),
        interview_type=text(record.get("interviewType"), limit=64),
        status=_INTERVIEW_STATES.get(_key(record.get("status")), "scheduled"),
        scheduled_at=timestamp(record.get("scheduledAt")),
        interviewer_remote_id=identifier(record.get("interviewerId"))
        or identifier(record.get("interviewer")),
    )


def user_from_raw(raw: object) -> RemoteUser:
    """A recruiter of the agency; ``remote_id`` is the UUID writes are attributed to."""
    record = _record_of(raw, "users")
    remote_id = _id(record, "users")
    first = text(record.get("firstName"), limit=255)
    last = text(record.get("lastName"), limit=255)
    return RemoteUser(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=timestamp(record.get("updatedAt")),
        email=text(record.get("email"), limit=320),
        name=(_full_name(first, last) or text(record.get("name"), limit=255) or None),
        role=text(record.get("role"), limit=64),
    )


def onboarding_task_from_raw(raw: object) -> RemoteOnboardingTask:
    """An onboarding task; without a title it is ``UNTITLED``."""
    record = _record_of(raw, "onboarding_tasks")
    remote_id = _id(record, "onboarding_tasks")
    return RemoteOnboardingTask(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=timestamp(record.get("updatedAt")),
        title=text(record.get("title"), limit=512) or UNTITLED,
        application_remote_id=identifier(record.get("applicationId")),
        candidate_remote_id=identifier(record.get("candidateId")),
        description=text(record.get("description")),
        task_type=text(record.get("taskType"), limit=64),
        status=_TASK_STATES.get(_key(record.get("status")), "pending"),
        due_date=day(record.get("dueDate")),
    )


# Attribution and the recruiter errors ------------------------------------------


def recruiter_id(attribution: Attribution | None) -> str:
    """The acting recruiter's BPOC id, checked to be a UUID before anything is sent:
    ``recruiter_id(Attribution(remote_id="F47AC10B-58CC-4372-A567-0E02B2C3D479"))`` ->
    ``"f47ac10b-58cc-4372-a567-0e02b2c3d479"``."""
    if attribution is None:
        raise InvalidRecruiterError("BPOC writes need the acting recruiter's BPOC id")
    try:
        return str(uuid.UUID(attribution.remote_id))
    except ValueError:
        raise InvalidRecruiterError(
            f"BPOC recruiter ids are UUIDs, not {attribution.remote_id!r}"
        ) from None


def recruiter_error(error: FatalError) -> FatalError | None:
    """The typed recruiter error a refused write stands for, read from BPOC's message.

    ``connectors.http`` types errors by status alone and keeps the body out of their
    message; their ``detail`` holds its start, which is where BPOC says which it is.
    """
    if error.status is None or not 400 <= error.status < 500:
        return None
    text = (error.detail or "").lower()
    if "does not belong to your agency" in text:
        return RecruiterNotInAgencyError(
            f"BPOC: the acting recruiter belongs to another agency ({error.message})",
            status=error.status,
        )
    if "invalid recruiter" in text:
        return InvalidRecruiterError(
            f"BPOC: unknown or inactive recruiter id ({error.message})", status=error.status
        )
    return None


# The connector ---------------------------------------------------------------


def _since(moment: datetime | None, since: datetime | None) -> bool:
    if since is None or moment is None:
        return True
    return moment >= (since if since.tzinfo else since.replace(tzinfo=UTC))


def _path(template: str, remote_id: str) -> str:
    return template.format(quote(remote_id, safe=""))


def _id_of(record: Any, what: str) -> str:
    remote_id = identifier(record.get("id")) if isinstance(record, Mapping) else None
    if remote_id is None:
        raise InvalidResponseError(f"BPOC answered a write without the {what} and its id")
    return remote_id


def _record(body: Any, key: str) -> WriteResult:
    """``{"job": {"id": "..."}}`` -> ``WriteResult(remote_id="...", raw=<the whole body>)``"""
    record = body.get(key) if isinstance(body, dict) else None
    return WriteResult(remote_id=_id_of(record, key), raw=body)


def _recruiters(body: Any) -> list[Any]:
    """``{"recruiters": [...]}``; ``{"recruiters": null}`` is none, and a bare list is
    the recruiters themselves. Anything else is not an answer to the question."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and "recruiters" in body and body["recruiters"] is None:
        return []
    if not isinstance(body, dict) or not isinstance(body.get("recruiters"), list):
        raise InvalidResponseError("expected {'recruiters': [...]} from /agency/recruiters")
    return list(body["recruiters"])


@dataclass(frozen=True, kw_only=True)
class BpocSettings(ConnectorSettings):
    page_size: int = setting(
        "pageSize", Count(default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE, clamp=True)
    )


class BpocConnector(ConnectorBase):
    """BPOC over ``HttpClient``: paged reads, attributed writes, typed recruiter errors."""

    provider: ClassVar[str] = "bpoc"
    capabilities: ClassVar[Capability] = (
        Capability.USERS
        | Capability.INTERVIEWS
        | Capability.ONBOARDING
        | Capability.JOB_CREATE
        | Capability.JOB_APPROVE
        | Capability.RELEASE
        | Capability.REJECT
        | Capability.SCHEDULE_INTERVIEW
        | Capability.ONBOARDING_WRITE
        | Capability.RECRUITER_MANAGEMENT
        | Capability.ATTRIBUTION
        | Capability.APPLICATIONS_BY_CANDIDATE
    )
    required_credentials: ClassVar[tuple[str, ...]] = ("apiKey",)

    settings_model = BpocSettings
    base_url = DEFAULT_BASE_URL
    default_headers = {}

    @classmethod
    def auth_for(cls, credentials: Mapping[str, str], settings: ConnectorSettings) -> BpocAuth:
        return BpocAuth(credentials["apiKey"])

    async def check(self) -> CheckResult:
        """One ``GET /agency/recruiters`` ->
        ``CheckResult(ok=True, detail="3 recruiters, 2 active")``; a bad key, ``AuthError``."""
        recruiters = _recruiters(await self.http.get_json("/agency/recruiters"))
        active = sum(
            1
            for raw in recruiters
            if isinstance(raw, Mapping) and boolean(raw.get("isActive", True)) is not False
        )
        return CheckResult(ok=True, detail=f"{len(recruiters)} recruiters, {active} active")

    # reads

    async def _records(self, path: str, key: str) -> AsyncIterator[Any]:
        paginator = PageNumberPaginator(
            page_param="page", size_param="limit", size=self.page_size, start=1, items_key=key
        )
        async for page in self.http.pages(path, paginator):
            for raw in page:
                yield raw

    async def jobs(self, updated_since: datetime | None = None) -> AsyncIterator[RemoteJob]:
        async for raw in self._records("/jobs", "jobs"):
            job = self.map_record("jobs", job_from_raw, raw)
            if job is not None and _since(job.remote_updated_at, updated_since):
                yield job

    async def applications(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteApplication]:
        async for raw in self._records("/applications", "applications"):
            application = self.map_record("applications", application_from_raw, raw)
            if application is not None and _since(application.remote_updated_at, updated_since):
                yield application

    async def get_applications(
        self, candidate_remote_ids: Sequence[str]
    ) -> list[RemoteApplication]:
        """The applications whose ``candidateId`` is one of these, as ``applications()``
        maps them.

        ``GET /applications`` takes no candidate filter (and there is no per-candidate
        route), so this reads the whole list, ``total / pageSize`` requests, and keeps
        the matches: what one ``applications()`` read costs, every time."""
        wanted = set(candidate_remote_ids)
        if not wanted:
            return []
        found: dict[str, RemoteApplication] = {}
        async for raw in self._records("/applications", "applications"):
            application = self.map_record("applications", application_from_raw, raw)
            if application is not None and application.candidate_remote_id in wanted:
                found.setdefault(application.remote_id, application)
        return list(found.values())

    async def candidates(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteCandidate]:
        """Each candidate once, from the applications that embed them. A candidate only
        named by ``candidateId`` (no embedded record) is yielded at the end, and only if
        no application embeds it in full."""
        seen: set[str] = set()
        bare: dict[str, RemoteCandidate] = {}
        base_url = str(self.http.base_url)
        async for raw in self._records("/applications", "applications"):
            candidate = self.map_record("candidates", application_candidate, raw, base_url)
            if candidate is None or candidate.remote_id in seen:
                continue
            if not isinstance(raw.get("candidate"), Mapping):
                bare.setdefault(candidate.remote_id, candidate)
                continue
            seen.add(candidate.remote_id)
            bare.pop(candidate.remote_id, None)
            if _since(candidate.remote_updated_at, updated_since):
                yield candidate
        for candidate in bare.values():
            if _since(candidate.remote_updated_at, updated_since):
                yield candidate

    async def interviews(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteInterview]:
        async for raw in self._records("/interviews", "interviews"):
            interview = self.map_record("interviews", interview_from_raw, raw)
            if interview is not None and _since(interview.remote_updated_at, updated_since):
                yield interview

    async def onboarding_tasks(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteOnboardingTask]:
        async for raw in self._records("/onboarding", "tasks"):
            task = self.map_record("onboarding_tasks", onboarding_task_from_raw, raw)
            if task is not None and _since(task.remote_updated_at, updated_since):
                yield task

    async def users(self) -> AsyncIterator[RemoteUser]:
        """Every recruiter of the agency, active or not (``raw["isActive"]``)."""
        for raw in _recruiters(await self.http.get_json("/agency/recruiters")):
            user = self.map_record("users", user_from_raw, raw)
            if user is not None:
                yield user

    async def stages(self) -> list[RemoteStage]:
        return [
            RemoteStage(remote_id=status, name=name, position=position, kind=kind)
            for position, (status, (name, kind, _state)) in enumerate(_PIPELINE.items())
        ]

    # writes

    async def _write(self, method: str, path: str, body: Mapping[str, Any]) -> Any:
        try:
            return await self.http.json(method, path, json=dict(body))
        except FatalError as exc:
            typed = recruiter_error(exc)
            if typed is None:
                raise
            raise typed from exc

    async def create_job(self, draft: JobDraft, attribution: Attribution) -> WriteResult:
        """``POST /jobs/create {..., "postedBy": <recruiter>}``; the job waits for approval."""
        optional = {
            "clientId": draft.client_remote_id,
            "description": draft.description,
            "location": draft.location,
            "employmentType": draft.employment_type,
        }
        body = {
            **draft.extra,
            **{key: value for key, value in optional.items() if value is not None},
            "title": draft.title,
            "postedBy": recruiter_id(attribution),
        }
        return _record(await self._write("POST", "/jobs/create", body), "job")

    async def approve_job(self, job_remote_id: str, attribution: Attribution) -> WriteResult:
        """``POST /jobs/{id}/approve {"approvedBy": <admin or manager>}``"""
        body = {"approvedBy": recruiter_id(attribution)}
        path = _path("/jobs/{}/approve", job_remote_id)
        return _record(await self._write("POST", path, body), "job")

    async def release_application(
        self, application_remote_id: str, notes: str | None, attribution: Attribution
    ) -> WriteResult:
        """``POST /applications/{id}/release {"notes": ..., "releasedBy": <recruiter>}``"""
        body: dict[str, Any] = {"releasedBy": recruiter_id(attribution)}
        if notes is not None:
            body["notes"] = notes
        path = _path("/applications/{}/release", application_remote_id)
        return _record(await self._write("POST", path, body), "application")

    async def reject(
        self, application_remote_id: str, reason: str, attribution: Attribution | None
    ) -> WriteResult:
        """``POST /applications/{id}/reject {"reason": ..., "rejectedBy": <recruiter>}``;
        without a recruiter it is refused before sending (``InvalidRecruiterError``)."""
        body = {"reason": reason, "rejectedBy": recruiter_id(attribution)}
        path = _path("/applications/{}/reject", application_remote_id)
        return _record(await self._write("POST", path, body), "application")

    async def schedule_interview(
        self, request: InterviewRequest, attribution: Attribution
    ) -> WriteResult:
        """``POST /interviews {"applicationId", "interviewType": "client_round_1",
        "scheduledAt": "2024-02-01T10:00:00Z", "interviewerId", "scheduledBy"}``"""
        body: dict[str, Any] = {
            "applicationId": request.application_remote_id,
            "interviewType": request.interview_type,
            "scheduledAt": format_time(request.scheduled_at),
            "scheduledBy": recruiter_id(attribution),
        }
        if request.interviewer is not None:
            body["interviewerId"] = recruiter_id(request.interviewer)
        return _record(await self._write("POST", "/interviews", body), "interview")

    async def create_onboarding_tasks(
        self,
        application_remote_id: str,
        tasks: Sequence[OnboardingTaskDraft],
        attribution: Attribution,
    ) -> list[WriteResult]:
        """``POST /onboarding {"applicationId", "tasks": [...], "createdBy"}``: one
        ``WriteResult`` per task, in order."""
        body = {
            "applicationId": application_remote_id,
            "tasks": [_task_body(task) for task in tasks],
            "createdBy": recruiter_id(attribution),
        }
        answer = await self._write("POST", "/onboarding", body)
        created = answer.get("tasks") if isinstance(answer, dict) else None
        if not isinstance(created, list) or len(created) != len(tasks):
            raise InvalidResponseError(f"BPOC answered {len(tasks)} new tasks without them")
        return [WriteResult(remote_id=_id_of(task, "task"), raw=task) for task in created]

    async def review_onboarding_task(
        self, task_remote_id: str, approve: bool, attribution: Attribution, notes: str | None = None
    ) -> WriteResult:
        """``PUT /onboarding/{taskId} {"action": "approve" | "reject", "reviewedBy", "notes"?}``"""
        body: dict[str, Any] = {
            "action": "approve" if approve else "reject",
            "reviewedBy": recruiter_id(attribution),
        }
        if notes is not None:
            body["notes"] = notes
        path = _path("/onboarding/{}", task_remote_id)
        return _record(await self._write("PUT", path, body), "task")

    async def create_recruiter(
        self, email: str, first_name: str, last_name: str, role: str
    ) -> WriteResult:
        """``POST /recruiters/create`` -> ``WriteResult(remote_id=<recruiterId UUID>)``."""
        body = {"email": email, "firstName": first_name, "lastName": last_name, "role": role}
        answer = await self._write("POST", "/recruiters/create", body)
        recruiter = answer.get("recruiterId") if isinstance(answer, dict) else None
        if not recruiter:
            raise InvalidResponseError("BPOC created a recruiter without a recruiterId")
        return WriteResult(remote_id=str(recruiter), raw=answer)

    async def invite_recruiter(self, email: str, name: str, role: str) -> WriteResult:
        """``POST /team/invite``: no recruiter exists until the invitee signs up, so
        ``remote_id`` is None; ``raw["inviteToken"]`` goes in the invitation email."""
        answer = await self._write(
            "POST", "/team/invite", {"email": email, "name": name, "role": role}
        )
        if not isinstance(answer, dict) or not answer.get("inviteToken"):
            raise InvalidResponseError("BPOC answered an invitation without an inviteToken")
        return WriteResult(remote_id=None, raw=answer)


def _task_body(task: OnboardingTaskDraft) -> dict[str, Any]:
    body: dict[str, Any] = {"title": task.title}
    if task.description is not None:
        body["description"] = task.description
    if task.task_type is not None:
        body["taskType"] = task.task_type
    if task.due_date is not None:
        body["dueDate"] = task.due_date.isoformat()
    return body
