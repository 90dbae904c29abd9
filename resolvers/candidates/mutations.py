from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.auth import Principal
from gateway.permissions import Permission
from gateway.services import application_writes
from gateway.services.analysis import NewApplicationAnalyses
from gateway.services.writeback import Written
from resolvers.applications.mutations import idempotency_key_field
from resolvers.applications.types import Application, build_application
from resolvers.context import Info
from resolvers.errors import (
    WriteBackError,
)
from resolvers.mutation import write_back_mutation
from resolvers.relay import pk_of


@strawberry.input(
    description="Put a candidate into a requisition of the same source system "
    "(Recruiterflow add-to-job)."
)
class CandidateAddToJobInput:
    candidate_id: strawberry.ID
    job_id: strawberry.ID
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class CandidateAddToJobSuccess:
    application: Application = strawberry.field(description="The new application.")
    replayed: bool = strawberry.field(
        description="True when an idempotency key returned an earlier result."
    )


CandidateWriteResult = Annotated[
    CandidateAddToJobSuccess | WriteBackError, strawberry.union("CandidateWriteResult")
]


@strawberry.type
class CandidateMutations:
    @strawberry.mutation(
        description="Add a candidate to a requisition in their source system "
        "(Recruiterflow); then here, as a new application in its first stage."
    )
    async def candidate_add_to_job(
        self, info: Info, input: CandidateAddToJobInput
    ) -> CandidateWriteResult:
        async def action(principal: Principal) -> Written:
            return await application_writes.add_to_job(
                info.context.require_write_deps(),
                principal,
                candidate_id=pk_of(input.candidate_id, "Candidate", field="candidateId"),
                job_id=pk_of(input.job_id, "Job", field="jobId"),
                idempotency_key=input.idempotency_key,
            )

        result = await write_back_mutation(info, Permission.APPLICATIONS_WRITE, action)
        if not isinstance(result, Written):
            return result
        if not result.replayed and info.context.queue is not None:
            await NewApplicationAnalyses(info.context.settings, info.context.queue)(
                info.context.tenant_id, [result.ids["application"]], trigger="candidateAddToJob"
            )
        row = await info.context.loaders.application_by_id.load(result.ids["application"])
        assert row is not None, "a written application vanished"
        return CandidateAddToJobSuccess(
            application=build_application(row), replayed=result.replayed
        )
