"""``LeverConnector``: Lever API v1 reads and writes over ``HttpClient``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from connectors import lenient
from connectors.assembly import (
    ConnectorSettings,
    Count,
    Text,
    setting,
)
from connectors.base import Capability, ConnectorBase
from connectors.errors import NotFoundError, UnprocessableError
from connectors.http import CursorPaginator, Params
from connectors.kit.reasons import named_or_first
from connectors.lever.auth import (
    KEY_CREDENTIALS,
    LeverKeyAuth,
    LeverOAuth,
    auth_from,
    required_for,
)
from connectors.lever.records import (
    application_from_raw,
    archive_reason_map,
    candidate_from_raw,
    contact_id,
    interview_from_raw,
    job_from_raw,
    resume_documents,
    stage_names,
    stages_from_raw,
    user_from_raw,
)
from connectors.models import (
    Attribution,
    CheckResult,
    InterviewRequest,
    RemoteApplication,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
    RemoteStage,
    RemoteUser,
    WriteResult,
)

DEFAULT_BASE_URLS = {
    "prod": "https://api.lever.co/v1",
    "stage": "https://api.sandbox.lever.co/v1",
}
MAX_PAGE_SIZE = 100
"""``limit`` is 1 to 100."""
INTERVIEW_MINUTES = 60
"""How long an interview scheduled here is booked for (the request names no length)."""


@dataclass(frozen=True, kw_only=True)
class LeverSettings(ConnectorSettings):
    page_size: int = setting(
        "pageSize", Count(default=MAX_PAGE_SIZE, maximum=MAX_PAGE_SIZE, clamp=True)
    )
    token_url: str | None = setting("tokenUrl", Text())
    """Where OAuth refresh tokens are traded; ``auth.lever.co/oauth/token`` unless a
    sandbox says otherwise."""


class LeverPaginator(CursorPaginator):
    """``{"data": [...], "hasNext": true, "next": "<offset token>"}``; the token goes
    back as ``offset``. ``hasNext: false`` ends the listing whatever ``next`` says."""

    def __init__(self, size: int) -> None:
        super().__init__(items_key="data", cursor_param="offset", next_cursor_key="next", size=size)

    def next(
        self, request: Params | str, response: httpx.Response, body: Any, items: list[Any]
    ) -> Params | None:
        if isinstance(body, dict) and lenient.boolean(body.get("hasNext")) is False:
            return None
        return super().next(request, response, body, items)


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _acting(attribution: Attribution | None) -> Params:
    """``perform_as=<Lever user id>``: who Lever records as doing the write."""
    if attribution is None:
        return {}
    return {"perform_as": attribution.remote_id}


def _path_id(remote_id: str, what: str) -> str:
    cleaned = remote_id.strip()
    if not cleaned or len(cleaned) > 255 or "/" in cleaned:
        raise UnprocessableError(f"not a Lever {what} id: {remote_id!r}")
    return quote(cleaned, safe="")


class LeverConnector(ConnectorBase):
    """Reads postings, stages, opportunities (their contacts as candidates, themselves
    as applications with stage history and archive state), their interviews and the
    account's users, fully or since a time; moves, archives, notes and schedules
    interviews (as panels) as the acting Lever user. Authenticated by API key or OAuth
    (``connectors.lever.auth``)."""

    provider: ClassVar[str] = "lever"
    capabilities: ClassVar[Capability] = (
        Capability.INCREMENTAL
        | Capability.WEBHOOKS
        | Capability.INTERVIEWS
        | Capability.USERS
        | Capability.MOVE_STAGE
        | Capability.REJECT
        | Capability.NOTES
        | Capability.SCHEDULE_INTERVIEW
        | Capability.ATTRIBUTION
        | Capability.APPLICATIONS_BY_CANDIDATE
    )
    required_credentials: ClassVar[tuple[str, ...]] = KEY_CREDENTIALS
    """API-key integrations; OAuth ones need ``PROVIDER.oauth.credentials`` instead."""
    settings_model = LeverSettings
    settings: LeverSettings
    base_url = DEFAULT_BASE_URLS
    passthrough_paths = ("/opportunities", "/postings", "/stages", "/users", "/archive_reasons")

    @classmethod
    def credentials_needed(cls, credentials: Mapping[str, str]) -> Sequence[str]:
        """``apiKey``, or ``clientId``/``clientSecret``/``refreshToken`` when the
        credentials name OAuth (a refresh token and no key)."""
        return required_for(credentials)

    @classmethod
    def auth_for(
        cls, credentials: Mapping[str, str], settings: ConnectorSettings
    ) -> LeverKeyAuth | LeverOAuth:
        token_url = settings.token_url if isinstance(settings, LeverSettings) else None
        return auth_from(credentials, token_url=token_url)

    @property
    def auth(self) -> httpx.Auth | None:
        """The request auth; a ``RefreshTokenAuth`` for OAuth integrations, whose
        ``on_tokens`` the gateway sets to keep a rotated refresh token."""
        return self.http.auth

    async def check(self) -> CheckResult:
        """One user read: a refused key or token is ``AuthError``."""
        body = await self.http.get_json("/users", {"limit": 1})
        count = len(lenient.items(lenient.mapping(body).get("data")))
        return CheckResult(ok=True, detail=f"Lever API v1 reachable ({count} user read)")

    # reads

    async def _records(self, path: str, params: Params | None = None) -> AsyncIterator[Any]:
        async for page in self.http.pages(path, LeverPaginator(self.page_size), params):
            for raw in page:
                yield raw

    async def _all(self, path: str, params: Params | None = None) -> list[Any]:
        return [raw async for raw in self._records(path, params)]

    async def jobs(self, updated_since: datetime | None = None) -> AsyncIterator[RemoteJob]:
        """Every posting; since a time, ``updated_at_start`` asks Lever for the changed
        ones and their ``updatedAt`` is checked here too (the filter on ``/postings``
        rests on public clients, not the reference)."""
        params: Params = {}
        if updated_since is not None:
            params["updated_at_start"] = _epoch_ms(updated_since)
        async for raw in self._records("/postings", params):
            job = self.map_record("jobs", job_from_raw, raw)
            if job is None:
                continue
            if updated_since is not None and (
                job.remote_updated_at is None or job.remote_updated_at < updated_since
            ):
                continue
            yield job

    def _opportunities(
        self, updated_since: datetime | None = None, extra: Params | None = None
    ) -> AsyncIterator[Any]:
        params: Params = {"expand": "applications", **(extra or {})}
        if updated_since is not None:
            params["updated_at_start"] = _epoch_ms(updated_since)
        return self._records("/opportunities", params)

    async def _candidate(self, raw: Any) -> RemoteCandidate | None:
        record = lenient.mapping(raw)
        opportunity = lenient.identifier(record.get("id"))
        documents: tuple[Any, ...] = ()
        if opportunity:
            resumes = await self.optional_all(
                "Lever opportunity resumes",
                self._records(f"/opportunities/{_path_id(opportunity, 'opportunity')}/resumes"),
            )
            documents = resume_documents(resumes, opportunity, self.http.base_url)
        return self.map_record("candidates", candidate_from_raw, raw, documents)

    async def candidates(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteCandidate]:
        """One candidate per contact, from their most recently updated opportunity
        (with its resumes: one ``/resumes`` read per contact)."""
        latest: dict[str, Any] = {}
        async for raw in self._opportunities(updated_since):
            record = lenient.mapping(raw)
            person = contact_id(record) or lenient.identifier(record.get("id"))
            if person is None:
                self.map_record("candidates", candidate_from_raw, raw)
                continue
            kept = latest.get(person)
            if kept is None or _updated(record) >= _updated(lenient.mapping(kept)):
                latest[person] = raw
        for raw in latest.values():
            candidate = await self._candidate(raw)
            if candidate is not None:
                yield candidate

    async def _lookups(self) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
        stages = stage_names(await self.optional_all("Lever stages", self._records("/stages")))
        reasons = archive_reason_map(
            await self.optional_all("Lever archive reasons", self._records("/archive_reasons"))
        )
        return stages, reasons

    async def applications(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteApplication]:
        stages, reasons = await self._lookups()
        async for raw in self._opportunities(updated_since):
            application = self.map_record(
                "applications", application_from_raw, raw, stages, reasons
            )
            if application is not None:
                yield application

    async def interviews(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteInterview]:
        """The interviews of every opportunity (changed since the time, if given): one
        ``/opportunities/:id/interviews`` read each."""
        async for raw in self._opportunities(updated_since):
            opportunity = lenient.identifier(lenient.mapping(raw).get("id"))
            if opportunity is None:
                continue
            path = f"/opportunities/{_path_id(opportunity, 'opportunity')}/interviews"
            for found in await self.optional_all(
                "Lever opportunity interviews", self._records(path)
            ):
                interview = self.map_record("interviews", interview_from_raw, found, opportunity)
                if interview is not None:
                    yield interview

    async def users(self) -> AsyncIterator[RemoteUser]:
        async for raw in self._records("/users"):
            user = self.map_record("users", user_from_raw, raw)
            if user is not None:
                yield user

    async def stages(self) -> list[RemoteStage]:
        return stages_from_raw(await self._all("/stages"))

    async def get_candidates(self, remote_ids: Sequence[str]) -> list[RemoteCandidate]:
        found: list[RemoteCandidate] = []
        for person in dict.fromkeys(remote_ids):
            opportunities = await self._of_contact(person)
            if not opportunities:
                continue
            newest = max(opportunities, key=lambda raw: _updated(lenient.mapping(raw)))
            candidate = await self._candidate(newest)
            if candidate is not None:
                found.append(candidate)
        return found

    async def _of_contact(self, person: str) -> list[Any]:
        cleaned = person.strip()
        if not cleaned or len(cleaned) > 255:
            return []
        return [raw async for raw in self._opportunities(extra={"contact_id": cleaned})]

    async def get_applications(
        self, candidate_remote_ids: Sequence[str]
    ) -> list[RemoteApplication]:
        """``GET /opportunities?contact_id=...`` per contact: a webhook's refetch."""
        wanted = [person for person in dict.fromkeys(candidate_remote_ids) if person.strip()]
        if not wanted:
            return []
        stages, reasons = await self._lookups()
        found: list[RemoteApplication] = []
        seen: set[str] = set()
        for person in wanted:
            for raw in await self._of_contact(person):
                application = self.map_record(
                    "applications", application_from_raw, raw, stages, reasons
                )
                if application is not None and application.remote_id not in seen:
                    seen.add(application.remote_id)
                    found.append(application)
        return found

    # writes

    async def _put(
        self, path: str, body: Mapping[str, Any], attribution: Attribution | None
    ) -> Any:
        return await self.http.json("PUT", path, params=_acting(attribution), json=dict(body))

    async def _stage_id(self, stage: str) -> str:
        wanted = stage.strip().lower()
        for raw in await self._all("/stages"):
            record = lenient.mapping(raw)
            if (lenient.text(record.get("text")) or "").lower() == wanted:
                found = lenient.identifier(record.get("id"))
                if found:
                    return found
        raise NotFoundError(f"no Lever stage named {stage!r}")

    async def move_stage(
        self, application_remote_id: str, stage: str, attribution: Attribution | None
    ) -> WriteResult:
        """``PUT /opportunities/:id/stage?perform_as=<user> {"stage": "<stage id>"}``."""
        opportunity = _path_id(application_remote_id, "opportunity")
        stage_id = await self._stage_id(stage)
        answer = await self._put(
            f"/opportunities/{opportunity}/stage", {"stage": stage_id}, attribution
        )
        return WriteResult(remote_id=application_remote_id, raw=_raw(answer))

    async def _archive_reason(self, reason: str) -> str:
        """The non-hired archive reason named ``reason`` (case-insensitive), else the
        first non-hired one: Lever archives with a reason id."""
        found = await named_or_first(
            self._records("/archive_reasons"),
            reason,
            name=lambda r: r.get("text"),
            usable=lambda r: lenient.text(r.get("status")) != "hired",
        )
        if found is None:
            raise NotFoundError("the Lever account has no non-hired archive reasons")
        return found

    async def reject(
        self, application_remote_id: str, reason: str, attribution: Attribution | None
    ) -> WriteResult:
        """``PUT /opportunities/:id/archived?perform_as=<user> {"reason": "<id>"}``."""
        opportunity = _path_id(application_remote_id, "opportunity")
        reason_id = await self._archive_reason(reason)
        answer = await self._put(
            f"/opportunities/{opportunity}/archived", {"reason": reason_id}, attribution
        )
        return WriteResult(remote_id=application_remote_id, raw=_raw(answer))

    async def add_note(
        self, candidate_remote_id: str, text: str, attribution: Attribution | None
    ) -> WriteResult:
        """``POST /opportunities/:id/notes?perform_as=<user> {"value": text}`` on the
        contact's most recently updated opportunity (Lever keeps notes per opportunity)."""
        opportunities = await self._of_contact(candidate_remote_id)
        if not opportunities:
            raise NotFoundError(f"no Lever opportunity for contact {candidate_remote_id!r}")
        newest = max(opportunities, key=lambda raw: _updated(lenient.mapping(raw)))
        opportunity = lenient.identifier(lenient.mapping(newest).get("id"))
        if opportunity is None:
            raise NotFoundError(f"no Lever opportunity for contact {candidate_remote_id!r}")
        answer = await self.http.json(
            "POST",
            f"/opportunities/{_path_id(opportunity, 'opportunity')}/notes",
            params=_acting(attribution),
            json={"value": text},
        )
        data = lenient.mapping(lenient.mapping(answer).get("data"))
        note = lenient.identifier(data.get("id")) or lenient.identifier(data.get("noteId"))
        return WriteResult(remote_id=note, raw=_raw(answer))

    async def schedule_interview(
        self, request: InterviewRequest, attribution: Attribution
    ) -> WriteResult:
        """``POST /opportunities/:id/panels?perform_as=<user>`` with one interview
        (``subject``, ``interviewers``, ``date`` in ms, ``duration`` in minutes): Lever
        creates interviews only as panels. The interviewer is the request's, else the
        acting recruiter; the result names the interview Lever created."""
        opportunity = _path_id(request.application_remote_id, "opportunity")
        interviewer = request.interviewer or attribution
        body = {
            "timezone": "UTC",
            "interviews": [
                {
                    "subject": request.interview_type,
                    "interviewers": [{"id": interviewer.remote_id}],
                    "date": _epoch_ms(request.scheduled_at),
                    "duration": INTERVIEW_MINUTES,
                }
            ],
        }
        answer = await self.http.json(
            "POST",
            f"/opportunities/{opportunity}/panels",
            params=_acting(attribution),
            json=body,
        )
        panel = lenient.mapping(lenient.mapping(answer).get("data"))
        interview = lenient.identifier(lenient.dig(lenient.objects(panel.get("interviews")), 0))
        return WriteResult(
            remote_id=interview or lenient.identifier(panel.get("id")), raw=_raw(answer)
        )


def _updated(record: Mapping[str, Any]) -> int:
    return lenient.integer(record.get("updatedAt")) or 0


def _raw(answer: Any) -> Mapping[str, Any]:
    return answer if isinstance(answer, dict) else {}
