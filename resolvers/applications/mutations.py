from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.auth import Principal
from gateway.permissions import Permission
from gateway.services import application_writes
from gateway.services.writeback import Written
from resolvers.applications.types import Application, build_application
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
    is_error,
)
from resolvers.mutation import write_back_mutation
from resolvers.relay import pk_of

IDEMPOTENCY_KEY = strawberry.field(
    default=None,
    description="Send the same key again (within a day) to get the first result back "
    "instead of writing twice.",
)


@strawberry.input(description="Move the application to a stage, in its source system.")
class ApplicationMoveStageInput:
    application_id: strawberry.ID
    stage: str = strawberry.field(description="The stage's name in the source pipeline.")
    idempotency_key: str | None = IDEMPOTENCY_KEY


@strawberry.type
class ApplicationWriteSuccess:
    application: Application
    replayed: bool = strawberry.field(
        description="True when an idempotency key returned an earlier result."
    )


ApplicationWriteResult = Annotated[
    ApplicationWriteSuccess
    | NotFoundError
    | ValidationError
    | PermissionDeniedError
    | UnsupportedOperationError
    | RecruiterLinkMissingError
    | RecruiterRejectedError
    | ConnectorError
    | IdempotencyConflictError,
    strawberry.union("ApplicationWriteResult"),
]


async def application_success(info: Info, written: Written) -> ApplicationWriteSuccess:
    row = await info.context.loaders.application_by_id.load(written.ids["application"])
    assert row is not None, "a written application vanished"
    return ApplicationWriteSuccess(application=build_application(row), replayed=written.replayed)


@strawberry.type
class ApplicationMutations:
    @strawberry.mutation(
        description="Move an application to a stage in its source system (Recruiterflow), "
        "as the caller's recruiter; then here."
    )
    async def application_move_stage(
        self, info: Info, input: ApplicationMoveStageInput
    ) -> ApplicationWriteResult:
        async def action(principal: Principal) -> Written:
            return await application_writes.move_stage(
                info.context.require_write_deps(),
                principal,
                application_id=pk_of(input.application_id, "Application", field="applicationId"),
                stage=input.stage,
                idempotency_key=input.idempotency_key,
            )

        result = await write_back_mutation(info, Permission.APPLICATIONS_WRITE, action)
        if is_error(result):
            return result  # type: ignore[return-value]
        assert isinstance(result, Written)
        return await application_success(info, result)
