"""BPOC records as talentgraph's models: jobs, candidates (embedded in applications),
interviews, recruiters and onboarding tasks.

Every field is read through ``connectors.lenient``: a number where a string was
documented is that string, an object gives its id or name, a null list is empty,
text is cut to what the store keeps. A record fails (``MappingError``) only without
an id, or, for an application, without its job or candidate.
"""

from __future__ import annotations

from collections.abc import Mapping

from connectors.bpoc.fields import (
    UNTITLED,
    currency_of,
    custom_fields_of,
    full_name,
    record_of,
    required_id,
    status_key,
    web_url,
)
from connectors.errors import MappingError
from connectors.lenient import day, identifier, text, texts, timestamp
from connectors.models import (
    InterviewState,
    JobState,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
    RemoteOnboardingTask,
    RemoteUser,
    TaskState,
)

_JOB_STATES: dict[str, JobState] = {
    "draft": "draft",
    "pending_approval": "draft",
    "active": "open",
    "paused": "on_hold",
    "closed": "closed",
    "filled": "closed",
    "archived": "archived",
}


_INTERVIEW_STATES: dict[str, InterviewState] = {
    "scheduled": "scheduled",
    "confirmed": "scheduled",
    "rescheduled": "scheduled",
    "in_progress": "in_progress",
    "completed": "completed",
    "no_show": "abandoned",
    "cancelled": "cancelled",
}

_TASK_STATES: dict[str, TaskState] = {
    "pending": "pending",
    "in_progress": "pending",
    "submitted": "submitted",
    "approved": "approved",
    "completed": "approved",
    "rejected": "rejected",
}


def job_from_raw(raw: object) -> RemoteJob:
    """A BPOC job; ``pending_approval`` is a draft until ``POST /jobs/{id}/approve``, and
    the recruiter who posted it (``postedBy``) is its owner. Without a title it is
    ``UNTITLED``."""
    record = record_of(raw, "jobs")
    remote_id = required_id(record, "jobs")
    status = text(record.get("status"), limit=128)
    return RemoteJob(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=timestamp(record.get("updatedAt")),
        title=text(record.get("title"), limit=512) or UNTITLED,
        status=_JOB_STATES.get(status_key(status), "open"),
        remote_status=status,
        description=text(record.get("description"), "text", "html"),
        location=text(record.get("location"), "name", "city", "address", limit=255),
        employment_type=text(record.get("employmentType"), limit=64),
        client_name=text(record.get("clientName"), limit=255)
        or text(record.get("client"), "name", "companyName", limit=255),
        opened_at=timestamp(record.get("approvedAt")) or timestamp(record.get("createdAt")),
        closed_at=timestamp(record.get("closedAt")),
        currency=currency_of(record.get("currency")),
        recruiter_remote_id=identifier(record.get("postedBy"))
        or identifier(record.get("posted_by")),
        custom_fields=custom_fields_of(record),
    )


def candidate_from_raw(raw: object, base_url: str | None = None) -> RemoteCandidate:
    """A candidate; its résumé is ``resumeUrl`` (or ``resume``, a URL or an object with
    one), made absolute with ``base_url`` when BPOC gives a path on its own host."""
    record = record_of(raw, "candidates")
    remote_id = required_id(record, "candidates")
    first = text(record.get("firstName"), limit=255)
    last = text(record.get("lastName"), limit=255)
    email = text(record.get("email"), limit=320)
    return RemoteCandidate(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=timestamp(record.get("updatedAt")),
        name=(full_name(first, last) or email or remote_id)[:512],
        first_name=first,
        last_name=last,
        email=email,
        phone=text(record.get("phone"), "number", limit=64),
        location=text(record.get("location"), "name", "city", limit=255),
        headline=text(record.get("headline"), limit=512),
        source=text(record.get("source"), limit=128),
        resume_url=web_url(record.get("resumeUrl"), base_url)
        or web_url(record.get("resume"), base_url)
        or web_url(record.get("resume_url"), base_url),
        tags=tuple(tag[:255] for tag in texts(record.get("skills"), "name")[:200]),
        created_at=timestamp(record.get("createdAt")),
        custom_fields=custom_fields_of(record),
    )


def application_candidate(raw: object, base_url: str | None = None) -> RemoteCandidate:
    """The candidate an application embeds: BPOC has no candidate list of its own. An
    application whose ``candidate`` is missing (or only an id) gives a candidate that is
    only its ``candidateId``, named by it."""
    record = record_of(raw, "candidates")
    embedded = record.get("candidate")
    candidate_id = identifier(record.get("candidateId")) or identifier(embedded)
    if isinstance(embedded, Mapping):
        if candidate_id and not identifier(embedded.get("id")):
            embedded = {**embedded, "id": candidate_id}
        return candidate_from_raw(embedded, base_url)
    if candidate_id is None:
        raise MappingError("application without a candidate", entity="candidates", remote_id=None)
    return candidate_from_raw({"id": candidate_id}, base_url)


def interview_from_raw(raw: object) -> RemoteInterview:
    record = record_of(raw, "interviews")
    remote_id = required_id(record, "interviews")
    return RemoteInterview(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=timestamp(record.get("updatedAt")),
        application_remote_id=identifier(record.get("applicationId"))
        or identifier(record.get("application")),
        interview_type=text(record.get("interviewType"), limit=64),
        status=_INTERVIEW_STATES.get(status_key(record.get("status")), "scheduled"),
        scheduled_at=timestamp(record.get("scheduledAt")),
        interviewer_remote_id=identifier(record.get("interviewerId"))
        or identifier(record.get("interviewer")),
    )


def user_from_raw(raw: object) -> RemoteUser:
    """A recruiter of the agency; ``remote_id`` is the UUID writes are attributed to."""
    record = record_of(raw, "users")
    remote_id = required_id(record, "users")
    first = text(record.get("firstName"), limit=255)
    last = text(record.get("lastName"), limit=255)
    return RemoteUser(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=timestamp(record.get("updatedAt")),
        email=text(record.get("email"), limit=320),
        name=(full_name(first, last) or text(record.get("name"), limit=255) or None),
        role=text(record.get("role"), limit=64),
    )


def onboarding_task_from_raw(raw: object) -> RemoteOnboardingTask:
    """An onboarding task; without a title it is ``UNTITLED``."""
    record = record_of(raw, "onboarding_tasks")
    remote_id = required_id(record, "onboarding_tasks")
    return RemoteOnboardingTask(
        remote_id=remote_id,
        raw=record,
        remote_updated_at=timestamp(record.get("updatedAt")),
        title=text(record.get("title"), limit=512) or UNTITLED,
        application_remote_id=identifier(record.get("applicationId")),
        candidate_remote_id=identifier(record.get("candidateId")),
        description=text(record.get("description")),
        task_type=text(record.get("taskType"), limit=64),
        status=_TASK_STATES.get(status_key(record.get("status")), "pending"),
        due_date=day(record.get("dueDate")),
    )
