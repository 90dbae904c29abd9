from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, TypeVar

import strawberry

from gateway.auth import Principal
from gateway.errors import DomainError, RemoteWriteFailed
from gateway.permissions import Permission
from gateway.services import interview_lifecycle as lifecycle
from gateway.services import interview_writes
from gateway.services.activities import Actor
from gateway.services.writeback import Written
from resolvers.applications.mutations import idempotency_key_field
from resolvers.context import Info
from resolvers.errors import (
    ConnectorError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
    WriteBackError,
    error_result,
)
from resolvers.interviews.public import interview_deps
from resolvers.interviews.types import (
    Evaluation,
    Interview,
    InterviewInviteDelivery,
    build_evaluation,
    build_interview,
)
from resolvers.mutation import write_back_mutation
from resolvers.permissions import check
from resolvers.relay import pk_of

T = TypeVar("T")


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
    InterviewWriteSuccess | WriteBackError, strawberry.union("InterviewWriteResult")
]


@strawberry.input(description="Create a self-service AI interview for an application.")
class InterviewCreateInput:
    application_id: strawberry.ID
    persona_id: strawberry.ID | None = strawberry.field(
        default=None, description="Default: the tenant's default persona."
    )


@strawberry.type
class InterviewCreateSuccess:
    interview: Interview
    token: str = strawberry.field(
        description="The link's secret: shown this once, only its hash is stored."
    )
    public_url: str = strawberry.field(
        description="The candidate's link: publicUrl/interview/token."
    )
    expires_at: datetime


@strawberry.input(description="Email the interview link to the candidate.")
class InterviewSendInviteInput:
    interview_id: strawberry.ID
    email: str | None = strawberry.field(
        default=None, description="Default: the candidate's email address."
    )
    token: str | None = strawberry.field(
        default=None,
        description="The token interviewCreate returned, to mail that link. Without it a "
        "new link (and expiry) replaces the old one, which stops working.",
    )


@strawberry.type
class InterviewSendInviteSuccess:
    interview: Interview
    to: str
    subject: str
    delivery: InterviewInviteDelivery = strawberry.field(
        description="SMTP: handed to the mail server. QUEUED: no SMTP is configured; the "
        "invitation is recorded (Interview.invites) and the link is yours to deliver."
    )
    token: str = strawberry.field(description="The mailed link's secret: shown this once.")
    public_url: str
    expires_at: datetime


@strawberry.input
class InterviewCancelInput:
    interview_id: strawberry.ID


@strawberry.type
class InterviewCancelSuccess:
    interview: Interview


@strawberry.input(description="Evaluate a completed self-service interview (again).")
class InterviewEvaluateInput:
    interview_id: strawberry.ID


@strawberry.type
class InterviewEvaluateSuccess:
    interview: Interview
    evaluation: Evaluation


InterviewCreateResult = Annotated[
    InterviewCreateSuccess | NotFoundError | ValidationError | PermissionDeniedError,
    strawberry.union("InterviewCreateResult"),
]
InterviewSendInviteResult = Annotated[
    InterviewSendInviteSuccess
    | NotFoundError
    | ValidationError
    | PermissionDeniedError
    | ConnectorError,
    strawberry.union("InterviewSendInviteResult"),
]
InterviewCancelResult = Annotated[
    InterviewCancelSuccess | NotFoundError | ValidationError | PermissionDeniedError,
    strawberry.union("InterviewCancelResult"),
]
InterviewEvaluateResult = Annotated[
    InterviewEvaluateSuccess
    | NotFoundError
    | ValidationError
    | PermissionDeniedError
    | ConnectorError,
    strawberry.union("InterviewEvaluateResult"),
]
SelfServiceError = NotFoundError | ValidationError | PermissionDeniedError | ConnectorError


async def _self_service(
    info: Info, action: Callable[[lifecycle.InterviewDeps, Actor], Awaitable[T]]
) -> T | SelfServiceError:
    """``guarded_mutation`` for the self-service services, which run their own
    transactions: a failing mail server or AI provider is a ``ConnectorError``."""
    principal = info.context.require_principal()
    try:
        check(principal, Permission.INTERVIEWS_CREATE)
        result = await action(interview_deps(info), Actor.from_principal(principal))
    except RemoteWriteFailed as error:
        return ConnectorError(
            message=error.message,
            code=error.code,
            retryable=error.retryable,
            status_code=error.status_code,
        )
    except DomainError as error:
        return error_result(error)
    await info.context.cache.invalidate(principal.tenant_id)
    return result


async def _interview(info: Info, pk: int) -> Interview:
    row = await info.context.loaders.interview_by_id.load(pk)
    assert row is not None, "a written interview vanished"
    return build_interview(row)


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

    @strawberry.mutation(
        description="Create a self-service AI interview (status SCHEDULED) and its link. The "
        "token is shown once; the link expires after the tenant's interviewTokenExpiryDays."
    )
    async def interview_create(
        self, info: Info, input: InterviewCreateInput
    ) -> InterviewCreateResult:
        async def action(deps: lifecycle.InterviewDeps, actor: Actor) -> lifecycle.Issued:
            return await lifecycle.create_self_service(
                deps,
                actor,
                application_id=pk_of(input.application_id, "Application", field="applicationId"),
                persona_id=pk_of(input.persona_id, "Persona", field="personaId")
                if input.persona_id is not None
                else None,
            )

        result = await _self_service(info, action)
        if not isinstance(result, lifecycle.Issued):
            assert not isinstance(result, ConnectorError)
            return result
        return InterviewCreateSuccess(
            interview=await _interview(info, result.interview_id),
            token=result.token,
            public_url=result.public_url,
            expires_at=result.expires_at,
        )

    @strawberry.mutation(
        description="Email the interview link: over SMTP when configured, otherwise "
        "recorded as queued (see `delivery`)."
    )
    async def interview_send_invite(
        self, info: Info, input: InterviewSendInviteInput
    ) -> InterviewSendInviteResult:
        async def action(deps: lifecycle.InterviewDeps, actor: Actor) -> lifecycle.Invited:
            return await lifecycle.send_invite(
                deps,
                actor,
                interview_id=pk_of(input.interview_id, "Interview", field="interviewId"),
                email=input.email,
                token=input.token,
            )

        result = await _self_service(info, action)
        if not isinstance(result, lifecycle.Invited):
            return result
        return InterviewSendInviteSuccess(
            interview=await _interview(info, result.interview_id),
            to=result.to,
            subject=result.subject,
            delivery=InterviewInviteDelivery(result.delivery.value),
            token=result.token,
            public_url=result.public_url,
            expires_at=result.expires_at,
        )

    @strawberry.mutation(
        description="Cancel a scheduled or in-progress self-service interview; its link "
        "then answers CANCELLED."
    )
    async def interview_cancel(
        self, info: Info, input: InterviewCancelInput
    ) -> InterviewCancelResult:
        pk = pk_of(input.interview_id, "Interview", field="interviewId")

        async def action(deps: lifecycle.InterviewDeps, actor: Actor) -> int:
            await lifecycle.cancel_interview(deps, actor, interview_id=pk)
            return pk

        result = await _self_service(info, action)
        if not isinstance(result, int):
            assert not isinstance(result, ConnectorError)
            return result
        return InterviewCancelSuccess(interview=await _interview(info, result))

    @strawberry.mutation(
        description="Ask the AI provider for a completed interview's evaluation, replacing "
        "an earlier one (e.g. after the provider failed at completion)."
    )
    async def interview_evaluate(
        self, info: Info, input: InterviewEvaluateInput
    ) -> InterviewEvaluateResult:
        pk = pk_of(input.interview_id, "Interview", field="interviewId")

        async def action(deps: lifecycle.InterviewDeps, actor: Actor) -> int:
            await lifecycle.evaluate_interview(deps, actor.tenant_id, pk, actor)
            return pk

        result = await _self_service(info, action)
        if not isinstance(result, int):
            return result
        row = await info.context.loaders.evaluation_by_interview_id.load(pk)
        assert row is not None, "a stored evaluation vanished"
        return InterviewEvaluateSuccess(
            interview=await _interview(info, pk), evaluation=build_evaluation(row)
        )
