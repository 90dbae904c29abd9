from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import ValidationFailed
from gateway.services.activities import Actor, record_activity
from gateway.services.validation import in_range, optional_line, optional_text, tenant_row
from gateway.store.enums import StageKind
from gateway.store.models import Job, PipelineStage, TenantSettings, User

LOCAL_FIELDS = frozenset(
    {
        "is_active",
        "recruiter_id",
        "interview_instructions",
        "auto_send_interview",
        "auto_send_on_status",
        "min_check_interval",
        "lookback_hours",
    }
)
AUTOMATION_FIELDS = frozenset(
    {"auto_send_interview", "auto_send_on_status", "min_check_interval", "lookback_hours"}
)
"""A change to any of these has the automation check the requisition at its next tick."""


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
    if "auto_send_on_status" in changes:
        changes["auto_send_on_status"] = await _trigger_status(
            session, job, changes["auto_send_on_status"]
        )
    if changes.get("lookback_hours") is not None:
        low, high = (
            await session.execute(
                sa.select(
                    TenantSettings.lookback_hours_min, TenantSettings.lookback_hours_max
                ).where(TenantSettings.tenant_id == actor.tenant_id)
            )
        ).one_or_none() or (1, 168)
        changes["lookback_hours"] = in_range("lookbackHours", changes["lookback_hours"], low, high)
    if "interview_instructions" in changes:
        changes["interview_instructions"] = optional_text(
            "interviewInstructions", changes["interview_instructions"], max_length=20_000
        )
    for name, value in changes.items():
        if value is None and name in {"is_active", "auto_send_interview", "min_check_interval"}:
            continue
        setattr(job, name, value)
    if AUTOMATION_FIELDS & set(changes):
        job.last_checked_at = None
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


async def _trigger_status(session: AsyncSession, job: Job, value: str | None) -> str | None:
    """``value`` if it names a stage of the requisition's pipeline (case aside) or a stage
    kind; None clears it (new applications trigger)."""
    text = optional_line("autoSendOnStatus", value, max_length=128)
    if text is None:
        return None
    if text.lower() in {kind.value for kind in StageKind}:
        return text.lower()
    where = [PipelineStage.tenant_id == job.tenant_id]
    if job.integration_id is not None:
        where.append(PipelineStage.integration_id == job.integration_id)
    names = list(
        (
            await session.scalars(
                sa.select(PipelineStage.name).where(*where).order_by(PipelineStage.position)
            )
        ).all()
    )
    for name in names:
        if name.lower() == text.lower():
            return name
    known = ", ".join(dict.fromkeys(names[:20])) or "none synced yet"
    kinds = ", ".join(kind.value for kind in StageKind)
    raise ValidationFailed(
        "autoSendOnStatus",
        f"{text!r} is neither a stage of this requisition's pipeline ({known}) "
        f"nor a stage kind ({kinds})",
    )
