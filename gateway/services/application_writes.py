"""Pipeline writes on an application, sent to its source as the acting recruiter.

    written = await move_stage(deps, principal, application_id=12, stage="Offer",
                               idempotency_key=None)
    written.ids["application"]     # 12
    await release(deps, principal, application_id=12, notes="Strong", idempotency_key=None)
    await reject(deps, principal, application_id=12, reason="Skills mismatch",
                 idempotency_key="reject-12")
    await add_to_job(deps, principal, candidate_id=4, job_id=9, idempotency_key=None)
    # -> Written({"application": <the new application>})

Each function checks its input and finds the records in the caller's tenant before
anything is sent, hands the remote call and the local change to ``write_back`` (source
first, then the store), and describes the change: the activity and the bus events.
Rules about the record's state that the write itself changes ("only an active
application is released", "not in this job yet") are checked at the start of the remote
call: after ``write_back`` has answered a repeated idempotency key with its first result
(the state has moved on by then), after its capability and recruiter-link checks, and
still before any request.

Where the source moves an application to a stage of its own, the store follows it the
way the next sync would: BPOC's release is its "Released to Client" stage, a BPOC
rejection "Rejected", a Recruiterflow disqualification "Disqualified", and a candidate
Recruiterflow adds to a job starts in "Sourced". Stage changes carry the application's
status, so outbound webhooks fire ``application.rejected`` for a rejection
(``gateway.outbound_events.names_for``).

The application as a write sees it, and the stage move every one of them makes, are
in ``application_targets``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Capability, ConnectorBase
from connectors.models import Attribution, WriteResult
from gateway.auth import Principal
from gateway.errors import NotFound, ValidationFailed
from gateway.events import application_created
from gateway.ports import HasSessions
from gateway.pubsub import Event
from gateway.services.activities import Actor, record_activity
from gateway.services.application_targets import (
    CLOSED_APPLICATION,
    Target,
    load_application,
    record_move,
    stage_row,
)
from gateway.services.validation import optional_paragraph, paragraph, text_line
from gateway.services.writeback import (
    LocalChange,
    WriteDeps,
    Written,
    acting_as,
    created_id,
    write_back,
)
from gateway.store.base import utcnow
from gateway.store.enums import ApplicationStatus, JobStatus
from gateway.store.models import Application, Candidate, Job

MAX_STAGE_LENGTH = 255
MAX_NOTES_LENGTH = 2000
MAX_REASON_LENGTH = 1000

RELEASED_STAGE = "Released to Client"
"""BPOC's stage for a released application (``connectors/bpoc/pipeline.py``, ``PIPELINE``)."""
REJECTED_STAGES = {"recruiterflow": "Disqualified"}
"""The stage a rejection lands in, per provider; "Rejected" for the others (BPOC)."""
ADDED_STAGE = "Sourced"
"""Where Recruiterflow's add-to-job puts the candidate (``connectors/recruiterflow/``)."""


async def move_stage(
    deps: WriteDeps,
    principal: Principal,
    *,
    application_id: int,
    stage: str,
    idempotency_key: str | None,
) -> Written:
    name = text_line("stage", stage, max_length=MAX_STAGE_LENGTH)
    target = await load_application(deps, principal, application_id)

    async def local(session: AsyncSession, result: WriteResult, actor: Actor) -> LocalChange:
        row = await stage_row(session, target.tenant_id, target.integration_id, name)
        event = await record_move(session, target, actor, row, when=utcnow())
        record_activity(
            session,
            actor,
            action="application.stage_moved",
            subject_type="Application",
            subject_id=target.id,
            description=f"Moved the application from {target.stage_name or 'no stage'} to {name}",
            job_id=target.job_id,
            candidate_id=target.candidate_id,
            application_id=target.id,
            details={"from": target.stage_name, "to": name, "remoteId": target.remote_id},
        )
        return LocalChange({"application": target.id}, [event])

    return await write_back(
        deps,
        principal,
        integration_id=target.integration_id,
        operation="applicationMoveStage",
        capability=Capability.MOVE_STAGE,
        request={"applicationId": application_id, "stage": name},
        idempotency_key=idempotency_key,
        remote=lambda connector, attribution: connector.move_stage(
            target.remote_id, name, attribution
        ),
        local=local,
    )


async def release(
    deps: WriteDeps,
    principal: Principal,
    *,
    application_id: int,
    notes: str | None,
    idempotency_key: str | None,
) -> Written:
    """Release the application to the client (BPOC ``releasedBy``): status released."""
    text = optional_paragraph("notes", notes, max_length=MAX_NOTES_LENGTH)
    target = await load_application(deps, principal, application_id)

    async def local(session: AsyncSession, result: WriteResult, actor: Actor) -> LocalChange:
        now = utcnow()
        row = await stage_row(session, target.tenant_id, target.integration_id, RELEASED_STAGE)
        event = await record_move(
            session, target, actor, row, when=now, status=ApplicationStatus.RELEASED
        )
        await session.execute(
            sa.update(Application).where(Application.id == target.id).values(released_at=now)
        )
        record_activity(
            session,
            actor,
            action="application.released",
            subject_type="Application",
            subject_id=target.id,
            description="Released the candidate to the client",
            job_id=target.job_id,
            candidate_id=target.candidate_id,
            application_id=target.id,
            details={"notes": text, "remoteId": target.remote_id},
        )
        return LocalChange({"application": target.id}, [event])

    async def remote(connector: ConnectorBase, attribution: Attribution | None) -> WriteResult:
        if target.status is not ApplicationStatus.ACTIVE:
            already = "already released" if target.status is ApplicationStatus.RELEASED else None
            raise ValidationFailed(
                "applicationId",
                f"the application is {already or target.status}; only an active one is released",
            )
        acting = acting_as(attribution, target.integration_id, target.integration_name)
        return await connector.release_application(target.remote_id, text, acting)

    return await write_back(
        deps,
        principal,
        integration_id=target.integration_id,
        operation="applicationRelease",
        capability=Capability.RELEASE,
        request={"applicationId": application_id, "notes": text},
        idempotency_key=idempotency_key,
        remote=remote,
        local=local,
    )


async def reject(
    deps: WriteDeps,
    principal: Principal,
    *,
    application_id: int,
    reason: str,
    idempotency_key: str | None,
) -> Written:
    """Reject the application with a reason (BPOC reject, Recruiterflow disqualify)."""
    text = paragraph("reason", reason, max_length=MAX_REASON_LENGTH)
    target = await load_application(deps, principal, application_id)
    stage_name = REJECTED_STAGES.get(target.provider, "Rejected")

    async def local(session: AsyncSession, result: WriteResult, actor: Actor) -> LocalChange:
        now = utcnow()
        row = await stage_row(session, target.tenant_id, target.integration_id, stage_name)
        event = await record_move(
            session, target, actor, row, when=now, status=ApplicationStatus.REJECTED
        )
        await session.execute(
            sa.update(Application)
            .where(Application.id == target.id)
            .values(rejected_at=now, rejection_reason=text)
        )
        record_activity(
            session,
            actor,
            action="application.rejected",
            subject_type="Application",
            subject_id=target.id,
            description=f"Rejected the application: {text}",
            job_id=target.job_id,
            candidate_id=target.candidate_id,
            application_id=target.id,
            details={"reason": text, "from": target.stage_name, "remoteId": target.remote_id},
        )
        return LocalChange({"application": target.id}, [event])

    async def remote(connector: ConnectorBase, attribution: Attribution | None) -> WriteResult:
        if target.status in CLOSED_APPLICATION:
            raise ValidationFailed("applicationId", f"the application is already {target.status}")
        return await connector.reject(target.remote_id, text, attribution)

    return await write_back(
        deps,
        principal,
        integration_id=target.integration_id,
        operation="applicationReject",
        capability=Capability.REJECT,
        request={"applicationId": application_id, "reason": text},
        idempotency_key=idempotency_key,
        remote=remote,
        local=local,
    )


_M = TypeVar("_M", Job, Candidate)


async def synced_row(
    session: AsyncSession, model: type[_M], pk: int, tenant_id: int, field: str
) -> _M:
    """A job or candidate of the tenant that a write can name in its source."""
    row = await session.get(model, pk)
    entity = model.__name__
    if row is None or row.tenant_id != tenant_id:
        raise NotFound(entity, pk)
    if row.integration_id is None or not row.remote_id:
        raise ValidationFailed(field, f"this {entity.lower()} was not synced from a source system")
    if row.remote_deleted_at is not None:
        raise ValidationFailed(field, f"this {entity.lower()} was deleted in its source")
    return row


@dataclass(frozen=True, slots=True)
class _Placement:
    """A candidate and a job of one source, as an add-to-job names them there."""

    integration_id: int
    candidate_remote_id: str
    job_remote_id: str
    already_in_job: bool


async def _placement(
    deps: HasSessions, principal: Principal, candidate_id: int, job_id: int
) -> _Placement:
    async with deps.session_factory() as session:
        candidate = await synced_row(
            session, Candidate, candidate_id, principal.tenant_id, "candidateId"
        )
        job = await synced_row(session, Job, job_id, principal.tenant_id, "jobId")
        if candidate.integration_id != job.integration_id:
            raise ValidationFailed(
                "jobId", "the candidate and the job come from different source systems"
            )
        if job.status in (JobStatus.CLOSED, JobStatus.ARCHIVED):
            raise ValidationFailed("jobId", f"the job is {job.status}")
        existing = await session.scalar(
            sa.select(Application.id).where(
                Application.job_id == job.id,
                Application.candidate_id == candidate.id,
                Application.remote_deleted_at.is_(None),
            )
        )
        assert job.integration_id is not None and job.remote_id and candidate.remote_id
        return _Placement(
            job.integration_id, candidate.remote_id, job.remote_id, existing is not None
        )


async def _store_added(
    session: AsyncSession, target: Target, remote_data: dict[str, object], now: datetime
) -> int:
    """The new application stored (or one the source had once, revived); its id."""
    values = {
        "tenant_id": target.tenant_id,
        "integration_id": target.integration_id,
        "remote_id": target.remote_id,
        "remote_data": remote_data,
        "remote_deleted_at": None,
        "job_id": target.job_id,
        "candidate_id": target.candidate_id,
        "status": ApplicationStatus.ACTIVE,
        "applied_at": now,
        "rejected_at": None,
        "rejection_reason": None,
        "updated_at": now,
    }
    found = await session.scalar(
        sa.select(Application.id).where(
            Application.integration_id == target.integration_id,
            Application.remote_id == target.remote_id,
        )
    )
    if found is None:
        application = Application(**values, created_at=now)
        session.add(application)
        await session.flush()
        return application.id
    # the source had it once (removed since), or a sync was quicker
    await session.execute(sa.update(Application).where(Application.id == found).values(values))
    return found


def _announce_added(session: AsyncSession, actor: Actor, target: Target, stage: str) -> Event:
    """The added application's activity; returns its event."""
    record_activity(
        session,
        actor,
        action="application.created",
        subject_type="Application",
        subject_id=target.id,
        description=f"Added the candidate to the job, in {stage}",
        job_id=target.job_id,
        candidate_id=target.candidate_id,
        application_id=target.id,
        details={"remoteId": target.remote_id, "stage": stage},
    )
    return application_created(
        target.tenant_id,
        application_id=target.id,
        remote_id=target.remote_id,
        job_id=target.job_id,
        candidate_id=target.candidate_id,
        stage=stage,
        status=str(ApplicationStatus.ACTIVE),
    )


async def add_to_job(
    deps: WriteDeps,
    principal: Principal,
    *,
    candidate_id: int,
    job_id: int,
    idempotency_key: str | None,
) -> Written:
    """Put a candidate into a requisition of the same source (Recruiterflow add-to-job);
    the new application starts in "Sourced"."""
    placement = await _placement(deps, principal, candidate_id, job_id)
    integration_id = placement.integration_id

    async def local(session: AsyncSession, result: WriteResult, actor: Actor) -> LocalChange:
        now = utcnow()
        added = Target(
            0,
            principal.tenant_id,
            integration_id,
            created_id(result, "application"),
            job_id,
            candidate_id,
            None,
            None,
            ApplicationStatus.ACTIVE,
        )
        target = replace(added, id=await _store_added(session, added, dict(result.raw), now))
        stage = await stage_row(session, target.tenant_id, integration_id, ADDED_STAGE)
        await record_move(session, target, actor, stage, when=now)
        event = _announce_added(session, actor, target, stage.name)
        return LocalChange({"application": target.id}, [event])

    async def remote(connector: ConnectorBase, attribution: Attribution | None) -> WriteResult:
        if placement.already_in_job:
            raise ValidationFailed("candidateId", "the candidate is already in this job")
        return await connector.add_to_job(
            placement.candidate_remote_id, placement.job_remote_id, attribution
        )

    return await write_back(
        deps,
        principal,
        integration_id=integration_id,
        operation="candidateAddToJob",
        capability=Capability.ADD_TO_JOB,
        request={"candidateId": candidate_id, "jobId": job_id},
        idempotency_key=idempotency_key,
        remote=remote,
        local=local,
    )
