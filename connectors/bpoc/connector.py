"""``BpocConnector``: paged reads, and writes attributed to a recruiter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import quote

from connectors.assembly import ConnectorSettings, Count, setting
from connectors.base import Capability, ConnectorBase
from connectors.bpoc.attribution import recruiter_error, recruiter_id
from connectors.bpoc.fields import format_time
from connectors.bpoc.mapping import (
    application_candidate,
    interview_from_raw,
    job_from_raw,
    onboarding_task_from_raw,
    user_from_raw,
)
from connectors.bpoc.pipeline import PIPELINE, application_from_raw
from connectors.errors import FatalError, InvalidResponseError
from connectors.http import ApiKeyHeaderAuth, PageNumberPaginator
from connectors.lenient import boolean, identifier
from connectors.models import (
    Attribution,
    CheckResult,
    InterviewRequest,
    JobDraft,
    OnboardingTaskDraft,
    RemoteApplication,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
    RemoteOnboardingTask,
    RemoteStage,
    RemoteUser,
    WriteResult,
)

DEFAULT_BASE_URL = "https://bpoc.io/api/v1"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


class BpocAuth(ApiKeyHeaderAuth):
    """Adds ``X-API-Key: <agency key>`` to every request."""

    header = "X-API-Key"


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
    passthrough_paths = ("/jobs", "/applications", "/interviews", "/onboarding", "/agency")

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
            for position, (status, (name, kind, _state)) in enumerate(PIPELINE.items())
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
        """``POST /jobs/create {..., "requirements": [...], "salary_min": 80000,
        "salary_max": 120000, "currency": "PHP", "postedBy": <recruiter>}`` (the guide's
        snake_case salary names); the job waits for approval."""
        optional = {
            "clientId": draft.client_remote_id,
            "description": draft.description,
            "location": draft.location,
            "employmentType": draft.employment_type,
            "requirements": list(draft.requirements) or None,
            "salary_min": _amount(draft.salary_min),
            "salary_max": _amount(draft.salary_max),
            "currency": draft.currency,
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


def _amount(value: Decimal | None) -> int | float | None:
    """A salary as JSON has it: a whole number stays an integer (``80000``)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
