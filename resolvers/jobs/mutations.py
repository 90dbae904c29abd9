from __future__ import annotations

from decimal import Decimal

import strawberry

from gateway.permissions import Permission
from gateway.services import job_writes
from gateway.services.jobs import update_job_local_fields
from gateway.services.writeback import Written
from resolvers.context import Info
from resolvers.errors import is_error, mutation_result, write_back_result
from resolvers.inputs import not_null, sent_fields
from resolvers.jobs.types import Job, build_job
from resolvers.mutation import GlobalIdArg, run_mutation, write_to_source, written_row
from resolvers.relay import as_row, mirrored, pk_of
from resolvers.write_replay import idempotency_key_field, replayed_field


@strawberry.input(description="The fields the gateway owns; omitted fields stay as they are.")
class JobUpdateInput:
    id: strawberry.ID
    is_active: bool | None = not_null()
    recruiter_id: strawberry.ID | None = strawberry.UNSET
    interview_instructions: str | None = strawberry.UNSET
    auto_send_interview: bool | None = not_null()
    auto_send_on_status: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The stage (as the source names it, case aside) or stage kind "
        "(screen, interview, ...) that sends the interview; null: new applications.",
    )
    min_check_interval: int | None = not_null()
    lookback_hours: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="How far back a check looks for applications at the trigger, within "
        "the tenant's lookbackHoursMin..Max; null: the tenant's lookbackHoursDefault.",
    )


@strawberry.type
class JobUpdateSuccess:
    job: Job


JobUpdateResult = mutation_result("JobUpdateResult", JobUpdateSuccess)


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
    requirements: list[str] | None = strawberry.field(
        default=None, description="At most 50 lines of at most 500 characters."
    )
    salary_min: Decimal | None = strawberry.field(
        default=None, description="0 or more, at most two decimals; needs `currency`."
    )
    salary_max: Decimal | None = strawberry.field(
        default=None, description="At least `salaryMin`; needs `currency`."
    )
    currency: str | None = strawberry.field(
        default=None, description="The salary's ISO 4217 code, e.g. PHP."
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="Approve a draft requisition in its source system (BPOC).")
class JobApproveInput:
    job_id: strawberry.ID
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class JobWriteSuccess:
    job: Job
    replayed: bool = replayed_field()


JobWriteResult = write_back_result("JobWriteResult", JobWriteSuccess)


async def job_success(info: Info, written: Written) -> JobWriteSuccess:
    row = await written_row(info.context.loaders.job_by_id, written.ids["job"], "written job")
    return JobWriteSuccess(job=build_job(row), replayed=written.replayed)


@strawberry.type
class JobMutations:
    @strawberry.mutation
    async def job_update(self, info: Info, input: JobUpdateInput) -> JobUpdateResult:  # type: ignore[valid-type]
        async def action(session, actor):  # type: ignore[no-untyped-def]
            changes = sent_fields(input)
            if changes.get("recruiter_id") is not None:
                changes["recruiter_id"] = pk_of(
                    changes["recruiter_id"], "Recruiter", field="recruiterId"
                )
            return await update_job_local_fields(session, actor, pk_of(input.id, "Job"), changes)

        result = await run_mutation(info, Permission.JOBS_UPDATE, action)
        if is_error(result):
            return result
        return JobUpdateSuccess(job=build_job(as_row(result)))

    @strawberry.mutation(
        description="Post a requisition in the integration's source system (BPOC, "
        "`postedBy` = the caller's recruiter); then here, as a draft the caller owns."
    )
    async def job_create(self, info: Info, input: JobCreateInput) -> JobWriteResult:  # type: ignore[valid-type]
        return await write_to_source(
            info,
            Permission.JOBS_CREATE,
            job_writes.create_job,
            job_success,
            integration_id=GlobalIdArg(input.integration_id, "Integration", field="integrationId"),
            draft=mirrored(job_writes.NewJob, input),
            idempotency_key=input.idempotency_key,
        )

    @strawberry.mutation(
        description="Approve a draft requisition in its source system (BPOC, `approvedBy` = "
        "the caller's recruiter); then here it is OPEN. Admins only."
    )
    async def job_approve(self, info: Info, input: JobApproveInput) -> JobWriteResult:  # type: ignore[valid-type]
        return await write_to_source(
            info,
            Permission.JOBS_APPROVE,
            job_writes.approve_job,
            job_success,
            job_id=GlobalIdArg(input.job_id, "Job", field="jobId"),
            idempotency_key=input.idempotency_key,
        )
