from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from gateway.auth import Principal
from gateway.permissions import Permission
from gateway.services import interview_writes
from gateway.services.writeback import Written
from resolvers.applications.mutations import idempotency_key_field
from resolvers.context import Info
from resolvers.errors import (
    ConnectorError,
    IdempotencyConflictError,
    NotFoundError,
    PermissionDeniedError,
    RecruiterLinkMissingError,
    RecruiterRejectedError,
    UnsupportedOperationError,
    ValidationError,
)
from resolvers.interviews.types import Interview, build_interview
from resolvers.mutation import write_back_mutation
from resolvers.relay import pk_of


@strawberry.input(description="Book an interview round in the application's source system (BPOC).")
class InterviewScheduleInput:
    application_id: strawberry.ID
    interview_type: str = strawberry.field(
        description="Lowercase letters, digits and underscores, e.g. client_round_1."
    )
    scheduled_at: datetime = strawberry.field(
        description="With a time zone; in the future, at most two years ahead."
    )
    interviewer_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The recruiter who conducts it; they need a recruiter id in the "
        "integration too.",
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class InterviewWriteSuccess:
    interview: Interview
    replayed: bool = strawberry.field(
        description="True when an idempotency key returned an earlier result."
    )


InterviewWriteResult = Annotated[
    InterviewWriteSuccess
    | NotFoundError
    | ValidationError
    | PermissionDeniedError
    | UnsupportedOperationError
    | RecruiterLinkMissingError
    | RecruiterRejectedError
    | ConnectorError
    | IdempotencyConflictError,
    strawberry.union("InterviewWriteResult"),
]


@strawberry.type
class InterviewMutations:
    @strawberry.mutation(
        description="Schedule an interview round in the application's source system (BPOC, "
        "`scheduledBy` = the caller's recruiter); then here, status SCHEDULED."
    )
    async def interview_schedule(
        self, info: Info, input: InterviewScheduleInput
    ) -> InterviewWriteResult:
        async def action(principal: Principal) -> Written:
            return await interview_writes.schedule_interview(
                info.context.require_write_deps(),
                principal,
                application_id=pk_of(input.application_id, "Application", field="applicationId"),
                interview_type=input.interview_type,
                scheduled_at=input.scheduled_at,
                interviewer_id=pk_of(input.interviewer_id, "Recruiter", field="interviewerId")
                if input.interviewer_id is not None
                else None,
                idempotency_key=input.idempotency_key,
            )

        result = await write_back_mutation(info, Permission.INTERVIEWS_CREATE, action)
        if not isinstance(result, Written):
            return result
        row = await info.context.loaders.interview_by_id.load(result.ids["interview"])
        assert row is not None, "a written interview vanished"
        return InterviewWriteSuccess(interview=build_interview(row), replayed=result.replayed)
