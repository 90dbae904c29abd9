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
  status for the latter; ``gateway/sandbox/bpoc.py`` answers 400, and the message decides
  here whatever the status.

Not in the guide, chosen here and served the same way by ``gateway/sandbox/bpoc.py``:

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
  application statuses as the pipeline.
- JSON fields are camelCase like the guide's request bodies; times are ISO 8601.
  Writes answer the record they touched: ``{"job": ...}``, ``{"application": ...}``,
  ``{"interview": ...}``, ``{"tasks": [...]}`` or ``{"task": ...}``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, ClassVar, NotRequired, Self, TypedDict, TypeVar
from urllib.parse import quote

import httpx
from aiolimiter import AsyncLimiter

from connectors.base import Capability, ConnectorBase, ConnectorContext
from connectors.errors import (
    ConfigurationError,
    FatalError,
    InvalidRecruiterError,
    InvalidResponseError,
    RecruiterNotInAgencyError,
)
from connectors.http import ApiKeyHeaderAuth, HttpClient, PageNumberPaginator, Sleep
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


class RawApplication(TypedDict):
    id: str
    jobId: str
    candidateId: str
    candidate: RawCandidate
    status: NotRequired[str | None]  # see _PIPELINE
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


def parse_time(value: str | None) -> datetime | None:
    """``"2024-02-01T10:00:00Z"`` -> ``datetime(2024, 2, 1, 10, tzinfo=UTC)``; a time
    without an offset is UTC."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_time(moment: datetime) -> str:
    """``datetime(2024, 2, 1, 10, tzinfo=UTC)`` -> ``"2024-02-01T10:00:00Z"`` (naive is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _full_name(first: str | None, last: str | None) -> str:
    return " ".join(part for part in (first, last) if part)


def job_from_raw(raw: RawJob) -> RemoteJob:
    """A BPOC job; ``pending_approval`` is a draft until ``POST /jobs/{id}/approve``."""
    status = raw.get("status") or None
    return RemoteJob(
        remote_id=raw["id"],
        raw=raw,
        remote_updated_at=parse_time(raw.get("updatedAt")),
        title=raw["title"],
        status=_JOB_STATES.get(status or "", "open"),
        remote_status=status,
        description=raw.get("description"),
        location=raw.get("location"),
        employment_type=raw.get("employmentType"),
        client_name=raw.get("clientName"),
        opened_at=parse_time(raw.get("approvedAt")) or parse_time(raw.get("createdAt")),
        closed_at=parse_time(raw.get("closedAt")),
        currency=raw.get("currency"),
        recruiter_remote_id=raw.get("postedBy"),
    )


def candidate_from_raw(raw: RawCandidate) -> RemoteCandidate:
    first, last = raw.get("firstName"), raw.get("lastName")
    return RemoteCandidate(
        remote_id=raw["id"],
        raw=raw,
        remote_updated_at=parse_time(raw.get("updatedAt")),
        name=_full_name(first, last) or raw.get("email") or raw["id"],
        first_name=first,
        last_name=last,
        email=raw.get("email"),
        phone=raw.get("phone"),
        location=raw.get("location"),
        headline=raw.get("headline"),
        source=raw.get("source"),
        resume_url=raw.get("resumeUrl"),
        tags=tuple(raw.get("skills") or ()),
        created_at=parse_time(raw.get("createdAt")),
    )


def application_candidate(raw: RawApplication) -> RemoteCandidate:
    """The candidate an application embeds: BPOC has no candidate list of its own."""
    return candidate_from_raw(raw["candidate"])


def _transitions(raw: RawApplication) -> tuple[RemoteStageTransition, ...]:
    """The moves BPOC records with a time: applied, released (by), rejected (by)."""
    known = [
        ("submitted", raw.get("appliedAt") or raw.get("createdAt"), None),
        ("released", raw.get("releasedAt"), raw.get("releasedBy")),
        ("rejected", raw.get("rejectedAt"), raw.get("rejectedBy")),
    ]
    events = sorted(
        (when, _PIPELINE[status][0], by)
        for status, at, by in known
        if (when := parse_time(at)) is not None
    )
    transitions: list[RemoteStageTransition] = []
    for index, (entered_at, stage, by) in enumerate(events):
        following = events[index + 1] if index + 1 < len(events) else None
        transitions.append(
            RemoteStageTransition(
                to_stage=stage,
                entered_at=entered_at,
                from_stage=events[index - 1][1] if index else None,
                left_at=following[0] if following else None,
                moved_by=RemotePerson(remote_id=by) if by else None,
            )
        )
    return tuple(transitions)


def application_from_raw(raw: RawApplication) -> RemoteApplication:
    """An application; ``releasedBy``/``rejectedBy`` become the transitions' ``moved_by``."""
    status = raw.get("status") or None
    stage: str | None = status
    state: ApplicationState = "active"
    if status in _PIPELINE:
        stage, _kind, state = _PIPELINE[status]
    return RemoteApplication(
        remote_id=raw["id"],
        raw=raw,
        remote_updated_at=parse_time(raw.get("updatedAt")),
        job_remote_id=raw["jobId"],
        candidate_remote_id=raw["candidateId"],
        status=state,
        current_stage=stage,
        applied_at=parse_time(raw.get("appliedAt")) or parse_time(raw.get("createdAt")),
        rejected_at=parse_time(raw.get("rejectedAt")),
        rejection_reason=raw.get("rejectionReason"),
        transitions=_transitions(raw),
    )


def interview_from_raw(raw: RawInterview) -> RemoteInterview:
    return RemoteInterview(
        remote_id=raw["id"],
        raw=raw,
        remote_updated_at=parse_time(raw.get("updatedAt")),
        application_remote_id=raw.get("applicationId"),
        interview_type=raw.get("interviewType"),
        status=_INTERVIEW_STATES.get(raw.get("status") or "", "scheduled"),
        scheduled_at=parse_time(raw.get("scheduledAt")),
        interviewer_remote_id=raw.get("interviewerId"),
    )


def user_from_raw(raw: RawRecruiter) -> RemoteUser:
    """A recruiter of the agency; ``remote_id`` is the UUID writes are attributed to."""
    return RemoteUser(
        remote_id=raw["id"],
        raw=raw,
        remote_updated_at=parse_time(raw.get("updatedAt")),
        email=raw.get("email"),
        name=_full_name(raw.get("firstName"), raw.get("lastName")) or None,
        role=raw.get("role"),
    )


def onboarding_task_from_raw(raw: RawOnboardingTask) -> RemoteOnboardingTask:
    due = raw.get("dueDate")
    return RemoteOnboardingTask(
        remote_id=raw["id"],
        raw=raw,
        remote_updated_at=parse_time(raw.get("updatedAt")),
        title=raw["title"],
        application_remote_id=raw.get("applicationId"),
        candidate_remote_id=raw.get("candidateId"),
        description=raw.get("description"),
        task_type=raw.get("taskType"),
        status=_TASK_STATES.get(raw.get("status") or "", "pending"),
        due_date=date.fromisoformat(due[:10]) if due else None,
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

_T = TypeVar("_T")


def _mapped(mapper: Callable[[Any], _T], raw: Any) -> _T:
    try:
        return mapper(raw)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidResponseError(
            f"BPOC record not as documented ({type(exc).__name__}: {exc})"
        ) from exc


def _since(moment: datetime | None, since: datetime | None) -> bool:
    if since is None or moment is None:
        return True
    return moment >= (since if since.tzinfo else since.replace(tzinfo=UTC))


def _path(template: str, remote_id: str) -> str:
    return template.format(quote(remote_id, safe=""))


def _id_of(record: Any, what: str) -> str:
    if not isinstance(record, dict) or not record.get("id"):
        raise InvalidResponseError(f"BPOC answered a write without the {what} and its id")
    return str(record["id"])


def _record(body: Any, key: str) -> WriteResult:
    """``{"job": {"id": "..."}}`` -> ``WriteResult(remote_id="...", raw=<the whole body>)``"""
    record = body.get(key) if isinstance(body, dict) else None
    return WriteResult(remote_id=_id_of(record, key), raw=body)


def _recruiters(body: Any) -> list[Any]:
    if not isinstance(body, dict) or not isinstance(body.get("recruiters"), list):
        raise InvalidResponseError("expected {'recruiters': [...]} from /agency/recruiters")
    return list(body["recruiters"])


def _page_size(value: Any) -> int:
    try:
        size = int(value) if value is not None else DEFAULT_PAGE_SIZE
    except (TypeError, ValueError):
        raise ConfigurationError(f"pageSize must be a number, got {value!r}") from None
    return max(1, min(size, MAX_PAGE_SIZE))


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

    def __init__(self, context: ConnectorContext) -> None:
        super().__init__(context)
        self.page_size = _page_size(context.config.get("pageSize"))

    @classmethod
    def create(
        cls,
        client: httpx.AsyncClient,
        credentials: Mapping[str, str],
        config: Mapping[str, Any],
        *,
        integration: str,
        sleep: Sleep = asyncio.sleep,
        rate_limit: AsyncLimiter | None = None,
    ) -> Self:
        """``BpocConnector.create(client, {"apiKey": key}, {"pageSize": 100},
        integration="9:bpoc")``: an ``HttpClient`` on ``baseUrl`` with ``BpocAuth``."""
        api_key = credentials.get("apiKey")
        if not api_key:
            raise ConfigurationError("missing credential 'apiKey'")
        http = HttpClient(
            client,
            base_url=str(config.get("baseUrl") or DEFAULT_BASE_URL),
            integration=integration,
            auth=BpocAuth(api_key),
            rate_limit=rate_limit,
            sleep=sleep,
        )
        return cls(ConnectorContext(http=http, credentials=credentials, config=config))

    async def check(self) -> CheckResult:
        """One ``GET /agency/recruiters`` ->
        ``CheckResult(ok=True, detail="3 recruiters, 2 active")``; a bad key, ``AuthError``."""
        recruiters = _recruiters(await self.http.get_json("/agency/recruiters"))
        active = sum(1 for raw in recruiters if isinstance(raw, dict) and raw.get("isActive", True))
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
            job = _mapped(job_from_raw, raw)
            if _since(job.remote_updated_at, updated_since):
                yield job

    async def applications(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteApplication]:
        async for raw in self._records("/applications", "applications"):
            application = _mapped(application_from_raw, raw)
            if _since(application.remote_updated_at, updated_since):
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
            application = _mapped(application_from_raw, raw)
            if application.candidate_remote_id in wanted:
                found.setdefault(application.remote_id, application)
        return list(found.values())

    async def candidates(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteCandidate]:
        """Each candidate once, from the applications that embed them."""
        seen: set[str] = set()
        async for raw in self._records("/applications", "applications"):
            candidate = _mapped(application_candidate, raw)
            if candidate.remote_id in seen:
                continue
            seen.add(candidate.remote_id)
            if _since(candidate.remote_updated_at, updated_since):
                yield candidate

    async def interviews(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteInterview]:
        async for raw in self._records("/interviews", "interviews"):
            interview = _mapped(interview_from_raw, raw)
            if _since(interview.remote_updated_at, updated_since):
                yield interview

    async def onboarding_tasks(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteOnboardingTask]:
        async for raw in self._records("/onboarding", "tasks"):
            task = _mapped(onboarding_task_from_raw, raw)
            if _since(task.remote_updated_at, updated_since):
                yield task

    async def users(self) -> AsyncIterator[RemoteUser]:
        """Every recruiter of the agency, active or not (``raw["isActive"]``)."""
        for raw in _recruiters(await self.http.get_json("/agency/recruiters")):
            yield _mapped(user_from_raw, raw)

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
