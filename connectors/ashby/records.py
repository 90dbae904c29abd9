"""Ashby records as the common model: jobs, interview stages, candidates, applications
(with their stage history), interview schedules and users.

Read leniently (``connectors.lenient``): ids are UUID strings in the documentation but a
number is taken as well, a missing object is ``None``, and times are ISO 8601 text. A
record without an id raises ``MappingError``; everything else missing is ``None``. The
field names are those of the API reference (developers.ashbyhq.com/reference, see the
package docstring).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors import lenient
from connectors.custom_fields import custom_fields
from connectors.models import (
    ApplicationState,
    InterviewState,
    JobState,
    RemoteApplication,
    RemoteCandidate,
    RemoteDocument,
    RemoteInterview,
    RemoteJob,
    RemotePerson,
    RemoteStage,
    RemoteStageTransition,
    RemoteUser,
    StageKind,
)

FIELD_NAMES = ("title", "name")
"""Ashby names a custom field value by its field's ``title``."""


def _clip(value: object, limit: int, *keys: str) -> str | None:
    return lenient.text(value, *keys, limit=limit)


def _first_email(*values: object) -> str | None:
    for value in values:
        for entry in lenient.items(value):
            found = lenient.email(entry)
            if found:
                return found
    return None


def _person_name(record: Mapping[str, Any]) -> str | None:
    first = _clip(record.get("firstName"), lenient.NAME_LIMIT)
    last = _clip(record.get("lastName"), lenient.NAME_LIMIT)
    joined = " ".join(part for part in (first, last) if part)
    return _clip(record.get("name"), lenient.NAME_LIMIT) or _clip(joined, lenient.NAME_LIMIT)


def updated_at(raw: object) -> datetime | None:
    """When Ashby last changed the record (``updatedAt``), for reads since a time."""
    return lenient.timestamp(lenient.mapping(raw).get("updatedAt"))


# jobs

_JOB_STATES: dict[str, JobState] = {
    "open": "open",
    "closed": "closed",
    "draft": "draft",
    "archived": "archived",
}


def _recruiter(record: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The hiring team member whose role is Recruiter (``hiringTeam[].role``), else the
    job's author."""
    for member in lenient.objects(record.get("hiringTeam")):
        if (lenient.text(member.get("role")) or "").lower() == "recruiter":
            return member
    author = record.get("author")
    return author if isinstance(author, Mapping) else None


def job_from_raw(raw: object) -> RemoteJob:
    """``{"id": "...", "title": "Software Engineer", "status": "Open",
    "employmentType": "FullTime", "location": {"name": ...}, "hiringTeam": [...]}``."""
    record = lenient.record(raw, "jobs")
    remote_id = lenient.record_id(record, "jobs")
    status_name = _clip(record.get("status"), lenient.SHORT_LIMIT)
    status = _JOB_STATES.get((status_name or "").lower(), "open")
    recruiter = _recruiter(record)
    recruiter_id = (
        lenient.identifier(recruiter.get("userId")) or lenient.identifier(recruiter.get("id"))
        if recruiter
        else None
    )
    location = _clip(record.get("location"), lenient.TITLE_LIMIT, "name", "locationSummary")
    department = _clip(record.get("department"), lenient.TITLE_LIMIT, "name", "title")
    return RemoteJob(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=lenient.timestamp(record.get("updatedAt")),
        title=_clip(record.get("title"), lenient.TITLE_LIMIT)
        or _clip(record.get("name"), lenient.TITLE_LIMIT)
        or lenient.UNTITLED,
        status=status,
        remote_status=status_name,
        description=lenient.text(record.get("description"), "descriptionPlain", "plain"),
        location=location,
        department=department,
        employment_type=_clip(record.get("employmentType"), lenient.SHORT_LIMIT),
        opened_at=lenient.timestamp(record.get("openedAt"))
        or lenient.timestamp(record.get("createdAt")),
        closed_at=lenient.timestamp(record.get("closedAt")) if status == "closed" else None,
        recruiter_remote_id=recruiter_id,
        recruiter_email=lenient.email(recruiter.get("email")) if recruiter else None,
        custom_fields=custom_fields(record.get("customFields"), names=FIELD_NAMES),
    )


def interview_plan_ids(raw: object) -> tuple[str, ...]:
    """The interview plans a job uses (``defaultInterviewPlanId`` first, then
    ``interviewPlanIds``): where its stages are listed."""
    record = lenient.mapping(raw)
    found: dict[str, None] = {}
    first = lenient.identifier(record.get("defaultInterviewPlanId"))
    if first:
        found[first] = None
    for value in lenient.items(record.get("interviewPlanIds")):
        plan = lenient.identifier(value)
        if plan:
            found.setdefault(plan, None)
    return tuple(found)


# stages

_STAGE_TYPES: dict[str, StageKind] = {
    "lead": "applied",
    "preinterviewscreen": "screen",
    "active": "interview",
    "offer": "offer",
    "hired": "hired",
    "archived": "rejected",
}


def stage_kind(stage_type: str | None, title: str) -> StageKind:
    """From the stage's ``type`` (``Lead``, ``PreInterviewScreen``, ``Active``, ``Offer``,
    ``Hired``, ``Archived``); a type Ashby adds later falls back to ``other``."""
    kind = _STAGE_TYPES.get((stage_type or "").strip().lower())
    if kind is not None:
        return kind
    return "rejected" if "archiv" in title.lower() else "other"


def stages_from_raw(raws: list[Any]) -> list[RemoteStage]:
    """Interview stages in plan order (``orderInInterviewPlan``, then as listed), one per
    title: the gateway keeps one pipeline per integration, and plans share titles."""
    ordered: list[tuple[int, int, str, str, str | None]] = []
    for index, raw in enumerate(raws):
        record = lenient.mapping(raw)
        stage_id = lenient.identifier(record.get("id"))
        title = _clip(record.get("title"), lenient.SHORT_LIMIT) or _clip(
            record.get("name"), lenient.SHORT_LIMIT
        )
        if stage_id and title:
            order = lenient.integer(record.get("orderInInterviewPlan"))
            kind = lenient.text(record.get("type"))
            ordered.append((order if order is not None else index, index, stage_id, title, kind))
    seen: dict[str, RemoteStage] = {}
    for _, _, stage_id, title, kind in sorted(ordered, key=lambda entry: entry[:2]):
        if title.lower() not in seen:
            seen[title.lower()] = RemoteStage(
                remote_id=stage_id,
                name=title,
                position=len(seen),
                kind=stage_kind(kind, title),
            )
    return list(seen.values())


# candidates


def resume_handle(raw: object) -> str | None:
    """The ``resumeFileHandle.handle`` to resolve with ``file.info``."""
    return lenient.text(lenient.dig(raw, "resumeFileHandle", "handle"), limit=lenient.URL_LIMIT * 4)


def _https(value: object) -> str | None:
    url = _clip(value, lenient.URL_LIMIT)
    return url if url and url.startswith(("https://", "http://")) else None


def candidate_from_raw(raw: object, resume_url: str | None = None) -> RemoteCandidate:
    """``{"id": "...", "name": "Adam Hart", "primaryEmailAddress": {"value": ...},
    "resumeFileHandle": {"id", "name", "handle"}, "tags": [{"title": ...}]}``.
    ``resume_url`` is what ``file.info`` answered for the resume handle (signed, short
    lived): the candidate's resume and only document."""
    record = lenient.record(raw, "candidates")
    remote_id = lenient.record_id(record, "candidates")
    email = _first_email(record.get("primaryEmailAddress"), record.get("emailAddresses"))
    phone = lenient.text(record.get("primaryPhoneNumber"), "value") or lenient.first_text(
        lenient.items(record.get("phoneNumbers")), "value"
    )
    position = _clip(record.get("position"), lenient.NAME_LIMIT)
    company = _clip(record.get("company"), lenient.NAME_LIMIT)
    headline = " at ".join(part for part in (position, company) if part)
    url = _https(resume_url)
    documents: tuple[RemoteDocument, ...] = ()
    if url:
        documents = (
            RemoteDocument(
                url=url,
                name=_clip(lenient.dig(record, "resumeFileHandle", "name"), lenient.NAME_LIMIT),
                kind="resume",
            ),
        )
    name = _person_name(record)
    return RemoteCandidate(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=lenient.timestamp(record.get("updatedAt")),
        name=name or email or remote_id,
        first_name=_clip(record.get("firstName"), lenient.NAME_LIMIT),
        last_name=_clip(record.get("lastName"), lenient.NAME_LIMIT),
        email=email,
        phone=lenient.whole(phone, lenient.PHONE_LIMIT),
        location=_clip(record.get("location"), lenient.NAME_LIMIT, "locationSummary", "name"),
        headline=_clip(headline, lenient.NAME_LIMIT),
        source=_clip(record.get("source"), lenient.SOURCE_LIMIT, "title", "name"),
        resume_url=url,
        tags=tuple(
            dict.fromkeys(
                tag[: lenient.TAG_LIMIT]
                for tag in lenient.texts(record.get("tags"), "title", "name")
            )
        )[:200],
        created_at=lenient.timestamp(record.get("createdAt")),
        custom_fields=custom_fields(record.get("customFields"), names=FIELD_NAMES),
        documents=documents,
    )


# applications

_APPLICATION_STATES: dict[str, ApplicationState] = {
    "active": "active",
    "lead": "active",
    "hired": "hired",
    "archived": "rejected",
}


def _transitions(record: Mapping[str, Any]) -> list[RemoteStageTransition]:
    """``applicationHistory`` in time order (``enteredStageAt``, then ``stageNumber``, 0
    being the first stage): each entry a stage entered, left (``leftStageAt``), moved
    into by the user ``actorId``."""
    entries: list[tuple[int, int, str, datetime, datetime | None, str | None]] = []
    for index, entry in enumerate(lenient.objects(record.get("applicationHistory"))):
        title = _clip(entry.get("title"), lenient.SHORT_LIMIT)
        entered = lenient.timestamp(entry.get("enteredStageAt"))
        if not title or entered is None:
            continue
        number = lenient.integer(entry.get("stageNumber"))
        entries.append(
            (
                number if number is not None else index,
                index,
                title,
                entered,
                lenient.timestamp(entry.get("leftStageAt")),
                lenient.identifier(entry.get("actorId")),
            )
        )
    transitions: list[RemoteStageTransition] = []
    previous: str | None = None
    for _, _, title, entered, left, actor in sorted(
        entries, key=lambda entry: (entry[3], entry[0], entry[1])
    ):
        transitions.append(
            RemoteStageTransition(
                to_stage=title,
                entered_at=entered,
                from_stage=previous,
                left_at=left if left is not None and left >= entered else None,
                moved_by=RemotePerson(remote_id=actor) if actor else None,
            )
        )
        previous = title
    return transitions


def _ending_in(
    transitions: list[RemoteStageTransition], current: str | None, moment: datetime | None
) -> tuple[RemoteStageTransition, ...]:
    """The history, ending in the current stage: where it lags behind (or is missing),
    the current stage is taken as entered when the application was last updated."""
    if not current or (transitions and transitions[-1].to_stage == current):
        return tuple(transitions)
    last = transitions[-1] if transitions else None
    entered = moment if last is None or (moment and moment >= last.entered_at) else None
    entered = entered or (last.entered_at if last else None)
    if entered is None:
        return tuple(transitions)
    return (
        *transitions,
        RemoteStageTransition(
            to_stage=current, entered_at=entered, from_stage=last.to_stage if last else None
        ),
    )


def application_from_raw(raw: object) -> RemoteApplication:
    """``{"id": "...", "status": "Active", "candidate": {"id": ...}, "job": {"id": ...},
    "currentInterviewStage": {"id", "title", "type"}, "archiveReason": {"text": ...},
    "applicationHistory": [...]}`` -> ``RemoteApplication`` with its stage history
    (``_ending_in`` the current stage)."""
    record = lenient.record(raw, "applications")
    remote_id = lenient.record_id(record, "applications")
    job_id = lenient.required(
        lenient.identifier(record.get("job")) or lenient.identifier(record.get("jobId")),
        "a job",
        entity="applications",
        raw=record,
    )
    candidate_id = lenient.required(
        lenient.identifier(record.get("candidate"))
        or lenient.identifier(record.get("candidateId")),
        "a candidate",
        entity="applications",
        raw=record,
    )
    stage = record.get("currentInterviewStage")
    current = (
        _clip(stage, lenient.SHORT_LIMIT, "title", "name") if isinstance(stage, Mapping) else None
    )
    status = _APPLICATION_STATES.get((lenient.text(record.get("status")) or "").lower(), "active")
    created = lenient.timestamp(record.get("createdAt"))
    updated = lenient.timestamp(record.get("updatedAt"))
    transitions = _ending_in(_transitions(record), current, updated or created)
    archived = lenient.timestamp(record.get("archivedAt"))
    reason = _clip(record.get("archiveReason"), lenient.TITLE_LIMIT, "text", "title", "name")
    return RemoteApplication(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=updated or created,
        job_remote_id=job_id,
        candidate_remote_id=candidate_id,
        status=status,
        current_stage=current,
        applied_at=created,
        rejected_at=(archived or updated) if status == "rejected" else None,
        rejection_reason=reason if status == "rejected" else None,
        transitions=transitions,
        custom_fields=custom_fields(record.get("customFields"), names=FIELD_NAMES),
    )


# interview schedules

_INTERVIEW_STATES: dict[str, InterviewState] = {
    "scheduled": "scheduled",
    "needsscheduling": "scheduled",
    "waitingoncandidatebooking": "scheduled",
    "waitingoncandidateavailability": "scheduled",
    "waitingonfeedback": "completed",
    "complete": "completed",
    "completed": "completed",
    "cancelled": "cancelled",
    "canceled": "cancelled",
}


def interview_from_raw(raw: object) -> RemoteInterview:
    """``{"id": "...", "status": "Scheduled", "applicationId": "...",
    "interviewEvents": [{"startTime": ..., "interviewers": [{"id": ...}]}]}``: one
    interview per schedule, at its earliest event."""
    record = lenient.record(raw, "interviews")
    remote_id = lenient.record_id(record, "interviews")
    events = sorted(
        (
            (lenient.timestamp(event.get("startTime")), index, event)
            for index, event in enumerate(lenient.objects(record.get("interviewEvents")))
        ),
        key=lambda entry: (entry[0] is None, entry[0] or datetime.min, entry[1]),
    )
    first = events[0][2] if events else {}
    scheduled = events[0][0] if events else None
    interviewer = lenient.dig(lenient.objects(first.get("interviewers")), 0)
    status = _INTERVIEW_STATES.get((lenient.text(record.get("status")) or "").lower(), "scheduled")
    return RemoteInterview(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=lenient.timestamp(record.get("updatedAt")),
        application_remote_id=lenient.identifier(record.get("applicationId")),
        interview_type=_clip(first.get("interview"), lenient.SHORT_LIMIT, "title", "name")
        or _clip(record.get("interviewStage"), lenient.SHORT_LIMIT, "title", "name"),
        status=status,
        scheduled_at=scheduled,
        interviewer_remote_id=lenient.identifier(interviewer),
    )


# users


def user_from_raw(raw: object) -> RemoteUser:
    """``{"id": "...", "firstName": "Joey", "lastName": "Joe", "email": ...,
    "globalRole": "Organization Admin", "isEnabled": true}``."""
    record = lenient.record(raw, "users")
    remote_id = lenient.record_id(record, "users")
    return RemoteUser(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=lenient.timestamp(record.get("updatedAt")),
        email=lenient.email(record.get("email")),
        name=_person_name(record),
        role=_clip(record.get("globalRole"), lenient.SHORT_LIMIT),
    )
