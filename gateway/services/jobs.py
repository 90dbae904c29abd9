from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.services.activities import Actor, record_activity
from gateway.services.validation import in_range, optional_text, tenant_row
from gateway.store.models import Job, User

LOCAL_FIELDS = frozenset(
    {
        "is_active",
        "recruiter_id",
        "interview_instructions",
        "auto_send_interview",
        "min_check_interval",
    }
)


async def update_job_local_fields(
    session: AsyncSession, actor: Actor, job_id: int, changes: dict[str, Any]
) -> Job:
    """Change the fields the gateway owns; the ATS-owned metadata is never touched here."""
    unknown = set(changes) - LOCAL_FIELDS
    if unknown:
        raise ValueError(f"not a local job field: {sorted(unknown)}")
    job: Job = await tenant_row(session, Job, actor.tenant_id, job_id, "Job")
    before = {name: getattr(job, name) for name in changes}
    if "recruiter_id" in changes and changes["recruiter_id"] is not None:
        await tenant_row(session, User, actor.tenant_id, changes["recruiter_id"], "Recruiter")
    if "min_check_interval" in changes:
        changes["min_check_interval"] = in_range(
            "minCheckInterval", changes["min_check_interval"], 1, 7 * 24 * 60
        )
    if "interview_instructions" in changes:
        changes["interview_instructions"] = optional_text(
            "interviewInstructions", changes["interview_instructions"], max_length=20_000
        )
    for name, value in changes.items():
        if value is None and name in {"is_active", "auto_send_interview", "min_check_interval"}:
            continue
        setattr(job, name, value)
    await session.flush()
    record_activity(
        session,
        actor,
        action="job.updated",
        subject_type="Job",
        subject_id=job.id,
        job_id=job.id,
        description=f"Updated {job.title}: {', '.join(sorted(changes))}",
        details={
            "fields": sorted(changes),
            "before": {k: v for k, v in before.items() if isinstance(v, str | int | bool | None)},
        },
    )
    return job
