from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.auth import Principal
from gateway.permissions import Permission
from gateway.services import job_writes
from gateway.services.jobs import update_job_local_fields
from gateway.services.writeback import Written
from resolvers.applications.mutations import idempotency_key_field
from resolvers.context import Info
from resolvers.errors import (
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
    WriteBackError,
)
from resolvers.inputs import not_null, sent_fields
from resolvers.jobs.types import Job, build_job
from resolvers.mutation import run_mutation, written_result
from resolvers.relay import as_row, pk_of


@strawberry.input(description="The fields the gateway owns; omitted fields stay as they are.")
class JobUpdateInput:
    id: strawberry.ID
    is_active: bool | None = not_null()
    recruiter_id: strawberry.ID | None = strawberry.UNSET
    interview_instructions: str | None = strawberry.UNSET
    auto_send_interview: bool | None = not_null()
    min_check_interval: int | None = not_null()


@strawberry.type
class JobUpdateSuccess:
    job: Job


JobUpdateResult = Annotated[
    JobUpdateSuccess | NotFoundError | ValidationError | PermissionDeniedError,
    strawberry.union("JobUpdateResult"),
]


@strawberry.input(
    description="A new requisition, posted in the integration's source system (BPOC) as "
    "the caller's recruiter; it is a draft until approved."
)
class JobCreateInput:
    integration_id: strawberry.ID
    title: str = strawberry.field(description="1 to 512 characters, one line.")
    description: str | None = strawberry.field(
        default=None, description="At most 20,000 characters."
    )
    client_remote_id: str | None = strawberry.field(
        default=None, description="The client's id in the source system (BPOC clientId)."
    )
    client_name: str | None = strawberry.field(
        default=None, description="Shown here until the source names the client."
    )
    location: str | None = None
    employment_type: str | None = strawberry.field(
        default=None, description="As the source spells it, e.g. full_time."
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="Approve a draft requisition in its source system (BPOC).")
class JobApproveInput:
    job_id: strawberry.ID
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class JobWriteSuccess:
    job: Job
    replayed: bool = strawberry.field(
        description="True when an idempotency key returned an earlier result."
    )


JobWriteResult = Annotated[JobWriteSuccess | WriteBackError, strawberry.union("JobWriteResult")]


async def job_success(info: Info, written: Written) -> JobWriteSuccess:
    row = await info.context.loaders.job_by_id.load(written.ids["job"])
    assert row is not None, "a written job vanished"
    return JobWriteSuccess(job=build_job(row), replayed=written.replayed)


@strawberry.type
class JobMutations:
    @strawberry.mutation
    async def job_update(self, info: Info, input: JobUpdateInput) -> JobUpdateResult:
        async def action(session, actor):  # type: ignore[no-untyped-def]
            changes = sent_fields(input)
            if changes.get("recruiter_id") is not None:
                changes["recruiter_id"] = pk_of(
                    changes["recruiter_id"], "Recruiter", field="recruiterId"
                )
            return await update_job_local_fields(session, actor, pk_of(input.id, "Job"), changes)

        result = await run_mutation(info, Permission.JOBS_UPDATE, action)
        if isinstance(result, NotFoundError | ValidationError | PermissionDeniedError):
            return result
        return JobUpdateSuccess(job=build_job(as_row(result)))

    @strawberry.mutation(
        description="Post a requisition in the integration's source system (BPOC, "
        "`postedBy` = the caller's recruiter); then here, as a draft the caller owns."
    )
    async def job_create(self, info: Info, input: JobCreateInput) -> JobWriteResult:
        async def action(principal: Principal) -> Written:
            return await job_writes.create_job(
                info.context.require_write_deps(),
                principal,
                integration_id=pk_of(input.integration_id, "Integration", field="integrationId"),
                draft=job_writes.NewJob(
                    title=input.title,
                    description=input.description,
                    client_remote_id=input.client_remote_id,
                    client_name=input.client_name,
                    location=input.location,
                    employment_type=input.employment_type,
                ),
                idempotency_key=input.idempotency_key,
            )

        return await written_result(info, Permission.JOBS_CREATE, action, job_success)

    @strawberry.mutation(
        description="Approve a draft requisition in its source system (BPOC, `approvedBy` = "
        "the caller's recruiter); then here it is OPEN. Admins only."
    )
    async def job_approve(self, info: Info, input: JobApproveInput) -> JobWriteResult:
        async def action(principal: Principal) -> Written:
            return await job_writes.approve_job(
                info.context.require_write_deps(),
                principal,
                job_id=pk_of(input.job_id, "Job", field="jobId"),
                idempotency_key=input.idempotency_key,
            )

        return await written_result(info, Permission.JOBS_APPROVE, action, job_success)
