"""Read filters as frozen, hashable values that render to SQL conditions.

Being hashable lets a DataLoader batch every parent that asked for the same filter
into one statement:

    >>> JobCriteria(search="engineer", is_active=True).where(tenant_id=1)
    [<tenant condition>, <search condition>, <active condition>]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from gateway.services import processing
from gateway.store.base import table_of
from gateway.store.enums import (
    ApplicationStatus,
    InterviewStatus,
    JobStatus,
    LogLevel,
    ProcessingStatus,
)
from gateway.store.models import (
    Activity,
    Analysis,
    Application,
    Candidate,
    Integration,
    Interview,
    Job,
    OperationalLog,
    User,
)

Condition = sa.ColumnElement[bool]


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search(text: str | None, *columns: Any) -> list[Condition]:
    if not text or not text.strip():
        return []
    pattern = like_pattern(text.strip())
    return [sa.or_(*(column.ilike(pattern, escape="\\") for column in columns))]


def owned_requisition(job_column: Any, tenant_id: int, recruiter_id: int) -> Condition:
    """``job_column`` names one of the tenant's requisitions that the recruiter owns."""
    jobs = table_of(Job).c
    owned: Condition = job_column.in_(
        sa.select(jobs.id).where(jobs.tenant_id == tenant_id, jobs.recruiter_id == recruiter_id)
    )
    return owned


@dataclass(frozen=True, slots=True)
class DateRange:
    start: datetime | None = None
    end: datetime | None = None

    def conditions(self, column: Any) -> list[Condition]:
        conditions = []
        if self.start is not None:
            conditions.append(column >= self.start)
        if self.end is not None:
            conditions.append(column < self.end)
        return conditions


@dataclass(frozen=True, slots=True)
class JobCriteria:
    search: str | None = None
    statuses: tuple[JobStatus, ...] = ()
    recruiter_id: int | None = None
    integration_id: int | None = None
    is_active: bool | None = None
    created: DateRange = DateRange()
    opened: DateRange = DateRange()

    def where(self, tenant_id: int) -> list[Condition]:
        table = table_of(Job).c
        conditions: list[Condition] = [table.tenant_id == tenant_id]
        conditions += _search(self.search, table.title, table.client_name, table.location)
        if self.statuses:
            conditions.append(table.status.in_(self.statuses))
        if self.recruiter_id is not None:
            conditions.append(table.recruiter_id == self.recruiter_id)
        if self.integration_id is not None:
            conditions.append(table.integration_id == self.integration_id)
        if self.is_active is not None:
            conditions.append(table.is_active.is_(self.is_active))
        conditions += self.created.conditions(table.created_at)
        conditions += self.opened.conditions(table.opened_at)
        return conditions


@dataclass(frozen=True, slots=True)
class CandidateCriteria:
    search: str | None = None
    integration_id: int | None = None
    created: DateRange = DateRange()

    def where(self, tenant_id: int) -> list[Condition]:
        table = table_of(Candidate).c
        conditions: list[Condition] = [table.tenant_id == tenant_id]
        conditions += _search(self.search, table.name, table.email, table.headline)
        if self.integration_id is not None:
            conditions.append(table.integration_id == self.integration_id)
        conditions += self.created.conditions(table.created_at)
        return conditions


@dataclass(frozen=True, slots=True)
class ApplicationCriteria:
    search: str | None = None
    statuses: tuple[ApplicationStatus, ...] = ()
    job_id: int | None = None
    candidate_id: int | None = None
    stage_id: int | None = None
    recruiter_id: int | None = None
    created: DateRange = DateRange()
    human_requested: bool | None = None
    compliance_review: bool | None = None
    has_analysis: bool | None = None
    processing_statuses: tuple[ProcessingStatus, ...] = ()
    """As read: a closed application is COMPLETE (``gateway.services.processing``)."""

    def where(self, tenant_id: int) -> list[Condition]:
        table = table_of(Application).c
        conditions: list[Condition] = [table.tenant_id == tenant_id]
        if self.search and self.search.strip():
            candidates = table_of(Candidate).c
            matching = sa.select(candidates.id).where(
                candidates.tenant_id == tenant_id,
                *_search(self.search, candidates.name, candidates.email),
            )
            conditions.append(table.candidate_id.in_(matching))
        if self.statuses:
            conditions.append(table.status.in_(self.statuses))
        if self.job_id is not None:
            conditions.append(table.job_id == self.job_id)
        if self.candidate_id is not None:
            conditions.append(table.candidate_id == self.candidate_id)
        if self.stage_id is not None:
            conditions.append(table.current_stage_id == self.stage_id)
        if self.recruiter_id is not None:
            conditions.append(owned_requisition(table.job_id, tenant_id, self.recruiter_id))
        conditions += self.created.conditions(table.created_at)
        if self.human_requested is not None:
            conditions.append(table.human_requested.is_(self.human_requested))
        if self.compliance_review is not None:
            conditions.append(table.compliance_review.is_(self.compliance_review))
        if self.has_analysis is not None:
            analysed = table.id.in_(
                sa.select(Analysis.application_id).where(Analysis.tenant_id == tenant_id)
            )
            conditions.append(analysed if self.has_analysis else ~analysed)
        if self.processing_statuses:
            conditions.append(processing.status_in(self.processing_statuses))
        return conditions


@dataclass(frozen=True, slots=True)
class InterviewCriteria:
    statuses: tuple[InterviewStatus, ...] = ()
    job_id: int | None = None
    application_id: int | None = None
    created: DateRange = DateRange()

    def where(self, tenant_id: int) -> list[Condition]:
        table = table_of(Interview).c
        conditions: list[Condition] = [table.tenant_id == tenant_id]
        if self.statuses:
            conditions.append(table.status.in_(self.statuses))
        if self.application_id is not None:
            conditions.append(table.application_id == self.application_id)
        if self.job_id is not None:
            applications = table_of(Application).c
            conditions.append(
                table.application_id.in_(
                    sa.select(applications.id).where(
                        applications.tenant_id == tenant_id, applications.job_id == self.job_id
                    )
                )
            )
        conditions += self.created.conditions(table.created_at)
        return conditions


@dataclass(frozen=True, slots=True)
class ActivityCriteria:
    """``visible_to_recruiter_id`` narrows the log to requisitions that user owns."""

    search: str | None = None
    actions: tuple[str, ...] = ()
    job_id: int | None = None
    candidate_id: int | None = None
    application_id: int | None = None
    actor_id: str | None = None
    created: DateRange = DateRange()
    visible_to_recruiter_id: int | None = None

    def where(self, tenant_id: int) -> list[Condition]:
        table = table_of(Activity).c
        conditions: list[Condition] = [table.tenant_id == tenant_id]
        conditions += _search(self.search, table.description)
        if self.actions:
            conditions.append(table.action.in_(self.actions))
        for column, value in (
            (table.job_id, self.job_id),
            (table.candidate_id, self.candidate_id),
            (table.application_id, self.application_id),
            (table.actor_id, self.actor_id),
        ):
            if value is not None:
                conditions.append(column == value)
        if self.visible_to_recruiter_id is not None:
            conditions.append(
                owned_requisition(table.job_id, tenant_id, self.visible_to_recruiter_id)
            )
        conditions += self.created.conditions(table.created_at)
        return conditions


@dataclass(frozen=True, slots=True)
class LogCriteria:
    """``levels`` and ``min_level`` both narrow (a level must pass each); like
    ``ActivityCriteria``, ``visible_to_recruiter_id`` keeps the requisitions that user
    owns."""

    levels: tuple[LogLevel, ...] = ()
    min_level: LogLevel | None = None
    sources: tuple[str, ...] = ()
    job_id: int | None = None
    application_id: int | None = None
    search: str | None = None
    created: DateRange = DateRange()
    visible_to_recruiter_id: int | None = None

    def where(self, tenant_id: int) -> list[Condition]:
        table = table_of(OperationalLog).c
        conditions: list[Condition] = [table.tenant_id == tenant_id]
        if self.levels:
            conditions.append(table.level.in_([level.value for level in self.levels]))
        if self.min_level is not None:
            at_least = [level.value for level in LogLevel if level.rank >= self.min_level.rank]
            conditions.append(table.level.in_(at_least))
        if self.sources:
            conditions.append(table.source.in_(self.sources))
        if self.job_id is not None:
            conditions.append(table.job_id == self.job_id)
        if self.application_id is not None:
            conditions.append(table.application_id == self.application_id)
        conditions += _search(self.search, table.message)
        if self.visible_to_recruiter_id is not None:
            conditions.append(
                owned_requisition(table.job_id, tenant_id, self.visible_to_recruiter_id)
            )
        conditions += self.created.conditions(table.created_at)
        return conditions


@dataclass(frozen=True, slots=True)
class IntegrationCriteria:
    providers: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    def where(self, tenant_id: int) -> list[Condition]:
        table = table_of(Integration).c
        conditions: list[Condition] = [table.tenant_id == tenant_id]
        if self.providers:
            conditions.append(table.provider.in_(self.providers))
        if self.statuses:
            conditions.append(table.status.in_(self.statuses))
        return conditions


@dataclass(frozen=True, slots=True)
class RecruiterCriteria:
    search: str | None = None
    roles: tuple[str, ...] = ()
    is_active: bool | None = None

    def where(self, tenant_id: int) -> list[Condition]:
        table = table_of(User).c
        conditions: list[Condition] = [table.tenant_id == tenant_id]
        conditions += _search(self.search, table.name, table.email, table.title)
        if self.roles:
            conditions.append(table.role.in_(self.roles))
        if self.is_active is not None:
            conditions.append(table.is_active.is_(self.is_active))
        return conditions
