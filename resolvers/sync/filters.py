"""Which sync runs and background jobs a listing asks for: the inputs and their criteria."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import strawberry

from gateway.store.base import table_of
from gateway.store.enums import BackgroundJobStatus, SyncKind, SyncStatus
from gateway.store.models import BackgroundJob as BackgroundJobModel
from gateway.store.models import SyncRun as SyncRunModel
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.relay import pk_of

Condition = sa.ColumnElement[bool]


@strawberry.input
class SyncRunFilter:
    integration_id: strawberry.ID | None = None
    status: list[SyncStatus] | None = None
    kind: list[SyncKind] | None = None


@strawberry.input
class BackgroundJobFilter:
    status: list[BackgroundJobStatus] | None = None
    job_type: str | None = None


@dataclass(frozen=True, slots=True)
class SyncRunCriteria:
    integration_id: int | None = None
    statuses: tuple[SyncStatus, ...] = ()
    kinds: tuple[SyncKind, ...] = ()

    def where(self, tenant_id: int) -> list[Condition]:
        c = table_of(SyncRunModel).c
        conditions: list[Condition] = [c.tenant_id == tenant_id]
        if self.integration_id is not None:
            conditions.append(c.integration_id == self.integration_id)
        if self.statuses:
            conditions.append(c.status.in_(self.statuses))
        if self.kinds:
            conditions.append(c.kind.in_(self.kinds))
        return conditions


@dataclass(frozen=True, slots=True)
class BackgroundJobCriteria:
    statuses: tuple[BackgroundJobStatus, ...] = ()
    job_type: str | None = None

    def where(self, tenant_id: int) -> list[Condition]:
        c = table_of(BackgroundJobModel).c
        conditions: list[Condition] = [c.tenant_id == tenant_id]
        if self.statuses:
            conditions.append(c.status.in_(self.statuses))
        if self.job_type:
            conditions.append(c.job_type == self.job_type)
        return conditions


def sync_run_criteria(value: SyncRunFilter | None) -> SyncRunCriteria:
    value = value or SyncRunFilter()
    return SyncRunCriteria(
        integration_id=pk_of(value.integration_id, "Integration", field="integrationId")
        if value.integration_id
        else None,
        statuses=tuple(value.status or ()),
        kinds=tuple(value.kind or ()),
    )


def background_job_criteria(value: BackgroundJobFilter | None) -> BackgroundJobCriteria:
    value = value or BackgroundJobFilter()
    return BackgroundJobCriteria(
        statuses=tuple(value.status or ()), job_type=value.job_type or None
    )
