from __future__ import annotations

from typing import Annotated, TypeVar

import sqlalchemy as sa
import strawberry

from gateway.auth import Principal
from gateway.permissions import Permission
from gateway.queue import Enqueued, JobRecords
from gateway.services.sync_requests import request_integration_sync, request_job_sync
from gateway.store.base import table_of
from gateway.store.enums import BackgroundJobStatus
from gateway.store.models import BackgroundJob as BackgroundJobModel
from gateway.sync_modes import SyncMode
from resolvers.context import Info
from resolvers.dataloaders import light_columns
from resolvers.errors import (
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from resolvers.mutation import guarded_mutation
from resolvers.relay import pk_of
from resolvers.sync.types import BackgroundJob, build_background_job

T = TypeVar("T")

_QUEUED = (
    "`queued`: new work was queued. `alreadyRunning`: work with the same key was already "
    "queued, running or waiting for its retry, and `backgroundJob` is that work."
)


@strawberry.input
class IntegrationSyncInput:
    integration_id: strawberry.ID
    mode: SyncMode = SyncMode.INCREMENTAL


@strawberry.type(description=_QUEUED)
class IntegrationSyncSuccess:
    queued: bool
    already_running: bool
    background_job: BackgroundJob | None


@strawberry.input
class JobSyncInput:
    job_id: strawberry.ID


@strawberry.type(description=_QUEUED)
class JobSyncSuccess:
    queued: bool
    already_running: bool
    background_job: BackgroundJob | None


@strawberry.input
class BackgroundJobRetryInput:
    id: strawberry.ID


@strawberry.type(description=_QUEUED)
class BackgroundJobRetrySuccess:
    queued: bool
    already_running: bool
    background_job: BackgroundJob | None


@strawberry.input
class BackgroundJobsClearInput:
    statuses: list[BackgroundJobStatus] = strawberry.field(
        description="Finished statuses only: SUCCEEDED, FAILED (cancels its retry), DEAD."
    )


@strawberry.type
class BackgroundJobsClearSuccess:
    deleted_count: int


IntegrationSyncResult = Annotated[
    IntegrationSyncSuccess | NotFoundError | ValidationError | PermissionDeniedError,
    strawberry.union("IntegrationSyncResult"),
]
JobSyncResult = Annotated[
    JobSyncSuccess | NotFoundError | ValidationError | PermissionDeniedError,
    strawberry.union("JobSyncResult"),
]
BackgroundJobRetryResult = Annotated[
    BackgroundJobRetrySuccess | NotFoundError | ValidationError | PermissionDeniedError,
    strawberry.union("BackgroundJobRetryResult"),
]
BackgroundJobsClearResult = Annotated[
    BackgroundJobsClearSuccess | NotFoundError | ValidationError | PermissionDeniedError,
    strawberry.union("BackgroundJobsClearResult"),
]


async def _background_job(info: Info, record_id: int) -> BackgroundJob | None:
    table = table_of(BackgroundJobModel)
    row = await info.context.reader.one_or_none(
        sa.select(*light_columns(table)).where(
            table.c.id == record_id, table.c.tenant_id == info.context.tenant_id
        )
    )
    return build_background_job(row) if row is not None else None


@strawberry.type
class SyncMutations:
    @strawberry.mutation(description="Queue a sync of the integration now (admin).")
    async def integration_sync(
        self, info: Info, input: IntegrationSyncInput
    ) -> IntegrationSyncResult:
        context = info.context

        async def action(principal: Principal) -> Enqueued:
            return await request_integration_sync(
                context.session_factory,
                context.require_queue(),
                principal.tenant_id,
                pk_of(input.integration_id, "Integration", field="integrationId"),
                mode=input.mode,
                requested_by=principal.user_id,
            )

        result = await guarded_mutation(info, Permission.INTEGRATIONS_MANAGE, action)
        if not isinstance(result, Enqueued):
            return result
        return IntegrationSyncSuccess(
            queued=not result.duplicate,
            already_running=result.duplicate,
            background_job=await _background_job(info, result.job_record_id),
        )

    @strawberry.mutation(
        description="Queue a refetch of one requisition from its ATS (admin, recruiter)."
    )
    async def job_sync(self, info: Info, input: JobSyncInput) -> JobSyncResult:
        context = info.context

        async def action(principal: Principal) -> Enqueued:
            return await request_job_sync(
                context.session_factory,
                context.require_queue(),
                principal.tenant_id,
                pk_of(input.job_id, "Job", field="jobId"),
                requested_by=principal.user_id,
            )

        result = await guarded_mutation(info, Permission.JOBS_UPDATE, action)
        if not isinstance(result, Enqueued):
            return result
        return JobSyncSuccess(
            queued=not result.duplicate,
            already_running=result.duplicate,
            background_job=await _background_job(info, result.job_record_id),
        )

    @strawberry.mutation(
        description="Run a FAILED or DEAD background job again now, its attempts reset. Admin only."
    )
    async def background_job_retry(
        self, info: Info, input: BackgroundJobRetryInput
    ) -> BackgroundJobRetryResult:
        context = info.context

        async def action(principal: Principal) -> Enqueued:
            return await context.require_queue().retry(
                pk_of(input.id, "BackgroundJob"), tenant_id=principal.tenant_id
            )

        result = await guarded_mutation(info, Permission.QUEUE_MANAGE, action)
        if not isinstance(result, Enqueued):
            return result
        return BackgroundJobRetrySuccess(
            queued=not result.duplicate,
            already_running=result.duplicate,
            background_job=await _background_job(info, result.job_record_id),
        )

    @strawberry.mutation(description="Delete the tenant's finished background jobs. Admin only.")
    async def background_jobs_clear(
        self, info: Info, input: BackgroundJobsClearInput
    ) -> BackgroundJobsClearResult:
        records = JobRecords(info.context.session_factory)

        async def action(principal: Principal) -> int:
            return await records.clear(principal.tenant_id, input.statuses)

        result = await guarded_mutation(info, Permission.QUEUE_MANAGE, action)
        if not isinstance(result, int):
            return result
        return BackgroundJobsClearSuccess(deleted_count=result)
