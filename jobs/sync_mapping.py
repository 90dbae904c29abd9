"""Common-model records -> store rows: only the columns the source owns.

What the gateway owns (ranks, scores, analyses, local job fields) is never in these
rows, so a sync cannot overwrite it.

A job's, candidate's or application's row takes ``mapped``: the values the tenant's
field mappings put in place of the source's standard ones (``FieldMappings.overrides``).
They are part of the row's content hash, so setting or removing a mapping rewrites the
records it changes on the next sync that reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from connectors.models import (
    RemoteApplication,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
    RemoteOnboardingTask,
    RemoteRecord,
)
from connectors.resumes import unsigned
from gateway.store.enums import stage_kind_of
from gateway.store.upsert import content_hash

CLOSED_JOB_STATES = frozenset({"closed", "archived"})


def clip(value: str | None, limit: int) -> str | None:
    """Text cut to its column's length: PostgreSQL refuses longer values outright, and a
    vendor's location or status can be any length."""
    return value[:limit] if value is not None else None


def fitting(value: str | None, limit: int) -> str | None:
    """A value that means nothing when cut (an email address, a currency code, a URL):
    kept whole when it fits its column, dropped otherwise."""
    return value if value is not None and len(value) <= limit else None


def _stable(value: Any) -> Any:
    """``value`` with presigned links stripped of their signatures, so a record whose only
    change is a fresh signature on its resume link is not a changed record."""
    if isinstance(value, str):
        linked = "?" in value and value.startswith(("http://", "https://"))
        return unsigned(value) if linked else value
    if isinstance(value, dict):
        return {key: _stable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_stable(item) for item in value]
    return value


def _without_nul(value: Any) -> Any:
    """The payload with NUL characters removed from every string and key: PostgreSQL's
    JSONB refuses them, and one would fail the whole batch."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nul(item) for item in value]
    return value


def record_hash(record: RemoteRecord) -> str:
    """What tells a changed record from an unchanged one: every field and the raw
    payload, presigned links without their signatures."""
    plain = orjson.loads(orjson.dumps(record, option=orjson.OPT_NON_STR_KEYS, default=str))
    return content_hash(_stable(plain))


def _synced(record: RemoteRecord, mapped: Mapping[str, str] | None = None) -> dict[str, Any]:
    digest = record_hash(record)
    if mapped:
        digest = content_hash({"record": digest, "mapped": dict(mapped)})
    return {
        "remote_id": record.remote_id,
        "remote_data": _without_nul(dict(record.raw)),
        "remote_updated_at": record.remote_updated_at,
        "content_hash": digest,
    }


def _custom(record: RemoteJob | RemoteCandidate | RemoteApplication) -> dict[str, Any]:
    fields: dict[str, Any] = _without_nul(dict(record.custom_fields))
    return fields


def job_row(job: RemoteJob, mapped: Mapping[str, str] | None = None) -> dict[str, Any]:
    row = {
        **_synced(job, mapped),
        "title": job.title[:512],
        "description": job.description,
        "location": clip(job.location, 255),
        "department": clip(job.department, 255),
        "employment_type": clip(job.employment_type, 64),
        "client_name": clip(job.client_name, 255),
        "status": job.status,
        "remote_status": clip(job.remote_status, 128),
        "opened_at": job.opened_at,
        "closed_at": job.closed_at,
        "estimated_fee": job.estimated_fee,
        "currency": fitting(job.currency, 3),
        "custom_fields": _custom(job),
    }
    return {**row, **(mapped or {})}


def candidate_row(
    candidate: RemoteCandidate, mapped: Mapping[str, str] | None = None
) -> dict[str, Any]:
    row = {
        **_synced(candidate, mapped),
        "name": candidate.name[:512],
        "first_name": clip(candidate.first_name, 255),
        "last_name": clip(candidate.last_name, 255),
        "email": fitting(candidate.email, 320),
        "phone": clip(candidate.phone, 64),
        "location": clip(candidate.location, 255),
        "headline": clip(candidate.headline, 512),
        "source": clip(candidate.source, 128),
        "resume_url": fitting(candidate.resume_url, 2048),
        "tags": list(candidate.tags),
        "custom_fields": _custom(candidate),
        "documents": [
            _without_nul(
                {
                    "url": document.url,
                    "name": document.name,
                    "kind": document.kind,
                    "contentType": document.content_type,
                }
            )
            for document in candidate.documents
        ],
    }
    return {**row, **(mapped or {})}


def application_row(
    application: RemoteApplication,
    job_id: int,
    candidate_id: int,
    stage_id: int | None,
    mapped: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    last = application.transitions[-1] if application.transitions else None
    row = {
        **_synced(application, mapped),
        "job_id": job_id,
        "candidate_id": candidate_id,
        "status": application.status,
        "current_stage_id": stage_id,
        "stage_entered_at": last.entered_at if last else application.applied_at,
        "applied_at": application.applied_at,
        "rejected_at": application.rejected_at,
        "rejection_reason": application.rejection_reason,
        "custom_fields": _custom(application),
    }
    return {**row, **(mapped or {})}


def interview_row(interview: RemoteInterview, application_id: int) -> dict[str, Any]:
    return {
        **_synced(interview),
        "application_id": application_id,
        "kind": "scheduled",
        "interview_type": clip(interview.interview_type, 64),
        "status": interview.status,
        "scheduled_at": interview.scheduled_at,
    }


def onboarding_row(
    task: RemoteOnboardingTask, application_id: int | None, candidate_id: int | None
) -> dict[str, Any]:
    return {
        **_synced(task),
        "application_id": application_id,
        "candidate_id": candidate_id,
        "title": task.title[:512],
        "description": task.description,
        "task_type": clip(task.task_type, 64),
        "status": task.status,
        "due_date": task.due_date,
    }


stage_kind = stage_kind_of
