"""Writes on applications: pipeline moves, release, rejection (all sent to the source
as the caller's recruiter), offers (the gateway's own) and onboarding tasks (sent to
BPOC or Jobvite's Onboarding API).

Each mutation checks its permission and calls a service in ``gateway.services``; the
service's expected failures come back as members of the result union."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

import strawberry

from gateway.auth import Principal
from gateway.permissions import Permission
from gateway.services import application_writes, offer_writes, onboarding_writes
from gateway.services.writeback import Written
from gateway.store.enums import OfferStatus
from resolvers.applications.types import (
    Application,
    Offer,
    OnboardingTask,
    build_application,
    build_offer,
    build_onboarding_task,
)
from resolvers.context import Info
from resolvers.errors import (
    WriteBackError,
)
from resolvers.mutation import write_back_mutation, written_result
from resolvers.relay import pk_of


def idempotency_key_field() -> Any:
    """The optional ``idempotencyKey`` every write input takes (a fresh field per input)."""
    return strawberry.field(
        default=None,
        description="Send the same key again (within a day) to get the first result back "
        "instead of writing twice.",
    )


@strawberry.input(description="Move the application to a stage, in its source system.")
class ApplicationMoveStageInput:
    application_id: strawberry.ID
    stage: str = strawberry.field(description="The stage's name in the source pipeline.")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="Release the application to the client, in its source system.")
class ApplicationReleaseInput:
    application_id: strawberry.ID
    notes: str | None = strawberry.field(
        default=None, description="For the client; at most 2,000 characters."
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="Reject the application, with the reason, in its source system.")
class ApplicationRejectInput:
    application_id: strawberry.ID
    reason: str = strawberry.field(description="Why; 1 to 1,000 characters.")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class ApplicationWriteSuccess:
    application: Application
    replayed: bool = strawberry.field(
        description="True when an idempotency key returned an earlier result."
    )


ApplicationWriteResult = Annotated[
    ApplicationWriteSuccess | WriteBackError, strawberry.union("ApplicationWriteResult")
]


async def application_success(info: Info, written: Written) -> ApplicationWriteSuccess:
    row = await info.context.loaders.application_by_id.load(written.ids["application"])
    assert row is not None, "a written application vanished"
    return ApplicationWriteSuccess(application=build_application(row), replayed=written.replayed)


@strawberry.input(
    description="A new offer on an application. Offers are the gateway's own records: no "
    "source system takes them."
)
class OfferCreateInput:
    application_id: strawberry.ID
    salary: Decimal | None = strawberry.field(
        default=None, description="0 or more, at most two decimals; needs `currency`."
    )
    currency: str | None = strawberry.field(default=None, description="ISO 4217 code, e.g. PHP.")
    start_date: date | None = strawberry.field(
        default=None, description="Today (UTC) or later, within two years."
    )
    status: OfferStatus = strawberry.field(
        default=OfferStatus.DRAFT, description="DRAFT (the default) or SENT."
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class OfferWriteSuccess:
    offer: Offer
    application: Application
    replayed: bool = strawberry.field(
        description="True when an idempotency key returned an earlier result."
    )

    @strawberry.field(
        description="Always false: no connected source system has offers, so the offer "
        "lives here only."
    )
    def written_to_source(self) -> bool:
        return False


OfferWriteResult = Annotated[
    OfferWriteSuccess | WriteBackError,
    strawberry.union(
        "OfferWriteResult",
        description="The members of every write's result, so one error fragment serves "
        "them all; an offer reaches no source, so the source-side errors do not occur.",
    ),
]


@strawberry.input
class OnboardingTaskInput:
    title: str = strawberry.field(description="1 to 512 characters, one line.")
    description: str | None = None
    task_type: str | None = strawberry.field(
        default=None, description="One word, as the source names its task types: document, I9."
    )
    due_date: date | None = strawberry.field(
        default=None, description="Today (UTC) or later, within two years."
    )


@strawberry.input(
    description="Onboarding tasks for the hire behind an application, created in its "
    "source (BPOC, Jobvite Onboarding)."
)
class OnboardingTaskCreateInput:
    application_id: strawberry.ID
    tasks: list[OnboardingTaskInput] = strawberry.field(description="1 to 20 tasks.")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.enum
class OnboardingReviewDecision(Enum):
    APPROVE = "approve"
    REJECT = "reject"


@strawberry.input(description="Approve or reject an onboarding task, in its source.")
class OnboardingTaskReviewInput:
    task_id: strawberry.ID
    decision: OnboardingReviewDecision
    notes: str | None = strawberry.field(default=None, description="At most 2,000 characters.")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class OnboardingTaskCreateSuccess:
    tasks: list[OnboardingTask] = strawberry.field(description="In the order given.")
    application: Application
    replayed: bool = strawberry.field(
        description="True when an idempotency key returned an earlier result."
    )


@strawberry.type
class OnboardingTaskReviewSuccess:
    task: OnboardingTask
    replayed: bool = strawberry.field(
        description="True when an idempotency key returned an earlier result."
    )


OnboardingTaskCreateResult = Annotated[
    OnboardingTaskCreateSuccess | WriteBackError, strawberry.union("OnboardingTaskCreateResult")
]
OnboardingTaskReviewResult = Annotated[
    OnboardingTaskReviewSuccess | WriteBackError, strawberry.union("OnboardingTaskReviewResult")
]


async def _task(info: Info, task_id: int) -> OnboardingTask:
    row = await info.context.loaders.onboarding_task_by_id.load(task_id)
    assert row is not None, "a written onboarding task vanished"
    return build_onboarding_task(row)


def _application_id(value: strawberry.ID) -> int:
    return pk_of(value, "Application", field="applicationId")


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
                application_id=_application_id(input.application_id),
                stage=input.stage,
                idempotency_key=input.idempotency_key,
            )

        return await written_result(
            info, Permission.APPLICATIONS_WRITE, action, application_success
        )

    @strawberry.mutation(
        description="Release an application to the client in its source system (BPOC), as "
        "the caller's recruiter; then here (status RELEASED)."
    )
    async def application_release(
        self, info: Info, input: ApplicationReleaseInput
    ) -> ApplicationWriteResult:
        async def action(principal: Principal) -> Written:
            return await application_writes.release(
                info.context.require_write_deps(),
                principal,
                application_id=_application_id(input.application_id),
                notes=input.notes,
                idempotency_key=input.idempotency_key,
            )

        return await written_result(
            info, Permission.APPLICATIONS_WRITE, action, application_success
        )

    @strawberry.mutation(
        description="Reject an application with a reason in its source system (BPOC reject, "
        "Recruiterflow disqualify), as the caller's recruiter; then here (status REJECTED)."
    )
    async def application_reject(
        self, info: Info, input: ApplicationRejectInput
    ) -> ApplicationWriteResult:
        async def action(principal: Principal) -> Written:
            return await application_writes.reject(
                info.context.require_write_deps(),
                principal,
                application_id=_application_id(input.application_id),
                reason=input.reason,
                idempotency_key=input.idempotency_key,
            )

        return await written_result(
            info, Permission.APPLICATIONS_WRITE, action, application_success
        )

    @strawberry.mutation(
        description="Create an offer on an application. It is recorded here only "
        "(`writtenToSource: false`): no connected source system has offers."
    )
    async def offer_create(self, info: Info, input: OfferCreateInput) -> OfferWriteResult:
        async def action(principal: Principal) -> Written:
            return await offer_writes.create_offer(
                info.context.require_write_deps(),
                principal,
                application_id=_application_id(input.application_id),
                terms=offer_writes.OfferTerms(
                    salary=input.salary,
                    currency=input.currency,
                    start_date=input.start_date,
                    status=input.status,
                ),
                idempotency_key=input.idempotency_key,
            )

        result = await write_back_mutation(info, Permission.OFFERS_WRITE, action)
        if not isinstance(result, Written):
            return result
        offer = await info.context.loaders.offer_by_id.load(result.ids["offer"])
        assert offer is not None, "a written offer vanished"
        application = await application_success(info, result)
        return OfferWriteSuccess(
            offer=build_offer(offer),
            application=application.application,
            replayed=result.replayed,
        )

    @strawberry.mutation(
        description="Create onboarding tasks for the hire behind an application, in its "
        "source (BPOC, Jobvite Onboarding), as the caller's recruiter; then here."
    )
    async def onboarding_task_create(
        self, info: Info, input: OnboardingTaskCreateInput
    ) -> OnboardingTaskCreateResult:
        async def action(principal: Principal) -> Written:
            return await onboarding_writes.create_tasks(
                info.context.require_write_deps(),
                principal,
                application_id=_application_id(input.application_id),
                tasks=[
                    onboarding_writes.NewTask(
                        title=task.title,
                        description=task.description,
                        task_type=task.task_type,
                        due_date=task.due_date,
                    )
                    for task in input.tasks
                ],
                idempotency_key=input.idempotency_key,
            )

        result = await write_back_mutation(info, Permission.ONBOARDING_WRITE, action)
        if not isinstance(result, Written):
            return result
        application = await application_success(info, result)
        return OnboardingTaskCreateSuccess(
            tasks=[await _task(info, pk) for pk in onboarding_writes.task_ids(result)],
            application=application.application,
            replayed=result.replayed,
        )

    @strawberry.mutation(
        description="Approve or reject an onboarding task in its source (BPOC, Jobvite "
        "Onboarding), as the caller's recruiter; then here."
    )
    async def onboarding_task_review(
        self, info: Info, input: OnboardingTaskReviewInput
    ) -> OnboardingTaskReviewResult:
        async def action(principal: Principal) -> Written:
            return await onboarding_writes.review_task(
                info.context.require_write_deps(),
                principal,
                task_id=pk_of(input.task_id, "OnboardingTask", field="taskId"),
                approve=input.decision is OnboardingReviewDecision.APPROVE,
                notes=input.notes,
                idempotency_key=input.idempotency_key,
            )

        result = await write_back_mutation(info, Permission.ONBOARDING_WRITE, action)
        if not isinstance(result, Written):
            return result
        return OnboardingTaskReviewSuccess(
            task=await _task(info, result.ids["task"]), replayed=result.replayed
        )
