from __future__ import annotations

import strawberry

from gateway.auth import Principal
from gateway.permissions import Permission
from gateway.queue import Enqueued, JobRecords
from gateway.services.sync_requests import request_integration_sync, request_job_sync
from gateway.store.enums import BackgroundJobStatus
from gateway.sync_modes import SyncMode
from resolvers.context import Info
from resolvers.errors import mutation_result
from resolvers.mutation import GlobalIdArg, guarded_mutation
from resolvers.relay import pk_of
from resolvers.sync.types import BackgroundJob
from resolvers.write_queue import queued_result, request_work

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


IntegrationSyncResult = mutation_result("IntegrationSyncResult", IntegrationSyncSuccess)
JobSyncResult = mutation_result("JobSyncResult", JobSyncSuccess)
BackgroundJobRetryResult = mutation_result("BackgroundJobRetryResult", BackgroundJobRetrySuccess)
BackgroundJobsClearResult = mutation_result("BackgroundJobsClearResult", BackgroundJobsClearSuccess)


@strawberry.type
class SyncMutations:
    @strawberry.mutation(description="Queue a sync of the integration now (admin).")
    async def integration_sync(
        self, info: Info, input: IntegrationSyncInput
    ) -> IntegrationSyncResult:  # type: ignore[valid-type]
        return await request_work(
            info,
            Permission.INTEGRATIONS_MANAGE,
            request_integration_sync,
            GlobalIdArg(input.integration_id, "Integration", field="integrationId"),
            IntegrationSyncSuccess,
            mode=input.mode,
        )

    @strawberry.mutation(
        description="Queue a refetch of one requisition from its ATS (admin, recruiter)."
    )
    async def job_sync(self, info: Info, input: JobSyncInput) -> JobSyncResult:  # type: ignore[valid-type]
        job = GlobalIdArg(input.job_id, "Job", field="jobId")
        return await request_work(
            info, Permission.JOBS_UPDATE, request_job_sync, job, JobSyncSuccess
        )

    @strawberry.mutation(
        description="Run a FAILED or DEAD background job again now, its attempts reset. Admin only."
    )
    async def background_job_retry(
        self, info: Info, input: BackgroundJobRetryInput
    ) -> BackgroundJobRetryResult:  # type: ignore[valid-type]
        context = info.context

        async def action(principal: Principal) -> Enqueued:
            return await context.require_queue().retry(
                pk_of(input.id, "BackgroundJob"), tenant_id=principal.tenant_id
            )

        return await queued_result(info, Permission.QUEUE_MANAGE, action, BackgroundJobRetrySuccess)

    @strawberry.mutation(description="Delete the tenant's finished background jobs. Admin only.")
    async def background_jobs_clear(
        self, info: Info, input: BackgroundJobsClearInput
    ) -> BackgroundJobsClearResult:  # type: ignore[valid-type]
        records = JobRecords(info.context.session_factory)

        async def action(principal: Principal) -> int:
            return await records.clear(principal.tenant_id, input.statuses)

        result = await guarded_mutation(info, Permission.QUEUE_MANAGE, action)
        if not isinstance(result, int):
            return result
        return BackgroundJobsClearSuccess(deleted_count=result)
