"""Which sync runs and background jobs a listing asks for: the inputs and their criteria."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from gateway.store.base import table_of
from gateway.store.enums import BackgroundJobStatus, SyncKind, SyncStatus
from gateway.store.models import BackgroundJob as BackgroundJobModel
from gateway.store.models import SyncRun as SyncRunModel
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.read_criteria import (
    Condition,
    as_tuple,
    criteria_from,
    equal_to,
    one_of,
    pk_from,
    tenant_rows,
)


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
        table = table_of(SyncRunModel)
        return tenant_rows(
            table,
            tenant_id,
            equal_to(table.c.integration_id, self.integration_id),
            one_of(table.c.status, self.statuses),
            one_of(table.c.kind, self.kinds),
        )


@dataclass(frozen=True, slots=True)
class BackgroundJobCriteria:
    statuses: tuple[BackgroundJobStatus, ...] = ()
    job_type: str | None = None

    def where(self, tenant_id: int) -> list[Condition]:
        table = table_of(BackgroundJobModel)
        return tenant_rows(
            table,
            tenant_id,
            one_of(table.c.status, self.statuses),
            equal_to(table.c.job_type, self.job_type or None),
        )


sync_run_criteria = criteria_from(
    SyncRunCriteria,
    SyncRunFilter,
    integration_id=pk_from("integration_id", "Integration"),
    statuses=as_tuple("status"),
    kinds=as_tuple("kind"),
)

background_job_criteria = criteria_from(
    BackgroundJobCriteria,
    BackgroundJobFilter,
    statuses=as_tuple("status"),
    job_type=lambda value: value.job_type or None,
)
