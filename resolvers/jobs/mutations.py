from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.permissions import Permission
from gateway.services.jobs import update_job_local_fields
from resolvers.context import Info
from resolvers.errors import NotFoundError, PermissionDeniedError, ValidationError
from resolvers.jobs.types import Job, build_job
from resolvers.mutation import changes_of, run_mutation
from resolvers.relay import as_row, pk_of


@strawberry.input(description="The fields the gateway owns; omitted fields stay as they are.")
class JobUpdateInput:
    id: strawberry.ID
    is_active: bool | None = strawberry.UNSET
    recruiter_id: strawberry.ID | None = strawberry.UNSET
    interview_instructions: str | None = strawberry.UNSET
    auto_send_interview: bool | None = strawberry.UNSET
    min_check_interval: int | None = strawberry.UNSET


@strawberry.type
class JobUpdateSuccess:
    job: Job


JobUpdateResult = Annotated[
    JobUpdateSuccess | NotFoundError | ValidationError | PermissionDeniedError,
    strawberry.union("JobUpdateResult"),
]


@strawberry.type
class JobMutations:
    @strawberry.mutation
    async def job_update(self, info: Info, input: JobUpdateInput) -> JobUpdateResult:
        async def action(session, actor):  # type: ignore[no-untyped-def]
            changes = changes_of(input)
            if changes.get("recruiter_id") is not None:
                changes["recruiter_id"] = pk_of(
                    changes["recruiter_id"], "Recruiter", field="recruiterId"
                )
            return await update_job_local_fields(session, actor, pk_of(input.id, "Job"), changes)

        result = await run_mutation(info, Permission.JOBS_UPDATE, action)
        if isinstance(result, NotFoundError | ValidationError | PermissionDeniedError):
            return result
        return JobUpdateSuccess(job=build_job(as_row(result)))
