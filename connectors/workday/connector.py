"""``WorkdayConnector``: paged reads of postings and interviews, lookups by id, and the
applications and applicants the interviews name.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote

from connectors.assembly import ConnectorSettings, Count, setting
from connectors.base import Capability, ConnectorBase, ConnectorContext
from connectors.errors import AuthError, InvalidResponseError, NotFoundError, UnprocessableError
from connectors.http import OffsetPaginator
from connectors.lenient import dig, items
from connectors.models import (
    CheckResult,
    RemoteApplication,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
)
from connectors.oauth import RefreshTokenAuth
from connectors.workday.applications import (
    application_from_event,
    candidate_from_application,
    requisition_of,
)
from connectors.workday.auth import WorkdayAuth, api_base_url
from connectors.workday.mapping import (
    candidate_from_raw,
    interview_from_raw,
    job_from_raw,
    ref_id,
    resume_attachment_id,
)

MAX_PAGE_SIZE = 100
"""Workday's ``limit`` maximum; it refuses more."""

LOOKUP_CONCURRENCY = 8
"""Reads by id (prospects, postings, a requisition's postings) in flight at once."""

_R = TypeVar("_R")
_MISSING: Any = object()


@dataclass(frozen=True, kw_only=True)
class WorkdaySettings(ConnectorSettings):
    page_size: int = setting(
        "pageSize", Count(default=MAX_PAGE_SIZE, maximum=MAX_PAGE_SIZE, clamp=True)
    )


class WorkdayConnector(ConnectorBase):
    """Reads job postings, prospects (by id), interviews and the job applications and
    applicants the interviews name; see the package docstring for what the API does not
    offer."""

    provider: ClassVar[str] = "workday"
    capabilities: ClassVar[Capability] = Capability.INTERVIEWS
    required_credentials: ClassVar[tuple[str, ...]] = (
        "tenantUrl",
        "tenantId",
        "clientId",
        "clientSecret",
        "refreshToken",
    )

    settings_model = WorkdaySettings
    passthrough_paths = ("/jobPostings", "/prospects", "/interviews")

    def __init__(
        self, context: ConnectorContext, settings: ConnectorSettings | None = None
    ) -> None:
        super().__init__(context, settings)
        self._events: list[Any] | None = None

    @classmethod
    def default_base_url(cls, credentials: Mapping[str, str], settings: ConnectorSettings) -> str:
        """``{tenantUrl}/ccx/api/recruiting/v4/{tenant}`` (``config["baseUrl"]`` overrides it)."""
        return api_base_url(credentials["tenantUrl"], credentials["tenantId"])

    @classmethod
    def auth_for(cls, credentials: Mapping[str, str], settings: ConnectorSettings) -> WorkdayAuth:
        return WorkdayAuth.from_credentials(credentials)

    @property
    def auth(self) -> RefreshTokenAuth:
        """The token keeper; ``connector.auth.on_tokens = save`` to persist rotations."""
        assert isinstance(self.http.auth, RefreshTokenAuth)
        return self.http.auth

    def _paginator(self) -> OffsetPaginator:
        return OffsetPaginator(
            items_key="data", offset_param="offset", count_param="limit", count=self.page_size
        )

    async def check(self) -> CheckResult:
        """Refreshes the token and reads one job posting:
        ``CheckResult(ok=True, detail="12 job postings")``; ``AuthError`` if refused."""
        body = await self.http.get_json("/jobPostings", params={"limit": 1, "offset": 0})
        total = body.get("total") if isinstance(body, dict) else None
        return CheckResult(ok=True, detail=f"{total if total is not None else '?'} job postings")

    async def jobs(self, updated_since: datetime | None = None) -> AsyncIterator[RemoteJob]:
        """Every job posting (Workday cannot filter by update time)."""
        async for page in self.http.pages("/jobPostings", self._paginator()):
            for raw in page:
                job = self.map_record("jobs", job_from_raw, raw)
                if job is not None:
                    yield job

    async def interviews(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteInterview]:
        """Every interview event (Workday cannot filter by update time)."""
        async for page in self.http.pages("/interviews", self._paginator()):
            for raw in page:
                interview = self.map_record("interviews", interview_from_raw, raw)
                if interview is not None:
                    yield interview

    async def candidates(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteCandidate]:
        """The applicant of each job application the interview events name, once each
        (see ``candidate_from_application``)."""
        for event in await self._application_events():
            candidate = self.map_record("candidates", candidate_from_application, event)
            if candidate is not None:
                yield candidate

    async def applications(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteApplication]:
        """One application per job application the interview events name, for the job
        posting of the event's requisition (see ``application_from_event``)."""
        events = await self._application_events()
        postings = await self._postings_by_requisition(
            [found for found in map(requisition_of, events) if found]
        )
        for event in events:
            application = self.map_record(
                "applications", application_from_event, event, postings=postings
            )
            if application is not None:
                yield application

    async def _application_events(self) -> list[Any]:
        """The first interview event of each job application, read once per connector
        (the candidates and applications of one sync share the read). Events naming no
        job application are left to ``interviews()``, which reports them."""
        if self._events is None:
            events: list[Any] = []
            async for page in self.http.pages("/interviews", self._paginator()):
                events.extend(page)
            self._events = events
        first: dict[str, Any] = {}
        for event in self._events:
            application_id = (
                ref_id(event.get("jobApplication")) if isinstance(event, Mapping) else None
            )
            if application_id is not None:
                first.setdefault(application_id, event)
        return list(first.values())

    async def _postings_by_requisition(self, requisitions: Sequence[str]) -> dict[str, str]:
        """Requisition id -> its job posting, from ``GET /jobPostings?jobRequisition=``
        (the smallest posting id when several share the requisition); requisitions with
        no posting, or whose postings the tenant will not list, are left out."""

        async def posting_of(requisition: str) -> str | None:
            params = {"jobRequisition": requisition, "limit": MAX_PAGE_SIZE}
            try:
                body = await self.http.get_json("/jobPostings", params=params)
            except (NotFoundError, UnprocessableError, InvalidResponseError):
                return None
            ids = [found for found in map(ref_id, items(dig(body, "data"))) if found]
            return min(ids) if ids else None

        found = await self._each(requisitions, posting_of)
        return {requisition: posting for requisition, posting in found if posting is not None}

    async def _each(
        self, keys: Sequence[str], read: Callable[[str], Awaitable[_R]]
    ) -> list[tuple[str, _R]]:
        """``read(key)`` for each distinct key, ``LOOKUP_CONCURRENCY`` at a time, in the
        keys' order; the first error cancels the rest and is raised."""
        gate = asyncio.Semaphore(LOOKUP_CONCURRENCY)

        async def one(key: str) -> tuple[str, _R]:
            async with gate:
                return key, await read(key)

        tasks = [asyncio.ensure_future(one(key)) for key in dict.fromkeys(keys)]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    async def get_jobs(self, remote_ids: Sequence[str]) -> list[RemoteJob]:
        """``GET /jobPostings/{ID}`` for each id; unknown ids are left out."""
        raws = await self._get_each("/jobPostings", remote_ids)
        jobs = (self.map_record("jobs", job_from_raw, raw) for _, raw in raws)
        return [job for job in jobs if job is not None]

    async def get_candidates(self, remote_ids: Sequence[str]) -> list[RemoteCandidate]:
        """``GET /prospects/{ID}`` for each id (the only way to read prospects), and its
        ``resumeAttachments`` for the resume: ``resume_url`` is the first resume's file
        (``.../resumeAttachments/{file}?type=viewFile``, read with the same bearer token)."""
        found = []
        for remote_id, raw in await self._get_each("/prospects", remote_ids):
            resume = await self._resume_url(remote_id)
            candidate = self.map_record("candidates", candidate_from_raw, raw, resume_url=resume)
            if candidate is not None:
                found.append(candidate)
        return found

    async def _resume_url(self, prospect_id: str) -> str | None:
        """The prospect's first resume file, ``None`` when it has none (or the API
        refuses the attachments, which needs the ``Candidate Data: Attachments`` domain)."""
        path = f"/prospects/{quote(prospect_id, safe='=')}/resumeAttachments"
        try:
            body = await self.http.get_json(path, params={"limit": 1, "offset": 0})
        except (NotFoundError, AuthError, UnprocessableError, InvalidResponseError):
            return None
        attachment = resume_attachment_id(body)
        if attachment is None:
            return None
        return self.http.url(f"{path}/{quote(attachment, safe='=')}") + "?type=viewFile"

    async def _get_each(self, collection: str, remote_ids: Sequence[str]) -> list[tuple[str, Any]]:
        """``GET {collection}/{ID}`` for each distinct id, ``LOOKUP_CONCURRENCY`` at a time;
        unknown ids are left out."""

        async def read(remote_id: str) -> Any:
            try:
                return await self.http.get_json(f"{collection}/{quote(remote_id, safe='=')}")
            except NotFoundError:
                return _MISSING

        found = await self._each(remote_ids, read)
        return [(remote_id, raw) for remote_id, raw in found if raw is not _MISSING]
