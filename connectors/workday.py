"""Workday Recruiting (REST v4): job postings, prospects and interviews.

    connector = WorkdayConnector.create(client, credentials, {}, integration="9:workday")
    async for job in connector.jobs():          # GET /jobPostings, limit/offset paging
        ...
    async for interview in connector.interviews():
        ...
    [prospect] = await connector.get_candidates(["3aa5550b7fe348b98d7b5741afc65534"])

Credentials (the integration's encrypted blob): ``tenantUrl`` (e.g.
``https://wd2-impl-services1.workday.com``), ``tenantId`` (e.g. ``acme``),
``clientId``, ``clientSecret`` and ``refreshToken`` of an API client for integrations.

What the API (``workday-recruiting-v4.json``) offers, and so what this connector does:

- Auth: OAuth2 refresh-token grant at ``{tenantUrl}/ccx/oauth2/{tenant}/token``
  (``WorkdayAuth``); the API is at ``{tenantUrl}/ccx/api/recruiting/v4/{tenant}``.
- Lists answer ``{"total": N, "data": [...]}`` and page with ``limit`` (default 20,
  at most 100) and ``offset`` (0-based).
- Jobs are job postings (``GET /jobPostings``). No resource carries an update time
  and no list takes an updated-since filter: every read is a full read
  (``updated_since`` is accepted and ignored) and ``remote_updated_at`` stays ``None``.
- Prospects can be read one at a time (``GET /prospects/{ID}``) but not listed: there
  is no ``GET /prospects``, so ``candidates()`` yields nothing and ``get_candidates``
  reads by id. A prospect carries no job application, so there are no applications
  (and ``get_applications`` refuses: no ``APPLICATIONS_BY_CANDIDATE``).
- Interviews (``GET /interviews``) name their job application, requisition and
  interviewers, but not a time.
- The API's writes (creating prospects and their skills, educations, experiences,
  languages and resumes; submitting interview feedback) match no write of the
  connector contract, so this connector writes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any, ClassVar, Self, TypedDict
from urllib.parse import quote

import httpx
from aiolimiter import AsyncLimiter

from connectors.base import Capability, ConnectorBase, ConnectorContext
from connectors.errors import ConfigurationError, InvalidResponseError, NotFoundError
from connectors.http import HttpClient, OffsetPaginator, Sleep
from connectors.models import (
    CheckResult,
    InterviewState,
    JobState,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
)
from connectors.oauth import ClientCredentials, OnTokens, RefreshTokenAuth

MAX_PAGE_SIZE = 100
"""Workday's ``limit`` maximum; it refuses more."""


def token_url(tenant_url: str, tenant: str) -> str:
    """token_url("https://wd2.workday.com", "acme")
    # -> "https://wd2.workday.com/ccx/oauth2/acme/token"
    """
    return f"{tenant_url.rstrip('/')}/ccx/oauth2/{tenant}/token"


def authorization_endpoint(tenant_url: str, tenant: str) -> str:
    """Where ``connectors.oauth.authorization_url`` sends the user:
    ``{tenantUrl}/{tenant}/authorize``."""
    return f"{tenant_url.rstrip('/')}/{tenant}/authorize"


def api_base_url(tenant_url: str, tenant: str) -> str:
    return f"{tenant_url.rstrip('/')}/ccx/api/recruiting/v4/{tenant}"


# --- auth ---------------------------------------------------------------------------


class WorkdayAuth(RefreshTokenAuth):
    """Bearer tokens from the tenant's token endpoint, client authenticated with HTTP
    Basic; cached until 60 s before expiry, refreshed once on a 401, one refresh at a
    time (see ``RefreshTokenAuth``).

    auth = WorkdayAuth.from_credentials(credentials, on_tokens=save)
    # first request: POST {tenantUrl}/ccx/oauth2/{tenant}/token
    #   grant_type=refresh_token&refresh_token=...; then "Authorization: Bearer <token>"
    """

    @classmethod
    def from_credentials(
        cls, credentials: Mapping[str, str], *, on_tokens: OnTokens | None = None
    ) -> Self:
        return cls(
            token_url(_credential(credentials, "tenantUrl"), _credential(credentials, "tenantId")),
            ClientCredentials(
                _credential(credentials, "clientId"), _credential(credentials, "clientSecret")
            ),
            _credential(credentials, "refreshToken"),
            on_tokens=on_tokens,
        )


def _credential(credentials: Mapping[str, str], name: str) -> str:
    value = credentials.get(name)
    if not value:
        raise ConfigurationError(f"missing credential {name!r}")
    return value


# --- raw shapes (the spec's definitions, the fields we read) ------------------------


class RawRef(TypedDict, total=False):
    """An instance reference: ``INSTANCE_MODEL_REFERENCE``."""

    id: str
    descriptor: str
    href: str


class RawLocation(RawRef, total=False):
    country: dict[str, Any]
    region: dict[str, Any]


class RawJobPosting(TypedDict, total=False):
    """``jobPostingAnchorSummary``."""

    id: str
    title: str
    jobDescription: str
    startDate: str
    endDate: str
    url: str
    spotlightJob: bool
    timeType: RawRef
    jobType: RawRef
    categories: list[RawRef]
    primaryLocation: RawLocation
    additionalLocations: list[RawLocation]
    company: RawRef
    jobSite: RawRef
    remoteType: dict[str, str]


class RawName(TypedDict, total=False):
    fullName: str
    firstName: str
    middleName: str
    lastName: str
    descriptor: str
    country: RawRef


class RawPhone(TypedDict, total=False):
    phoneNumber: str
    extension: str
    descriptor: str
    countryPhoneCode: RawRef
    deviceType: RawRef


class RawCandidate(TypedDict, total=False):
    """``candidateSummary``: the person behind a prospect."""

    id: str
    descriptor: str
    email: str
    name: RawName
    phone: RawPhone


class RawProspect(TypedDict, total=False):
    """``prospectSummary``."""

    id: str
    descriptor: str
    href: str
    candidate: RawCandidate
    status: RawRef
    source: RawRef
    type: RawRef
    level: RawRef
    referredBy: RawRef
    candidateTags: list[RawRef]
    candidatePools: list[RawRef]
    contactConsent: bool


class RawInterview(TypedDict, total=False):
    """``interviewEventWithJobApplicationJobRequisitionInterviewerDetails``."""

    id: str
    descriptor: str
    jobApplication: RawRef
    jobRequisition: RawRef
    interviewers: list[RawRef]
    interviewStatuses: list[RawRef]
    workersPendingFeedback: list[RawRef]
    overallRating: str
    overallComment: str
    giveInterviewFeedbackLink: str


# --- mapping ------------------------------------------------------------------------


def parse_date(value: str | None) -> datetime | None:
    """Workday ``Date`` fields come as ``2026-04-18T07:00:00.000Z`` or ``2026-04-18``.

    parse_date("2026-04-18T07:00:00.000Z") -> datetime(2026, 4, 18, 7, 0, tzinfo=UTC)
    parse_date("2026-04-18") -> datetime(2026, 4, 18, 0, 0, tzinfo=UTC)
    """
    if not value:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidResponseError(f"not a Workday date: {value[:40]!r}") from exc
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _descriptor(ref: Mapping[str, Any] | None) -> str | None:
    return ref.get("descriptor") if ref else None


def job_from_raw(raw: RawJobPosting, *, now: datetime | None = None) -> RemoteJob:
    """A job posting as a job: closed once its ``endDate`` has passed.

    job_from_raw({"id": "a1", "title": "Nurse", "startDate": "2026-04-18"})
    # -> RemoteJob(remote_id="a1", title="Nurse", status="open", opened_at=2026-04-18 UTC)
    """
    opened_at = parse_date(raw.get("startDate"))
    closed_at = parse_date(raw.get("endDate"))
    ended = closed_at is not None and closed_at <= (now or datetime.now(UTC))
    status: JobState = "closed" if ended else "open"
    categories = raw.get("categories") or []
    return RemoteJob(
        remote_id=raw["id"],
        raw=raw,
        remote_updated_at=None,
        title=raw.get("title") or "",
        status=status,
        description=raw.get("jobDescription"),
        location=_descriptor(raw.get("primaryLocation")),
        department=_descriptor(categories[0]) if categories else None,
        employment_type=_descriptor(raw.get("timeType")),
        opened_at=opened_at,
        closed_at=closed_at if ended else None,
    )


def candidate_from_raw(raw: RawProspect) -> RemoteCandidate:
    """A prospect as a candidate: the name, email and phone of ``raw["candidate"]``.

    candidate_from_raw({"id": "p1", "candidate": {"email": "ada@example.com",
                        "name": {"firstName": "Ada", "lastName": "Lovelace"}}})
    # -> RemoteCandidate(remote_id="p1", name="Ada Lovelace", email="ada@example.com", ...)
    """
    person = raw.get("candidate") or {}
    name = person.get("name") or {}
    first, last = name.get("firstName"), name.get("lastName")
    full = (
        name.get("fullName")
        or " ".join(part for part in (first, last) if part)
        or name.get("descriptor")
        or person.get("descriptor")
        or raw.get("descriptor")
        or ""
    )
    phone = person.get("phone") or {}
    return RemoteCandidate(
        remote_id=raw["id"],
        raw=raw,
        remote_updated_at=None,
        name=full,
        first_name=first,
        last_name=last,
        email=person.get("email"),
        phone=phone.get("phoneNumber") or phone.get("descriptor"),
        source=_descriptor(raw.get("source")),
        tags=tuple(
            tag["descriptor"] for tag in raw.get("candidateTags") or [] if "descriptor" in tag
        ),
    )


_FEEDBACK_STATUSES = frozenset(
    {
        "AWAITING_ME",
        "PENDING_FEEDBACK",
        "SUBMITTED_FEEDBACK",
        "FEEDBACK_COMPLETE",
        "MAKE_INTERVIEW_DECISION",
    }
)


def _status_code(ref: RawRef) -> str:
    """``SCHEDULED`` from an id ``SCHEDULED`` or ``Interview_Status_ID=SCHEDULED``, or
    from a descriptor ``Scheduled``."""
    ident = ref.get("id") or ""
    code = ident.split("=", 1)[1] if "=" in ident else ident
    if code.replace("_", "").isalpha() and code.isupper():
        return code
    return (ref.get("descriptor") or "").strip().upper().replace(" ", "_")


def interview_state(statuses: Sequence[RawRef]) -> InterviewState:
    """The event's statuses, most advanced first: ``COMPLETED`` is completed; waiting
    for feedback or a decision is in progress; ``SCHEDULED`` and ``NOT_SCHEDULED``
    (no time fixed yet) are scheduled."""
    codes = {_status_code(ref) for ref in statuses}
    if "COMPLETED" in codes:
        return "completed"
    if codes & _FEEDBACK_STATUSES:
        return "in_progress"
    return "scheduled"


def interview_from_raw(raw: RawInterview) -> RemoteInterview:
    """An interview event, tied to its job application; the first interviewer is the
    interviewer.

    interview_from_raw({"id": "i1", "jobApplication": {"id": "ja1"},
                        "interviewStatuses": [{"id": "SCHEDULED"}]})
    # -> RemoteInterview(remote_id="i1", application_remote_id="ja1", status="scheduled")
    """
    application = raw.get("jobApplication") or {}
    interviewers = raw.get("interviewers") or []
    return RemoteInterview(
        remote_id=raw["id"],
        raw=raw,
        remote_updated_at=None,
        application_remote_id=application.get("id"),
        status=interview_state(raw.get("interviewStatuses") or []),
        interviewer_remote_id=interviewers[0].get("id") if interviewers else None,
    )


# --- the connector ------------------------------------------------------------------


class WorkdayConnector(ConnectorBase):
    """Reads job postings, prospects (by id) and interviews; see the module docstring
    for what the API does not offer."""

    provider: ClassVar[str] = "workday"
    capabilities: ClassVar[Capability] = Capability.INTERVIEWS
    required_credentials: ClassVar[tuple[str, ...]] = (
        "tenantUrl",
        "tenantId",
        "clientId",
        "clientSecret",
        "refreshToken",
    )

    def __init__(self, context: ConnectorContext, *, page_size: int = MAX_PAGE_SIZE) -> None:
        super().__init__(context)
        self.page_size = max(1, min(page_size, MAX_PAGE_SIZE))

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
        """Base URL: ``config["baseUrl"]`` or ``{tenantUrl}/ccx/api/recruiting/v4/{tenant}``.
        To store a rotated refresh token, set ``connector.auth.on_tokens``."""
        auth = WorkdayAuth.from_credentials(credentials)
        base_url = config.get("baseUrl") or api_base_url(
            _credential(credentials, "tenantUrl"), _credential(credentials, "tenantId")
        )
        http = HttpClient(
            client,
            base_url=base_url,
            integration=integration,
            auth=auth,
            headers={"Accept": "application/json"},
            rate_limit=rate_limit,
            sleep=sleep,
        )
        context = ConnectorContext(http=http, credentials=credentials, config=config)
        return cls(context, page_size=int(config.get("pageSize") or MAX_PAGE_SIZE))

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
                yield job_from_raw(raw)

    async def interviews(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteInterview]:
        """Every interview event (Workday cannot filter by update time)."""
        async for page in self.http.pages("/interviews", self._paginator()):
            for raw in page:
                yield interview_from_raw(raw)

    async def get_jobs(self, remote_ids: Sequence[str]) -> list[RemoteJob]:
        """``GET /jobPostings/{ID}`` for each id; unknown ids are left out."""
        return [job_from_raw(raw) for raw in await self._get_each("/jobPostings", remote_ids)]

    async def get_candidates(self, remote_ids: Sequence[str]) -> list[RemoteCandidate]:
        """``GET /prospects/{ID}`` for each id (the only way to read prospects)."""
        raws = await self._get_each("/prospects", remote_ids)
        return [candidate_from_raw(raw) for raw in raws]

    async def _get_each(self, collection: str, remote_ids: Sequence[str]) -> list[Any]:
        found = []
        for remote_id in dict.fromkeys(remote_ids):
            try:
                found.append(await self.http.get_json(f"{collection}/{quote(remote_id, safe='=')}"))
            except NotFoundError:
                continue
        return found
