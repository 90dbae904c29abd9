"""``GreenhouseConnector``: Harvest v3 reads and writes over ``HttpClient``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import httpx

from connectors import lenient
from connectors.assembly import ConnectorSettings, Count, Text, setting
from connectors.base import Capability, ConnectorBase, ConnectorContext
from connectors.errors import NotFoundError, UnprocessableError
from connectors.greenhouse.auth import ACT_AS, TOKEN_URL, GreenhouseAuth
from connectors.greenhouse.records import (
    JobContext,
    application_from_raw,
    application_job_id,
    candidate_from_raw,
    interview_from_raw,
    job_from_raw,
    note_from_raw,
    stages_from_raw,
    user_from_raw,
)
from connectors.greenhouse.related import Related, batches, id_of, ids_of, is_id
from connectors.http import LinkHeaderPaginator, Params
from connectors.kit.reasons import named_or_first
from connectors.models import (
    Attribution,
    CheckResult,
    RemoteActivity,
    RemoteApplication,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
    RemoteStage,
    RemoteUser,
    WriteResult,
)
from connectors.oauth import ClientCredentials

DEFAULT_BASE_URL = "https://harvest.greenhouse.io/v3"
MAX_PAGE_SIZE = 500
NOTE_VISIBILITY = "public"
"""A note written here is visible to everyone who can see the candidate (v3 also takes
``private`` and ``admin_only``)."""


@dataclass(frozen=True, kw_only=True)
class GreenhouseSettings(ConnectorSettings):
    page_size: int = setting("pageSize", Count(default=MAX_PAGE_SIZE, maximum=MAX_PAGE_SIZE))
    token_url: str | None = setting("tokenUrl", Text())
    """Where client-credentials tokens are minted; ``auth.greenhouse.io/token`` unless
    a sandbox says otherwise."""


class SameOriginLinkPaginator(LinkHeaderPaginator):
    """``Link: <...>; rel="next"``, followed exactly as given (v3: the cursor must be
    the only parameter), but only to the API's own origin: a link elsewhere would carry
    our bearer token to another host. A relative link is resolved against the request
    it came with (RFC 8288, section 3.2)."""

    def __init__(self, base_url: str, size: int) -> None:
        super().__init__(size=size)
        self.origin = _origin(base_url)

    def next(
        self, request: Params | str, response: httpx.Response, body: Any, items: list[Any]
    ) -> str | None:
        url = super().next(request, response, body, items)
        if url is None:
            return None
        url = urljoin(str(response.request.url), url)
        return url if _origin(url) == self.origin else None


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _since(updated_since: datetime | None) -> Params:
    """v3's comparison filters: ``updated_at=gte|2026-01-01T00:00:00Z``."""
    if updated_since is None:
        return {}
    return {"updated_at": f"gte|{updated_since.isoformat().replace('+00:00', 'Z')}"}


def _numeric(remote_id: str, what: str) -> str:
    if not is_id(remote_id):
        raise UnprocessableError(f"not a Greenhouse {what} id: {remote_id!r}")
    return remote_id


def _acting(attribution: Attribution | None) -> dict[str, str]:
    if attribution is None:
        return {}
    return {ACT_AS: _numeric(attribution.remote_id, "user")}


class GreenhouseConnector(ConnectorBase):
    """Reads jobs (with their department, offices and recruiter), job interview stages,
    candidates (with their attachments), applications (with their stage history and
    rejection reason), interviews (with their interviewer), users and candidate notes,
    fully or since a time; moves, rejects, adds a candidate to a job and writes
    a candidate note as the acting Greenhouse user."""

    provider: ClassVar[str] = "greenhouse"
    capabilities: ClassVar[Capability] = (
        Capability.INCREMENTAL
        | Capability.WEBHOOKS
        | Capability.INTERVIEWS
        | Capability.USERS
        | Capability.ACTIVITIES
        | Capability.MOVE_STAGE
        | Capability.ADD_TO_JOB
        | Capability.REJECT
        | Capability.NOTES
        | Capability.ATTRIBUTION
        | Capability.APPLICATIONS_BY_CANDIDATE
    )
    required_credentials: ClassVar[tuple[str, ...]] = ("clientId", "clientSecret", "userId")
    settings_model = GreenhouseSettings
    settings: GreenhouseSettings
    base_url = DEFAULT_BASE_URL
    passthrough_paths = (
        "/jobs",
        "/job_interview_stages",
        "/candidates",
        "/applications",
        "/interviews",
        "/offers",
        "/users",
    )

    def __init__(
        self, context: ConnectorContext, settings: ConnectorSettings | None = None
    ) -> None:
        super().__init__(context, settings)
        self.related = Related(
            self._records, lambda path, records: self.optional_all(f"Greenhouse {path}", records)
        )

    @classmethod
    def auth_for(
        cls, credentials: Mapping[str, str], settings: ConnectorSettings
    ) -> GreenhouseAuth:
        token_url = settings.token_url if isinstance(settings, GreenhouseSettings) else None
        return GreenhouseAuth(
            ClientCredentials(credentials["clientId"], credentials["clientSecret"]),
            default_user=credentials["userId"],
            token_url=token_url or TOKEN_URL,
        )

    async def check(self) -> CheckResult:
        """One user read with a fresh token: bad client credentials are ``AuthError``."""
        body = await self.http.get_json("/users", {"per_page": 1})
        count = len(body) if isinstance(body, list) else 0
        return CheckResult(ok=True, detail=f"Greenhouse Harvest v3 reachable ({count} user read)")

    # reads

    async def _pages(self, path: str, params: Params | None = None) -> AsyncIterator[list[Any]]:
        paginator = SameOriginLinkPaginator(self.http.base_url, self.page_size)
        async for page in self.http.pages(path, paginator, params):
            yield page

    async def _records(self, path: str, params: Params | None = None) -> AsyncIterator[Any]:
        async for page in self._pages(path, params):
            for raw in page:
                yield raw

    async def _job_context(self, page: Sequence[Any]) -> JobContext:
        return JobContext(
            departments=await self.related.reference("/departments"),
            offices=await self.related.reference("/offices"),
            recruiters=await self.related.recruiters(ids_of(page)),
        )

    async def _mapped_jobs(self, pages: AsyncIterator[list[Any]]) -> AsyncIterator[RemoteJob]:
        async for page in pages:
            context = await self._job_context(page)
            for raw in page:
                job = self.map_record("jobs", job_from_raw, raw, context)
                if job is not None:
                    yield job

    async def jobs(self, updated_since: datetime | None = None) -> AsyncIterator[RemoteJob]:
        async for job in self._mapped_jobs(self._pages("/jobs", _since(updated_since))):
            yield job

    async def _mapped_candidates(
        self, pages: AsyncIterator[list[Any]]
    ) -> AsyncIterator[RemoteCandidate]:
        async for page in pages:
            attachments = await self.related.attachments(ids_of(page))
            for raw in page:
                own = attachments.get(id_of(raw), [])
                candidate = self.map_record("candidates", candidate_from_raw, raw, own)
                if candidate is not None:
                    yield candidate

    async def candidates(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteCandidate]:
        pages = self._pages("/candidates", _since(updated_since))
        async for candidate in self._mapped_candidates(pages):
            yield candidate

    async def _mapped_applications(
        self, pages: AsyncIterator[list[Any]]
    ) -> AsyncIterator[RemoteApplication]:
        """Each page's applications with their stage history and, when rejected, the
        reason's name."""
        stages = await self.related.names("/job_interview_stages")
        async for page in pages:
            history = await self.related.stage_history(ids_of(page))
            rejected = [raw for raw in page if lenient.mapping(raw).get("status") == "rejected"]
            reasons = await self.related.rejection_reasons(ids_of(rejected))
            for raw in page:
                own = id_of(raw)
                application = self.map_record(
                    "applications",
                    application_from_raw,
                    raw,
                    stages,
                    history.get(own, []),
                    reasons.get(own),
                )
                if application is not None:
                    yield application

    async def applications(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteApplication]:
        pages = self._pages("/applications", _since(updated_since))
        async for application in self._mapped_applications(pages):
            yield application

    async def interviews(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteInterview]:
        names = await self.related.reference("/job_interviews")
        async for page in self._pages("/interviews", _since(updated_since)):
            interviewers = await self.related.interviewers(ids_of(page))
            for raw in page:
                interview = self.map_record(
                    "interviews", interview_from_raw, raw, names, interviewers
                )
                if interview is not None:
                    yield interview

    async def users(self) -> AsyncIterator[RemoteUser]:
        async for raw in self._records("/users"):
            user = self.map_record("users", user_from_raw, raw)
            if user is not None:
                yield user

    async def stages(self) -> list[RemoteStage]:
        return stages_from_raw([raw async for raw in self._records("/job_interview_stages")])

    async def activities(self, candidate_remote_id: str) -> AsyncIterator[RemoteActivity]:
        """``GET /v3/notes?candidate_ids=57683957``: the candidate's notes, emails and
        other activity (v1's activity feed); an id that cannot be one has none."""
        if not is_id(candidate_remote_id):
            return
        async for raw in self._records("/notes", {"candidate_ids": candidate_remote_id}):
            activity = self.map_record("activities", note_from_raw, raw, candidate_remote_id)
            if activity is not None:
                yield activity

    async def _by_ids(self, path: str, key: str, remote_ids: Sequence[str]) -> AsyncIterator[Any]:
        for batch in batches(remote_ids):
            async for page in self._pages(path, {key: batch}):
                yield page

    async def get_jobs(self, remote_ids: Sequence[str]) -> list[RemoteJob]:
        return [job async for job in self._mapped_jobs(self._by_ids("/jobs", "ids", remote_ids))]

    async def get_candidates(self, remote_ids: Sequence[str]) -> list[RemoteCandidate]:
        pages = self._by_ids("/candidates", "ids", remote_ids)
        return [candidate async for candidate in self._mapped_candidates(pages)]

    async def get_applications(
        self, candidate_remote_ids: Sequence[str]
    ) -> list[RemoteApplication]:
        """``GET /applications?candidate_ids=1,2``: a webhook's refetch; unknown and
        non-numeric ids contribute nothing, and nothing asked sends nothing."""
        if not any(is_id(i) for i in candidate_remote_ids):
            return []
        pages = self._by_ids("/applications", "candidate_ids", candidate_remote_ids)
        return [application async for application in self._mapped_applications(pages)]

    # writes

    async def _application(self, application_id: str) -> Mapping[str, Any]:
        """The application as ``GET /v3/applications?ids=`` lists it (v3 has no read of
        one application by path)."""
        async for raw in self._records("/applications", {"ids": application_id}):
            record = lenient.mapping(raw)
            if lenient.identifier(record.get("id")) == application_id:
                return record
        raise NotFoundError(f"no Greenhouse application {application_id}")

    async def _stage_id(self, job_id: str | None, stage: str) -> str:
        """The id of the job interview stage called ``stage`` (case-insensitive) on the
        job: v3 moves by ``to_stage_id``."""
        params = {"job_ids": job_id} if job_id else {}
        wanted = stage.strip().lower()
        async for raw in self._records("/job_interview_stages", params):
            record = lenient.mapping(raw)
            if (lenient.text(record.get("name")) or "").lower() == wanted:
                found = lenient.identifier(record.get("id"))
                if found:
                    return found
        raise NotFoundError(f"no Greenhouse stage named {stage!r} on the application's job")

    async def _post(
        self, path: str, body: Mapping[str, Any], attribution: Attribution | None
    ) -> Any:
        return await self.http.json("POST", path, json=dict(body), headers=_acting(attribution))

    async def move_stage(
        self, application_remote_id: str, stage: str, attribution: Attribution | None
    ) -> WriteResult:
        """``POST /v3/applications/{id}/move {"from_stage_id": 5, "to_stage_id": 62828}``
        as the acting user: ``from_stage_id`` (required) is the application's current
        ``stage_id``, ``to_stage_id`` the job interview stage named ``stage``."""
        application_id = _numeric(application_remote_id, "application")
        application = await self._application(application_id)
        from_stage = lenient.identifier(application.get("stage_id")) or lenient.identifier(
            application.get("current_stage")
        )
        if from_stage is None or not is_id(from_stage):
            raise UnprocessableError(f"Greenhouse application {application_id} is in no stage")
        to_stage = await self._stage_id(application_job_id(application), stage)
        body = {"from_stage_id": int(from_stage), "to_stage_id": int(to_stage)}
        answer = await self._post(f"/applications/{application_id}/move", body, attribution)
        return WriteResult(remote_id=application_remote_id, raw=_raw(answer))

    async def add_to_job(
        self, candidate_remote_id: str, job_remote_id: str, attribution: Attribution | None
    ) -> WriteResult:
        """``POST /v3/applications {"candidate_id": 57683957, "job_id": 107761}`` as the
        acting user; the new application's id is the result."""
        body = {
            "candidate_id": int(_numeric(candidate_remote_id, "candidate")),
            "job_id": int(_numeric(job_remote_id, "job")),
        }
        answer = await self._post("/applications", body, attribution)
        return WriteResult(remote_id=lenient.identifier(_raw(answer).get("id")), raw=_raw(answer))

    async def _rejection_reason_id(self, reason: str) -> str:
        """The rejection reason named ``reason`` (case-insensitive), else the account's
        first one: v3 requires a ``rejection_reason_id``, and the text goes in ``notes``
        either way."""
        found = await named_or_first(
            self._records("/rejection_reasons"), reason, name=lambda r: r.get("name")
        )
        if found is None:
            raise NotFoundError("the Greenhouse account has no rejection reasons")
        return found

    async def reject(
        self, application_remote_id: str, reason: str, attribution: Attribution | None
    ) -> WriteResult:
        """``POST /v3/applications/{id}/reject {"rejection_reason_id": 8, "notes": reason}``
        as the acting user (answered 204)."""
        application_id = _numeric(application_remote_id, "application")
        body = {
            "rejection_reason_id": int(await self._rejection_reason_id(reason)),
            "notes": reason,
        }
        answer = await self._post(f"/applications/{application_id}/reject", body, attribution)
        return WriteResult(remote_id=application_remote_id, raw=_raw(answer))

    async def add_note(
        self, candidate_remote_id: str, text: str, attribution: Attribution | None
    ) -> WriteResult:
        """``POST /v3/notes {"candidate_id": 57683957, "user_id": 4080, "body": text,
        "note_type": "NOTE", "visibility": "public"}``, sent with a token for the same
        user who is named its author; the note's id is the result."""
        candidate_id = _numeric(candidate_remote_id, "candidate")
        author = attribution.remote_id if attribution else self.context.credential("userId")
        body = {
            "candidate_id": int(candidate_id),
            "user_id": int(_numeric(author, "user")),
            "body": text,
            "note_type": "NOTE",
            "visibility": NOTE_VISIBILITY,
        }
        answer = await self._post("/notes", body, attribution)
        return WriteResult(remote_id=lenient.identifier(_raw(answer).get("id")), raw=_raw(answer))


def _raw(answer: Any) -> Mapping[str, Any]:
    return answer if isinstance(answer, dict) else {}
