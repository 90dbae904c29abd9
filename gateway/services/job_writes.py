"""Requisition writes, sent to the source as the acting recruiter: create and approve.

    written = await create_job(deps, principal, integration_id=9,
                               draft=NewJob(title="QA Analyst", location="Davao City"),
                               idempotency_key="job-qa-1")
    # POST /jobs/create {"title": "QA Analyst", "location": ..., "postedBy": <recruiter>}
    written.ids["job"]             # the local requisition, remote id from BPOC's answer
    await approve_job(deps, principal, job_id=written.ids["job"], idempotency_key=None)
    # POST /jobs/{id}/approve {"approvedBy": <recruiter>}; the requisition is open

Only BPOC creates and approves requisitions (``Capability.JOB_CREATE``,
``JOB_APPROVE``); any other provider answers ``Unsupported`` before a request.

A created requisition is stored at once with the source's id, so the next sync finds
it by ``(integration_id, remote_id)`` and updates it instead of adding a second one;
it has no content hash yet, so that sync writes the source's full record over it. It
is a draft until approved (BPOC answers ``pending_approval``; the source's own word is
kept in ``remote_status``), and the caller who posted it owns it (``recruiter_id``).
Only a draft can be approved.

BPOC takes requirements (lines) and a salary range with its currency, named as its guide
names them (``requirements``, ``salary_min``, ``salary_max``; ``currency`` as its jobs
carry it). A range is two non-negative amounts, min at most max, with a three-letter
ISO 4217 currency; the guide names no pay period, so none is sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Capability, ConnectorBase
from connectors.models import Attribution, JobDraft, WriteResult
from gateway.auth import Principal
from gateway.errors import NotFound, RecruiterLinkMissing, ValidationFailed
from gateway.events import job_created, job_status_changed
from gateway.ports import HasSessions
from gateway.services.activities import Actor, record_activity
from gateway.services.validation import optional_line, optional_paragraph, text_line
from gateway.services.writeback import (
    LocalChange,
    WriteDeps,
    Written,
    acting_as,
    created_id,
    write_back,
)
from gateway.store.base import utcnow
from gateway.store.enums import JobStatus
from gateway.store.models import Integration, Job

MAX_TITLE_LENGTH = 512
MAX_DESCRIPTION_LENGTH = 20_000
MAX_EMPLOYMENT_TYPE_LENGTH = 64
MAX_REQUIREMENTS = 50
MAX_REQUIREMENT_LENGTH = 500
MAX_SALARY = Decimal("999999999999.99")
_CURRENCY = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True, slots=True)
class NewJob:
    """What ``jobCreate`` takes; checked by ``checked`` before anything is sent."""

    title: str
    description: str | None = None
    client_remote_id: str | None = None
    client_name: str | None = None
    location: str | None = None
    employment_type: str | None = None
    requirements: Sequence[str] | None = None
    salary_min: Decimal | None = None
    salary_max: Decimal | None = None
    currency: str | None = None

    def checked(self) -> NewJob:
        """The same draft trimmed, or ``ValidationFailed`` naming the bad field."""
        salary_min = _salary("salaryMin", self.salary_min)
        salary_max = _salary("salaryMax", self.salary_max)
        if salary_min is not None and salary_max is not None and salary_min > salary_max:
            raise ValidationFailed("salaryMin", "salaryMin is at most salaryMax")
        currency = (self.currency or "").strip().upper() or None
        if currency is not None and not _CURRENCY.fullmatch(currency):
            raise ValidationFailed("currency", "currency is a three-letter ISO 4217 code")
        if (salary_min is not None or salary_max is not None) and currency is None:
            raise ValidationFailed("currency", "a salary range needs its currency")
        return NewJob(
            requirements=_requirements(self.requirements),
            salary_min=salary_min,
            salary_max=salary_max,
            currency=currency,
            title=text_line("title", self.title, max_length=MAX_TITLE_LENGTH),
            description=optional_paragraph(
                "description", self.description, max_length=MAX_DESCRIPTION_LENGTH
            ),
            client_remote_id=optional_line("clientRemoteId", self.client_remote_id),
            client_name=optional_line("clientName", self.client_name),
            location=optional_line("location", self.location),
            employment_type=optional_line(
                "employmentType", self.employment_type, max_length=MAX_EMPLOYMENT_TYPE_LENGTH
            ),
        )

    def request(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "clientRemoteId": self.client_remote_id,
            "clientName": self.client_name,
            "location": self.location,
            "employmentType": self.employment_type,
            "requirements": list(self.requirements or ()),
            "salaryMin": str(self.salary_min) if self.salary_min is not None else None,
            "salaryMax": str(self.salary_max) if self.salary_max is not None else None,
            "currency": self.currency,
        }


def _salary(field: str, value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or value < 0 or value > MAX_SALARY:
        raise ValidationFailed(field, f"{field} must be a finite amount from 0 to {MAX_SALARY}")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationFailed(field, f"{field} has at most two decimal places")
    return value


def _requirements(values: Sequence[str] | None) -> tuple[str, ...]:
    """Each requirement one trimmed line; none empty, at most ``MAX_REQUIREMENTS``."""
    found = tuple(values or ())
    if len(found) > MAX_REQUIREMENTS:
        raise ValidationFailed("requirements", f"at most {MAX_REQUIREMENTS} requirements")
    return tuple(
        text_line("requirements", value, max_length=MAX_REQUIREMENT_LENGTH) for value in found
    )


def _answered(result: WriteResult, key: str) -> Mapping[str, Any]:
    """The record the source answered with (``{"job": {...}}``), or the whole answer."""
    record = result.raw.get(key)
    return record if isinstance(record, Mapping) else result.raw


def _text_of(record: Mapping[str, Any], key: str, max_length: int) -> str | None:
    value = record.get(key)
    return value[:max_length] if isinstance(value, str) and value else None


async def _store_created(
    session: AsyncSession,
    tenant_id: int,
    integration_id: int,
    job: NewJob,
    result: WriteResult,
    actor: Actor,
) -> tuple[int, str]:
    """The posted requisition stored as a draft (or updated, when a sync stored it
    first): its id and remote id."""
    now = utcnow()
    remote_id = created_id(result, "job")
    record = _answered(result, "job")
    values: dict[str, Any] = {
        "title": job.title,
        "description": job.description,
        "location": job.location,
        "employment_type": job.employment_type,
        "currency": job.currency,
        "client_name": _text_of(record, "clientName", 255) or job.client_name,
        "status": JobStatus.DRAFT,
        "remote_status": _text_of(record, "status", 128),
        "remote_data": dict(record),
        "remote_deleted_at": None,
        "recruiter_id": actor.user_id,
        "updated_at": now,
    }
    found = await session.scalar(
        sa.select(Job.id).where(Job.integration_id == integration_id, Job.remote_id == remote_id)
    )
    if found is None:
        row = Job(
            tenant_id=tenant_id,
            integration_id=integration_id,
            remote_id=remote_id,
            created_at=now,
            **values,
        )
        session.add(row)
        await session.flush()
        return row.id, remote_id
    # a webhook-driven sync stored it first
    await session.execute(sa.update(Job).where(Job.id == found).values(values))
    return found, remote_id


async def create_job(
    deps: WriteDeps,
    principal: Principal,
    *,
    integration_id: int,
    draft: NewJob,
    idempotency_key: str | None,
) -> Written:
    job = draft.checked()

    async def local(session: AsyncSession, result: WriteResult, actor: Actor) -> LocalChange:
        found, remote_id = await _store_created(
            session, principal.tenant_id, integration_id, job, result, actor
        )
        record_activity(
            session,
            actor,
            action="job.created",
            subject_type="Job",
            subject_id=found,
            description=f"Posted the requisition {job.title}",
            job_id=found,
            details={"remoteId": remote_id, "integrationId": integration_id},
        )
        event = job_created(
            principal.tenant_id, job_id=found, remote_id=remote_id, status=str(JobStatus.DRAFT)
        )
        return LocalChange({"job": found}, [event])

    async def remote(connector: ConnectorBase, attribution: Attribution | None) -> WriteResult:
        if attribution is None:  # only where the provider does not declare ATTRIBUTION
            raise RecruiterLinkMissing(
                integration_id, await _integration_name(deps, integration_id)
            )
        return await connector.create_job(
            JobDraft(
                title=job.title,
                description=job.description,
                client_remote_id=job.client_remote_id,
                location=job.location,
                employment_type=job.employment_type,
                requirements=tuple(job.requirements or ()),
                salary_min=job.salary_min,
                salary_max=job.salary_max,
                currency=job.currency,
            ),
            attribution,
        )

    return await write_back(
        deps,
        principal,
        integration_id=integration_id,
        operation="jobCreate",
        capability=Capability.JOB_CREATE,
        request={"integrationId": integration_id, **job.request()},
        idempotency_key=idempotency_key,
        remote=remote,
        local=local,
    )


async def _integration_name(deps: HasSessions, integration_id: int) -> str:
    """For the rare refusal that names the integration (no recruiter link)."""
    async with deps.session_factory() as session:
        name = await session.scalar(
            sa.select(Integration.name).where(Integration.id == integration_id)
        )
    return name or str(integration_id)


async def approve_job(
    deps: WriteDeps, principal: Principal, *, job_id: int, idempotency_key: str | None
) -> Written:
    async with deps.session_factory() as session:
        row = (
            await session.execute(
                sa.select(Job, Integration.name)
                .outerjoin(Integration, Integration.id == Job.integration_id)
                .where(Job.id == job_id)
            )
        ).first()
    if row is None or row[0].tenant_id != principal.tenant_id:
        raise NotFound("Job", job_id)
    job: Job = row[0]
    integration_name: str = row[1] or ""
    if job.integration_id is None or not job.remote_id:
        raise ValidationFailed("jobId", "this job was not synced from a source system")
    if job.remote_deleted_at is not None:
        raise ValidationFailed("jobId", "this job was deleted in its source")
    integration_id, remote_id, previous, title = (
        job.integration_id,
        job.remote_id,
        job.status,
        job.title,
    )

    async def local(session: AsyncSession, result: WriteResult, actor: Actor) -> LocalChange:
        now = utcnow()
        record = _answered(result, "job")
        values: dict[str, Any] = {"status": JobStatus.OPEN, "updated_at": now}
        if remote_status := _text_of(record, "status", 128):
            values["remote_status"] = remote_status
        await session.execute(sa.update(Job).where(Job.id == job_id).values(values))
        await session.execute(
            sa.update(Job).where(Job.id == job_id, Job.opened_at.is_(None)).values(opened_at=now)
        )
        record_activity(
            session,
            actor,
            action="job.approved",
            subject_type="Job",
            subject_id=job_id,
            description=f"Approved the requisition {title}",
            job_id=job_id,
            details={"remoteId": remote_id, "from": str(previous), "to": str(JobStatus.OPEN)},
        )
        event = job_status_changed(
            principal.tenant_id,
            job_id=job_id,
            status=str(JobStatus.OPEN),
            previous_status=str(previous),
        )
        return LocalChange({"job": job_id}, [event])

    async def remote(connector: ConnectorBase, attribution: Attribution | None) -> WriteResult:
        if previous is not JobStatus.DRAFT:  # checked here so a replayed key still answers
            raise ValidationFailed(
                "jobId", f"only a draft requisition awaits approval; this one is {previous}"
            )
        return await connector.approve_job(
            remote_id, acting_as(attribution, integration_id, integration_name)
        )

    return await write_back(
        deps,
        principal,
        integration_id=integration_id,
        operation="jobApprove",
        capability=Capability.JOB_APPROVE,
        request={"jobId": job_id},
        idempotency_key=idempotency_key,
        remote=remote,
        local=local,
    )
