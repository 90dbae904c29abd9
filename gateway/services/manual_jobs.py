"""Queueing work by hand (the design's "Add to Queue"), with a priority.

    enqueued = await enqueue_manual(session_factory, queue, tenant_id,
                                    ManualJob(ManualJobType.SYNC_JOB, job_id=12, priority=10),
                                    requested_by=7)

Each type names the one record it works on, which must be the tenant's
(``NotFound`` otherwise, as for any id of another tenant); the other ids are refused
(``ValidationFailed``) rather than ignored. The work is queued under the same key as
when the schedule, a webhook or another mutation queues it, so a duplicate reports the
work already queued (whose priority stays as it was).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from gateway.errors import NotFound, ValidationFailed
from gateway.queue import (
    MAX_PRIORITY,
    MIN_PRIORITY,
    SYNC_INTEGRATION,
    SYNC_JOB,
    Enqueued,
    TaskQueue,
    job_sync_key,
    sync_key,
)
from gateway.services.analysis import ANALYZE_APPLICATION, analysis_key
from gateway.services.automation import CHECK_REQUISITION, check_key
from gateway.store.base import Base
from gateway.store.engine import SessionFactory
from gateway.store.enums import IntegrationStatus
from gateway.store.models import Application, Integration, Job
from gateway.sync_modes import SyncMode


class ManualJobType(StrEnum):
    """The work the design lets an admin queue: the values are the task names."""

    SYNC_INTEGRATION = SYNC_INTEGRATION
    SYNC_JOB = SYNC_JOB
    ANALYZE_APPLICATION = ANALYZE_APPLICATION
    CHECK_REQUISITION = CHECK_REQUISITION


_TARGET: dict[ManualJobType, str] = {
    ManualJobType.SYNC_INTEGRATION: "integration_id",
    ManualJobType.SYNC_JOB: "job_id",
    ManualJobType.ANALYZE_APPLICATION: "application_id",
    ManualJobType.CHECK_REQUISITION: "job_id",
}
"""The id each type works on."""

_MODELS: dict[str, tuple[type[Base], str]] = {
    "integration_id": (Integration, "Integration"),
    "job_id": (Job, "Job"),
    "application_id": (Application, "Application"),
}
_FIELDS = {"integration_id": "integrationId", "job_id": "jobId", "application_id": "applicationId"}


@dataclass(frozen=True, slots=True)
class ManualJob:
    job_type: ManualJobType
    job_id: int | None = None
    application_id: int | None = None
    integration_id: int | None = None
    priority: int = 0


def _key(job_type: ManualJobType, target: int) -> str:
    match job_type:
        case ManualJobType.SYNC_INTEGRATION:
            return sync_key(target)
        case ManualJobType.SYNC_JOB:
            return job_sync_key(target)
        case ManualJobType.ANALYZE_APPLICATION:
            return analysis_key(target)
        case ManualJobType.CHECK_REQUISITION:
            return check_key(target)


def _payload(job: ManualJob, target: int, requested_by: int | None) -> dict[str, Any]:
    payload: dict[str, Any] = {_TARGET[job.job_type]: target, "trigger": "manual"}
    if job.job_type is ManualJobType.SYNC_INTEGRATION:
        payload["mode"] = SyncMode.INCREMENTAL.value
    if requested_by is not None:
        payload["requested_by"] = requested_by
    return payload


def _target(job: ManualJob) -> int:
    """The one id the type works on; refuses a missing one and any other."""
    wanted = _TARGET[job.job_type]
    for name, field in _FIELDS.items():
        given = getattr(job, name)
        if name == wanted and given is None:
            raise ValidationFailed(field, f"{job.job_type.name} needs {field}")
        if name != wanted and given is not None:
            raise ValidationFailed(field, f"{job.job_type.name} takes no {field}")
    target: int = getattr(job, wanted)
    return target


async def enqueue_manual(
    session_factory: SessionFactory,
    queue: TaskQueue,
    tenant_id: int,
    job: ManualJob,
    *,
    requested_by: int | None,
) -> Enqueued:
    if not MIN_PRIORITY <= job.priority <= MAX_PRIORITY:
        raise ValidationFailed(
            "priority",
            f"priority must be between {MIN_PRIORITY} and {MAX_PRIORITY}, got {job.priority}",
        )
    target = _target(job)
    model, type_name = _MODELS[_TARGET[job.job_type]]
    async with session_factory() as session:
        record = await session.get(model, target)
    if record is None or getattr(record, "tenant_id", None) != tenant_id:
        raise NotFound(type_name, target)
    if job.job_type is ManualJobType.SYNC_JOB and (
        not isinstance(record, Job) or record.integration_id is None or not record.remote_id
    ):
        raise ValidationFailed("jobId", "the requisition was not synced from an integration")
    if isinstance(record, Integration) and (
        record.status is IntegrationStatus.INACTIVE or record.credentials_encrypted is None
    ):
        raise ValidationFailed("integrationId", f"{record.name} is inactive or has no credentials")
    return await queue.enqueue(
        job.job_type.value,
        key=_key(job.job_type, target),
        tenant_id=tenant_id,
        payload=_payload(job, target, requested_by),
        priority=job.priority,
    )
