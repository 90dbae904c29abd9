"""``AshbyConnector``: Ashby's RPC API read and written over ``HttpClient``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, TypeVar

import httpx

from connectors import lenient
from connectors.ashby.records import (
    application_from_raw,
    candidate_from_raw,
    interview_from_raw,
    interview_plan_ids,
    job_from_raw,
    resume_handle,
    stages_from_raw,
    updated_at,
    user_from_raw,
)
from connectors.ashby.rpc import AshbyRpc, StaleSyncToken
from connectors.assembly import ConnectorSettings, Count, setting
from connectors.base import Capability, ConnectorBase, ConnectorContext
from connectors.errors import FatalError, NotFoundError, UnprocessableError
from connectors.kit.reasons import named_or_first
from connectors.models import (
    Attribution,
    CheckResult,
    RemoteApplication,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
    RemoteStage,
    RemoteUser,
    WriteResult,
)

DEFAULT_BASE_URL = "https://api.ashbyhq.com"
MAX_PAGE_SIZE = 100
ARCHIVED = "archived"
NOTE_PREFIX = "[talentgraph] "
SYNC_TOKEN_ENDPOINTS = frozenset(
    {"job.list", "candidate.list", "application.list", "interviewSchedule.list"}
)
"""The list endpoints the sync reads whose request schema takes a ``syncToken``."""

logger = logging.getLogger(__name__)

_T = TypeVar("_T")


@dataclass(frozen=True, kw_only=True)
class AshbySettings(ConnectorSettings):
    page_size: int = setting("pageSize", Count(default=MAX_PAGE_SIZE, maximum=MAX_PAGE_SIZE))


def _changed_since(raw: Any, since: datetime | None) -> bool:
    """Ashby's list endpoints filter on nothing but ``createdAfter``; a read since a time
    keeps what was updated then or later, and what does not say when it was."""
    if since is None:
        return True
    moment = updated_at(raw)
    return moment is None or moment >= since


def attributed(text: str, attribution: Attribution | None) -> str:
    """The note as Ashby will show it: the API records the API key's user as its author
    and takes no other, so the recruiter it is written for is named in the text."""
    if attribution is None:
        return text
    who = attribution.email or f"Ashby user {attribution.remote_id}"
    return f"{NOTE_PREFIX}Written for {who}:\n{text}"


class AshbyConnector(ConnectorBase):
    """Reads jobs, interview stages, candidates (resume included), applications with
    their stage history, interview schedules and users, fully or since a time; moves
    applications between stages, archives them with a reason, and adds candidate notes
    naming the recruiter they were written for."""

    provider: ClassVar[str] = "ashby"
    capabilities: ClassVar[Capability] = (
        Capability.INCREMENTAL
        | Capability.WEBHOOKS
        | Capability.INTERVIEWS
        | Capability.USERS
        | Capability.MOVE_STAGE
        | Capability.REJECT
        | Capability.NOTES
        | Capability.APPLICATIONS_BY_CANDIDATE
    )
    required_credentials: ClassVar[tuple[str, ...]] = ("apiKey",)
    settings_model = AshbySettings
    settings: AshbySettings
    base_url = DEFAULT_BASE_URL
    default_headers: ClassVar[Mapping[str, str]] = {"Accept": "application/json; version=1"}
    passthrough_paths = (
        "/job.list",
        "/job.info",
        "/candidate.list",
        "/candidate.info",
        "/application.list",
        "/application.info",
        "/interviewStage.list",
        "/user.list",
    )

    @classmethod
    def auth_for(cls, credentials: Mapping[str, str], settings: ConnectorSettings) -> httpx.Auth:
        """HTTP Basic with the API key as user name and an empty password."""
        return httpx.BasicAuth(credentials["apiKey"], "")

    def __init__(
        self, context: ConnectorContext, settings: ConnectorSettings | None = None
    ) -> None:
        super().__init__(context, settings)
        self.rpc = AshbyRpc(self.http)

    async def check(self) -> CheckResult:
        """One ``user.list`` call: a missing key is 401, a wrong or deactivated one 403,
        a key without the Organization read permission ``missing_endpoint_permission``;
        each an ``AuthError``."""
        users = await self.rpc.call("user.list", {"limit": 1})
        count = len(users) if isinstance(users, list) else 0
        return CheckResult(ok=True, detail=f"Ashby API reachable ({count} user read)")

    # reads

    def cursors(self) -> dict[str, str]:
        """The ``syncToken`` of each incremental endpoint read to its end in this run."""
        return {
            endpoint: token
            for endpoint, token in self.rpc.last_sync_token.items()
            if endpoint in SYNC_TOKEN_ENDPOINTS
        }

    async def _records(
        self, endpoint: str, since: datetime | None = None, body: Mapping[str, Any] | None = None
    ) -> AsyncIterator[Any]:
        """Every record, or those changed ``since``: through the ``syncToken`` the last
        run kept for the endpoint when there is one, else a whole read filtered on
        ``updatedAt``. A token Ashby will not serve means the whole read (its guide);
        records the token's read already gave are then given again, unchanged."""
        token = self.resume_cursors.get(endpoint) if since is not None and not body else None
        if token and endpoint in SYNC_TOKEN_ENDPOINTS:
            try:
                async for page in self.rpc.pages(
                    endpoint, {"syncToken": token}, size=self.page_size
                ):
                    for raw in page:
                        yield raw
                return
            except StaleSyncToken as exc:
                logger.info("%s: %s; reading everything changed since %s", endpoint, exc, since)
        async for page in self.rpc.pages(endpoint, body or {}, size=self.page_size):
            for raw in page:
                if _changed_since(raw, since):
                    yield raw

    async def _mapped(
        self, entity: str, mapper: Callable[..., _T | None], raws: AsyncIterator[Any]
    ) -> AsyncIterator[_T]:
        async for raw in raws:
            record = self.map_record(entity, mapper, raw)
            if record is not None:
                yield record

    def jobs(self, updated_since: datetime | None = None) -> AsyncIterator[RemoteJob]:
        return self._mapped("jobs", job_from_raw, self._records("job.list", updated_since))

    async def _resume_url(self, raw: Any) -> str | None:
        """The signed URL ``file.info`` gives for the resume handle; a handle Ashby
        refuses (its demo data does) leaves the candidate without a resume."""
        handle = resume_handle(raw)
        if not handle:
            return None
        try:
            found = await self.rpc.call("file.info", {"fileHandle": handle})
        except FatalError:
            return None
        return lenient.text(lenient.mapping(found).get("url"), limit=4096)

    async def _candidate(self, raw: Any) -> RemoteCandidate | None:
        return self.map_record("candidates", candidate_from_raw, raw, await self._resume_url(raw))

    async def candidates(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteCandidate]:
        async for raw in self._records("candidate.list", updated_since):
            candidate = await self._candidate(raw)
            if candidate is not None:
                yield candidate

    def applications(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteApplication]:
        return self._mapped(
            "applications", application_from_raw, self._records("application.list", updated_since)
        )

    def interviews(self, updated_since: datetime | None = None) -> AsyncIterator[RemoteInterview]:
        return self._mapped(
            "interviews", interview_from_raw, self._records("interviewSchedule.list", updated_since)
        )

    def users(self) -> AsyncIterator[RemoteUser]:
        return self._mapped("users", user_from_raw, self._records("user.list"))

    async def _plan_stages(self, plan_id: str) -> list[Any]:
        found = await self.rpc.call("interviewStage.list", {"interviewPlanId": plan_id})
        return found if isinstance(found, list) else []

    async def stages(self) -> list[RemoteStage]:
        """The stages of every interview plan the jobs use, in plan order."""
        plans: dict[str, None] = {}
        async for raw in self._records("job.list"):
            for plan in interview_plan_ids(raw):
                plans.setdefault(plan, None)
        raws: list[Any] = []
        for plan in plans:
            raws.extend(await self._plan_stages(plan))
        return stages_from_raw(raws)

    async def _info(self, endpoint: str, body: Mapping[str, Any]) -> Any | None:
        try:
            return await self.rpc.call(endpoint, body)
        except NotFoundError:
            return None

    async def get_jobs(self, remote_ids: Sequence[str]) -> list[RemoteJob]:
        found: list[RemoteJob] = []
        for remote_id in dict.fromkeys(remote_ids):
            raw = await self._info("job.info", {"id": remote_id})
            job = self.map_record("jobs", job_from_raw, raw) if raw is not None else None
            if job is not None:
                found.append(job)
        return found

    async def get_candidates(self, remote_ids: Sequence[str]) -> list[RemoteCandidate]:
        found: list[RemoteCandidate] = []
        for remote_id in dict.fromkeys(remote_ids):
            raw = await self._info("candidate.info", {"id": remote_id})
            candidate = await self._candidate(raw) if raw is not None else None
            if candidate is not None:
                found.append(candidate)
        return found

    async def get_applications(
        self, candidate_remote_ids: Sequence[str]
    ) -> list[RemoteApplication]:
        """``candidate.info`` names each candidate's ``applicationIds``; each is read with
        ``application.info`` (history included). Unknown candidates contribute nothing."""
        found: list[RemoteApplication] = []
        for candidate_id in dict.fromkeys(candidate_remote_ids):
            candidate = await self._info("candidate.info", {"id": candidate_id})
            for value in lenient.items(lenient.mapping(candidate).get("applicationIds")):
                application_id = lenient.identifier(value)
                if not application_id:
                    continue
                raw = await self._info("application.info", {"applicationId": application_id})
                application = (
                    self.map_record("applications", application_from_raw, raw)
                    if raw is not None
                    else None
                )
                if application is not None:
                    found.append(application)
        return found

    # writes

    async def _application_stages(self, application_id: str) -> list[Mapping[str, Any]]:
        """The stages of the interview plan the application is in (its current stage's
        ``interviewPlanId``, else its job's default plan)."""
        application = await self.rpc.call("application.info", {"applicationId": application_id})
        record = lenient.mapping(application)
        plan = lenient.identifier(lenient.dig(record, "currentInterviewStage", "interviewPlanId"))
        if plan is None:
            job_id = lenient.identifier(record.get("job")) or lenient.identifier(
                record.get("jobId")
            )
            job = await self.rpc.call("job.info", {"id": job_id}) if job_id else None
            plans = interview_plan_ids(job)
            plan = plans[0] if plans else None
        if plan is None:
            raise NotFoundError("the Ashby application is in no interview plan")
        return lenient.objects(await self._plan_stages(plan))

    async def _change_stage(self, body: Mapping[str, Any]) -> Mapping[str, Any]:
        answer = await self.rpc.call("application.changeStage", body, read=False)
        return lenient.mapping(answer)

    async def move_stage(
        self, application_remote_id: str, stage: str, attribution: Attribution | None
    ) -> WriteResult:
        """``application.changeStage {"applicationId", "interviewStageId"}`` to the stage
        of that title (case-insensitive) in the application's plan. Ashby records the
        API key's user as the mover: no field names anyone else."""
        wanted = stage.strip().lower()
        for record in await self._application_stages(application_remote_id):
            title = (lenient.text(record.get("title")) or "").lower()
            stage_id = lenient.identifier(record.get("id"))
            if title == wanted and stage_id:
                answer = await self._change_stage(
                    {"applicationId": application_remote_id, "interviewStageId": stage_id}
                )
                return WriteResult(remote_id=application_remote_id, raw=answer)
        raise NotFoundError(f"no Ashby stage named {stage!r} in the application's plan")

    async def _archive_reason_id(self, reason: str) -> str:
        """The archive reason whose ``text`` is ``reason`` (case-insensitive), else the
        account's first: an Archived stage requires one. The list takes no ``limit``."""
        found = await named_or_first(
            self._archive_reasons(),
            reason,
            name=lambda r: lenient.text(r.get("text"), "text", "title"),
            usable=lambda r: not lenient.boolean(r.get("isArchived")),
        )
        if found is None:
            raise NotFoundError("the Ashby account has no archive reasons")
        return found

    async def _archive_reasons(self) -> AsyncIterator[Any]:
        async for page in self.rpc.pages("archiveReason.list", {}, size=None):
            for raw in page:
                yield raw

    async def reject(
        self, application_remote_id: str, reason: str, attribution: Attribution | None
    ) -> WriteResult:
        """Archiving is Ashby's rejection: ``application.changeStage`` to the plan's stage
        of type ``Archived`` with an ``archiveReasonId``."""
        archived = next(
            (
                lenient.identifier(record.get("id"))
                for record in await self._application_stages(application_remote_id)
                if (lenient.text(record.get("type")) or "").lower() == ARCHIVED
            ),
            None,
        )
        if archived is None:
            raise UnprocessableError("the application's Ashby plan has no Archived stage")
        answer = await self._change_stage(
            {
                "applicationId": application_remote_id,
                "interviewStageId": archived,
                "archiveReasonId": await self._archive_reason_id(reason),
            }
        )
        return WriteResult(remote_id=application_remote_id, raw=answer)

    async def add_note(
        self, candidate_remote_id: str, text: str, attribution: Attribution | None
    ) -> WriteResult:
        """``candidate.createNote`` as plain text, naming the recruiter (``attributed``);
        subscribers are not notified."""
        answer = lenient.mapping(
            await self.rpc.call(
                "candidate.createNote",
                {
                    "candidateId": candidate_remote_id,
                    "note": {"type": "text/plain", "value": attributed(text, attribution)},
                    "sendNotifications": False,
                },
                read=False,
            )
        )
        return WriteResult(remote_id=lenient.identifier(answer.get("id")), raw=answer)
