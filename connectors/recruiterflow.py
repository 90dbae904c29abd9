"""Recruiterflow: the agency ATS that owns job metadata and candidate pipelines.

    connector = RecruiterflowConnector.create(
        client, {"apiKey": key}, {"feeCustomField": "Placement Fee"}, integration="7:recruiterflow"
    )
    async for job in connector.jobs():            # GET /api/external/job/list, page by page
        ...
    await connector.move_stage("154651:12", "Client Interview", Attribution(remote_id="10447"))
    # POST /api/external/candidate/move-to-stage
    #      {"id": 154651, "job_id": 12, "stage": {"name": "Client Interview"}, "user_id": 10447}

What the API does that the rest of talentgraph should not have to know:

- Every request carries the header ``RF-Api-Key`` (``RecruiterflowAuth``).
- Lists page with ``current_page`` (1-based) and ``items_per_page``. Without
  ``include_count`` the job list is a bare JSON array, other lists ``{"data": [...]}``;
  with it ``{"data": [...], "total_items": N}``. The last page is the first one shorter
  than ``items_per_page``, possibly empty.
- No list filters by update time, so ``updated_since`` is applied here, on an explicit
  ``updated_at`` when a record has one (records without it are always yielded), and on
  the latest stage transition for applications. Hence no ``INCREMENTAL`` capability.
- An application is not a resource: the stage-movement list of one candidate names
  each job the candidate is in, with its transitions. Its remote id here is
  ``f"{candidate_id}:{job_id}"``. So ``get_applications`` (a webhook's refetch) reads
  each candidate's detail, then their stage movements.
- Writes answer ``{"RESULT": "SUCCESS"}``; refusals ``{"RESULT": "FAILURE", "message": ...}``.
  A 403 "The specified user is not present in your account" is an unknown acting user
  (``InvalidRecruiterError``), not bad credentials.
- Timestamps come as ``2023-03-29T14:26:43+0000``, ``+05:30`` offsets or bare dates.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Self, TypedDict, cast

import httpx
from aiolimiter import AsyncLimiter

from connectors.base import Capability, ConnectorBase, ConnectorContext
from connectors.errors import (
    AuthError,
    ConfigurationError,
    InvalidRecruiterError,
    InvalidResponseError,
    NotFoundError,
    UnprocessableError,
)
from connectors.http import ApiKeyHeaderAuth, HttpClient, PageNumberPaginator, Params, Sleep
from connectors.models import (
    ApplicationState,
    Attribution,
    CheckResult,
    JobState,
    RemoteActivity,
    RemoteApplication,
    RemoteCandidate,
    RemoteCustomField,
    RemoteJob,
    RemotePerson,
    RemoteStage,
    RemoteStageTransition,
    RemoteUser,
    StageKind,
    WriteResult,
)

DEFAULT_BASE_URL = "https://api.recruiterflow.com"
DEFAULT_PAGE_SIZE = 100
DEFAULT_CONCURRENCY = 4
"""Candidates whose stage movements are read at once (config ``concurrency``)."""
API = "/api/external"


class RecruiterflowAuth(ApiKeyHeaderAuth):
    """Adds ``RF-Api-Key: <key>`` to every request."""

    header = "RF-Api-Key"


# -- raw payloads (the fields used here; ``raw=`` keeps everything) ---------------------


class RawRef(TypedDict, total=False):
    id: int | str | None
    name: str | None
    email: str | None


class RawMoney(TypedDict, total=False):
    number: int | float | str | None
    currency: str | None


class RawCustomFieldValue(TypedDict, total=False):
    id: int
    name: str
    value: Any


class RawLocation(TypedDict, total=False):
    id: int
    name: str | None
    city: str | None
    state: str | None
    country: str | None


class RawHiringTeamMember(TypedDict, total=False):
    user_id: int
    name: str
    email: str
    role: str


class RawVisibilityInfo(TypedDict, total=False):
    closed_on: str | None
    visibility_id: int


class RawJob(TypedDict, total=False):
    """``GET /job/list`` items and ``GET /job?job_id=`` bodies."""

    id: int
    name: str
    title: str
    about_position: str | None
    company: RawRef | None
    client_company_name: str | None
    created_at: str | None
    updated_at: str | None
    last_opened: str | None
    is_open: bool | None
    status: str | RawRef | None
    job_status: RawRef | None
    job_visibility_info: RawVisibilityInfo | None
    department: str | None
    employment_type: str | None
    job_type: RawRef | None
    locations: list[RawLocation]
    hiring_team: list[RawHiringTeamMember]
    custom_fields: list[RawCustomFieldValue]
    fee: int | float | str | RawMoney | None
    expected_fee: RawMoney | None
    salary_range_currency: str | None


class RawCandidateJob(TypedDict, total=False):
    """One entry of a candidate's ``jobs`` in ``/candidate/list`` and ``/candidate/get``."""

    job_id: int
    name: str
    stage_name: str | None
    disqualification_reason: str | None


class RawCandidateLocation(TypedDict, total=False):
    location: str | None
    city: str | None
    state: str | None
    country: str | None


class RawFile(TypedDict, total=False):
    id: int
    filename: str
    link: str


class RawCandidate(TypedDict, total=False):
    id: int
    name: str | None
    first_name: str | None
    last_name: str | None
    email: list[str | dict[str, Any]]
    phone_number: list[str | dict[str, Any]]
    location: RawCandidateLocation | None
    current_designation: str | None
    current_organization: str | None
    source_name: str | None
    files: list[RawFile]
    tags: list[str | dict[str, Any]]
    added_time: str | None
    latest_activity_time: str | None
    updated_at: str | None
    jobs: list[RawCandidateJob]


# ``from`` is a keyword, hence the functional form.
RawTransition = TypedDict(
    "RawTransition",
    {
        "from": str | None,
        "to": str | None,
        "entered": str | None,
        "left": str | None,
        "stage_moved_by": RawRef | None,
    },
    total=False,
)


class RawMovementJob(TypedDict, total=False):
    """One job in ``GET /candidate/activities/stage-movement/list``: ``data.jobs[]``."""

    id: int
    name: str
    added_by: RawRef | None
    transitions: list[RawTransition]


class RawActivity(TypedDict, total=False):
    activity_id: int
    candidate_id: int | None
    job_id: int | None
    subject: str | None
    text: str | None
    time: str | None
    type: RawRef | None
    user: RawRef | None


class RawUser(TypedDict, total=False):
    id: int
    email: str | None
    name: str | None
    first_name: str | None
    last_name: str | None
    roles: list[RawRef]


class RawCustomField(TypedDict, total=False):
    """``GET /job/custom-field/list`` items."""

    id: int
    name: str
    type: str | None


# -- small parsers ----------------------------------------------------------------------


def parse_time(value: object) -> datetime | None:
    """``"2023-03-29T14:26:43+0000"`` -> aware UTC datetime; bare dates are UTC midnight;
    naive times are taken as UTC; anything else is ``None``."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text), time())
        except ValueError:
            return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_decimal(value: object) -> Decimal | None:
    """``35000``, ``"35000.50"`` or ``{"number": 35000, "currency": "USD"}`` -> ``Decimal``."""
    if isinstance(value, Mapping):
        value = value.get("number")
    if value is None or isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _id(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _first(values: Iterable[str | dict[str, Any]] | None, key: str) -> str | None:
    """First of ``["a@x.com"]`` or ``[{"email": "a@x.com", "is_primary": 1}]``, primary first."""
    items = list(values or [])
    items.sort(key=lambda item: not (isinstance(item, dict) and item.get("is_primary")))
    for item in items:
        text = _text(item.get(key) or item.get("value")) if isinstance(item, dict) else _text(item)
        if text:
            return text
    return None


def _person(ref: RawRef | None) -> RemotePerson | None:
    if not ref:
        return None
    return RemotePerson(remote_id=_id(ref.get("id")), name=ref.get("name"), email=ref.get("email"))


# -- jobs -------------------------------------------------------------------------------

# First word found in a status name decides (``"inactive"`` before ``"active"``).
_JOB_STATUS_WORDS: tuple[tuple[str, JobState], ...] = (
    ("draft", "draft"),
    ("hold", "on_hold"),
    ("pause", "on_hold"),
    ("archiv", "archived"),
    ("inactive", "closed"),
    ("close", "closed"),
    ("fill", "closed"),
    ("cancel", "closed"),
    ("lost", "closed"),
    ("placed", "closed"),
    ("open", "open"),
    ("active", "open"),
    ("sourcing", "open"),
)


def job_status_name(raw: RawJob) -> str | None:
    """The status as Recruiterflow names it: ``status`` (text or ``{"name"}``), else the
    account-defined ``job_status.name``."""
    status = raw.get("status")
    if isinstance(status, Mapping):
        status = status.get("name")
    if isinstance(status, str) and status.strip():
        return status.strip()
    return _text((raw.get("job_status") or {}).get("name"))


def job_state(raw: RawJob) -> JobState:
    """``{"is_open": false, "job_status": {"name": "On Hold"}}`` -> ``"on_hold"``.

    A status name that says draft/hold/archived/closed wins; otherwise ``is_open``
    decides, and an unknown status on an open job is ``"open"``."""
    name = (job_status_name(raw) or "").lower().replace("_", " ")
    mapped = next((state for word, state in _JOB_STATUS_WORDS if word in name), None)
    if raw.get("is_open") is False and mapped in (None, "open"):
        return "closed"
    return mapped or "open"


def job_custom_field(raw: RawJob, name: str) -> Any:
    """The value of the job custom field called ``name`` (case-insensitive), or ``None``."""
    wanted = name.strip().lower()
    for field in raw.get("custom_fields") or []:
        if str(field.get("name", "")).strip().lower() == wanted:
            return field.get("value")
    return None


def job_fee(raw: RawJob, fee_field: str | None = None) -> tuple[Decimal | None, str | None]:
    """Estimated fee and its currency: the custom field ``fee_field`` when configured,
    else ``fee``, else ``expected_fee`` (contingent and retained jobs)."""
    if fee_field:
        value = job_custom_field(raw, fee_field)
    else:
        value = raw.get("fee")
        if value is None:
            value = raw.get("expected_fee")
    currency = value.get("currency") if isinstance(value, Mapping) else None
    amount = parse_decimal(value)
    if amount is None:
        return None, None
    return amount, _text(currency) or _text(raw.get("salary_range_currency"))


def changed_at(raw: RawJob | RawCandidate) -> datetime | None:
    """The explicit update time a record carries, if any (what ``updated_since`` filters on)."""
    return parse_time(raw.get("updated_at"))


def job_from_raw(raw: RawJob, *, fee_field: str | None = None) -> RemoteJob:
    """``{"id": 1, "name": "Staging Job 1", "company": {"name": "Guarented I"}, ...}`` ->
    ``RemoteJob(remote_id="1", title="Staging Job 1", client_name="Guarented I", ...)``."""
    if raw.get("id") is None:
        raise InvalidResponseError("Recruiterflow job without an id")
    status = job_state(raw)
    fee, currency = job_fee(raw, fee_field)
    locations = [loc.get("name") or loc.get("city") for loc in raw.get("locations") or []]
    team = raw.get("hiring_team") or []
    recruiter = next((m for m in team if str(m.get("role", "")).lower() == "recruiter"), None)
    recruiter = recruiter or (team[0] if team else None)
    created = parse_time(raw.get("created_at"))
    last_opened = parse_time(raw.get("last_opened"))
    closed_on = parse_time((raw.get("job_visibility_info") or {}).get("closed_on"))
    return RemoteJob(
        remote_id=str(raw["id"]),
        raw=cast(Mapping[str, Any], raw),
        remote_updated_at=changed_at(raw) or last_opened or created,
        title=_text(raw.get("name")) or _text(raw.get("title")) or "",
        status=status,
        remote_status=job_status_name(raw),
        description=raw.get("about_position"),
        location="; ".join(loc for loc in locations if loc) or None,
        department=_text(raw.get("department")),
        employment_type=_text(raw.get("employment_type"))
        or _text((raw.get("job_type") or {}).get("name")),
        client_name=_text((raw.get("company") or {}).get("name"))
        or _text(raw.get("client_company_name")),
        opened_at=created or last_opened,
        closed_at=closed_on if status in ("closed", "archived") else None,
        estimated_fee=fee,
        currency=currency,
        recruiter_remote_id=_id(recruiter.get("user_id")) if recruiter else None,
    )


# -- candidates -------------------------------------------------------------------------


def candidate_from_raw(raw: RawCandidate) -> RemoteCandidate:
    """``{"id": 154651, "name": "Sumit Neogi", "phone_number": ["23432443"], ...}`` ->
    ``RemoteCandidate(remote_id="154651", name="Sumit Neogi", phone="23432443", ...)``."""
    if raw.get("id") is None:
        raise InvalidResponseError("Recruiterflow candidate without an id")
    first, last = _text(raw.get("first_name")), _text(raw.get("last_name"))
    where = raw.get("location") or {}
    location = _text(where.get("location")) or ", ".join(
        part for part in (where.get("city"), where.get("state"), where.get("country")) if part
    )
    designation, organization = raw.get("current_designation"), raw.get("current_organization")
    headline = " at ".join(part for part in (designation, organization) if part) or None
    files = raw.get("files") or []
    tags = (
        _text(tag.get("name")) if isinstance(tag, dict) else _text(tag)
        for tag in raw.get("tags") or []
    )
    added = parse_time(raw.get("added_time"))
    return RemoteCandidate(
        remote_id=str(raw["id"]),
        raw=cast(Mapping[str, Any], raw),
        remote_updated_at=changed_at(raw) or parse_time(raw.get("latest_activity_time")) or added,
        name=_text(raw.get("name")) or " ".join(p for p in (first, last) if p) or "",
        first_name=first,
        last_name=last,
        email=_first(raw.get("email"), "email"),
        phone=_first(raw.get("phone_number"), "phone_number"),
        location=location or None,
        headline=headline,
        source=_text(raw.get("source_name")),
        resume_url=files[0].get("link") if files else None,
        tags=tuple(tag for tag in tags if tag),
        created_at=added,
    )


# -- applications -----------------------------------------------------------------------


def application_id(candidate_remote_id: str, job_remote_id: str) -> str:
    """``application_id("154651", "12")`` -> ``"154651:12"``."""
    return f"{candidate_remote_id}:{job_remote_id}"


def split_application_id(application_remote_id: str) -> tuple[int, int]:
    """``"154651:12"`` -> ``(154651, 12)``; anything else is ``UnprocessableError``."""
    candidate, sep, job = application_remote_id.partition(":")
    if not sep or not candidate.isdigit() or not job.isdigit():
        raise UnprocessableError(
            f"not a Recruiterflow application id (candidate:job): {application_remote_id!r}"
        )
    return int(candidate), int(job)


def stage_kind(name: str) -> StageKind:
    """``"Client Interview"`` -> ``"interview"``; ``"Disqualified"`` -> ``"rejected"``."""
    lowered = name.lower()
    for words, kind in (
        (("disqualif", "reject"), "rejected"),
        (("hired", "placed", "placement"), "hired"),
        (("offer",), "offer"),
        (("interview",), "interview"),
        (("screen",), "screen"),
        (("sourced", "applied"), "applied"),
    ):
        if any(word in lowered for word in words):
            return cast(StageKind, kind)
    return "other"


def _application_state(stage: str | None) -> ApplicationState:
    kind = stage_kind(stage) if stage else "other"
    if kind == "rejected":
        return "rejected"
    if kind == "hired":
        return "hired"
    return "active"


def transition_from_raw(raw: RawTransition) -> RemoteStageTransition | None:
    """``{"from": "Sourced", "to": "Recruiter Screen", "entered": "...+0000", ...}`` ->
    ``RemoteStageTransition``; ``None`` when it has no target stage or entry time."""
    to_stage, entered = _text(raw.get("to")), parse_time(raw.get("entered"))
    if to_stage is None or entered is None:
        return None
    return RemoteStageTransition(
        to_stage=to_stage,
        from_stage=_text(raw.get("from")),
        entered_at=entered,
        left_at=parse_time(raw.get("left")),
        moved_by=_person(raw.get("stage_moved_by")),
    )


def application_from_raw(
    candidate_remote_id: str,
    raw: RawMovementJob,
    listing: RawCandidateJob | None = None,
) -> RemoteApplication:
    """One ``data.jobs[]`` entry of a candidate's stage movements -> their application.

    ``listing`` is the same job in the candidate's ``jobs`` (candidate list), which tells
    the current stage and the disqualification reason; it rides along in ``raw``."""
    job_remote_id = _id(raw.get("id")) or _id((listing or {}).get("job_id"))
    if job_remote_id is None:
        raise InvalidResponseError("Recruiterflow stage movement without a job id")
    transitions = sorted(
        (t for t in map(transition_from_raw, raw.get("transitions") or []) if t is not None),
        key=lambda t: t.entered_at,
    )
    last = transitions[-1] if transitions else None
    current = (last.to_stage if last else None) or _text((listing or {}).get("stage_name"))
    status = _application_state(current)
    times = [t for tr in transitions for t in (tr.entered_at, tr.left_at) if t is not None]
    payload: dict[str, Any] = {**raw, "candidate_id": candidate_remote_id}
    if listing is not None:
        payload["candidate_job"] = listing
    return RemoteApplication(
        remote_id=application_id(candidate_remote_id, job_remote_id),
        raw=payload,
        remote_updated_at=max(times) if times else None,
        job_remote_id=job_remote_id,
        candidate_remote_id=candidate_remote_id,
        status=status,
        current_stage=current,
        applied_at=transitions[0].entered_at if transitions else None,
        rejected_at=last.entered_at if last and status == "rejected" else None,
        rejection_reason=_text((listing or {}).get("disqualification_reason"))
        if status == "rejected"
        else None,
        transitions=tuple(transitions),
    )


# -- everything else --------------------------------------------------------------------


def activity_from_raw(raw: RawActivity) -> RemoteActivity:
    """``{"activity_id": 1000, "type": {"name": "Added to job"}, "text": ...}`` ->
    ``RemoteActivity(remote_id="1000", kind="Added to job", ...)``."""
    if raw.get("activity_id") is None:
        raise InvalidResponseError("Recruiterflow activity without an activity_id")
    occurred = parse_time(raw.get("time"))
    return RemoteActivity(
        remote_id=str(raw["activity_id"]),
        raw=cast(Mapping[str, Any], raw),
        remote_updated_at=occurred,
        kind=_text((raw.get("type") or {}).get("name")) or "activity",
        description=_text(raw.get("text")) or _text(raw.get("subject")),
        occurred_at=occurred,
        candidate_remote_id=_id(raw.get("candidate_id")),
        job_remote_id=_id(raw.get("job_id")),
    )


def user_from_raw(raw: RawUser) -> RemoteUser:
    """``{"id": 40201, "email": ..., "roles": [{"name": "Admin"}]}`` ->
    ``RemoteUser(remote_id="40201", role="Admin", ...)``."""
    if raw.get("id") is None:
        raise InvalidResponseError("Recruiterflow user without an id")
    roles = raw.get("roles") or []
    name = _text(raw.get("name")) or " ".join(
        p for p in (raw.get("first_name"), raw.get("last_name")) if p
    )
    return RemoteUser(
        remote_id=str(raw["id"]),
        raw=cast(Mapping[str, Any], raw),
        email=_text(raw.get("email")),
        name=name or None,
        role=_text(roles[0].get("name")) if roles else None,
    )


def custom_field_from_raw(raw: RawCustomField) -> RemoteCustomField:
    """``{"id": 64, "name": "Number field", "type": "number"}`` -> ``RemoteCustomField``."""
    return RemoteCustomField(
        remote_id=str(raw["id"]), name=str(raw.get("name") or ""), field_type=raw.get("type")
    )


def custom_field_value(field_type: str | None, value: str) -> Any:
    """What ``/job/update`` expects for a field type: numbers for ``number``, 0/1 for
    ``yes_no``, the text otherwise. ``custom_field_value("number", "3")`` -> ``3``."""
    if field_type == "number":
        number = parse_decimal(value)
        if number is None:
            raise UnprocessableError(f"not a number: {value!r}")
        return int(number) if number == number.to_integral_value() else float(number)
    if field_type == "yes_no":
        return 1 if value.strip().lower() in ("1", "true", "yes", "y") else 0
    return value


def _data(body: Any) -> Any:
    return body.get("data") if isinstance(body, dict) and "data" in body else body


def _list(body: Any, what: str) -> list[Any]:
    data = _data(body)
    if not isinstance(data, list):
        raise InvalidResponseError(f"expected a list of {what}, got {type(data).__name__}")
    return data


@dataclass
class StageMovementPaginator:
    """Pages of ``{"data": {"id": ..., "jobs": [...]}}``: the jobs are the items; the
    first page with fewer jobs than ``size`` is the last."""

    size: int = DEFAULT_PAGE_SIZE

    def first(self, params: Params) -> Params:
        return {**params, "current_page": 1, "items_per_page": self.size}

    def items(self, body: Any) -> list[Any]:
        data = _data(body)
        if data is None or data == []:
            return []
        if not isinstance(data, dict) or not isinstance(data.get("jobs", []), list):
            raise InvalidResponseError("expected stage movements as {'data': {'jobs': [...]}}")
        return list(data.get("jobs") or [])

    def next(
        self, request: Params | str, response: httpx.Response, body: Any, items: list[Any]
    ) -> Params | None:
        assert isinstance(request, dict)
        if len(items) < self.size:
            return None
        return {**request, "current_page": int(request["current_page"]) + 1}


def _newer(moment: datetime | None, since: datetime | None) -> bool:
    """Whether a record changed at ``moment`` passes ``updated_since``: unknown times do;
    a naive ``since`` is taken as UTC."""
    if since is None or moment is None:
        return True
    return moment >= (since if since.tzinfo else since.replace(tzinfo=UTC))


def _user_id(attribution: Attribution | None) -> dict[str, int]:
    if attribution is None:
        return {}
    if not attribution.remote_id.isdigit():
        raise InvalidRecruiterError(
            f"Recruiterflow user ids are numeric, got {attribution.remote_id!r}"
        )
    return {"user_id": int(attribution.remote_id)}


def _numeric(remote_id: str, what: str) -> int:
    if not remote_id.isdigit():
        raise UnprocessableError(f"not a Recruiterflow {what} id: {remote_id!r}")
    return int(remote_id)


# -- the connector ----------------------------------------------------------------------


class RecruiterflowConnector(ConnectorBase):
    """Reads jobs, candidates, applications (from stage movements), activities, users,
    stages and job custom fields; moves, adds, disqualifies, notes, and writes job custom
    fields back (a rank, say) as the acting Recruiterflow user where the API allows."""

    provider: ClassVar[str] = "recruiterflow"
    capabilities: ClassVar[Capability] = (
        Capability.USERS
        | Capability.ACTIVITIES
        | Capability.MOVE_STAGE
        | Capability.ADD_TO_JOB
        | Capability.REJECT
        | Capability.NOTES
        | Capability.CUSTOM_FIELDS
        | Capability.ATTRIBUTION
        | Capability.APPLICATIONS_BY_CANDIDATE
    )
    required_credentials: ClassVar[tuple[str, ...]] = ("apiKey",)

    def __init__(self, context: ConnectorContext) -> None:
        super().__init__(context)
        size = context.config.get("pageSize")
        size = DEFAULT_PAGE_SIZE if size is None else size
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise ConfigurationError(f"pageSize must be a positive integer, got {size!r}")
        self.page_size = size
        concurrency = context.config.get("concurrency")
        concurrency = DEFAULT_CONCURRENCY if concurrency is None else concurrency
        if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
            raise ConfigurationError(f"concurrency must be a positive integer, got {concurrency!r}")
        self.concurrency = concurrency
        fee_field = context.config.get("feeCustomField")
        self.fee_field = str(fee_field) if fee_field else None
        self._custom_fields: list[RemoteCustomField] | None = None

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
        """``RecruiterflowConnector.create(client, {"apiKey": key}, {"pageSize": 50},
        integration="7:recruiterflow")`` -> a connector on https://api.recruiterflow.com."""
        api_key = credentials.get("apiKey")
        if not api_key:
            raise ConfigurationError("missing credential 'apiKey'")
        http = HttpClient(
            client,
            base_url=str(config.get("baseUrl") or DEFAULT_BASE_URL),
            integration=integration,
            auth=RecruiterflowAuth(api_key),
            headers={"Accept": "application/json"},
            rate_limit=rate_limit,
            sleep=sleep,
        )
        return cls(ConnectorContext(http=http, credentials=credentials, config=config))

    async def check(self) -> CheckResult:
        """``POST /api/external/info`` -> ``CheckResult(ok=True, detail="Recruiterflow
        account 'RF (company)'")``; bad keys raise ``AuthError``."""
        data = _data(await self.http.json("POST", f"{API}/info", idempotent=True))
        name = data.get("display_name") if isinstance(data, dict) else None
        return CheckResult(ok=True, detail=f"Recruiterflow account {name or 'reachable'!r}")

    # reads

    def _paginator(self) -> PageNumberPaginator:
        return PageNumberPaginator(size=self.page_size)

    async def jobs(self, updated_since: datetime | None = None) -> AsyncIterator[RemoteJob]:
        """Every job, a page at a time; ``updated_since`` keeps jobs whose ``updated_at``
        is at or after it (and jobs that carry no update time)."""
        async for page in self.http.pages(f"{API}/job/list", self._paginator()):
            for raw in page:
                if _newer(changed_at(raw), updated_since):
                    yield job_from_raw(raw, fee_field=self.fee_field)

    async def candidates(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteCandidate]:
        async for raw in self._raw_candidates():
            if _newer(changed_at(raw), updated_since):
                yield candidate_from_raw(raw)

    async def _raw_candidates(self) -> AsyncIterator[RawCandidate]:
        async for page in self.http.pages(f"{API}/candidate/list", self._paginator()):
            for raw in page:
                yield raw

    async def applications(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteApplication]:
        """For each candidate, their stage movements: one application per job, with its
        transitions. Candidates whose listing shows no jobs cost no extra request; one
        deleted since the listing was read is passed over.

        The movements of up to ``concurrency`` candidates are read at once (one request
        per candidate is what makes this the slow phase); applications still come out
        in candidate order, and the first failure, in that order, is raised."""
        in_flight: deque[asyncio.Task[list[RemoteApplication]]] = deque()
        try:
            async for candidate in self._raw_candidates():
                if "jobs" in candidate and not candidate.get("jobs"):
                    continue
                in_flight.append(asyncio.create_task(self._applications_unless_gone(candidate)))
                if len(in_flight) < self.concurrency:
                    continue
                for application in await in_flight.popleft():
                    if _newer(application.remote_updated_at, updated_since):
                        yield application
            while in_flight:
                for application in await in_flight.popleft():
                    if _newer(application.remote_updated_at, updated_since):
                        yield application
        finally:
            for task in in_flight:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)

    async def _applications_unless_gone(self, candidate: RawCandidate) -> list[RemoteApplication]:
        try:
            return await self._applications_of(candidate)
        except NotFoundError:
            return []

    async def _applications_of(self, candidate: RawCandidate) -> list[RemoteApplication]:
        """One candidate's applications; every stage-movement page is read first, since a
        job's transitions may continue on the next page."""
        candidate_id = str(candidate["id"])
        listing = {_id(j.get("job_id")): j for j in candidate.get("jobs") or []}
        merged: dict[str, RawMovementJob] = {}
        paginator = StageMovementPaginator(size=self.page_size)
        path = f"{API}/candidate/activities/stage-movement/list"
        async for page in self.http.pages(path, paginator, {"id": candidate_id}):
            for raw in page:
                key = _id(raw.get("id")) or ""
                if key in merged:
                    previous = merged[key]
                    previous["transitions"] = [
                        *(previous.get("transitions") or []),
                        *(raw.get("transitions") or []),
                    ]
                else:
                    merged[key] = raw
        found = [
            application_from_raw(candidate_id, raw, listing.get(k)) for k, raw in merged.items()
        ]
        found += [
            application_from_raw(candidate_id, {}, entry)  # in the job, never moved
            for job_id, entry in listing.items()
            if job_id is not None and job_id not in merged
        ]
        return found

    async def activities(self, candidate_remote_id: str) -> AsyncIterator[RemoteActivity]:
        """``GET /candidate/activity/list?id=22``, page by page."""
        params = {"id": candidate_remote_id}
        async for page in self.http.pages(
            f"{API}/candidate/activity/list", self._paginator(), params
        ):
            for raw in page:
                yield activity_from_raw(raw)

    async def users(self) -> AsyncIterator[RemoteUser]:
        body = await self.http.get_json(f"{API}/user/list")
        for raw in _list(body, "users"):
            yield user_from_raw(raw)

    async def stages(self) -> list[RemoteStage]:
        """The account's default pipeline in order (``/job/pipeline``, with stage ids),
        then any other stage name used in some job (``/job/stage_names``, id = name)."""
        pipeline = await self.http.get_json(f"{API}/job/pipeline")
        summary = pipeline.get("summary") if isinstance(pipeline, dict) else None
        if not isinstance(summary, list):
            raise InvalidResponseError("expected a pipeline with a 'summary' list")
        stages = [
            RemoteStage(
                remote_id=_id(s.get("id")) or str(s["name"]),
                name=str(s["name"]),
                position=i,
                kind=stage_kind(str(s["name"])),
            )
            for i, s in enumerate(summary)
        ]
        known = {stage.name.lower() for stage in stages}
        for name in _list(await self.http.get_json(f"{API}/job/stage_names"), "stage names"):
            if isinstance(name, str) and name.lower() not in known:
                known.add(name.lower())
                stages.append(
                    RemoteStage(
                        remote_id=name, name=name, position=len(stages), kind=stage_kind(name)
                    )
                )
        return stages

    async def custom_fields(self) -> list[RemoteCustomField]:
        """Job custom fields (``/job/custom-field/list``); remembered for this connector."""
        if self._custom_fields is None:
            body = await self.http.get_json(f"{API}/job/custom-field/list")
            self._custom_fields = [custom_field_from_raw(raw) for raw in _list(body, "fields")]
        return self._custom_fields

    async def _custom_field(self, name: str) -> RemoteCustomField | None:
        wanted = name.strip().lower()
        return next((f for f in await self.custom_fields() if f.name.lower() == wanted), None)

    async def get_jobs(self, remote_ids: Sequence[str]) -> list[RemoteJob]:
        """Each job's detail (``GET /job?job_id=``, which names the client company);
        unknown ids are left out."""
        found: list[RemoteJob] = []
        for remote_id in remote_ids:
            if not remote_id.isdigit():
                continue
            try:
                body = await self.http.get_json(f"{API}/job", {"job_id": remote_id})
            except NotFoundError:
                continue
            raw = _data(body)
            if isinstance(raw, dict) and raw.get("id") is not None:
                found.append(job_from_raw(cast(RawJob, raw), fee_field=self.fee_field))
        return found

    async def get_candidates(self, remote_ids: Sequence[str]) -> list[RemoteCandidate]:
        """``GET /candidate/get?id=`` for each (it answers a one-element list)."""
        found: list[RemoteCandidate] = []
        for remote_id in remote_ids:
            found += [candidate_from_raw(raw) for raw in await self._candidate_detail(remote_id)]
        return found

    async def _candidate_detail(self, remote_id: str) -> list[RawCandidate]:
        """``GET /candidate/get?id=``: the candidate, with the ``jobs`` they are in;
        nothing for an unknown (or non-numeric) id."""
        if not remote_id.isdigit():
            return []
        try:
            body = await self.http.get_json(f"{API}/candidate/get", {"id": remote_id})
        except NotFoundError:
            return []
        data = _data(body)
        return [
            cast(RawCandidate, raw)
            for raw in (data if isinstance(data, list) else [data])
            if isinstance(raw, dict) and raw.get("id") is not None
        ]

    async def get_applications(
        self, candidate_remote_ids: Sequence[str]
    ) -> list[RemoteApplication]:
        """``get_applications(["154651"])`` -> ``[RemoteApplication(remote_id="154651:1001",
        ...), ...]``: for each candidate, ``GET /candidate/get?id=`` then, if that lists
        any job, their stage movements, built exactly as ``applications()`` builds them.

        A candidate in no job costs one request; an unknown one, or one deleted between
        the two reads, yields nothing. Up to ``concurrency`` candidates are read at once;
        applications come out in the order the candidates were asked for (repeats
        ignored), and the first failure in that order is raised."""
        semaphore = asyncio.Semaphore(self.concurrency)

        async def of(remote_id: str) -> list[RemoteApplication]:
            async with semaphore:
                found: list[RemoteApplication] = []
                for raw in await self._candidate_detail(remote_id):
                    if "jobs" in raw and not raw.get("jobs"):
                        continue
                    found += await self._applications_unless_gone(raw)
                return found

        tasks = [asyncio.create_task(of(i)) for i in dict.fromkeys(candidate_remote_ids)]
        try:
            return [application for task in tasks for application in await task]
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    # writes

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        """POST and check the answer: ``{"RESULT": "FAILURE"}`` is a refusal whatever the
        status; a 403 about the acting user is ``InvalidRecruiterError``."""
        try:
            answer = await self.http.json("POST", f"{API}{path}", json=body)
        except AuthError as exc:
            if exc.status == 403 and "user is not present" in (exc.detail or "").lower():
                raise InvalidRecruiterError(
                    f"acting user {body.get('user_id') or body.get('created_by')} is not in "
                    "this Recruiterflow account",
                    status=403,
                ) from exc
            raise
        if isinstance(answer, dict) and str(answer.get("RESULT", "")).upper() == "FAILURE":
            raise UnprocessableError(
                f"Recruiterflow refused {path}: {answer.get('message') or 'no message'}"
            )
        return answer

    async def move_stage(
        self, application_remote_id: str, stage: str, attribution: Attribution | None
    ) -> WriteResult:
        """``move_stage("154651:12", "Client Interview", Attribution(remote_id="10447"))``
        -> ``POST /candidate/move-to-stage {"id": 154651, "job_id": 12,
        "stage": {"name": "Client Interview"}, "user_id": 10447}``."""
        candidate, job = split_application_id(application_remote_id)
        body = {"id": candidate, "job_id": job, "stage": {"name": stage}, **_user_id(attribution)}
        answer = await self._post("/candidate/move-to-stage", body)
        return WriteResult(remote_id=application_remote_id, raw=_raw(answer))

    async def add_to_job(
        self, candidate_remote_id: str, job_remote_id: str, attribution: Attribution | None
    ) -> WriteResult:
        """``POST /candidate/add-to-job {"id": 154651, "job_id": 12}``; the candidate lands
        in the first stage (Sourced). The endpoint has no acting-user field, so the
        attribution cannot be sent. Returns the application id ``"154651:12"``."""
        candidate = _numeric(candidate_remote_id, "candidate")
        job = _numeric(job_remote_id, "job")
        answer = await self._post("/candidate/add-to-job", {"id": candidate, "job_id": job})
        return WriteResult(remote_id=application_id(str(candidate), str(job)), raw=_raw(answer))

    async def reject(
        self, application_remote_id: str, reason: str, attribution: Attribution | None
    ) -> WriteResult:
        """``POST /candidate/disqualify {"id", "job_id", "reason", "user_id"}``."""
        candidate, job = split_application_id(application_remote_id)
        body = {"id": candidate, "job_id": job, "reason": reason, **_user_id(attribution)}
        answer = await self._post("/candidate/disqualify", body)
        return WriteResult(remote_id=application_remote_id, raw=_raw(answer))

    async def add_note(
        self, candidate_remote_id: str, text: str, attribution: Attribution | None
    ) -> WriteResult:
        """``POST /candidate/notes/add {"id": 154651, "value": text, "created_by": 10447}``
        -> ``WriteResult(remote_id=<note_id>)``."""
        body: dict[str, Any] = {"id": _numeric(candidate_remote_id, "candidate"), "value": text}
        if attribution is not None:
            body["created_by"] = _user_id(attribution)["user_id"]
        answer = await self._post("/candidate/notes/add", body)
        note_id = answer.get("note_id") if isinstance(answer, dict) else None
        return WriteResult(remote_id=_id(note_id), raw=_raw(answer))

    async def update_job_custom_field(
        self, job_remote_id: str, field_name: str, value: str
    ) -> WriteResult:
        """``update_job_custom_field("12", "Current Rank", "3")`` -> ``POST /job/update
        {"job_id": 12, "custom_fields": [{"id": 71, "value": 3}]}``: the field is found
        by name (case-insensitive) and only that field is sent."""
        job = _numeric(job_remote_id, "job")
        remembered = self._custom_fields is not None
        field = await self._custom_field(field_name)
        if field is None and remembered:
            self._custom_fields = None  # created since we last looked?
            field = await self._custom_field(field_name)
        if field is None:
            raise NotFoundError(f"no Recruiterflow job custom field named {field_name!r}")
        entry = {"id": int(field.remote_id), "value": custom_field_value(field.field_type, value)}
        answer = await self._post("/job/update", {"job_id": job, "custom_fields": [entry]})
        return WriteResult(remote_id=job_remote_id, raw=_raw(answer))


def _raw(answer: Any) -> Mapping[str, Any]:
    return answer if isinstance(answer, dict) else {}


__all__ = [
    "RecruiterflowAuth",
    "RecruiterflowConnector",
    "activity_from_raw",
    "application_from_raw",
    "candidate_from_raw",
    "custom_field_from_raw",
    "job_from_raw",
    "user_from_raw",
]
