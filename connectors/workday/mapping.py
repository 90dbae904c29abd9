"""Workday records as talentgraph's models: job postings, prospects and interview
events, read leniently (``connectors.lenient``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from connectors.custom_fields import custom_fields, merged
from connectors.errors import MappingError
from connectors.lenient import dig, first_text, identifier, items, required, text, texts, timestamp
from connectors.models import InterviewState, JobState, RemoteCandidate, RemoteInterview, RemoteJob
from connectors.workday.payloads import RawInterview, RawJobPosting, RawProspect

UNTITLED = "(untitled)"
"""The title of a posting that has none: still a job, kept under this name."""


_NAME_KEYS = ("descriptor", "name", "alias", "label")


def extended_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """A tenant's own fields on a posting or a prospect. Workday's v4 document declares
    none: a tenant extends its business objects with custom fields, answered as
    ``extendedFields`` (or ``customFields``), a list of ``{"descriptor", "value"}`` or
    an object of name to value.

    extended_fields({"extendedFields": [{"descriptor": "Cost Center", "value": "CC-12"}]})
    # -> {"Cost Center": "CC-12"}"""
    return merged(
        custom_fields(record.get("extendedFields"), names=_NAME_KEYS),
        custom_fields(record.get("customFields"), names=_NAME_KEYS),
    )


def parse_date(value: object) -> datetime | None:
    """Workday ``Date`` fields come as ``2026-04-18T07:00:00.000Z`` or ``2026-04-18``;
    anything unreadable is ``None`` (one odd date does not cost the record).

    parse_date("2026-04-18T07:00:00.000Z") -> datetime(2026, 4, 18, 7, 0, tzinfo=UTC)
    parse_date("2026-04-18") -> datetime(2026, 4, 18, 0, 0, tzinfo=UTC)
    parse_date("next Tuesday") -> None
    """
    return timestamp(value)


def record_of(raw: object, entity: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise MappingError(f"a Workday {entity} record that is not an object", entity=entity)
    return raw


def display_name(ref: object) -> str | None:
    """An instance reference's display name; a bare string is taken as the name."""
    return text(ref, "descriptor", "name")


def ref_id(ref: object) -> str | None:
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
    posting = record_of(raw, "jobs")
    opened_at = parse_date(posting.get("startDate"))
    closed_at = parse_date(posting.get("endDate"))
    ended = closed_at is not None and closed_at <= (now or datetime.now(UTC))
    status: JobState = "closed" if ended else "open"
    return RemoteJob(
        remote_id=required(ref_id(posting), "an id", entity="jobs", raw=posting),
        raw=posting,
        remote_updated_at=None,
        title=text(posting.get("title")) or display_name(posting) or UNTITLED,
        status=status,
        description=text(posting.get("jobDescription")),
        location=display_name(posting.get("primaryLocation")),
        department=first_text(items(posting.get("categories")), "descriptor", "name"),
        employment_type=display_name(posting.get("timeType")),
        opened_at=opened_at,
        closed_at=closed_at if ended else None,
        custom_fields=extended_fields(posting),
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
    prospect = record_of(raw, "candidates")
    remote_id = required(ref_id(prospect), "an id", entity="candidates", raw=prospect)
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
        source=display_name(prospect.get("source")),
        resume_url=resume_url,
        tags=texts(prospect.get("candidateTags"), "descriptor", "name"),
        custom_fields=extended_fields(prospect),
    )


def resume_attachment_id(body: object) -> str | None:
    """The first resume's id in a ``GET /prospects/{ID}/resumeAttachments`` answer
    (``{"total": N, "data": [{"id", "fileName", ...}]}``), ``None`` when there is none."""
    for attachment in items(dig(body, "data")):
        found = ref_id(attachment)
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
    ident = ref_id(ref) or ""
    code = ident.split("=", 1)[1] if "=" in ident else ident
    if code.replace("_", "").isalpha() and code.isupper():
        return code
    return (display_name(ref) or "").upper().replace(" ", "_")


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
    event = record_of(raw, "interviews")
    interviewers = (ref_id(person) for person in items(event.get("interviewers")))
    return RemoteInterview(
        remote_id=required(ref_id(event), "an id", entity="interviews", raw=event),
        raw=event,
        remote_updated_at=None,
        application_remote_id=ref_id(event.get("jobApplication")),
        status=interview_state(items(event.get("interviewStatuses"))),
        interviewer_remote_id=next((found for found in interviewers if found), None),
    )
