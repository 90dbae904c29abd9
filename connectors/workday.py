"""Workday Recruiting (REST v4): job postings, prospects and interviews.

    connector = WorkdayConnector.create(client, credentials, {}, integration="9:workday")
    async for job in connector.jobs():          # GET /jobPostings, limit/offset paging
        ...
    async for interview in connector.interviews():
        ...
    async for application in connector.applications():   # the interviews' job applications
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
  is no ``GET /prospects``, and ``get_candidates`` reads them by id. No resource lists
  job applications either; they are known only as the ``jobApplication`` an interview
  event names (``{id, descriptor, numberOfJobs, ...}``: no candidate, prospect, status
  or date) next to its ``jobRequisition``. So the people synced are the applicants of
  those applications (see "Applications" below), and ``get_applications`` refuses (no
  ``APPLICATIONS_BY_CANDIDATE``: nothing reads the applications of a person).
- A prospect's resume is a subresource: ``get_candidates`` reads
  ``/prospects/{ID}/resumeAttachments`` and gives the first file's
  ``.../resumeAttachments/{file}?type=viewFile`` URL (bearer token needed) as ``resume_url``.
- Interviews (``GET /interviews``) name their job application, requisition and
  interviewers, but not a time. Job postings name no recruiter (only an interview's
  requisition does), so jobs have no ``recruiter_remote_id``.
- Applications: ``applications()`` yields one per distinct ``jobApplication`` of the
  interview events, in the stage ``"Interview"`` (all the events say about it). Its job
  is the job posting of the event's requisition: postings do not show their
  requisition, but ``GET /jobPostings?jobRequisition={ID}`` lists a requisition's
  postings (one call per requisition, ``LOOKUP_CONCURRENCY`` at a time; of several the
  smallest id). A requisition with no posting costs its applications, each reported as
  a failed record naming the requisition (and their interviews then fail alone).
  ``candidates()`` yields each application's applicant (``candidate_from_application``:
  remote id the application's id, name from its descriptor ``"Ada Lovelace - Nurse"``),
  since nothing the API answers leads from an application to a prospect.
- Records are read leniently (``connectors.lenient``); one that cannot be mapped (no id,
  not an object) is reported through ``map_record`` and skipped, the listing goes on.
- The API's writes (creating prospects and their skills, educations, experiences,
  languages and resumes; submitting interview feedback) match no write of the
  connector contract, so this connector writes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Self, TypedDict, TypeVar
from urllib.parse import quote

from connectors.assembly import ConnectorSettings, Count, credential, setting
from connectors.base import Capability, ConnectorBase, ConnectorContext
from connectors.errors import (
    AuthError,
    InvalidResponseError,
    MappingError,
    NotFoundError,
    UnprocessableError,
)
from connectors.http import OffsetPaginator
from connectors.lenient import dig, first_text, identifier, items, required, text, texts, timestamp
from connectors.models import (
    CheckResult,
    InterviewState,
    JobState,
    RemoteApplication,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
)
from connectors.oauth import ClientCredentials, OnTokens, RefreshTokenAuth

MAX_PAGE_SIZE = 100
"""Workday's ``limit`` maximum; it refuses more."""

LOOKUP_CONCURRENCY = 8
"""Reads by id (prospects, postings, a requisition's postings) in flight at once."""

_R = TypeVar("_R")
_MISSING: Any = object()


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
            token_url(credential(credentials, "tenantUrl"), credential(credentials, "tenantId")),
            ClientCredentials(
                credential(credentials, "clientId"), credential(credentials, "clientSecret")
            ),
            credential(credentials, "refreshToken"),
            on_tokens=on_tokens,
        )


@dataclass(frozen=True, kw_only=True)
class WorkdaySettings(ConnectorSettings):
    page_size: int = setting(
        "pageSize", Count(default=MAX_PAGE_SIZE, maximum=MAX_PAGE_SIZE, clamp=True)
    )


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


UNTITLED = "(untitled)"
"""The title of a posting that has none: still a job, kept under this name."""


def parse_date(value: object) -> datetime | None:
    """Workday ``Date`` fields come as ``2026-04-18T07:00:00.000Z`` or ``2026-04-18``;
    anything unreadable is ``None`` (one odd date does not cost the record).

    parse_date("2026-04-18T07:00:00.000Z") -> datetime(2026, 4, 18, 7, 0, tzinfo=UTC)
    parse_date("2026-04-18") -> datetime(2026, 4, 18, 0, 0, tzinfo=UTC)
    parse_date("next Tuesday") -> None
    """
    return timestamp(value)


def _record(raw: object, entity: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise MappingError(f"a Workday {entity} record that is not an object", entity=entity)
    return raw


def _descriptor(ref: object) -> str | None:
    """An instance reference's display name; a bare string is taken as the name."""
    return text(ref, "descriptor", "name")


def _ref_id(ref: object) -> str | None:
    """An instance reference's ``id`` (a bare string or number is the id itself)."""
    return identifier(ref.get("id")) if isinstance(ref, Mapping) else identifier(ref)


def job_from_raw(
    raw: RawJobPosting | Mapping[str, Any], *, now: datetime | None = None
) -> RemoteJob:
    """A job posting as a job: closed once its ``endDate`` has passed.

    job_from_raw({"id": "a1", "title": "Nurse", "startDate": "2026-04-18"})
    # -> RemoteJob(remote_id="a1", title="Nurse", status="open", opened_at=2026-04-18 UTC)

    Postings name no recruiter (the spec gives recruiters only on the job requisition
    of an interview), so ``recruiter_remote_id`` stays ``None``."""
    posting = _record(raw, "jobs")
    opened_at = parse_date(posting.get("startDate"))
    closed_at = parse_date(posting.get("endDate"))
    ended = closed_at is not None and closed_at <= (now or datetime.now(UTC))
    status: JobState = "closed" if ended else "open"
    return RemoteJob(
        remote_id=required(_ref_id(posting), "an id", entity="jobs", raw=posting),
        raw=posting,
        remote_updated_at=None,
        title=text(posting.get("title")) or _descriptor(posting) or UNTITLED,
        status=status,
        description=text(posting.get("jobDescription")),
        location=_descriptor(posting.get("primaryLocation")),
        department=first_text(items(posting.get("categories")), "descriptor", "name"),
        employment_type=_descriptor(posting.get("timeType")),
        opened_at=opened_at,
        closed_at=closed_at if ended else None,
    )


def candidate_from_raw(
    raw: RawProspect | Mapping[str, Any], *, resume_url: str | None = None
) -> RemoteCandidate:
    """A prospect as a candidate: the name, email and phone of ``raw["candidate"]``.
    ``resume_url`` is the prospect's resume file when ``resumeAttachments`` has one (the
    prospect itself carries no link).

    candidate_from_raw({"id": "p1", "candidate": {"email": "ada@example.com",
                        "name": {"firstName": "Ada", "lastName": "Lovelace"}}})
    # -> RemoteCandidate(remote_id="p1", name="Ada Lovelace", email="ada@example.com", ...)
    """
    prospect = _record(raw, "candidates")
    remote_id = required(_ref_id(prospect), "an id", entity="candidates", raw=prospect)
    person = prospect.get("candidate")
    name = dig(person, "name")
    first, last = text(dig(name, "firstName")), text(dig(name, "lastName"))
    email = text(dig(person, "email"), "emailAddress", "descriptor")
    full = (
        text(dig(name, "fullName"))
        or " ".join(part for part in (first, last) if part)
        or text(name, "descriptor")
        or text(person, "descriptor")
        or text(prospect.get("descriptor"))
        or email
        or remote_id
    )
    phone = dig(person, "phone")
    return RemoteCandidate(
        remote_id=remote_id,
        raw=prospect,
        remote_updated_at=None,
        name=full,
        first_name=first,
        last_name=last,
        email=email,
        phone=text(phone, "phoneNumber", "descriptor"),
        source=_descriptor(prospect.get("source")),
        resume_url=resume_url,
        tags=texts(prospect.get("candidateTags"), "descriptor", "name"),
    )


def resume_attachment_id(body: object) -> str | None:
    """The first resume's id in a ``GET /prospects/{ID}/resumeAttachments`` answer
    (``{"total": N, "data": [{"id", "fileName", ...}]}``), ``None`` when there is none."""
    for attachment in items(dig(body, "data")):
        found = _ref_id(attachment)
        if found:
            return found
    return None


_FEEDBACK_STATUSES = frozenset(
    {
        "AWAITING_ME",
        "PENDING_FEEDBACK",
        "SUBMITTED_FEEDBACK",
        "FEEDBACK_COMPLETE",
        "MAKE_INTERVIEW_DECISION",
    }
)


def _status_code(ref: object) -> str:
    """``SCHEDULED`` from an id ``SCHEDULED`` or ``Interview_Status_ID=SCHEDULED``, or
    from a descriptor ``Scheduled`` (a bare string is read as either)."""
    ident = _ref_id(ref) or ""
    code = ident.split("=", 1)[1] if "=" in ident else ident
    if code.replace("_", "").isalpha() and code.isupper():
        return code
    return (_descriptor(ref) or "").upper().replace(" ", "_")


def interview_state(statuses: Sequence[object]) -> InterviewState:
    """The event's statuses, most advanced first: ``COMPLETED`` is completed; waiting
    for feedback or a decision is in progress; ``SCHEDULED`` and ``NOT_SCHEDULED``
    (no time fixed yet) are scheduled."""
    codes = {_status_code(ref) for ref in statuses}
    if "COMPLETED" in codes:
        return "completed"
    if codes & _FEEDBACK_STATUSES:
        return "in_progress"
    return "scheduled"


def interview_from_raw(raw: RawInterview | Mapping[str, Any]) -> RemoteInterview:
    """An interview event, tied to its job application; the first interviewer is the
    interviewer.

    interview_from_raw({"id": "i1", "jobApplication": {"id": "ja1"},
                        "interviewStatuses": [{"id": "SCHEDULED"}]})
    # -> RemoteInterview(remote_id="i1", application_remote_id="ja1", status="scheduled")
    """
    event = _record(raw, "interviews")
    interviewers = (_ref_id(person) for person in items(event.get("interviewers")))
    return RemoteInterview(
        remote_id=required(_ref_id(event), "an id", entity="interviews", raw=event),
        raw=event,
        remote_updated_at=None,
        application_remote_id=_ref_id(event.get("jobApplication")),
        status=interview_state(items(event.get("interviewStatuses"))),
        interviewer_remote_id=next((found for found in interviewers if found), None),
    )


APPLICATION_STAGE = "Interview"
"""The stage of an application known only through its interview events: the API gives a
job application no status, step or date of its own."""

_NAME_SEPARATORS = (" - ", " \u2013 ", " \u2014 ")
_APPLICATION_LABEL = "job application:"


def applicant_name(descriptor: object) -> str | None:
    """The person in a job application's display name, which reads
    ``"<person> - <requisition>"``; a name without a separator is taken whole.

    applicant_name("Ada Lovelace - R-00042 Senior Engineer") -> "Ada Lovelace"
    applicant_name("Job Application: Ada Lovelace \u2013 Nurse") -> "Ada Lovelace"
    applicant_name(None) -> None
    """
    name = text(descriptor, "descriptor", "name")
    if name is None:
        return None
    if name.lower().startswith(_APPLICATION_LABEL):
        name = name[len(_APPLICATION_LABEL) :].strip()
    for separator in _NAME_SEPARATORS:
        person, found, _ = name.partition(separator)
        if found and person.strip():
            name = person
            break
    return name.strip() or None


def _application_ref(event: object, entity: str) -> tuple[str, Mapping[str, Any]]:
    """The id and reference of the event's ``jobApplication`` (a bare string is the id)."""
    record = _record(event, entity)
    ref = record.get("jobApplication")
    application_id = _ref_id(ref)
    if application_id is None:
        raise MappingError(
            "an interview event without a job application",
            entity=entity,
            remote_id=_ref_id(record),
        )
    return application_id, ref if isinstance(ref, Mapping) else {"id": application_id}


def requisition_of(event: object) -> str | None:
    """The id of the job requisition an interview event names, if it names one."""
    return _ref_id(event.get("jobRequisition")) if isinstance(event, Mapping) else None


def candidate_from_application(raw: RawInterview | Mapping[str, Any]) -> RemoteCandidate:
    """The applicant of the job application an interview event names: the only trace
    of the person the API gives. The remote id is the application's, the name the
    person part of its descriptor (else the whole descriptor, else the id); ``raw`` is
    the application reference.

    candidate_from_application({"id": "i1", "jobApplication":
        {"id": "ja1", "descriptor": "Ada Lovelace - Nurse"}})
    # -> RemoteCandidate(remote_id="ja1", name="Ada Lovelace", email=None, ...)
    """
    application_id, ref = _application_ref(raw, "candidates")
    return RemoteCandidate(
        remote_id=application_id,
        raw=ref,
        remote_updated_at=None,
        name=applicant_name(ref.get("descriptor")) or application_id,
    )


def application_from_event(
    raw: RawInterview | Mapping[str, Any], *, postings: Mapping[str, str]
) -> RemoteApplication:
    """The job application an interview event names, for the job posting of its
    requisition (``postings``: requisition id -> job posting id), applied by the
    applicant ``candidate_from_application`` gives. A requisition without a posting in
    ``postings`` is a ``MappingError`` naming it.

    application_from_event({"id": "i1", "jobApplication": {"id": "ja1"},
                            "jobRequisition": {"id": "r1"}}, postings={"r1": "p1"})
    # -> RemoteApplication(remote_id="ja1", job_remote_id="p1", candidate_remote_id="ja1",
    #                      status="active", current_stage="Interview")
    """
    application_id, ref = _application_ref(raw, "applications")
    requisition = requisition_of(raw)
    if requisition is None:
        raise MappingError(
            "a job application whose interview names no job requisition",
            entity="applications",
            remote_id=application_id,
        )
    posting = postings.get(requisition)
    if posting is None:
        raise MappingError(
            f"job requisition {requisition} has no job posting",
            entity="applications",
            remote_id=application_id,
        )
    return RemoteApplication(
        remote_id=application_id,
        raw=ref,
        remote_updated_at=None,
        job_remote_id=posting,
        candidate_remote_id=application_id,
        status="active",
        current_stage=APPLICATION_STAGE,
    )


# --- the connector ------------------------------------------------------------------


class WorkdayConnector(ConnectorBase):
    """Reads job postings, prospects (by id), interviews and the job applications and
    applicants the interviews name; see the module docstring for what the API does not
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
                _ref_id(event.get("jobApplication")) if isinstance(event, Mapping) else None
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
            ids = [found for found in map(_ref_id, items(dig(body, "data"))) if found]
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
