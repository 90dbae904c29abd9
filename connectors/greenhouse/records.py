"""Harvest records as the common model: jobs, stages, candidates, applications,
interviews, users and candidate notes.

The field names are Harvest v3's (the schemas of harvestdocs.greenhouse.io/reference,
see the package docstring); the retired v1/v2 names are still read where they differ
and cost nothing (``jobs[0].id`` beside ``job_id``, ``current_stage`` beside
``stage_name``, ``primary_email_address`` beside ``primary_email``, ``priority`` beside
``sort_order``, embedded ``attachments`` beside ``/v3/attachments``). Read leniently
(``connectors.lenient``): a record without an id raises ``MappingError``; everything
else missing is ``None``. What v3 moved to resources of its own (attachments, job
owners, department and office names, interview names) is handed to the mappers by the
connector, already read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors import lenient
from connectors.custom_fields import custom_fields
from connectors.models import (
    ApplicationState,
    InterviewState,
    JobState,
    RemoteActivity,
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


def _clip(value: object, limit: int, *keys: str) -> str | None:
    return lenient.text(value, *keys, limit=limit)


def _name(record: Mapping[str, Any]) -> str | None:
    first = _clip(record.get("first_name"), lenient.NAME_LIMIT)
    last = _clip(record.get("last_name"), lenient.NAME_LIMIT)
    joined = " ".join(part for part in (first, last) if part)
    return _clip(record.get("name"), lenient.NAME_LIMIT) or _clip(joined, lenient.NAME_LIMIT)


def _first_email(values: object) -> str | None:
    entries = lenient.items(values)
    for preferred in (True, False):
        for entry in entries:
            kind = lenient.text(entry, "type") if isinstance(entry, Mapping) else None
            if preferred and kind not in ("personal", "work"):
                continue
            found = lenient.email(entry)
            if found:
                return found
    return None


def _custom_fields(value: object) -> dict[str, Any]:
    """v3's ``{"salary": {"name": "Salary", "type": "short_text", "value": "1"}}`` as
    ``{"Salary": "1"}``; v1's ``{"salary": "1"}`` as it is."""
    if not isinstance(value, Mapping):
        return custom_fields(value)
    entries = []
    for key, entry in value.items():
        if isinstance(entry, Mapping) and "value" in entry:
            name = entry.get("name") if isinstance(entry.get("name"), str) else key
            entries.append({"name": name or key, "value": entry.get("value")})
        else:
            entries.append({"name": key, "value": entry})
    return custom_fields(entries)


# jobs

_JOB_STATES: dict[str, JobState] = {"open": "open", "closed": "closed", "draft": "draft"}


@dataclass(frozen=True)
class JobContext:
    """What v3 keeps outside the job record: department and office names by id, and
    each job's recruiter (``/v3/job_owners`` of type ``recruiter``) by job id."""

    departments: Mapping[str, str] = field(default_factory=dict)
    offices: Mapping[str, str] = field(default_factory=dict)
    recruiters: Mapping[str, str] = field(default_factory=dict)


def _named(ids: object, names: Mapping[str, str]) -> list[str]:
    found = [names.get(lenient.identifier(item) or "") for item in lenient.items(ids)]
    return [name for name in found if name]


def job_from_raw(raw: object, context: JobContext | None = None) -> RemoteJob:
    """``{"id": 107761, "name": "UX Designer", "status": "open", "department_id": 237,
    "office_ids": [54], ...}`` -> ``RemoteJob``, named through ``context``. The recruiter
    is the job's recruiter owner, else the first of v1's ``hiring_team.recruiters``."""
    record = lenient.record(raw, "jobs")
    remote_id = lenient.record_id(record, "jobs")
    known = context or JobContext()
    status_name = _clip(record.get("status"), lenient.SHORT_LIMIT)
    status = _JOB_STATES.get((status_name or "").lower(), "open")
    recruiters = lenient.objects(lenient.dig(record, "hiring_team", "recruiters"))
    recruiter = recruiters[0] if recruiters else None
    recruiter_id = known.recruiters.get(remote_id)
    recruiter_id = recruiter_id or (lenient.identifier(recruiter.get("id")) if recruiter else None)
    departments = _named(record.get("department_id"), known.departments) or list(
        lenient.texts(record.get("departments"), "name")
    )
    offices = _named(record.get("office_ids"), known.offices) or list(
        lenient.texts(record.get("offices"), "name")
    )
    fields = _custom_fields(record.get("custom_fields"))
    employment = record.get("employment_type") or lenient.dig(
        record, "custom_fields", "employment_type"
    )
    return RemoteJob(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=lenient.timestamp(record.get("updated_at")),
        title=_clip(record.get("name"), lenient.TITLE_LIMIT)
        or _clip(record.get("title"), lenient.TITLE_LIMIT)
        or lenient.UNTITLED,
        status=status,
        remote_status=status_name,
        description=lenient.text(record.get("notes")),
        location=_clip("; ".join(offices), lenient.TITLE_LIMIT),
        department=_clip(departments[0] if departments else None, lenient.TITLE_LIMIT),
        employment_type=_clip(employment, lenient.SHORT_LIMIT, "value"),
        opened_at=lenient.timestamp(record.get("opened_at"))
        or lenient.timestamp(record.get("created_at")),
        closed_at=lenient.timestamp(record.get("closed_at")) if status == "closed" else None,
        recruiter_remote_id=recruiter_id,
        recruiter_email=lenient.email(recruiter.get("email")) if recruiter else None,
        custom_fields=fields,
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
    """Job interview stages in pipeline order (``sort_order``, v1's ``priority``, then as
    listed), one per name: the gateway keeps one pipeline per integration, and jobs
    share stage names."""
    ordered: list[tuple[int, int, str, str]] = []
    for index, raw in enumerate(raws):
        record = lenient.mapping(raw)
        stage_id = lenient.identifier(record.get("id"))
        name = _clip(record.get("name"), lenient.SHORT_LIMIT)
        if stage_id and name:
            priority = lenient.integer(record.get("sort_order"))
            priority = priority if priority is not None else lenient.integer(record.get("priority"))
            ordered.append((priority if priority is not None else index, index, stage_id, name))
    seen: dict[str, RemoteStage] = {}
    for _, _, stage_id, name in sorted(ordered):
        if name.lower() not in seen:
            seen[name.lower()] = RemoteStage(
                remote_id=stage_id, name=name, position=len(seen), kind=stage_kind(name)
            )
    return list(seen.values())


# candidates


def _documents(
    record: Mapping[str, Any], attachments: Sequence[object]
) -> tuple[RemoteDocument, ...]:
    found: list[RemoteDocument] = []
    seen: set[str] = set()
    listed = [*lenient.objects(list(attachments)), *lenient.objects(record.get("attachments"))]
    for attachment in listed:
        url = _clip(attachment.get("url"), lenient.URL_LIMIT)
        if not url or not url.startswith(("https://", "http://")) or url in seen:
            continue
        seen.add(url)
        found.append(
            RemoteDocument(
                url=url,
                name=_clip(attachment.get("filename"), lenient.NAME_LIMIT),
                kind=_clip(attachment.get("type"), lenient.SHORT_LIMIT),
                content_type=_clip(attachment.get("content_type"), lenient.SHORT_LIMIT),
            )
        )
    return tuple(found[:50])


def candidate_from_raw(raw: object, attachments: Sequence[object] = ()) -> RemoteCandidate:
    """``{"id": 57683957, "first_name": "John", "email_addresses": [{"value": ...}]}``
    and the candidate's ``/v3/attachments`` (``{"type": "resume", "url": ...}``, newest
    first; v1 embedded them as ``attachments``) -> ``RemoteCandidate`` with its resume
    (the first ``resume``) and every attachment as a document."""
    record = lenient.record(raw, "candidates")
    remote_id = lenient.record_id(record, "candidates")
    documents = _documents(record, attachments)
    resume = next((d for d in documents if (d.kind or "").lower() == "resume"), None)
    title = _clip(record.get("title"), lenient.NAME_LIMIT)
    company = _clip(record.get("company"), lenient.NAME_LIMIT)
    headline = " at ".join(part for part in (title, company) if part)
    address = lenient.first_text(lenient.items(record.get("addresses")), "value")
    email = _first_email(record.get("email_addresses"))
    return RemoteCandidate(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=lenient.timestamp(record.get("updated_at"))
        or lenient.timestamp(record.get("last_activity_at"))
        or lenient.timestamp(record.get("last_activity")),
        name=_name(record) or email or remote_id,
        first_name=_clip(record.get("first_name"), lenient.NAME_LIMIT),
        last_name=_clip(record.get("last_name"), lenient.NAME_LIMIT),
        email=email,
        phone=lenient.whole(
            lenient.first_text(lenient.items(record.get("phone_numbers")), "value"),
            lenient.PHONE_LIMIT,
        ),
        location=_clip(address, lenient.NAME_LIMIT),
        headline=_clip(headline, lenient.NAME_LIMIT),
        source=None,
        resume_url=resume.url if resume else None,
        tags=tuple(
            dict.fromkeys(
                tag[: lenient.TAG_LIMIT] for tag in lenient.texts(record.get("tags"), "name")
            )
        ),
        created_at=lenient.timestamp(record.get("created_at")),
        custom_fields=_custom_fields(record.get("custom_fields")),
        documents=documents,
    )


# applications

_APPLICATION_STATES: dict[str, ApplicationState] = {
    "in_process": "active",
    "active": "active",
    "rejected": "rejected",
    "hired": "hired",
}


def application_job_id(record: Mapping[str, Any]) -> str | None:
    return lenient.identifier(record.get("job_id")) or lenient.identifier(
        lenient.dig(lenient.objects(record.get("jobs")), 0)
    )


def _history(rows: Sequence[object], stages: Mapping[str, str]) -> list[RemoteStageTransition]:
    """``/v3/application_stages`` rows (``job_interview_stage_id``, ``entered_at``,
    ``exited_at``) as transitions in the order entered; a row never entered (a stage
    skipped) or of a stage without a name is left out."""
    entered: list[tuple[Any, str, Any]] = []
    for row in lenient.objects(list(rows)):
        name = _clip(
            stages.get(lenient.identifier(row.get("job_interview_stage_id")) or ""),
            lenient.SHORT_LIMIT,
        )
        moment = lenient.timestamp(row.get("entered_at"))
        if name and moment:
            entered.append((moment, name, lenient.timestamp(row.get("exited_at"))))
    entered.sort(key=lambda item: item[0])
    transitions: list[RemoteStageTransition] = []
    for moment, name, left in entered:
        before = transitions[-1].to_stage if transitions else None
        transitions.append(
            RemoteStageTransition(
                to_stage=name,
                entered_at=moment,
                from_stage=before,
                left_at=left if left and left >= moment else None,
            )
        )
    return transitions


def application_from_raw(
    raw: object,
    stages: Mapping[str, str] | None = None,
    history: Sequence[object] = (),
    rejection_reason: str | None = None,
) -> RemoteApplication:
    """``{"id": 69306314, "candidate_id": 57683957, "job_id": 107761, "status":
    "in_process", "stage_name": "Application Review", "created_at": ...}`` ->
    ``RemoteApplication``. Prospect applications (no job) are not applications to a job
    here and fail as such. The current stage is ``stage_name``, else v1's
    ``current_stage``, else the job interview stage named in ``stages`` (v3's
    ``stage_id`` is the application-stage row, not the job's stage, and is not looked
    up). The transitions are the application's ``/v3/application_stages`` (``history``,
    named through ``stages``), ending in the current stage (entered at
    ``last_activity_at`` where the history does not reach it). ``rejection_reason`` is
    the name of its ``/v3/rejection_details`` reason (v1 embedded
    ``rejection_reason``)."""
    record = lenient.record(raw, "applications")
    remote_id = lenient.record_id(record, "applications")
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
    known = stages or {}
    stage_value = record.get("current_stage")
    current = _clip(record.get("stage_name"), lenient.SHORT_LIMIT)
    if current is None and isinstance(stage_value, Mapping):
        current = _clip(stage_value, lenient.SHORT_LIMIT, "name")
    if current is None:
        stage_id = lenient.identifier(record.get("job_interview_stage_id")) or lenient.identifier(
            stage_value
        )
        current = _clip(known.get(stage_id or ""), lenient.SHORT_LIMIT)
    status = _APPLICATION_STATES.get((lenient.text(record.get("status")) or "").lower(), "active")
    applied = lenient.timestamp(record.get("applied_at")) or lenient.timestamp(
        record.get("created_at")
    )
    rejected = lenient.timestamp(record.get("rejected_at"))
    moved = lenient.timestamp(record.get("last_activity_at"))
    transitions = _history(history, known)
    reached = transitions[-1].to_stage if transitions else None
    if current and current != reached and (moved or applied):
        entered = moved or applied
        assert entered is not None
        if transitions and entered < transitions[-1].entered_at:
            entered = transitions[-1].entered_at
        transitions.append(
            RemoteStageTransition(to_stage=current, entered_at=entered, from_stage=reached)
        )
    reason = _clip(rejection_reason, lenient.NAME_LIMIT) or lenient.text(
        record.get("rejection_reason"), "name"
    )
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
        custom_fields=_custom_fields(record.get("custom_fields")),
    )


# interviews

_INTERVIEW_STATES: dict[str, InterviewState] = {
    "to_be_scheduled": "scheduled",
    "scheduled": "scheduled",
    "awaiting_feedback": "completed",
    "collect_feedback": "completed",
    "complete": "completed",
    "completed": "completed",
    "skipped": "cancelled",
    "cancelled": "cancelled",
    "to_be_sent": "scheduled",
    "sent": "in_progress",
    "received": "completed",
}


def interview_from_raw(
    raw: object,
    names: Mapping[str, str] | None = None,
    interviewers: Mapping[str, str] | None = None,
) -> RemoteInterview:
    """``{"id": 9128481, "application_id": 69306314, "job_interview_id": 77, "starts_at":
    ..., "status": "scheduled"}`` (``/v3/interviews``; ``names`` names the job
    interview, ``interviewers`` gives an interview's first ``/v3/interviewers`` user) or
    v1's scheduled interview (``start.date_time``, ``interview.name``,
    ``interviewers``)."""
    record = lenient.record(raw, "interviews")
    remote_id = lenient.record_id(record, "interviews")
    start = record.get("start")
    scheduled = lenient.timestamp(record.get("starts_at")) or lenient.timestamp(
        start.get("date_time") or start.get("date") if isinstance(start, Mapping) else start
    )
    status = _INTERVIEW_STATES.get((lenient.text(record.get("status")) or "").lower(), "scheduled")
    interviewer = lenient.dig(lenient.objects(record.get("interviewers")), 0)
    named = (names or {}).get(lenient.identifier(record.get("job_interview_id")) or "")
    return RemoteInterview(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=lenient.timestamp(record.get("updated_at")),
        application_remote_id=lenient.identifier(record.get("application_id")),
        interview_type=_clip(named, lenient.SHORT_LIMIT)
        or _clip(record.get("interview"), lenient.SHORT_LIMIT, "name"),
        status=status,
        scheduled_at=scheduled,
        interviewer_remote_id=(interviewers or {}).get(remote_id)
        or lenient.identifier(lenient.mapping(interviewer).get("user_id"))
        or lenient.identifier(interviewer),
    )


# users


def user_from_raw(raw: object) -> RemoteUser:
    """``{"id": 4080, "name": "Kate Austen", "primary_email": ...}`` (v1:
    ``primary_email_address``)."""
    record = lenient.record(raw, "users")
    remote_id = lenient.record_id(record, "users")
    email = (
        lenient.email(record.get("primary_email"))
        or lenient.email(record.get("primary_email_address"))
        or _first_email(record.get("emails"))
    )
    return RemoteUser(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=lenient.timestamp(record.get("updated_at")),
        email=email,
        name=_name(record),
        role="site_admin" if lenient.boolean(record.get("site_admin")) else None,
    )


# notes


def note_from_raw(raw: object, candidate_id: str) -> RemoteActivity:
    """A ``/v3/notes`` entry (v1's activity feed): ``{"id": 5, "type": "NOTE", "body":
    "Called", "subject": null, "created_at": ...}`` -> ``RemoteActivity``."""
    record = lenient.record(raw, "activities")
    remote_id = lenient.record_id(record, "activities")
    body = lenient.text(record.get("body")) or lenient.text(record.get("subject"))
    return RemoteActivity(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=lenient.timestamp(record.get("updated_at")),
        kind=(_clip(record.get("type"), lenient.SHORT_LIMIT) or "note").lower(),
        description=body,
        occurred_at=lenient.timestamp(record.get("created_at")),
        candidate_remote_id=lenient.identifier(record.get("candidate_id")) or candidate_id,
    )
