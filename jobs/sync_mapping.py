"""Common-model records -> store rows: only the columns the source owns.

What the gateway owns (ranks, scores, analyses, local job fields) is never in these
rows, so a sync cannot overwrite it.
"""

from __future__ import annotations

from typing import Any

from connectors.models import (
    RemoteApplication,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
    RemoteOnboardingTask,
    RemoteRecord,
)
from gateway.store.enums import stage_kind_of
from gateway.store.upsert import content_hash

CLOSED_JOB_STATES = frozenset({"closed", "archived"})


def _synced(record: RemoteRecord) -> dict[str, Any]:
    return {
        "remote_id": record.remote_id,
        "remote_data": dict(record.raw),
        "remote_updated_at": record.remote_updated_at,
        "content_hash": content_hash(record),
    }


def job_row(job: RemoteJob) -> dict[str, Any]:
    return {
        **_synced(job),
        "title": job.title[:512],
        "description": job.description,
        "location": job.location,
        "department": job.department,
        "employment_type": job.employment_type,
        "client_name": job.client_name,
        "status": job.status,
        "remote_status": job.remote_status,
        "opened_at": job.opened_at,
        "closed_at": job.closed_at,
        "estimated_fee": job.estimated_fee,
        "currency": job.currency,
    }


def candidate_row(candidate: RemoteCandidate) -> dict[str, Any]:
    return {
        **_synced(candidate),
        "name": candidate.name[:512],
        "first_name": candidate.first_name,
        "last_name": candidate.last_name,
        "email": candidate.email,
        "phone": candidate.phone,
        "location": candidate.location,
        "headline": candidate.headline,
        "source": candidate.source,
        "resume_url": candidate.resume_url,
        "tags": list(candidate.tags),
    }


def application_row(
    application: RemoteApplication, job_id: int, candidate_id: int, stage_id: int | None
) -> dict[str, Any]:
    last = application.transitions[-1] if application.transitions else None
    return {
        **_synced(application),
        "job_id": job_id,
        "candidate_id": candidate_id,
        "status": application.status,
        "current_stage_id": stage_id,
        "stage_entered_at": last.entered_at if last else application.applied_at,
        "applied_at": application.applied_at,
        "rejected_at": application.rejected_at,
        "rejection_reason": application.rejection_reason,
    }


def interview_row(interview: RemoteInterview, application_id: int) -> dict[str, Any]:
    return {
        **_synced(interview),
        "application_id": application_id,
        "kind": "scheduled",
        "interview_type": interview.interview_type,
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
        "task_type": task.task_type,
        "status": task.status,
        "due_date": task.due_date,
    }


stage_kind = stage_kind_of
