"""``GreenhouseConnector``: Harvest v3 reads and writes over ``HttpClient``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from connectors import lenient
from connectors.assembly import ConnectorSettings, Count, Text, setting
from connectors.base import Capability, ConnectorBase
from connectors.errors import NotFoundError, UnprocessableError
from connectors.greenhouse.auth import ACT_AS, TOKEN_URL, GreenhouseAuth
from connectors.greenhouse.records import (
    application_from_raw,
    candidate_from_raw,
    interview_from_raw,
    job_from_raw,
    stages_from_raw,
    user_from_raw,
)
from connectors.http import LinkHeaderPaginator, Params
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
from connectors.oauth import ClientCredentials

DEFAULT_BASE_URL = "https://harvest.greenhouse.io/v3"
MAX_PAGE_SIZE = 500
ID_BATCH = 50
"""Ids per ``ids=``/``candidate_ids=`` filter of one request."""


@dataclass(frozen=True, kw_only=True)
class GreenhouseSettings(ConnectorSettings):
    page_size: int = setting("pageSize", Count(default=MAX_PAGE_SIZE, maximum=MAX_PAGE_SIZE))
    token_url: str | None = setting("tokenUrl", Text())
    """Where client-credentials tokens are minted; ``auth.greenhouse.io/token`` unless
    a sandbox says otherwise."""


class SameOriginLinkPaginator(LinkHeaderPaginator):
    """``Link: <...>; rel="next"``, followed exactly as given (v3: the cursor must be
    the only parameter), but only to the API's own origin: a link elsewhere would carry
    our bearer token to another host."""

    def __init__(self, base_url: str, size: int) -> None:
        super().__init__(size=size)
        self.origin = _origin(base_url)

    def next(
        self, request: Params | str, response: httpx.Response, body: Any, items: list[Any]
    ) -> str | None:
        url = super().next(request, response, body, items)
        if url is None or _origin(url) != self.origin:
            return None
        return url


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _since(updated_since: datetime | None) -> Params:
    """v3's comparison filters: ``updated_at=gte|2026-01-01T00:00:00Z``."""
    if updated_since is None:
        return {}
    return {"updated_at": f"gte|{updated_since.isoformat().replace('+00:00', 'Z')}"}


def _is_id(value: str) -> bool:
    """Greenhouse ids are ASCII digits (``"²".isdigit()`` is true, ``int("²")`` fails)."""
    return value.isascii() and value.isdigit()


def _numeric(remote_id: str, what: str) -> str:
    if not _is_id(remote_id):
        raise UnprocessableError(f"not a Greenhouse {what} id: {remote_id!r}")
    return remote_id


def _acting(attribution: Attribution | None) -> dict[str, str]:
    if attribution is None:
        return {}
    return {ACT_AS: _numeric(attribution.remote_id, "user")}


class GreenhouseConnector(ConnectorBase):
    """Reads jobs, job stages, candidates (resume and attachments), applications,
    scheduled interviews and users, fully or since a time; moves and rejects as the
    acting Greenhouse user."""

    provider: ClassVar[str] = "greenhouse"
    capabilities: ClassVar[Capability] = (
        Capability.INCREMENTAL
        | Capability.WEBHOOKS
        | Capability.INTERVIEWS
        | Capability.USERS
        | Capability.MOVE_STAGE
        | Capability.REJECT
        | Capability.ATTRIBUTION
        | Capability.APPLICATIONS_BY_CANDIDATE
    )
    required_credentials: ClassVar[tuple[str, ...]] = ("clientId", "clientSecret", "userId")
    settings_model = GreenhouseSettings
    settings: GreenhouseSettings
    base_url = DEFAULT_BASE_URL
    passthrough_paths = ("/jobs", "/candidates", "/applications", "/users", "/job_stages")

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

    async def _records(self, path: str, params: Params | None = None) -> AsyncIterator[Any]:
        paginator = SameOriginLinkPaginator(self.http.base_url, self.page_size)
        async for page in self.http.pages(path, paginator, params):
            for raw in page:
                yield raw

    async def jobs(self, updated_since: datetime | None = None) -> AsyncIterator[RemoteJob]:
        async for raw in self._records("/jobs", _since(updated_since)):
            job = self.map_record("jobs", job_from_raw, raw)
            if job is not None:
                yield job

    async def candidates(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteCandidate]:
        async for raw in self._records("/candidates", _since(updated_since)):
            candidate = self.map_record("candidates", candidate_from_raw, raw)
            if candidate is not None:
                yield candidate

    async def _stage_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        async for raw in self._records("/job_stages"):
            record = lenient.mapping(raw)
            stage_id = lenient.identifier(record.get("id"))
            name = lenient.text(record.get("name"))
            if stage_id and name:
                names[stage_id] = name
        return names

    async def applications(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteApplication]:
        stages = await self._stage_names()
        async for raw in self._records("/applications", _since(updated_since)):
            application = self.map_record("applications", application_from_raw, raw, stages)
            if application is not None:
                yield application

    async def interviews(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteInterview]:
        async for raw in self._records("/scheduled_interviews", _since(updated_since)):
            interview = self.map_record("interviews", interview_from_raw, raw)
            if interview is not None:
                yield interview

    async def users(self) -> AsyncIterator[RemoteUser]:
        async for raw in self._records("/users"):
            user = self.map_record("users", user_from_raw, raw)
            if user is not None:
                yield user

    async def stages(self) -> list[RemoteStage]:
        return stages_from_raw([raw async for raw in self._records("/job_stages")])

    async def _by_ids(self, path: str, key: str, remote_ids: Sequence[str]) -> AsyncIterator[Any]:
        wanted = list(dict.fromkeys(i for i in remote_ids if _is_id(i)))
        for start in range(0, len(wanted), ID_BATCH):
            batch = ",".join(wanted[start : start + ID_BATCH])
            async for raw in self._records(path, {key: batch}):
                yield raw

    async def get_jobs(self, remote_ids: Sequence[str]) -> list[RemoteJob]:
        found = [
            self.map_record("jobs", job_from_raw, raw)
            async for raw in self._by_ids("/jobs", "ids", remote_ids)
        ]
        return [job for job in found if job is not None]

    async def get_candidates(self, remote_ids: Sequence[str]) -> list[RemoteCandidate]:
        found = [
            self.map_record("candidates", candidate_from_raw, raw)
            async for raw in self._by_ids("/candidates", "ids", remote_ids)
        ]
        return [candidate for candidate in found if candidate is not None]

    async def get_applications(
        self, candidate_remote_ids: Sequence[str]
    ) -> list[RemoteApplication]:
        """``GET /applications?candidate_ids=1,2``: a webhook's refetch; unknown and
        non-numeric ids contribute nothing, and nothing asked sends nothing."""
        if not any(_is_id(i) for i in candidate_remote_ids):
            return []
        stages = await self._stage_names()
        found = [
            self.map_record("applications", application_from_raw, raw, stages)
            async for raw in self._by_ids("/applications", "candidate_ids", candidate_remote_ids)
        ]
        return [application for application in found if application is not None]

    # writes

    async def _stage_id(self, application_id: str, stage: str) -> str:
        """The id of the stage called ``stage`` (case-insensitive) on the application's
        job: v3 moves by ``to_stage_id``."""
        body = await self.http.get_json(f"/applications/{application_id}")
        job_id = lenient.identifier(lenient.mapping(body).get("job_id")) or lenient.identifier(
            lenient.dig(lenient.objects(lenient.mapping(body).get("jobs")), 0)
        )
        params = {"job_id": job_id} if job_id else {}
        wanted = stage.strip().lower()
        async for raw in self._records("/job_stages", params):
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
        """``POST /v3/applications/{id}/move {"to_stage_id": 62828}`` as the acting user."""
        application_id = _numeric(application_remote_id, "application")
        stage_id = await self._stage_id(application_id, stage)
        answer = await self._post(
            f"/applications/{application_id}/move", {"to_stage_id": int(stage_id)}, attribution
        )
        return WriteResult(remote_id=application_remote_id, raw=_raw(answer))

    async def _rejection_reason_id(self, reason: str) -> str:
        """The rejection reason named ``reason`` (case-insensitive), else the account's
        first one: v3 requires a ``rejection_reason_id``, and the text goes in ``notes``
        either way."""
        first: str | None = None
        wanted = reason.strip().lower()
        async for raw in self._records("/rejection_reasons"):
            record = lenient.mapping(raw)
            reason_id = lenient.identifier(record.get("id"))
            if reason_id is None:
                continue
            first = first or reason_id
            if (lenient.text(record.get("name")) or "").lower() == wanted:
                return reason_id
        if first is None:
            raise NotFoundError("the Greenhouse account has no rejection reasons")
        return first

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


def _raw(answer: Any) -> Mapping[str, Any]:
    return answer if isinstance(answer, dict) else {}
