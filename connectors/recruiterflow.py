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

Records are read leniently (``connectors.lenient``): a number sent as text, an object
where text was documented, a ``null`` list are taken for what they mean. A record that
still makes no sense (no id) raises ``MappingError`` from its mapper; the connector reads
every record through ``map_record``, so it is reported and skipped while the listing
goes on. Text is cut to what the store holds; values that are useless cut (an email,
a phone number, a URL, a currency) are dropped instead.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar, TypedDict, cast
from urllib.parse import urlsplit

import httpx

from connectors import lenient
from connectors.assembly import ConnectorSettings, Count, Text, setting
from connectors.base import Capability, ConnectorBase, ConnectorContext
from connectors.errors import (
    AuthError,
    InvalidRecruiterError,
    InvalidResponseError,
    MappingError,
    NotFoundError,
    UnprocessableError,
)
from connectors.http import ApiKeyHeaderAuth, PageNumberPaginator, Params
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
UNTITLED = "(untitled)"
"""The title of a job the API sends without a name."""

# What the store's columns hold.
ID_LIMIT = 255
NAME_LIMIT = 255
FULL_NAME_LIMIT = 512
TITLE_LIMIT = 512
HEADLINE_LIMIT = 512
PLACE_LIMIT = 255
STAGE_LIMIT = 255
STATUS_LIMIT = 128
SOURCE_LIMIT = 128
TYPE_LIMIT = 64
PHONE_LIMIT = 64
EMAIL_LIMIT = 320
URL_LIMIT = 2048
FEE_LIMIT = Decimal(10) ** 12


class RecruiterflowAuth(ApiKeyHeaderAuth):
    """Adds ``RF-Api-Key: <key>`` to every request."""

    header = "RF-Api-Key"


@dataclass(frozen=True, kw_only=True)
class RecruiterflowSettings(ConnectorSettings):
    page_size: int = setting("pageSize", Count(default=DEFAULT_PAGE_SIZE))
    """No documented maximum: any positive size is sent as asked."""
    concurrency: int = setting("concurrency", Count(default=DEFAULT_CONCURRENCY))
    fee_field: str | None = setting("feeCustomField", Text())
    """The job custom field holding the fee, instead of ``fee``/``expected_fee``."""


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
    created_by: RawRef | None
    owner: RawRef | int | str | None
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
    """``files[]`` of a candidate: the spec gives no ``type``; some accounts send one."""

    id: int
    filename: str
    link: str
    type: str | RawRef | None


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
    resume: str | RawFile | None
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
    naive times are taken as UTC; epoch seconds or milliseconds are read too; anything
    else is ``None``."""
    return lenient.timestamp(value)


def parse_decimal(value: object) -> Decimal | None:
    """``35000``, ``"35000.50"`` or ``{"number": 35000, "currency": "USD"}`` -> ``Decimal``."""
    return lenient.decimal(value, "number")


def _record(raw: object, entity: str, what: str) -> Mapping[str, Any]:
    """The record as an object, or the ``MappingError`` for one that is not."""
    if not isinstance(raw, Mapping):
        raise MappingError(
            f"Recruiterflow {what} is not an object but {type(raw).__name__}", entity=entity
        )
    return raw


def _id(value: object) -> str | None:
    """A remote id (``17``, ``"17"``, ``{"id": 17}``) that fits the store; a 300-digit
    number is no id."""
    found = lenient.identifier(value)
    return found if found is not None and len(found) <= ID_LIMIT else None


def _clip(value: object, limit: int, *keys: str) -> str | None:
    """Text cut to the column it is stored in (a name, a place: a cut one still reads)."""
    return lenient.text(value, *keys, limit=limit)


def _whole(value: object, limit: int, *keys: str) -> str | None:
    """Text that is useless cut (an email, a phone number): too long is no value at all."""
    found = lenient.text(value, *keys, limit=limit + 1)
    return found if found is not None and len(found) <= limit else None


def _email(value: object, *keys: str) -> str | None:
    found = _whole(value, EMAIL_LIMIT, *(keys or ("email", "value")))
    return found if found is not None and "@" in found else None


def _currency(value: object) -> str | None:
    """An ISO 4217 code (``"usd"`` -> ``"USD"``); anything else is no currency."""
    code = lenient.text(value, "code", "name", limit=8)
    return code.upper() if code and len(code) == 3 and code.isascii() and code.isalpha() else None


def _first(values: object, key: str) -> str | None:
    """First of ``["a@x.com"]`` or ``[{"email": "a@x.com", "is_primary": 1}]``, primary
    first; a lone string or object counts as a list of one."""
    entries = lenient.items(values)
    entries.sort(
        key=lambda item: not (isinstance(item, Mapping) and lenient.boolean(item.get("is_primary")))
    )
    for item in entries:
        found = lenient.text(item, key, "value")
        if found:
            return found
    return None


def _person(ref: object) -> RemotePerson | None:
    """``{"id": 1, "name": "John Doe", "email": ...}`` (or a bare user id) -> who did it."""
    if isinstance(ref, Mapping):
        person = RemotePerson(
            remote_id=_id(ref.get("id")),
            name=_clip(ref.get("name"), NAME_LIMIT),
            email=_email(ref.get("email")),
        )
        return person if person.remote_id or person.name or person.email else None
    user_id = _id(lenient.integer(ref))
    return RemotePerson(remote_id=user_id) if user_id is not None else None


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


def job_status_name(raw: object) -> str | None:
    """The status as Recruiterflow names it: ``status`` (text or ``{"name"}``), else the
    account-defined ``job_status.name``."""
    record = lenient.mapping(raw)
    return _clip(record.get("status"), STATUS_LIMIT, "name") or _clip(
        record.get("job_status"), STATUS_LIMIT, "name"
    )


def job_state(raw: object) -> JobState:
    """``{"is_open": false, "job_status": {"name": "On Hold"}}`` -> ``"on_hold"``.

    A status name that says draft/hold/archived/closed wins; otherwise ``is_open``
    decides, and an unknown status on an open job is ``"open"``."""
    name = (job_status_name(raw) or "").lower().replace("_", " ")
    mapped = next((state for word, state in _JOB_STATUS_WORDS if word in name), None)
    if lenient.boolean(lenient.mapping(raw).get("is_open")) is False and mapped in (None, "open"):
        return "closed"
    return mapped or "open"


def job_custom_field(raw: object, name: str) -> Any:
    """The value of the job custom field called ``name`` (case-insensitive), or ``None``."""
    wanted = name.strip().lower()
    for field in lenient.objects(lenient.mapping(raw).get("custom_fields")):
        if (lenient.text(field.get("name")) or "").lower() == wanted:
            return field.get("value")
    return None


def job_fee(raw: object, fee_field: str | None = None) -> tuple[Decimal | None, str | None]:
    """Estimated fee and its currency: the custom field ``fee_field`` when configured,
    else ``fee``, else ``expected_fee`` (contingent and retained jobs)."""
    record = lenient.mapping(raw)
    if fee_field:
        value = job_custom_field(record, fee_field)
    else:
        value = record.get("fee")
        if value is None:
            value = record.get("expected_fee")
    amount = parse_decimal(value)
    if amount is None or abs(amount) >= FEE_LIMIT:
        return None, None
    currency = value.get("currency") if isinstance(value, Mapping) else None
    return amount, _currency(currency) or _currency(record.get("salary_range_currency"))


def changed_at(raw: object) -> datetime | None:
    """The explicit update time a record carries, if any (what ``updated_since`` filters on)."""
    return parse_time(lenient.mapping(raw).get("updated_at"))


_OWNER_FIELDS = ("owner", "job_owner", "recruiter", "owner_id", "recruiter_id")


def _team_member(value: object) -> RemotePerson | None:
    """A ``hiring_team`` entry: ``{"user_id": 10447, "email": ..., "role": "Recruiter"}``
    as read, or ``{"id": <role id>, "values": [{"user_id": 3}]}`` as job create takes it."""
    member = lenient.mapping(value)
    user_id = _id(member.get("user_id"))
    if user_id is None and "values" in member:
        user_id = _id(lenient.dig(lenient.objects(member["values"]), 0, "user_id"))
    elif user_id is None:
        user_id = _id(member.get("id"))
    if user_id is None and _email(member.get("email")) is None:
        return None
    return RemotePerson(
        remote_id=user_id,
        name=_clip(member.get("name"), NAME_LIMIT)
        or _clip(
            " ".join(
                part
                for part in (
                    lenient.text(member.get("first_name")),
                    lenient.text(member.get("last_name")),
                )
                if part
            ),
            NAME_LIMIT,
        ),
        email=_email(member.get("email")),
    )


def _role(value: object) -> str:
    return (lenient.text(lenient.mapping(value).get("role"), "name") or "").lower()


def job_recruiter(raw: object) -> tuple[RemotePerson | None, str | None]:
    """Who owns the job, and the field that said so.

    The spec documents no owner field on jobs; it documents ``hiring_team`` (``user_id``,
    ``email``, ``role``) on job reads and ``created_by`` (``id``, ``email``) on job search.
    In that order of preference: an explicit ``owner``/``job_owner``/``recruiter`` (an
    object or a user id), a hiring-team member whose role says owner, then one whose role
    says recruiter, then the first member, then whoever created the job. A person with a
    user id wins over one known only by email; an email missing on the one chosen is
    taken from another entry with the same user id."""
    record = lenient.mapping(raw)
    team = [
        (person, _role(member))
        for member in lenient.items(record.get("hiring_team"))
        if (person := _team_member(member)) is not None
    ]
    ranked: list[tuple[RemotePerson | None, str]] = [
        (_team_member(value) if isinstance(value, Mapping) else _person(value), key)
        for key in _OWNER_FIELDS
        if (value := record.get(key)) is not None
    ]
    ranked += [(person, "hiring_team") for person, role in team if "owner" in role]
    ranked += [(person, "hiring_team") for person, role in team if "recruiter" in role]
    ranked += [(person, "hiring_team") for person, _ in team[:1]]
    ranked.append((_person(record.get("created_by")), "created_by"))
    found = [(person, source) for person, source in ranked if person is not None]
    chosen = next(((p, s) for p, s in found if p.remote_id), None)
    chosen = chosen or next(((p, s) for p, s in found if p.email), None)
    if chosen is None:
        return None, None
    person, source = chosen
    if person.email is None:
        everyone = [p for p, _ in found] + [p for p, _ in team]
        email = next(
            (p.email for p in everyone if p.remote_id == person.remote_id and p.email), None
        )
        person = RemotePerson(remote_id=person.remote_id, name=person.name, email=email)
    return person, source


def job_from_raw(raw: object, *, fee_field: str | None = None) -> RemoteJob:
    """``{"id": 1, "name": "Staging Job 1", "company": {"name": "Guarented I"}, ...}`` ->
    ``RemoteJob(remote_id="1", title="Staging Job 1", client_name="Guarented I", ...)``.

    Only an id is required: a job without a name is still a job its candidates are in,
    so it is titled ``"(untitled)"`` rather than failed. The recruiter found by
    ``job_recruiter`` is also written to ``raw["recruiter"]`` (``id``, ``email``,
    ``name``) unless the record has its own ``recruiter`` object, so the owner's email
    stays with the job for linking to a gateway user."""
    record = _record(raw, "jobs", "job")
    remote_id = lenient.required(
        _id(record.get("id")) or _id(record.get("job_id")),
        "an id",
        entity="jobs",
        raw=record,
    )
    status = job_state(record)
    fee, currency = job_fee(record, fee_field)
    location = "; ".join(lenient.texts(record.get("locations"), "name", "city"))
    created = parse_time(record.get("created_at"))
    last_opened = parse_time(record.get("last_opened"))
    closed_on = parse_time(lenient.dig(record, "job_visibility_info", "closed_on"))
    recruiter, _ = job_recruiter(record)
    payload: Mapping[str, Any] = record
    if recruiter is not None and not isinstance(record.get("recruiter"), Mapping):
        payload = {
            **record,
            "recruiter": {
                "id": recruiter.remote_id,
                "email": recruiter.email,
                "name": recruiter.name,
            },
        }
    return RemoteJob(
        remote_id=remote_id,
        raw=payload,
        remote_updated_at=changed_at(record) or last_opened or created,
        title=_clip(record.get("name"), TITLE_LIMIT)
        or _clip(record.get("title"), TITLE_LIMIT)
        or UNTITLED,
        status=status,
        remote_status=job_status_name(record),
        description=lenient.text(record.get("about_position")),
        location=_clip(location, PLACE_LIMIT),
        department=_clip(record.get("department"), PLACE_LIMIT, "name"),
        employment_type=_clip(record.get("employment_type"), TYPE_LIMIT, "name")
        or _clip(record.get("job_type"), TYPE_LIMIT, "name"),
        client_name=_clip(record.get("company"), PLACE_LIMIT, "name")
        or _clip(record.get("client_company_name"), PLACE_LIMIT),
        opened_at=created or last_opened,
        closed_at=closed_on if status in ("closed", "archived") else None,
        estimated_fee=fee,
        currency=currency,
        recruiter_remote_id=recruiter.remote_id if recruiter else None,
        recruiter_email=recruiter.email if recruiter else None,
    )


# -- candidates -------------------------------------------------------------------------

_FILE_TYPE_KEYS = ("type", "file_type", "category", "document_type", "kind")
_FILE_LINK_KEYS = ("link", "url", "file_url", "download_link", "download_url")


def _file_type(file: Mapping[str, Any]) -> str | None:
    return lenient.first_text((file.get(key) for key in _FILE_TYPE_KEYS), "name", "value")


def _is_resume(kind: str | None) -> bool:
    if not kind:
        return False
    lowered = kind.lower()
    return "resume" in lowered or "résumé" in lowered or "cv" in lowered.replace("-", " ").split()


def resolve_url(link: object, base_url: str = DEFAULT_BASE_URL) -> str | None:
    """``"https://s3.../10250.pdf"`` as given; ``"/api/external/document/get?id=3202"``
    joined to the API base; ``"//cdn.x/a.pdf"`` over https. Other schemes, text with
    spaces or control characters, and URLs too long to store are no URL."""
    text = lenient.text(link, limit=URL_LIMIT + 1) if isinstance(link, str) else None
    if not text or any(c.isspace() or unicodedata.category(c).startswith("C") for c in text):
        return None
    if text.startswith("//"):
        text = "https:" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme:
        url = text if parts.scheme.lower() in ("http", "https") and parts.netloc else None
    else:
        url = f"{base_url.rstrip('/')}/{text.lstrip('/')}"
    return url if url is not None and len(url) <= URL_LIMIT else None


def candidate_resume(raw: object, base_url: str = DEFAULT_BASE_URL) -> dict[str, Any] | None:
    """The candidate's resume file: ``{"id", "filename", "type", "link", "url"}`` (``url``
    absolute), or ``None``.

    The spec's candidate ``files`` carry ``id``, ``filename`` and ``link`` but no type.
    A file typed as a resume (or CV) wins; then a ``resume`` field on the candidate (a
    link or a file object); then the first file that names no type at all, which is how
    the spec's example resume is listed. A file typed as something else is never taken."""
    record = lenient.mapping(raw)
    files = lenient.objects(record.get("files"))
    resume = record.get("resume")
    resume_files = [resume] if isinstance(resume, Mapping) else []
    choices = [
        *(f for f in files if _is_resume(_file_type(f)) or lenient.boolean(f.get("is_resume"))),
        *resume_files,
        *(
            f
            for f in files
            if _file_type(f) is None and lenient.boolean(f.get("is_resume")) is not False
        ),
    ]
    for file in choices:
        link = lenient.first_text(file.get(key) for key in _FILE_LINK_KEYS)
        url = resolve_url(link, base_url)
        if url is not None:
            return {
                "id": _id(file.get("id")) or _id(file.get("file_id")),
                "filename": _clip(file.get("filename"), NAME_LIMIT)
                or _clip(file.get("file_name"), NAME_LIMIT)
                or _clip(file.get("name"), NAME_LIMIT),
                "type": _file_type(file),
                "link": link,
                "url": url,
            }
    if not isinstance(resume, Mapping):
        url = resolve_url(resume, base_url)
        if url is not None:
            return {"id": None, "filename": None, "type": "resume", "link": resume, "url": url}
    return None


def _candidate_location(value: object) -> str | None:
    """``{"location": "London, UK"}``, else its city, state and country; a string is the
    place itself."""
    if not isinstance(value, Mapping):
        return _clip(value, PLACE_LIMIT)
    parts = (lenient.text(value.get(key)) for key in ("city", "state", "country"))
    return _clip(value.get("location"), PLACE_LIMIT) or _clip(
        ", ".join(part for part in parts if part), PLACE_LIMIT
    )


def candidate_from_raw(raw: object, *, base_url: str = DEFAULT_BASE_URL) -> RemoteCandidate:
    """``{"id": 154651, "name": "Sumit Neogi", "phone_number": ["23432443"], ...}`` ->
    ``RemoteCandidate(remote_id="154651", name="Sumit Neogi", phone="23432443", ...)``.

    The resume chosen by ``candidate_resume`` is ``resume_url`` (relative links joined to
    ``base_url``) and is also written to ``raw["resume_file"]``, name and type included."""
    record = _record(raw, "candidates", "candidate")
    remote_id = lenient.required(
        _id(record.get("id")) or _id(record.get("prospect_id")),
        "an id",
        entity="candidates",
        raw=record,
    )
    first, last = (
        _clip(record.get("first_name"), NAME_LIMIT),
        _clip(record.get("last_name"), NAME_LIMIT),
    )
    designation = lenient.text(record.get("current_designation"), "name", "title")
    organization = lenient.text(record.get("current_organization"), "name")
    headline = " at ".join(part for part in (designation, organization) if part)
    added = parse_time(record.get("added_time"))
    resume = candidate_resume(record, base_url)
    payload: Mapping[str, Any] = record
    if resume is not None and "resume_file" not in record:
        payload = {**record, "resume_file": resume}
    return RemoteCandidate(
        remote_id=remote_id,
        raw=payload,
        remote_updated_at=changed_at(record)
        or parse_time(record.get("latest_activity_time"))
        or added,
        name=_clip(record.get("name"), FULL_NAME_LIMIT)
        or _clip(" ".join(p for p in (first, last) if p), FULL_NAME_LIMIT)
        or "",
        first_name=first,
        last_name=last,
        email=_email(_first(record.get("email"), "email")),
        phone=_whole(_first(record.get("phone_number"), "phone_number"), PHONE_LIMIT),
        location=_candidate_location(record.get("location")),
        headline=_clip(headline, HEADLINE_LIMIT),
        source=_clip(record.get("source_name"), SOURCE_LIMIT)
        or _clip(record.get("source"), SOURCE_LIMIT, "name"),
        resume_url=resume["url"] if resume else None,
        tags=lenient.texts(record.get("tags"), "name"),
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


def transition_from_raw(raw: object) -> RemoteStageTransition | None:
    """``{"from": "Sourced", "to": "Recruiter Screen", "entered": "...+0000", ...}`` ->
    ``RemoteStageTransition``; ``None`` when it has no target stage or entry time."""
    record = lenient.mapping(raw)
    to_stage = _clip(record.get("to"), STAGE_LIMIT, "name")
    entered = parse_time(record.get("entered"))
    if to_stage is None or entered is None:
        return None
    return RemoteStageTransition(
        to_stage=to_stage,
        from_stage=_clip(record.get("from"), STAGE_LIMIT, "name"),
        entered_at=entered,
        left_at=parse_time(record.get("left")),
        moved_by=_person(record.get("stage_moved_by")),
    )


def application_from_raw(
    candidate_remote_id: str,
    raw: object,
    listing: object = None,
) -> RemoteApplication:
    """One ``data.jobs[]`` entry of a candidate's stage movements -> their application.

    ``listing`` is the same job in the candidate's ``jobs`` (candidate list), which tells
    the current stage and the disqualification reason; it rides along in ``raw``."""
    record = _record(raw, "applications", "stage movement")
    entry = lenient.mapping(listing)
    job_remote_id = _id(record.get("id")) or _id(entry.get("job_id"))
    if job_remote_id is None:
        raise MappingError(
            f"Recruiterflow stage movement of candidate {candidate_remote_id} without a job id",
            entity="applications",
        )
    remote_id = application_id(candidate_remote_id, job_remote_id)
    if len(remote_id) > ID_LIMIT:
        raise MappingError("Recruiterflow application id too long", entity="applications")
    transitions = sorted(
        (
            t
            for t in map(transition_from_raw, lenient.items(record.get("transitions")))
            if t is not None
        ),
        key=lambda t: t.entered_at,
    )
    last = transitions[-1] if transitions else None
    current = (last.to_stage if last else None) or _clip(
        entry.get("stage_name"), STAGE_LIMIT, "name"
    )
    status = _application_state(current)
    times = [t for tr in transitions for t in (tr.entered_at, tr.left_at) if t is not None]
    payload: dict[str, Any] = {**record, "candidate_id": candidate_remote_id}
    if listing is not None:
        payload["candidate_job"] = listing
    return RemoteApplication(
        remote_id=remote_id,
        raw=payload,
        remote_updated_at=max(times) if times else None,
        job_remote_id=job_remote_id,
        candidate_remote_id=candidate_remote_id,
        status=status,
        current_stage=current,
        applied_at=transitions[0].entered_at if transitions else None,
        rejected_at=last.entered_at if last and status == "rejected" else None,
        rejection_reason=lenient.text(entry.get("disqualification_reason"), "name")
        if status == "rejected"
        else None,
        transitions=tuple(transitions),
    )


# -- everything else --------------------------------------------------------------------


def activity_from_raw(raw: object, candidate_remote_id: str | None = None) -> RemoteActivity:
    """``{"activity_id": 1000, "type": {"name": "Added to job"}, "text": ...}`` ->
    ``RemoteActivity(remote_id="1000", kind="Added to job", ...)``. An activity read for
    ``candidate_remote_id`` that names no candidate is that candidate's."""
    record = _record(raw, "activities", "activity")
    remote_id = lenient.required(
        _id(record.get("activity_id")) or _id(record.get("id")),
        "an activity_id",
        entity="activities",
        raw=record,
    )
    occurred = parse_time(record.get("time"))
    return RemoteActivity(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=occurred,
        kind=_clip(record.get("type"), STATUS_LIMIT, "name") or "activity",
        description=lenient.text(record.get("text")) or lenient.text(record.get("subject")),
        occurred_at=occurred,
        candidate_remote_id=_id(record.get("candidate_id")) or candidate_remote_id,
        job_remote_id=_id(record.get("job_id")),
    )


def user_from_raw(raw: object) -> RemoteUser:
    """``{"id": 40201, "email": ..., "roles": [{"name": "Admin"}]}`` ->
    ``RemoteUser(remote_id="40201", role="Admin", ...)``."""
    record = _record(raw, "users", "user")
    remote_id = lenient.required(_id(record.get("id")), "an id", entity="users", raw=record)
    first, last = lenient.text(record.get("first_name")), lenient.text(record.get("last_name"))
    return RemoteUser(
        remote_id=remote_id,
        raw=record,
        email=_email(record.get("email")),
        name=_clip(record.get("name"), NAME_LIMIT)
        or _clip(" ".join(p for p in (first, last) if p), NAME_LIMIT),
        role=lenient.first_text(lenient.items(record.get("roles")), "name"),
    )


def custom_field_from_raw(raw: object) -> RemoteCustomField:
    """``{"id": 64, "name": "Number field", "type": "number"}`` -> ``RemoteCustomField``."""
    record = _record(raw, "custom_fields", "job custom field")
    return RemoteCustomField(
        remote_id=lenient.required(
            _id(record.get("id")), "an id", entity="custom_fields", raw=record
        ),
        name=_clip(record.get("name"), NAME_LIMIT) or "",
        field_type=lenient.text(record.get("type"), "name"),
    )


def stages_from_raw(pipeline: object, stage_names: object) -> list[RemoteStage]:
    """The account's stages in pipeline order, positions 0, 1, 2...

    What this relies on: ``GET /job/pipeline`` without ``job_id`` (the spec marks it
    optional) answers the account's default pipeline, ``summary`` listing its stages in
    pipeline order with their ids; ``GET /job/stage_names`` lists every distinct stage
    name used in any job's pipeline, in no documented order (its example is mostly
    alphabetical). So the pipeline gives the order and the ids, and each other stage
    name follows, in the order ``stage_names`` gives, with its name as id. Where the
    pipeline is missing or unreadable, ``stage_names`` alone gives the order. Entries
    without a name, and names seen before (case-insensitive), are passed over."""
    summary = lenient.mapping(pipeline).get("summary")
    stages: list[RemoteStage] = []
    seen: set[str] = set()

    def add(name: str | None, remote_id: str | None) -> None:
        if name is None or name.lower() in seen:
            return
        ids = {stage.remote_id for stage in stages}
        remote_id = remote_id if remote_id is not None and remote_id not in ids else name
        if remote_id in ids:
            return
        seen.add(name.lower())
        stages.append(
            RemoteStage(
                remote_id=remote_id,
                name=name,
                position=len(stages),
                kind=stage_kind(name),
            )
        )

    for entry in lenient.items(summary):
        remote_id = _id(entry.get("id")) if isinstance(entry, Mapping) else None
        add(_clip(entry, STAGE_LIMIT, "name"), remote_id)
    for entry in lenient.items(_data(stage_names)):
        add(_clip(entry, STAGE_LIMIT, "name"), None)
    return stages


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
    """The records of a ``{"data": [...]}`` (or bare list) answer; ``null`` is none."""
    data = _data(body)
    if data is None:
        return []
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
        """``data.jobs``; a ``null`` body, ``data`` or ``jobs`` is an empty page."""
        data = _data(body)
        if data is None or data == []:
            return []
        jobs = data.get("jobs") if isinstance(data, dict) else ...
        if jobs is None:
            return []
        if not isinstance(jobs, list):
            raise InvalidResponseError("expected stage movements as {'data': {'jobs': [...]}}")
        return list(jobs)

    def next(
        self, request: Params | str, response: httpx.Response, body: Any, items: list[Any]
    ) -> Params | None:
        assert isinstance(request, dict)
        if len(items) < self.size:
            return None
        return {**request, "current_page": int(request["current_page"]) + 1}


def _movement_key(candidate: object) -> str | None:
    """The id to read a listed candidate's stage movements by, or ``None`` when there is
    nothing to read: not an object, no numeric id (the API takes no other), or a
    ``jobs`` listing present and empty. A ``jobs`` value that is not a list says nothing,
    so the movements are read."""
    if not isinstance(candidate, Mapping):
        return None
    candidate_id = _id(candidate.get("id"))
    if candidate_id is None or not candidate_id.isdigit():
        return None
    jobs = candidate.get("jobs", ...)
    if jobs is None or jobs == []:
        return None
    return candidate_id


def _application_of(candidate_id: str) -> Callable[[Any, Any], RemoteApplication]:
    """``application_from_raw`` for one candidate, taking the record first as
    ``map_record`` passes it."""

    def mapper(raw: Any, listing: Any) -> RemoteApplication:
        return application_from_raw(candidate_id, raw, listing)

    return mapper


def _answered(body: Any) -> list[Any]:
    """The records of a detail answer (``{...}``, ``[{...}]`` or ``{"data": ...}``);
    nothing for ``null`` or a ``{"RESULT": "FAILURE"}``."""
    data = _data(body)
    if isinstance(data, Mapping) and str(data.get("RESULT", "")).upper() == "FAILURE":
        return []
    return [raw for raw in lenient.items(data) if raw is not None]


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

    settings_model = RecruiterflowSettings
    settings: RecruiterflowSettings
    base_url = DEFAULT_BASE_URL

    def __init__(
        self, context: ConnectorContext, settings: ConnectorSettings | None = None
    ) -> None:
        super().__init__(context, settings)
        self.concurrency = self.settings.concurrency
        self.fee_field = self.settings.fee_field
        self._custom_fields: list[RemoteCustomField] | None = None

    @classmethod
    def auth_for(
        cls, credentials: Mapping[str, str], settings: ConnectorSettings
    ) -> RecruiterflowAuth:
        return RecruiterflowAuth(credentials["apiKey"])

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
        is at or after it (and jobs that carry no update time). A job that cannot be
        mapped is reported through ``on_failure`` and skipped."""
        async for page in self.http.pages(f"{API}/job/list", self._paginator()):
            for raw in page:
                if _newer(changed_at(raw), updated_since):
                    job = self.map_record("jobs", job_from_raw, raw, fee_field=self.fee_field)
                    if job is not None:
                        yield job

    async def candidates(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteCandidate]:
        async for raw in self._raw_candidates():
            if _newer(changed_at(raw), updated_since):
                candidate = self._candidate(raw)
                if candidate is not None:
                    yield candidate

    def _candidate(self, raw: Any) -> RemoteCandidate | None:
        return self.map_record("candidates", candidate_from_raw, raw, base_url=self.http.base_url)

    async def _raw_candidates(self) -> AsyncIterator[Any]:
        async for page in self.http.pages(f"{API}/candidate/list", self._paginator()):
            for raw in page:
                yield raw

    async def applications(
        self, updated_since: datetime | None = None
    ) -> AsyncIterator[RemoteApplication]:
        """For each candidate, their stage movements: one application per job, with its
        transitions. Candidates whose listing shows no jobs cost no extra request; one
        deleted since the listing was read is passed over, and so is one without a
        numeric id (the candidates phase reports it; the API could not be asked).

        The movements of up to ``concurrency`` candidates are read at once (one request
        per candidate is what makes this the slow phase); applications still come out
        in candidate order, and the first failure, in that order, is raised."""
        in_flight: deque[asyncio.Task[list[RemoteApplication]]] = deque()
        try:
            async for candidate in self._raw_candidates():
                if _movement_key(candidate) is None:
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

    async def _applications_unless_gone(
        self, candidate: Mapping[str, Any]
    ) -> list[RemoteApplication]:
        try:
            return await self._applications_of(candidate)
        except NotFoundError:
            return []

    async def _applications_of(self, candidate: Mapping[str, Any]) -> list[RemoteApplication]:
        """One candidate's applications; every stage-movement page is read first, since a
        job's transitions may continue on the next page. A movement entry that cannot be
        mapped is reported and skipped; the others stand."""
        candidate_id = _movement_key(candidate)
        if candidate_id is None:
            return []
        listing: dict[str, Mapping[str, Any]] = {}
        for entry in lenient.objects(candidate.get("jobs")):
            job_id = _id(entry.get("job_id"))
            if job_id is not None:
                listing.setdefault(job_id, entry)
        merged: dict[str, dict[str, Any]] = {}
        unreadable: list[Any] = []
        paginator = StageMovementPaginator(size=self.page_size)
        path = f"{API}/candidate/activities/stage-movement/list"
        async for page in self.http.pages(path, paginator, {"id": candidate_id}):
            for raw in page:
                key = _id(raw.get("id")) if isinstance(raw, Mapping) else None
                if key is None:
                    unreadable.append(raw)
                elif key in merged:
                    previous = merged[key]
                    previous["transitions"] = [
                        *lenient.items(previous.get("transitions")),
                        *lenient.items(raw.get("transitions")),
                    ]
                else:
                    merged[key] = dict(raw)
        pairs: list[tuple[Any, Any]] = [(raw, listing.get(k)) for k, raw in merged.items()]
        pairs += [(raw, None) for raw in unreadable]
        pairs += [({}, entry) for job_id, entry in listing.items() if job_id not in merged]
        found: list[RemoteApplication] = []
        for raw, entry in pairs:
            application = self.map_record("applications", _application_of(candidate_id), raw, entry)
            if application is not None:
                found.append(application)
        return found

    async def activities(self, candidate_remote_id: str) -> AsyncIterator[RemoteActivity]:
        """``GET /candidate/activity/list?id=22``, page by page. An activity that cannot be
        mapped is reported and skipped; a candidate the API does not know (deleted, or an
        id that cannot be one) has none."""
        if not candidate_remote_id.isdigit():
            return
        params = {"id": candidate_remote_id}
        pages = self.http.pages(f"{API}/candidate/activity/list", self._paginator(), params)
        try:
            async for page in pages:
                for raw in page:
                    activity = self.map_record(
                        "activities", activity_from_raw, raw, candidate_remote_id
                    )
                    if activity is not None:
                        yield activity
        except NotFoundError:
            return

    async def users(self) -> AsyncIterator[RemoteUser]:
        body = await self.http.get_json(f"{API}/user/list")
        for raw in _list(body, "users"):
            user = self.map_record("users", user_from_raw, raw)
            if user is not None:
                yield user

    async def stages(self) -> list[RemoteStage]:
        """The account's stages in pipeline order, positions 0, 1, 2... (see
        ``stages_from_raw`` for what that order rests on): ``/job/pipeline`` for the
        default pipeline, then ``/job/stage_names`` for names used in other pipelines.
        A pipeline the API does not answer leaves ``stage_names`` alone."""
        try:
            pipeline = await self.http.get_json(f"{API}/job/pipeline")
        except NotFoundError:
            pipeline = None
        return stages_from_raw(pipeline, await self.http.get_json(f"{API}/job/stage_names"))

    async def custom_fields(self) -> list[RemoteCustomField]:
        """Job custom fields (``/job/custom-field/list``); remembered for this connector."""
        if self._custom_fields is None:
            body = await self.http.get_json(f"{API}/job/custom-field/list")
            mapped = (
                self.map_record("custom_fields", custom_field_from_raw, raw)
                for raw in _list(body, "fields")
            )
            self._custom_fields = [field for field in mapped if field is not None]
        return self._custom_fields

    async def _custom_field(self, name: str) -> RemoteCustomField | None:
        wanted = name.strip().lower()
        return next((f for f in await self.custom_fields() if f.name.lower() == wanted), None)

    async def get_jobs(self, remote_ids: Sequence[str]) -> list[RemoteJob]:
        """Each job's detail (``GET /job?job_id=``, which names the client company);
        unknown ids are left out, a detail that cannot be mapped is reported."""
        found: list[RemoteJob] = []
        for remote_id in remote_ids:
            if not remote_id.isdigit():
                continue
            try:
                body = await self.http.get_json(f"{API}/job", {"job_id": remote_id})
            except NotFoundError:
                continue
            for raw in _answered(body):
                job = self.map_record("jobs", job_from_raw, raw, fee_field=self.fee_field)
                if job is not None:
                    found.append(job)
        return found

    async def get_candidates(self, remote_ids: Sequence[str]) -> list[RemoteCandidate]:
        """``GET /candidate/get?id=`` for each (it answers a one-element list)."""
        found: list[RemoteCandidate] = []
        for remote_id in remote_ids:
            for raw in await self._candidate_detail(remote_id):
                candidate = self._candidate(raw)
                if candidate is not None:
                    found.append(candidate)
        return found

    async def _candidate_detail(self, remote_id: str) -> list[Any]:
        """``GET /candidate/get?id=``: the candidate, with the ``jobs`` they are in;
        nothing for an unknown (or non-numeric) id."""
        if not remote_id.isdigit():
            return []
        try:
            body = await self.http.get_json(f"{API}/candidate/get", {"id": remote_id})
        except NotFoundError:
            return []
        return _answered(body)

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
                    if _movement_key(raw) is not None:
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
