"""Harvest records as the common model: jobs, stages, candidates, applications,
scheduled interviews and users.

Read leniently (``connectors.lenient``): v3 and the retired v1/v2 name a few fields
differently (``job_id`` or ``jobs[0].id``, ``current_stage`` as an object or an id,
``email_addresses`` as objects or text), and every mapper takes either. A record
without an id raises ``MappingError``; everything else missing is ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors import lenient
from connectors.custom_fields import custom_fields
from connectors.errors import MappingError
from connectors.models import (
    ApplicationState,
    InterviewState,
    JobState,
    RemoteApplication,
    RemoteCandidate,
    RemoteDocument,
    RemoteInterview,
    RemoteJob,
    RemoteStage,
    RemoteStageTransition,
    RemoteUser,
    StageKind,
)

TITLE_LIMIT = 255
NAME_LIMIT = 255
SHORT_LIMIT = 64
PHONE_LIMIT = 64
TAG_LIMIT = 255
URL_LIMIT = 2048
UNTITLED = "(untitled)"


def _record(raw: object, entity: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise MappingError(f"{entity} record is not an object", entity=entity)
    return raw


def _id(record: Mapping[str, Any], entity: str) -> str:
    return lenient.required(
        lenient.identifier(record.get("id")), "an id", entity=entity, raw=record
    )


def _clip(value: object, limit: int, *keys: str) -> str | None:
    return lenient.text(value, *keys, limit=limit)


def _name(record: Mapping[str, Any]) -> str | None:
    first = _clip(record.get("first_name"), NAME_LIMIT)
    last = _clip(record.get("last_name"), NAME_LIMIT)
    joined = " ".join(part for part in (first, last) if part)
    return _clip(record.get("name"), NAME_LIMIT) or _clip(joined, NAME_LIMIT)


def _whole(value: str | None, limit: int) -> str | None:
    """A value that is useless cut short (a phone number): kept whole or not at all."""
    return value if value is not None and len(value) <= limit else None


def _email(value: object) -> str | None:
    found = lenient.text(value, "value", "email", limit=320)
    return found if found and "@" in found and " " not in found else None


def _first_email(values: object) -> str | None:
    entries = lenient.items(values)
    for preferred in (True, False):
        for entry in entries:
            kind = lenient.text(entry, "type") if isinstance(entry, Mapping) else None
            if preferred and kind not in ("personal", "work"):
                continue
            found = _email(entry)
            if found:
                return found
    return None


# jobs

_JOB_STATES: dict[str, JobState] = {"open": "open", "closed": "closed", "draft": "draft"}


def job_from_raw(raw: object) -> RemoteJob:
    """``{"id": 107761, "name": "UX Designer", "status": "open", ...}`` -> ``RemoteJob``.
    The recruiter is the first of ``hiring_team.recruiters`` (v1), else ``recruiter_ids``."""
    record = _record(raw, "jobs")
    remote_id = _id(record, "jobs")
    status_name = _clip(record.get("status"), SHORT_LIMIT)
    status = _JOB_STATES.get((status_name or "").lower(), "open")
    recruiters = lenient.objects(lenient.dig(record, "hiring_team", "recruiters"))
    recruiter = recruiters[0] if recruiters else None
    recruiter_id = lenient.identifier(recruiter.get("id")) if recruiter else None
    recruiter_id = recruiter_id or lenient.identifier(lenient.dig(record, "recruiter_ids", 0))
    departments = lenient.texts(record.get("departments"), "name")
    offices = lenient.texts(record.get("offices"), "name")
    return RemoteJob(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=lenient.timestamp(record.get("updated_at")),
        title=_clip(record.get("name"), TITLE_LIMIT)
        or _clip(record.get("title"), TITLE_LIMIT)
        or UNTITLED,
        status=status,
        remote_status=status_name,
        description=lenient.text(record.get("notes")),
        location=_clip("; ".join(offices), TITLE_LIMIT),
        department=_clip(departments[0] if departments else None, TITLE_LIMIT),
        employment_type=_clip(record.get("employment_type"), SHORT_LIMIT),
        opened_at=lenient.timestamp(record.get("opened_at"))
        or lenient.timestamp(record.get("created_at")),
        closed_at=lenient.timestamp(record.get("closed_at")) if status == "closed" else None,
        recruiter_remote_id=recruiter_id,
        recruiter_email=_email(recruiter.get("email")) if recruiter else None,
        custom_fields=custom_fields(record.get("custom_fields")),
    )


# stages

_STAGE_WORDS: tuple[tuple[tuple[str, ...], StageKind], ...] = (
    (("reject",), "rejected"),
    (("hired",), "hired"),
    (("offer",), "offer"),
    (("interview", "onsite", "take home", "assessment"), "interview"),
    (("screen",), "screen"),
    (("application review", "applied"), "applied"),
)


def stage_kind(name: str) -> StageKind:
    lowered = name.lower()
    for words, kind in _STAGE_WORDS:
        if any(word in lowered for word in words):
            return kind
    return "other"


def stages_from_raw(raws: list[Any]) -> list[RemoteStage]:
    """Job stages in pipeline order (``priority``, then as listed), one per name: the
    gateway keeps one pipeline per integration, and jobs share stage names."""
    ordered: list[tuple[int, int, str, str]] = []
    for index, raw in enumerate(raws):
        record = lenient.mapping(raw)
        stage_id = lenient.identifier(record.get("id"))
        name = _clip(record.get("name"), SHORT_LIMIT)
        if stage_id and name:
            priority = lenient.integer(record.get("priority"))
            ordered.append((priority if priority is not None else index, index, stage_id, name))
    seen: dict[str, RemoteStage] = {}
    for _, _, stage_id, name in sorted(ordered):
        if name.lower() not in seen:
            seen[name.lower()] = RemoteStage(
                remote_id=stage_id, name=name, position=len(seen), kind=stage_kind(name)
            )
    return list(seen.values())


# candidates


def _documents(record: Mapping[str, Any]) -> tuple[RemoteDocument, ...]:
    found: list[RemoteDocument] = []
    seen: set[str] = set()
    for attachment in lenient.objects(record.get("attachments")):
        url = _clip(attachment.get("url"), URL_LIMIT)
        if not url or not url.startswith(("https://", "http://")) or url in seen:
            continue
        seen.add(url)
        found.append(
            RemoteDocument(
                url=url,
                name=_clip(attachment.get("filename"), NAME_LIMIT),
                kind=_clip(attachment.get("type"), SHORT_LIMIT),
                content_type=_clip(attachment.get("content_type"), SHORT_LIMIT),
            )
        )
    return tuple(found[:50])


def candidate_from_raw(raw: object) -> RemoteCandidate:
    """``{"id": 57683957, "first_name": "John", "email_addresses": [{"value": ...}],
    "attachments": [{"type": "resume", "url": ...}]}`` -> ``RemoteCandidate`` with its
    resume (the newest ``resume`` attachment) and every attachment as a document."""
    record = _record(raw, "candidates")
    remote_id = _id(record, "candidates")
    documents = _documents(record)
    resume = next((d for d in documents if (d.kind or "").lower() == "resume"), None)
    title = _clip(record.get("title"), NAME_LIMIT)
    company = _clip(record.get("company"), NAME_LIMIT)
    headline = " at ".join(part for part in (title, company) if part)
    address = lenient.first_text(lenient.items(record.get("addresses")), "value")
    email = _first_email(record.get("email_addresses"))
    return RemoteCandidate(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=lenient.timestamp(record.get("updated_at"))
        or lenient.timestamp(record.get("last_activity")),
        name=_name(record) or email or remote_id,
        first_name=_clip(record.get("first_name"), NAME_LIMIT),
        last_name=_clip(record.get("last_name"), NAME_LIMIT),
        email=email,
        phone=_whole(
            lenient.first_text(lenient.items(record.get("phone_numbers")), "value"), PHONE_LIMIT
        ),
        location=_clip(address, NAME_LIMIT),
        headline=_clip(headline, NAME_LIMIT),
        source=None,
        resume_url=resume.url if resume else None,
        tags=tuple(
            dict.fromkeys(tag[:TAG_LIMIT] for tag in lenient.texts(record.get("tags"), "name"))
        ),
        created_at=lenient.timestamp(record.get("created_at")),
        custom_fields=custom_fields(record.get("custom_fields")),
        documents=documents,
    )


# applications

_APPLICATION_STATES: dict[str, ApplicationState] = {
    "active": "active",
    "rejected": "rejected",
    "hired": "hired",
}


def application_job_id(record: Mapping[str, Any]) -> str | None:
    return lenient.identifier(record.get("job_id")) or lenient.identifier(
        lenient.dig(lenient.objects(record.get("jobs")), 0)
    )


def application_from_raw(raw: object, stages: Mapping[str, str] | None = None) -> RemoteApplication:
    """``{"id": 69306314, "candidate_id": 57683957, "jobs": [{"id": 107761}],
    "status": "active", "current_stage": {"id": 767358, "name": "Application Review"}}``
    -> ``RemoteApplication``. Prospect applications (no job) are not applications to a
    job here and fail as such. ``stages`` names stage ids where the record only has an
    id. Harvest keeps no stage history on the application: the transitions are its
    application (into the first stage) and its current stage, as far as known."""
    record = _record(raw, "applications")
    remote_id = _id(record, "applications")
    job_id = lenient.required(
        application_job_id(record), "a job", entity="applications", raw=record
    )
    candidate_id = lenient.required(
        lenient.identifier(record.get("candidate_id"))
        or lenient.identifier(lenient.mapping(record.get("candidate")).get("id")),
        "a candidate",
        entity="applications",
        raw=record,
    )
    stage_value = record.get("current_stage")
    stage_id = lenient.identifier(stage_value)
    current = _clip(stage_value, SHORT_LIMIT, "name") if isinstance(stage_value, Mapping) else None
    if current is None and stage_id is not None and stages:
        current = stages.get(stage_id)
    status = _APPLICATION_STATES.get((lenient.text(record.get("status")) or "").lower(), "active")
    applied = lenient.timestamp(record.get("applied_at"))
    rejected = lenient.timestamp(record.get("rejected_at"))
    moved = lenient.timestamp(record.get("last_activity_at"))
    transitions: list[RemoteStageTransition] = []
    if current and (moved or applied):
        entered = moved or applied
        assert entered is not None
        transitions.append(RemoteStageTransition(to_stage=current, entered_at=entered))
    reason = lenient.text(record.get("rejection_reason"), "name")
    return RemoteApplication(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=lenient.timestamp(record.get("updated_at")) or moved or applied,
        job_remote_id=job_id,
        candidate_remote_id=candidate_id,
        status=status,
        current_stage=current,
        applied_at=applied,
        rejected_at=rejected if status == "rejected" else None,
        rejection_reason=reason if status == "rejected" else None,
        transitions=tuple(transitions),
        custom_fields=custom_fields(record.get("custom_fields")),
    )


# scheduled interviews

_INTERVIEW_STATES: dict[str, InterviewState] = {
    "scheduled": "scheduled",
    "awaiting_feedback": "completed",
    "complete": "completed",
    "completed": "completed",
    "cancelled": "cancelled",
}


def interview_from_raw(raw: object) -> RemoteInterview:
    """``{"id": 9128481, "application_id": 69306314, "start": {"date_time": ...},
    "status": "scheduled", "interview": {"name": "Onsite"}, "interviewers": [...]}``."""
    record = _record(raw, "interviews")
    remote_id = _id(record, "interviews")
    start = record.get("start")
    scheduled = lenient.timestamp(
        start.get("date_time") or start.get("date") if isinstance(start, Mapping) else start
    )
    status = _INTERVIEW_STATES.get((lenient.text(record.get("status")) or "").lower(), "scheduled")
    interviewer = lenient.dig(lenient.objects(record.get("interviewers")), 0)
    return RemoteInterview(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=lenient.timestamp(record.get("updated_at")),
        application_remote_id=lenient.identifier(record.get("application_id")),
        interview_type=_clip(record.get("interview"), SHORT_LIMIT, "name"),
        status=status,
        scheduled_at=scheduled,
        interviewer_remote_id=lenient.identifier(interviewer),
    )


# users


def user_from_raw(raw: object) -> RemoteUser:
    """``{"id": 4080, "name": "Kate Austen", "primary_email_address": ...}``."""
    record = _record(raw, "users")
    remote_id = _id(record, "users")
    email = _email(record.get("primary_email_address")) or _first_email(record.get("emails"))
    return RemoteUser(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=lenient.timestamp(record.get("updated_at")),
        email=email,
        name=_name(record),
        role="site_admin" if lenient.boolean(record.get("site_admin")) else None,
    )
