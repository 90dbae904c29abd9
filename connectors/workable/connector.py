"""``WorkableConnector``: SPI v3 reads and writes over ``HttpClient``."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import httpx

from connectors import lenient
from connectors.assembly import Choice, ConnectorSettings, Count, Text, setting
from connectors.base import Capability, ConnectorBase
from connectors.errors import (
    ConfigurationError,
    InvalidResponseError,
    NotFoundError,
    UnprocessableError,
)
from connectors.http import Params
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
from connectors.workable.auth import WorkableAuth
from connectors.workable.records import (
    application_from_raw,
    candidate_from_raw,
    interview_from_raw,
    job_from_raw,
    stages_from_raw,
    user_from_raw,
)

MAX_PAGE_SIZE = 100
"""``limit`` of a list request: Workable's default is 50, its maximum 100."""
NOTE_LIMIT = 256
"""The longest ``disqualify_note`` Workable takes."""
SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass(frozen=True, kw_only=True)
class WorkableSettings(ConnectorSettings):
    page_size: int = setting(
        "pageSize", Count(default=MAX_PAGE_SIZE, maximum=MAX_PAGE_SIZE, clamp=True)
    )
    member_id: str | None = setting("memberId", Text())
    """The Workable member writes are made as when no recruiter is named (Workable
    requires a ``member_id`` on every write)."""
    stage_history: str = setting("stageHistory", Choice(("on", "off"), default="on"))
    """``on``: each candidate's activities are read for its stage moves (one request per
    candidate per sync); ``off``: an application's history is its current stage only."""
    job_owners: str = setting("jobOwners", Choice(("on", "off"), default="on"))
    """``on``: each job's hiring team (``GET /jobs/:shortcode/members``, one request per
    job read) names its owner; ``off``: Workable jobs have no owner here."""


def base_url_for(subdomain: str) -> str:
    """``https://<subdomain>.workable.com/spi/v3``. The credential may be the subdomain
    or the account's address (``https://acme.workable.com``): only its first DNS label is
    taken, so whatever it says the token goes to a ``workable.com`` host; no label is
    ``ConfigurationError``."""
    value = subdomain.strip()
    host = (urlsplit(value).hostname or "") if "://" in value else value.split("/")[0]
    label = host.split(".")[0].lower()
    if not SUBDOMAIN.fullmatch(label):
        raise ConfigurationError("credential subdomain must be the account's Workable subdomain")
    return f"https://{label}.workable.com/spi/v3"


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


@dataclass
class WorkablePaginator:
    """``limit`` on the first request, then ``paging.next`` (a full URL carrying
    ``since_id``) as given, only while it stays on the API's own origin: a link
    elsewhere would carry the bearer token to another host."""

    items_key: str
    origin: tuple[str, str]
    size: int = MAX_PAGE_SIZE

    def first(self, params: Params) -> Params:
        return {**params, "limit": self.size}

    def items(self, body: Any) -> list[Any]:
        if body is None:
            return []
        if not isinstance(body, dict):
            raise InvalidResponseError(f"expected an object with a {self.items_key!r} list")
        found = body.get(self.items_key)
        if found is None:
            return []
        if not isinstance(found, list):
            raise InvalidResponseError(f"expected an object with a {self.items_key!r} list")
        return found

    def next(
        self, request: Params | str, response: httpx.Response, body: Any, items: list[Any]
    ) -> str | None:
        following = lenient.text(lenient.dig(body, "paging", "next"))
        if not items or not following or _origin(following) != self.origin:
            return None
        return following


def _since(updated_since: datetime | None) -> Params:
    """``updated_after=2026-01-01T00:00:00Z`` (ISO-8601, Workable's incremental filter)."""
    if updated_since is None:
        return {}
    return {"updated_after": updated_since.isoformat().replace("+00:00", "Z")}


def _path_id(remote_id: str, what: str) -> str:
    value = remote_id.strip()
    if not value or len(value) > 255 or "/" in value or not value.isprintable():
        raise UnprocessableError(f"not a Workable {what} id: {remote_id!r}")
    return quote(value, safe="")


class WorkableConnector(ConnectorBase):
    """Reads jobs, stages, candidates (with resume), applications (with their stage
    moves), interview events and members, fully or since a time; moves, disqualifies
    and comments as the acting Workable member."""

    provider: ClassVar[str] = "workable"
    capabilities: ClassVar[Capability] = (
        Capability.INCREMENTAL
        | Capability.WEBHOOKS
        | Capability.INTERVIEWS
        | Capability.USERS
        | Capability.MOVE_STAGE
        | Capability.REJECT
        | Capability.NOTES
        | Capability.ATTRIBUTION
    )
    required_credentials: ClassVar[tuple[str, ...]] = ("subdomain", "accessToken")
    settings_model = WorkableSettings
    settings: WorkableSettings
    passthrough_paths = ("/jobs", "/candidates", "/members", "/stages", "/events")

    @classmethod
    def default_base_url(cls, credentials: Mapping[str, str], settings: ConnectorSettings) -> str:
        return base_url_for(credentials["subdomain"])

    @classmethod
    def auth_for(cls, credentials: Mapping[str, str], settings: ConnectorSettings) -> WorkableAuth:
        return WorkableAuth(credentials["accessToken"])

    async def check(self) -> CheckResult:
        """One member read: a bad or revoked token is ``AuthError``."""
        body = await self.http.get_json("/members", {"limit": 1})
        members = lenient.items(lenient.mapping(body).get("members"))
        return CheckResult(
            ok=True, detail=f"Workable SPI v3 reachable ({len(members)} member read)"
        )

    # reads

    async def _records(
        self, path: str, key: str, params: Params | None = None
    ) -> AsyncIterator[Any]:
        paginator = WorkablePaginator(key, _origin(self.http.base_url), self.page_size)
        async for page in self.http.pages(path, paginator, params):
            for raw in page:
                yield raw

    async def _detail(self, path: str, key: str) -> Mapping[str, Any] | None:
        body = await self.optional(
            f"Workable {key} details", self.http.get_json(path), None, quiet=(NotFoundError,)
        )
        if body is None:
            return None
        record = lenient.mapping(body)
        inner = record.get(key)
        return inner if isinstance(inner, Mapping) else record

    async def _hiring_team(self, raw: Any) -> list[Any]:
        """The job's ``GET /jobs/:shortcode/members``; none where it cannot be read (the
        job is then read without an owner rather than failed)."""
        shortcode = lenient.identifier(lenient.mapping(raw).get("shortcode"))
        if self.settings.job_owners == "off" or shortcode is None or "/" in shortcode:
            return []
        body = await self.optional(
            "Workable job hiring teams",
            self.http.get_json(f"/jobs/{quote(shortcode, safe='')}/members"),
            None,
            quiet=(NotFoundError, UnprocessableError),
        )
        return lenient.items(lenient.mapping(body).get("members"))

    async def jobs(self, updated_since: datetime | None = None) -> AsyncIterator[RemoteJob]:
        async for raw in self._records("/jobs", "jobs", _since(updated_since)):
            job = self.map_record("jobs", job_from_raw, raw, await self._hiring_team(raw))
            if job is not None:
                yield job

    async def _with_details(self, raw: Any) -> Any:
        """A listed candidate with its ``GET /candidates/:id`` details (the resume URL
        is only there); the listed record as it is where the details cannot be read."""
        candidate_id = lenient.identifier(lenient.mapping(raw).get("id"))
        if not isinstance(raw, Mapping) or candidate_id is None or "/" in candidate_id:
            return raw
        details = await self._detail(f"/candidates/{quote(candidate_id, safe='')}", "candidate")
        return {**raw, **details} if details else raw

    async def candidates(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteCandidate]:
        async for raw in self._records("/candidates", "candidates", _since(updated_since)):
            candidate = self.map_record(
                "candidates", candidate_from_raw, await self._with_details(raw)
            )
            if candidate is not None:
                yield candidate

    async def _activities(self, raw: Any) -> list[Any]:
        candidate_id = lenient.identifier(lenient.mapping(raw).get("id"))
        if self.settings.stage_history == "off" or candidate_id is None or "/" in candidate_id:
            return []
        path = f"/candidates/{quote(candidate_id, safe='')}/activities"
        return await self.optional_all(
            "Workable candidate activities",
            self._records(path, "activities"),
            quiet=(NotFoundError,),
        )

    async def applications(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteApplication]:
        async for raw in self._records("/candidates", "candidates", _since(updated_since)):
            application = self.map_record(
                "applications", application_from_raw, raw, await self._activities(raw)
            )
            if application is not None:
                yield application

    async def interviews(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteInterview]:
        """``GET /events?type=interview``: Workable filters events by when they take
        place, not when they changed, so every read is a full one."""
        async for raw in self._records("/events", "events", {"type": "interview"}):
            interview = self.map_record("interviews", interview_from_raw, raw)
            if interview is not None:
                yield interview

    async def users(self) -> AsyncIterator[RemoteUser]:
        async for raw in self._records("/members", "members"):
            user = self.map_record("users", user_from_raw, raw)
            if user is not None:
                yield user

    async def _stage_records(self) -> list[Any]:
        body = await self.http.get_json("/stages")
        return lenient.items(lenient.mapping(body).get("stages"))

    async def stages(self) -> list[RemoteStage]:
        return stages_from_raw(await self._stage_records())

    async def get_jobs(self, remote_ids: Sequence[str]) -> list[RemoteJob]:
        """``GET /jobs/:shortcode`` for each (unknown shortcodes contribute nothing)."""
        found: list[RemoteJob] = []
        for shortcode in dict.fromkeys(remote_ids):
            try:
                path = f"/jobs/{_path_id(shortcode, 'job')}"
            except UnprocessableError:
                continue
            raw = await self._detail(path, "job")
            job = (
                self.map_record("jobs", job_from_raw, raw, await self._hiring_team(raw))
                if raw is not None
                else None
            )
            if job is not None:
                found.append(job)
        return found

    async def get_candidates(self, remote_ids: Sequence[str]) -> list[RemoteCandidate]:
        found: list[RemoteCandidate] = []
        for candidate_id in dict.fromkeys(remote_ids):
            try:
                path = f"/candidates/{_path_id(candidate_id, 'candidate')}"
            except UnprocessableError:
                continue
            raw = await self._detail(path, "candidate")
            candidate = (
                self.map_record("candidates", candidate_from_raw, raw) if raw is not None else None
            )
            if candidate is not None:
                found.append(candidate)
        return found

    # writes

    def _member(self, attribution: Attribution | None) -> str:
        member = attribution.remote_id if attribution is not None else self.settings.member_id
        if not member or not member.strip():
            raise UnprocessableError(
                "a Workable write needs a member: name the recruiter or set config memberId"
            )
        return member.strip()

    async def _stage_slug(self, stage: str) -> str:
        """The slug of the stage named ``stage`` (name or slug, case-insensitive)."""
        wanted = stage.strip().lower()
        for raw in await self._stage_records():
            record = lenient.mapping(raw)
            slug = lenient.identifier(record.get("slug"))
            name = (lenient.text(record.get("name")) or "").lower()
            if slug and wanted in (name, slug.lower()):
                return slug
        raise NotFoundError(f"no Workable stage named {stage!r}")

    async def _post(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """The write's answer as an object (``{}`` for an empty one)."""
        answer = await self.http.json("POST", path, json=dict(body))
        return answer if isinstance(answer, dict) else {}

    async def move_stage(
        self, application_remote_id: str, stage: str, attribution: Attribution | None
    ) -> WriteResult:
        """``POST /candidates/:id/move {"member_id": ..., "target_stage": "<slug>"}``."""
        candidate = _path_id(application_remote_id, "candidate")
        member = self._member(attribution)
        slug = await self._stage_slug(stage)
        answer = await self._post(
            f"/candidates/{candidate}/move", {"member_id": member, "target_stage": slug}
        )
        return WriteResult(remote_id=application_remote_id, raw=answer)

    async def reject(
        self, application_remote_id: str, reason: str, attribution: Attribution | None
    ) -> WriteResult:
        """``POST /candidates/:id/disqualify {"member_id": ..., "disqualify_note":
        reason}`` (the note cut to Workable's 256 characters)."""
        candidate = _path_id(application_remote_id, "candidate")
        body: dict[str, Any] = {"member_id": self._member(attribution)}
        if reason.strip():
            body["disqualify_note"] = reason.strip()[:NOTE_LIMIT]
        answer = await self._post(f"/candidates/{candidate}/disqualify", body)
        return WriteResult(remote_id=application_remote_id, raw=answer)

    async def add_note(
        self, candidate_remote_id: str, text: str, attribution: Attribution | None
    ) -> WriteResult:
        """``POST /candidates/:id/comments {"member_id": ..., "comment": {"body": text}}``."""
        candidate = _path_id(candidate_remote_id, "candidate")
        if not text.strip():
            raise UnprocessableError("a Workable comment needs a body")
        body = {"member_id": self._member(attribution), "comment": {"body": text}}
        answer = await self._post(f"/candidates/{candidate}/comments", body)
        return WriteResult(
            remote_id=lenient.identifier(answer.get("id")) or candidate_remote_id, raw=answer
        )
