"""Jobvite: API v2 for requisitions and candidates, the Onboarding API for new hires.

Jobvite publishes no v2 reference; this module follows the facts in
``tests/fixtures/specs/README.md`` (Jobvite):

- base ``https://api.jobvite.com/api/v2`` (stage ``https://api-stage.jobvite.com/api/v2``),
  picked by ``config["environment"]`` (``prod``/``stage``), overridden by ``config["baseUrl"]``;
- auth by headers, plain (``x-jvi-api``/``x-jvi-sc``) or signed (``X-JVI-API``,
  ``X-JVI-EPOCH``, ``X-JVI-SIGN``), picked by ``config["authScheme"]``;
- ``GET /job`` and ``GET /candidate`` page with ``start`` (0-based) and ``count``
  (at most 500) and filter with ``datestart``/``dateend`` in epoch milliseconds;
  they answer ``{"total": N, "requisitions": [...]}`` and ``{"total": N, "candidates": [...]}``.

A Jobvite "candidate" row is one person *with one application* (``application``,
holding its ``eId``, ``workflowState`` and the ``job`` it is for): a person with two
applications appears twice, one with none appears without ``application``. So
``candidates()`` yields each person once per read, and ``applications()`` one
``RemoteApplication`` per row that has an application:

    connector = JobviteConnector.create(client, {"apiKey": "...", "apiSecret": "..."},
                                        {"environment": "stage"}, integration="7:jobvite")
    async for job in connector.jobs(updated_since=last_sync):   # GET /job?datestart=<ms>
        ...

Rows are read leniently (``connectors.lenient``): a row that cannot be mapped (no
``eId``, not an object) is reported through ``map_record`` and skipped, the listing goes
on. Requisitions carry their recruiter (``primaryRecruiter``/``recruiters``: the
``userId``, else the login email), candidates their resume link where a row has one
(``resume_url_of``). v2 lists no workflow, so ``stages()`` is ``WORKFLOW`` (or the
company's ``config["workflowStates"]``) in pipeline order.

v2 offers no documented write (not even a workflow-state move), so writes other
than onboarding refuse. With ``onboardingPrivateKey`` (the customer's PEM) and
``jobvitePublicKey`` configured, onboarding tasks are read and written through
``connectors.jobvite_onboarding``; without them ``onboarding_tasks()`` yields
nothing and onboarding writes raise ``ConfigurationError``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Literal, NotRequired, TypedDict
from urllib.parse import urlsplit

import httpx

from connectors.assembly import Choice, ConnectorSettings, Count, Text, setting
from connectors.base import Capability, ConnectorBase, ConnectorContext
from connectors.errors import ConfigurationError, MappingError
from connectors.http import OffsetPaginator, Params
from connectors.jobvite_onboarding import (
    JobviteOnboardingClient,
    OnboardingProcessRaw,
    status_error,
    task_from_raw,
    to_epoch_ms,
)
from connectors.lenient import (
    dig,
    first_text,
    identifier,
    items,
    mapping,
    objects,
    required,
    text,
    texts,
    timestamp,
)
from connectors.models import (
    ApplicationState,
    Attribution,
    CheckResult,
    JobState,
    OnboardingTaskDraft,
    RemoteApplication,
    RemoteCandidate,
    RemoteJob,
    RemoteOnboardingTask,
    RemoteStage,
    StageKind,
    WriteResult,
)

BASE_URLS = {
    "stage": "https://api-stage.jobvite.com/api/v2",
    "prod": "https://api.jobvite.com/api/v2",
}
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100

AuthScheme = Literal["plain", "signed"]


# --- auth ----------------------------------------------------------------------------


def signature(api_key: str, secret: str, epoch: int) -> str:
    """``X-JVI-SIGN``: base64(HMAC-SHA256(secret, f"{api_key}|{epoch}"))."""
    digest = hmac.new(secret.encode(), f"{api_key}|{epoch}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class JobviteAuth(httpx.Auth):
    """Adds Jobvite's credential headers to every request (and every retry).

    JobviteAuth("key", "secret")            # x-jvi-api: key, x-jvi-sc: secret
    JobviteAuth("key", "secret", "signed")  # X-JVI-API, X-JVI-EPOCH, X-JVI-SIGN (fresh epoch)
    """

    def __init__(
        self,
        api_key: str,
        secret: str,
        scheme: AuthScheme = "plain",
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._api_key = api_key
        self._secret = secret
        self.scheme = scheme
        self._clock = clock

    def __repr__(self) -> str:
        return f"JobviteAuth(scheme={self.scheme!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.scheme == "signed":
            epoch = int(self._clock())
            request.headers["X-JVI-API"] = self._api_key
            request.headers["X-JVI-EPOCH"] = str(epoch)
            request.headers["X-JVI-SIGN"] = signature(self._api_key, self._secret, epoch)
        else:
            request.headers["x-jvi-api"] = self._api_key
            request.headers["x-jvi-sc"] = self._secret
        yield request


# --- raw shapes ----------------------------------------------------------------------


class JobviteUserRaw(TypedDict, total=False):
    userId: str
    userName: str
    firstName: str
    lastName: str


class JobviteJobRaw(TypedDict):
    eId: str
    title: NotRequired[str | None]
    requisitionId: NotRequired[str | None]
    jobState: NotRequired[str | None]
    department: NotRequired[str | None]
    category: NotRequired[str | None]
    location: NotRequired[str | None]
    locationCity: NotRequired[str | None]
    locationState: NotRequired[str | None]
    locationCountry: NotRequired[str | None]
    jobType: NotRequired[str | None]
    description: NotRequired[str | None]
    briefDescription: NotRequired[str | None]
    company: NotRequired[str | None]
    primaryRecruiter: NotRequired[JobviteUserRaw | None]
    recruiters: NotRequired[list[JobviteUserRaw]]
    primaryHiringManager: NotRequired[JobviteUserRaw | None]
    hiringManagers: NotRequired[list[JobviteUserRaw]]
    createdDate: NotRequired[int | None]
    lastUpdatedDate: NotRequired[int | None]


class JobviteApplicationRaw(TypedDict):
    eId: str
    job: NotRequired[JobviteJobRaw | None]
    workflowState: NotRequired[str | None]
    workflowStateEId: NotRequired[str | None]
    disposition: NotRequired[str | None]
    source: NotRequired[str | None]
    sourceType: NotRequired[str | None]
    jobviteChannel: NotRequired[str | None]
    sentDate: NotRequired[int | None]
    lastUpdatedDate: NotRequired[int | None]


class JobviteCandidateRaw(TypedDict):
    eId: str
    firstName: NotRequired[str | None]
    lastName: NotRequired[str | None]
    email: NotRequired[str | None]
    homePhone: NotRequired[str | None]
    workPhone: NotRequired[str | None]
    mobile: NotRequired[str | None]
    location: NotRequired[str | None]
    city: NotRequired[str | None]
    state: NotRequired[str | None]
    country: NotRequired[str | None]
    title: NotRequired[str | None]
    companyName: NotRequired[str | None]
    lastUpdatedDate: NotRequired[int | None]
    application: NotRequired[JobviteApplicationRaw | None]


# --- mapping -------------------------------------------------------------------------


_JOB_STATES: dict[str, JobState] = {
    "draft": "draft",
    "awaiting approval": "draft",
    "pending approval": "draft",
    "approved": "draft",
    "open": "open",
    "on hold": "on_hold",
    "hold": "on_hold",
    "filled": "closed",
    "closed": "closed",
    "cancelled": "closed",
    "canceled": "closed",
    "rejected": "closed",
    "archived": "archived",
}

UNTITLED = "(untitled)"
"""The title of a requisition that has none: it is still a requisition (applications
point at it), so it is kept under this name rather than failed."""

WORKFLOW: tuple[tuple[str, StageKind], ...] = (
    ("New", "applied"),
    ("Reviewed", "screen"),
    ("Phone Screen", "screen"),
    ("Interview", "interview"),
    ("Offer", "offer"),
    ("Hired", "hired"),
    ("Rejected", "rejected"),
    ("Withdrawn", "other"),
)
"""Jobvite's default candidate workflow, in pipeline order. Companies configure their
own; ``config["workflowStates"]`` (names in order) replaces it."""


def job_state(remote: str | None) -> JobState:
    """``job_state("On Hold")`` -> ``"on_hold"``; an unknown Jobvite state counts as open."""
    return _JOB_STATES.get((remote or "").strip().lower(), "open")


def application_state(workflow_state: str | None) -> ApplicationState:
    """``application_state("Rejected")`` -> ``"rejected"``. Workflows are configured per
    company, so this reads the words rather than a fixed list."""
    state = (workflow_state or "").strip().lower()
    if "withdr" in state or state in ("offer declined", "declined offer"):
        return "withdrawn"
    if any(word in state for word in ("reject", "not hired", "not selected", "disqualif")):
        return "rejected"
    if state == "hired" or state.startswith("hired "):
        return "hired"
    return "active"


def stage_kind(workflow_state: str) -> StageKind:
    """``stage_kind("Phone Screen")`` -> ``"screen"``, read from the words as
    ``application_state`` does; a state it cannot place is ``"other"``."""
    lowered = workflow_state.strip().lower()
    for name, kind in WORKFLOW:
        if lowered == name.lower():
            return kind
    state = application_state(workflow_state)
    if state in ("rejected", "hired"):
        return state
    for word, kind in _STAGE_WORDS:
        if word in lowered:
            return kind
    return "other"


_STAGE_WORDS: tuple[tuple[str, StageKind], ...] = (
    ("offer", "offer"),
    ("interview", "interview"),
    ("screen", "screen"),
    ("review", "screen"),
    ("new", "applied"),
    ("applied", "applied"),
)


def _record(raw: object, entity: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise MappingError(f"a Jobvite {entity} row that is not an object", entity=entity)
    return raw


def _join(*parts: object) -> str | None:
    return ", ".join(p for p in (text(part) for part in parts) if p) or None


def _ms(value: object) -> datetime | None:
    """Jobvite's dates: epoch milliseconds (also as digit strings); ISO text is read too."""
    return timestamp(value, epoch_unit="ms")


def _user_id(user: object) -> str | None:
    """A Jobvite user's ``userId``; where only a login is given, its email (``userName``
    or ``email``). A bare string is taken as whichever of the two it is; one with
    spaces is a display name, not a user."""
    if isinstance(user, Mapping):
        found = identifier(user.get("userId")) or identifier(user.get("id"))
        if found is None:
            found = identifier(user.get("eId"))
        if found is not None:
            return found
        for key in ("email", "userName"):
            login = text(user.get(key))
            if login and "@" in login:
                return login[:255]
        return None
    found = identifier(user) if isinstance(user, str) else None
    return found if found and not any(c.isspace() for c in found) else None


def recruiter_of(raw: Mapping[str, Any]) -> str | None:
    """The requisition's recruiter: ``primaryRecruiter``, else the first of ``recruiters``
    that names someone. Hiring managers are not recruiters and are left in ``raw``."""
    for user in (raw.get("primaryRecruiter"), *items(raw.get("recruiters"))):
        found = _user_id(user)
        if found:
            return found
    return None


def recruiter_email_of(raw: Mapping[str, Any]) -> str | None:
    """The login email of the recruiter ``recruiter_of`` names, where the row gives one."""
    for user in (raw.get("primaryRecruiter"), *items(raw.get("recruiters"))):
        if _user_id(user) is None:
            continue
        if isinstance(user, Mapping):
            for key in ("email", "userName"):
                login = text(user.get(key))
                if login and "@" in login and len(login) <= 320:
                    return login
        return None
    return None


def job_from_raw(raw: JobviteJobRaw | Mapping[str, Any]) -> RemoteJob:
    """A requisition: ``jobState`` "Filled" -> ``status="closed"``, ``remote_status="Filled"``;
    ``primaryRecruiter.userId`` -> ``recruiter_remote_id``."""
    row = _record(raw, "jobs")
    remote_status = text(row.get("jobState"))
    return RemoteJob(
        remote_id=required(identifier(row.get("eId")), "an eId", entity="jobs", raw=row),
        raw=row,
        remote_updated_at=_ms(row.get("lastUpdatedDate")),
        title=text(row.get("title")) or UNTITLED,
        status=job_state(remote_status),
        remote_status=remote_status,
        description=text(row.get("description")) or text(row.get("briefDescription")),
        location=text(row.get("location"), "name", "city")
        or _join(row.get("locationCity"), row.get("locationState"), row.get("locationCountry")),
        department=text(row.get("department")) or text(row.get("category")),
        employment_type=text(row.get("jobType")),
        client_name=text(row.get("company")),
        opened_at=_ms(row.get("createdDate")),
        recruiter_remote_id=recruiter_of(row),
        recruiter_email=recruiter_email_of(row),
    )


def _candidate_updated_at(row: Mapping[str, Any]) -> datetime | None:
    application = mapping(row.get("application"))
    moments = [
        moment
        for moment in (_ms(row.get("lastUpdatedDate")), _ms(application.get("lastUpdatedDate")))
        if moment is not None
    ]
    return max(moments, default=None)


_URL_KEYS = ("url", "link", "href", "downloadUrl", "fileUrl", "resumeUrl")
_RESUME_WORDS = ("resume", "résumé", "cv", "curriculum")


def web_url(value: object, *keys: str) -> str | None:
    """An absolute ``http(s)`` URL of at most 2048 characters, from a string or the first
    of ``keys`` of an object; anything else ``None``."""
    if isinstance(value, Mapping):
        for key in keys or _URL_KEYS:
            found = web_url(value.get(key))
            if found:
                return found
        return None
    candidate = text(value, limit=2049)
    if candidate is None or len(candidate) > 2048 or any(c.isspace() for c in candidate):
        return None
    parts = urlsplit(candidate) if candidate.isascii() else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return candidate


def _is_resume(attachment: Mapping[str, Any]) -> bool:
    label = " ".join(
        found
        for found in (text(attachment.get(key)) for key in ("type", "category", "name", "title"))
        if found
    ).lower()
    return any(word in label for word in _RESUME_WORDS)


def resume_url_of(row: Mapping[str, Any]) -> str | None:
    """The candidate's resume link. Jobvite documents none publicly, so this reads the
    shapes integrations meet: ``resumeUrl``; ``resume`` as a URL or ``{url|link|href}``;
    and ``attachments``/``artifacts`` (of the candidate or its application), preferring
    one whose type or name says resume/CV. ``None`` when no http(s) link is given
    (attachments sent inline as base64 have none)."""
    application = mapping(row.get("application"))
    for holder in (row, application):
        for key in ("resumeUrl", "resumeURL", "resume_url", "resume"):
            found = web_url(holder.get(key))
            if found:
                return found
    attachments = [
        attachment
        for holder in (row, application)
        for key in ("attachments", "artifacts")
        for attachment in objects(holder.get(key))
    ]
    ranked = sorted(attachments, key=lambda attachment: not _is_resume(attachment))
    for attachment in ranked:
        found = web_url(attachment)
        if found:
            return found
    return None


def candidate_from_raw(raw: JobviteCandidateRaw | Mapping[str, Any]) -> RemoteCandidate:
    """The person of a candidate row (its application is ``application_from_raw``'s)."""
    row = _record(raw, "candidates")
    remote_id = required(identifier(row.get("eId")), "an eId", entity="candidates", raw=row)
    first, last = text(row.get("firstName")), text(row.get("lastName"))
    email = text(row.get("email"), "email", "value")
    application = mapping(row.get("application"))
    return RemoteCandidate(
        remote_id=remote_id,
        raw=row,
        remote_updated_at=_candidate_updated_at(row),
        name=" ".join(p for p in (first, last) if p) or email or remote_id,
        first_name=first,
        last_name=last,
        email=email,
        phone=first_text(
            (row.get("mobile"), row.get("homePhone"), row.get("workPhone")), "number", "value"
        ),
        location=text(row.get("location"), "name", "city")
        or _join(row.get("city"), row.get("state"), row.get("country")),
        headline=_join(row.get("title"), row.get("companyName")),
        source=text(application.get("source")) or text(application.get("jobviteChannel")),
        resume_url=resume_url_of(row),
    )


def application_from_raw(
    raw: JobviteCandidateRaw | Mapping[str, Any],
) -> RemoteApplication | None:
    """The application a candidate row carries, ``None`` for a person without one."""
    row = _record(raw, "applications")
    application = row.get("application")
    if not application:
        return None
    if not isinstance(application, Mapping):
        raise MappingError(
            "a candidate row whose application is not an object",
            entity="applications",
            remote_id=identifier(row.get("eId")),
        )
    remote_id = required(
        identifier(application.get("eId")), "an eId", entity="applications", raw=application
    )

    def needed(value: str | None, what: str) -> str:
        if value is None:
            raise MappingError(
                f"application without {what}", entity="applications", remote_id=remote_id
            )
        return value

    workflow_state = text(application.get("workflowState"))
    state = application_state(workflow_state)
    return RemoteApplication(
        remote_id=remote_id,
        raw=row,
        remote_updated_at=_ms(application.get("lastUpdatedDate")),
        job_remote_id=needed(identifier(application.get("job")), "a job eId"),
        candidate_remote_id=needed(identifier(row.get("eId")), "a candidate eId"),
        status=state,
        current_stage=workflow_state,
        applied_at=_ms(application.get("sentDate")),
        rejection_reason=text(application.get("disposition")) if state == "rejected" else None,
    )


def stages_from_config(config: Mapping[str, Any]) -> list[RemoteStage]:
    """``config["workflowStates"]`` (names in pipeline order) or ``WORKFLOW``, positions
    0, 1, 2... in that order; the state's name is its id (``workflowStateEId`` differs
    per company and v2 lists no workflow)."""
    configured = texts(config.get("workflowStates"))
    names = configured or tuple(name for name, _ in WORKFLOW)
    return [
        RemoteStage(remote_id=name, name=name, position=position, kind=stage_kind(name))
        for position, name in enumerate(names)
    ]


# --- paging --------------------------------------------------------------------------


class JobvitePaginator(OffsetPaginator):
    """``start``/``count`` paging that reads Jobvite's in-body error status first."""

    def items(self, body: Any) -> list[Any]:
        error = status_error(body)
        if error is not None:
            raise error
        return super().items(body)


@dataclass(frozen=True, kw_only=True)
class JobviteSettings(ConnectorSettings):
    auth_scheme: Literal["plain", "signed"] = setting(
        "authScheme", Choice(("plain", "signed"), default="plain")
    )
    page_size: int = setting(
        "pageSize", Count(default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE, clamp=True)
    )
    onboarding_base_url: str | None = setting("onboardingBaseUrl", Text())
    jobvite_public_key: str | None = setting("jobvitePublicKey", Text())
    """Also accepted as a credential of the same name."""


# --- the connector -------------------------------------------------------------------


class JobviteConnector(ConnectorBase):
    """Requisitions, candidates and their applications from v2; onboarding tasks from
    the Onboarding API when its keys are configured.

    tasks = await connector.create_onboarding_tasks("oAppl123", [draft], attribution)
    # POST /task/create, sealed for Jobvite; [WriteResult(remote_id="t-...")]
    """

    provider = "jobvite"
    capabilities = (
        Capability.INCREMENTAL
        | Capability.ONBOARDING
        | Capability.ONBOARDING_WRITE
        | Capability.APPLICATIONS_BY_CANDIDATE
    )
    required_credentials: ClassVar[tuple[str, ...]] = ("apiKey", "apiSecret")
    """``onboardingPrivateKey`` (with ``jobvitePublicKey``) is optional: it turns on onboarding."""

    settings_model = JobviteSettings
    settings: JobviteSettings
    base_url = BASE_URLS
    default_headers = {"accept": "application/json"}

    def __init__(
        self, context: ConnectorContext, settings: ConnectorSettings | None = None
    ) -> None:
        super().__init__(context, settings)
        self.onboarding = self._onboarding_client(context)

    @classmethod
    def auth_for(cls, credentials: Mapping[str, str], settings: ConnectorSettings) -> JobviteAuth:
        assert isinstance(settings, JobviteSettings)
        return JobviteAuth(credentials["apiKey"], credentials["apiSecret"], settings.auth_scheme)

    def _onboarding_client(self, context: ConnectorContext) -> JobviteOnboardingClient | None:
        private_key = context.credentials.get("onboardingPrivateKey")
        if not private_key:
            return None
        public_key = self.settings.jobvite_public_key or context.credentials.get("jobvitePublicKey")
        if not public_key:
            raise ConfigurationError("onboardingPrivateKey is set but jobvitePublicKey is missing")
        return JobviteOnboardingClient(
            self.http,
            private_key=private_key,
            jobvite_public_key=str(public_key),
            base_url=self.settings.onboarding_base_url,
            page_size=self.page_size,
        )

    def _require_onboarding(self) -> JobviteOnboardingClient:
        if self.onboarding is None:
            raise ConfigurationError(
                "Jobvite onboarding needs onboardingPrivateKey and jobvitePublicKey"
            )
        return self.onboarding

    async def check(self) -> CheckResult:
        """``GET /job?start=0&count=1`` (and one sealed onboarding call when configured)."""
        body = await self.http.get_json("/job", params={"start": 0, "count": 1})
        JobvitePaginator(items_key="requisitions").items(body)
        detail = f"{body.get('total', 0)} requisitions"
        if self.onboarding is not None:
            processes = await self.onboarding.check()
            detail += f"; onboarding: {processes} processes"
        return CheckResult(ok=True, detail=detail)

    # reads

    def _params(self, updated_since: datetime | None) -> Params:
        return {} if updated_since is None else {"datestart": to_epoch_ms(updated_since)}

    async def _rows(self, path: str, key: str, params: Params) -> AsyncGenerator[Any, None]:
        """The raw rows of every page, whatever their shape: the mappers judge them."""
        paginator = JobvitePaginator(items_key=key, count=self.page_size)
        async for page in self.http.pages(path, paginator, params):
            for row in page:
                yield row

    async def jobs(self, updated_since: datetime | None = None) -> AsyncIterator[RemoteJob]:
        async for row in self._rows("/job", "requisitions", self._params(updated_since)):
            job = self.map_record("jobs", job_from_raw, row)
            if job is not None:
                yield job

    async def candidates(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteCandidate]:
        """Each person once per read, though Jobvite lists them once per application."""
        seen: set[str] = set()
        async for row in self._rows("/candidate", "candidates", self._params(updated_since)):
            candidate = self.map_record("candidates", candidate_from_raw, row)
            if candidate is not None and candidate.remote_id not in seen:
                seen.add(candidate.remote_id)
                yield candidate

    async def applications(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteApplication]:
        async for row in self._rows("/candidate", "candidates", self._params(updated_since)):
            application = self.map_record("applications", application_from_raw, row)
            if application is not None:
                yield application

    def onboarding_tasks(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteOnboardingTask]:
        if self.onboarding is None:
            return super().onboarding_tasks(updated_since)
        return self.onboarding.remote_tasks(updated_since, mapper=self._task)

    def _task(self, raw: Any, process: OnboardingProcessRaw | None) -> RemoteOnboardingTask | None:
        return self.map_record("onboarding_tasks", task_from_raw, raw, process)

    async def stages(self) -> list[RemoteStage]:
        """The workflow in pipeline order (``WORKFLOW`` or ``config["workflowStates"]``):
        v2 has no call that lists a company's workflow, so nothing is requested."""
        return stages_from_config(self.context.config)

    async def get_jobs(self, remote_ids: Sequence[str]) -> list[RemoteJob]:
        """v2 has no documented lookup by ``eId``: scan, stopping once all are found."""
        rows = await self._find("/job", "requisitions", set(remote_ids))
        jobs = (self.map_record("jobs", job_from_raw, row) for row in rows)
        return [job for job in jobs if job is not None]

    async def get_candidates(self, remote_ids: Sequence[str]) -> list[RemoteCandidate]:
        """As ``get_jobs``: a scan of ``/candidate`` that stops once all are found."""
        rows = await self._find("/candidate", "candidates", set(remote_ids))
        found = (self.map_record("candidates", candidate_from_raw, row) for row in rows)
        return [candidate for candidate in found if candidate is not None]

    async def get_applications(
        self, candidate_remote_ids: Sequence[str]
    ) -> list[RemoteApplication]:
        """The application of every ``/candidate`` row of these people, as
        ``applications()`` maps them.

        v2 documents no lookup by candidate, and a person with two applications is two
        rows that need not be next to each other, so this is one full scan of
        ``/candidate`` (``total / pageSize`` requests) that cannot stop early as
        ``get_candidates`` does. Where an incremental read (``datestart``) since the
        last sync would be short, that is the cheaper way to catch up; this one answers
        for these people whatever their update times say."""
        wanted = set(candidate_remote_ids)
        found: dict[str, RemoteApplication] = {}
        if not wanted:
            return []
        async for row in self._rows("/candidate", "candidates", {}):
            if identifier(dig(row, "eId")) in wanted:
                application = self.map_record("applications", application_from_raw, row)
                if application is not None:
                    found.setdefault(application.remote_id, application)
        return list(found.values())

    async def _find(self, path: str, key: str, wanted: set[str]) -> list[Any]:
        found: list[Any] = []
        if not wanted:
            return found
        async with aclosing(self._rows(path, key, {})) as rows:
            async for row in rows:
                eid = identifier(dig(row, "eId"))
                if eid is not None and eid in wanted:
                    wanted.discard(eid)
                    found.append(row)
                    if not wanted:
                        break
        return found

    # onboarding writes

    async def create_onboarding_tasks(
        self,
        application_remote_id: str,
        tasks: Sequence[OnboardingTaskDraft],
        attribution: Attribution,
    ) -> list[WriteResult]:
        """Add tasks to the onboarding process of the hire behind an application."""
        onboarding = self._require_onboarding()
        if not tasks:
            return []
        process = await onboarding.process_for_application(application_remote_id)
        created = await onboarding.create_tasks(process["id"], tasks, attribution)
        return [WriteResult(remote_id=task["id"], raw=task) for task in created]

    async def review_onboarding_task(
        self, task_remote_id: str, approve: bool, attribution: Attribution, notes: str | None = None
    ) -> WriteResult:
        onboarding = self._require_onboarding()
        task = await onboarding.review_task(
            task_remote_id, approve=approve, attribution=attribution, notes=notes
        )
        return WriteResult(remote_id=task["id"], raw=task)
