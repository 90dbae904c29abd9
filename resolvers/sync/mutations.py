from __future__ import annotations

import strawberry

from gateway.auth import Principal
from gateway.permissions import Permission
from gateway.queue import MAX_PRIORITY, Enqueued
from gateway.services.manual_jobs import ManualJob, ManualJobType, enqueue_manual
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


strawberry.enum(ManualJobType, name="BackgroundJobType")


@strawberry.input(
    description="Work to queue by hand, and the one record it works on: SYNC_INTEGRATION "
    "takes integrationId, SYNC_JOB and CHECK_REQUISITION jobId, ANALYZE_APPLICATION "
    "applicationId."
)
class BackgroundJobEnqueueInput:
    job_type: ManualJobType
    job_id: strawberry.ID | None = None
    application_id: strawberry.ID | None = None
    integration_id: strawberry.ID | None = None
    priority: int = strawberry.field(
        default=0,
        description=f"0 to {MAX_PRIORITY}; higher runs first (a job of priority p goes "
        "ahead of work queued up to p seconds before it).",
    )


@strawberry.type(description=_QUEUED)
class BackgroundJobEnqueueSuccess:
    queued: bool
    already_running: bool
    background_job: BackgroundJob | None


@strawberry.input
class BackgroundJobsClearInput:
    statuses: list[BackgroundJobStatus] = strawberry.field(
        description='Any but RUNNING: PENDING (the design\'s "clear all": the queued work '
        "is dropped and never runs), SUCCEEDED, FAILED (cancels its retry), DEAD."
    )


@strawberry.type
class BackgroundJobsClearSuccess:
    deleted_count: int


IntegrationSyncResult = mutation_result("IntegrationSyncResult", IntegrationSyncSuccess)
JobSyncResult = mutation_result("JobSyncResult", JobSyncSuccess)
BackgroundJobRetryResult = mutation_result("BackgroundJobRetryResult", BackgroundJobRetrySuccess)
BackgroundJobEnqueueResult = mutation_result(
    "BackgroundJobEnqueueResult", BackgroundJobEnqueueSuccess
)
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

    @strawberry.mutation(
        description="Queue a sync, a requisition refresh, an analysis or an automation check "
        "by hand, with a priority. Admin only."
    )
    async def background_job_enqueue(
        self, info: Info, input: BackgroundJobEnqueueInput
    ) -> BackgroundJobEnqueueResult:  # type: ignore[valid-type]
        context = info.context

        async def action(principal: Principal) -> Enqueued:
            job = ManualJob(
                input.job_type,
                job_id=_pk(input.job_id, "Job", "jobId"),
                application_id=_pk(input.application_id, "Application", "applicationId"),
                integration_id=_pk(input.integration_id, "Integration", "integrationId"),
                priority=input.priority,
            )
            return await enqueue_manual(
                context.session_factory,
                context.require_queue(),
                principal.tenant_id,
                job,
                requested_by=principal.user_id,
            )

        return await queued_result(
            info, Permission.QUEUE_MANAGE, action, BackgroundJobEnqueueSuccess
        )

    @strawberry.mutation(
        description="Delete the tenant's background jobs in the given statuses; pending ones "
        "are taken off the queue. Admin only."
    )
    async def background_jobs_clear(
        self, info: Info, input: BackgroundJobsClearInput
    ) -> BackgroundJobsClearResult:  # type: ignore[valid-type]
        context = info.context

        async def action(principal: Principal) -> int:
            return await context.require_queue().clear(principal.tenant_id, input.statuses)

        result = await guarded_mutation(info, Permission.QUEUE_MANAGE, action)
        if not isinstance(result, int):
            return result
        return BackgroundJobsClearSuccess(deleted_count=result)


def _pk(global_id: strawberry.ID | None, expected: str, field: str) -> int | None:
    """The key of an id given for ``field``; an id of another type is a ``NotFound``."""
    if global_id is None:
        return None
    return pk_of(global_id, expected, field=field)
