from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import strawberry

from gateway.errors import DomainError, RemoteWriteFailed
from gateway.permissions import Permission
from gateway.services import interview_lifecycle as lifecycle
from gateway.services import interview_writes
from gateway.services.activities import Actor
from gateway.services.writeback import Written
from resolvers.context import Info
from resolvers.errors import (
    ConnectorError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
    connector_error,
    error_result,
    mutation_result,
    write_back_result,
)
from resolvers.interviews.public import interview_deps
from resolvers.interviews.types import (
    Evaluation,
    Interview,
    InterviewInviteDelivery,
    build_evaluation,
    build_interview,
)
from resolvers.mutation import GlobalIdArg, optional_id, write_to_source, written_row
from resolvers.permissions import check
from resolvers.relay import pk_of
from resolvers.write_replay import idempotency_key_field, replayed_field

T = TypeVar("T")
S = TypeVar("S")


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
    replayed: bool = replayed_field()


InterviewWriteResult = write_back_result("InterviewWriteResult", InterviewWriteSuccess)


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


InterviewCreateResult = mutation_result("InterviewCreateResult", InterviewCreateSuccess)
InterviewSendInviteResult = mutation_result(
    "InterviewSendInviteResult", InterviewSendInviteSuccess, ConnectorError
)
InterviewCancelResult = mutation_result("InterviewCancelResult", InterviewCancelSuccess)
InterviewEvaluateResult = mutation_result(
    "InterviewEvaluateResult", InterviewEvaluateSuccess, ConnectorError
)
SelfServiceError = NotFoundError | ValidationError | PermissionDeniedError | ConnectorError


async def _self_service(
    info: Info,
    action: Callable[[lifecycle.InterviewDeps, Actor], Awaitable[T]],
    success: Callable[[Info, T], Awaitable[S]],
) -> S | SelfServiceError:
    """``guarded_mutation`` for the self-service services, which run their own
    transactions: a failing mail server or AI provider is a ``ConnectorError``. On
    success, the payload ``success`` builds from what ``action`` returned."""
    principal = info.context.require_principal()
    try:
        check(principal, Permission.INTERVIEWS_CREATE)
        result = await action(interview_deps(info), Actor.from_principal(principal))
    except RemoteWriteFailed as error:
        return connector_error(error)
    except DomainError as error:
        return error_result(error)
    await info.context.cache.invalidate(principal.tenant_id)
    return await success(info, result)


async def _interview_step(
    info: Info,
    interview_id: strawberry.ID,
    step: Callable[[lifecycle.InterviewDeps, Actor, int], Awaitable[object]],
    success: Callable[[Info, int], Awaitable[S]],
) -> S | SelfServiceError:
    """``step`` on the interview ``interview_id`` names, under ``_self_service``;
    ``success`` gets its primary key. The id is decoded before the permission check."""
    pk = pk_of(interview_id, "Interview", field="interviewId")

    async def action(deps: lifecycle.InterviewDeps, actor: Actor) -> int:
        await step(deps, actor, pk)
        return pk

    return await _self_service(info, action, success)


async def _interview(info: Info, pk: int) -> Interview:
    row = await written_row(info.context.loaders.interview_by_id, pk, "written interview")
    return build_interview(row)


async def _issued(info: Info, issued: lifecycle.Issued) -> InterviewCreateSuccess:
    return InterviewCreateSuccess(
        interview=await _interview(info, issued.interview_id),
        token=issued.token,
        public_url=issued.public_url,
        expires_at=issued.expires_at,
    )


async def _invited(info: Info, invited: lifecycle.Invited) -> InterviewSendInviteSuccess:
    return InterviewSendInviteSuccess(
        interview=await _interview(info, invited.interview_id),
        to=invited.to,
        subject=invited.subject,
        delivery=InterviewInviteDelivery(invited.delivery.value),
        token=invited.token,
        public_url=invited.public_url,
        expires_at=invited.expires_at,
    )


async def _cancelled(info: Info, pk: int) -> InterviewCancelSuccess:
    return InterviewCancelSuccess(interview=await _interview(info, pk))


async def _evaluated(info: Info, pk: int) -> InterviewEvaluateSuccess:
    row = await written_row(
        info.context.loaders.evaluation_by_interview_id, pk, "stored evaluation"
    )
    return InterviewEvaluateSuccess(
        interview=await _interview(info, pk), evaluation=build_evaluation(row)
    )


async def _scheduled(info: Info, written: Written) -> InterviewWriteSuccess:
    return InterviewWriteSuccess(
        interview=await _interview(info, written.ids["interview"]), replayed=written.replayed
    )


@strawberry.type
class InterviewMutations:
    @strawberry.mutation(
        description="Schedule an interview round in the application's source system (BPOC, "
        "`scheduledBy` = the caller's recruiter); then here, status SCHEDULED."
    )
    async def interview_schedule(
        self, info: Info, input: InterviewScheduleInput
    ) -> InterviewWriteResult:  # type: ignore[valid-type]
        return await write_to_source(
            info,
            Permission.INTERVIEWS_CREATE,
            interview_writes.schedule_interview,
            _scheduled,
            application_id=GlobalIdArg(input.application_id, "Application", field="applicationId"),
            interview_type=input.interview_type,
            scheduled_at=input.scheduled_at,
            interviewer_id=optional_id(input.interviewer_id, "Recruiter", field="interviewerId"),
            idempotency_key=input.idempotency_key,
        )

    @strawberry.mutation(
        description="Create a self-service AI interview (status SCHEDULED) and its link. The "
        "token is shown once; the link expires after the tenant's interviewTokenExpiryDays."
    )
    async def interview_create(
        self, info: Info, input: InterviewCreateInput
    ) -> InterviewCreateResult:  # type: ignore[valid-type]
        async def action(deps: lifecycle.InterviewDeps, actor: Actor) -> lifecycle.Issued:
            return await lifecycle.create_self_service(
                deps,
                actor,
                application_id=pk_of(input.application_id, "Application", field="applicationId"),
                persona_id=pk_of(input.persona_id, "Persona", field="personaId")
                if input.persona_id is not None
                else None,
            )

        return await _self_service(info, action, _issued)

    @strawberry.mutation(
        description="Email the interview link: over SMTP when configured, otherwise "
        "recorded as queued (see `delivery`)."
    )
    async def interview_send_invite(
        self, info: Info, input: InterviewSendInviteInput
    ) -> InterviewSendInviteResult:  # type: ignore[valid-type]
        async def action(deps: lifecycle.InterviewDeps, actor: Actor) -> lifecycle.Invited:
            return await lifecycle.send_invite(
                deps,
                actor,
                interview_id=pk_of(input.interview_id, "Interview", field="interviewId"),
                email=input.email,
                token=input.token,
            )

        return await _self_service(info, action, _invited)

    @strawberry.mutation(
        description="Cancel a scheduled or in-progress self-service interview; its link "
        "then answers CANCELLED."
    )
    async def interview_cancel(
        self, info: Info, input: InterviewCancelInput
    ) -> InterviewCancelResult:  # type: ignore[valid-type]
        return await _interview_step(
            info,
            input.interview_id,
            lambda deps, actor, pk: lifecycle.cancel_interview(deps, actor, interview_id=pk),
            _cancelled,
        )

    @strawberry.mutation(
        description="Ask the AI provider for a completed interview's evaluation, replacing "
        "an earlier one (e.g. after the provider failed at completion)."
    )
    async def interview_evaluate(
        self, info: Info, input: InterviewEvaluateInput
    ) -> InterviewEvaluateResult:  # type: ignore[valid-type]
        return await _interview_step(
            info,
            input.interview_id,
            lambda deps, actor, pk: lifecycle.evaluate_interview(deps, actor.tenant_id, pk, actor),
            _evaluated,
        )
