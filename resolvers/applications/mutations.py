"""Writes on applications: pipeline moves, release, rejection (all sent to the source
as the caller's recruiter), offers (the gateway's own) and onboarding tasks (sent to
BPOC or Jobvite's Onboarding API).

Each mutation checks its permission and calls a service in ``gateway.services``; the
service's expected failures come back as members of the result union."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry

from gateway.permissions import Permission
from gateway.services import application_writes, offer_status, offer_writes, onboarding_writes
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
from resolvers.errors import write_back_result
from resolvers.mutation import GlobalIdArg, write_to_source, written_row
from resolvers.relay import mirrored
from resolvers.write_replay import idempotency_key_field, replayed_field


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
    replayed: bool = replayed_field()


ApplicationWriteResult = write_back_result("ApplicationWriteResult", ApplicationWriteSuccess)


async def written_application(info: Info, written: Written) -> Application:
    row = await written_row(
        info.context.loaders.application_by_id, written.ids["application"], "written application"
    )
    return build_application(row)


async def application_success(info: Info, written: Written) -> ApplicationWriteSuccess:
    return ApplicationWriteSuccess(
        application=await written_application(info, written), replayed=written.replayed
    )


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


@strawberry.input(
    description="Change an offer's status: a draft is sent or withdrawn; a sent offer is "
    "accepted, declined or withdrawn. Offers from a source system are refused "
    "(UnsupportedOperationError): no source takes offer changes."
)
class OfferUpdateStatusInput:
    offer_id: strawberry.ID
    status: OfferStatus = strawberry.field(description="SENT, ACCEPTED, DECLINED or WITHDRAWN.")
    note: str | None = strawberry.field(
        default=None, description="Kept in the activity; at most 2,000 characters."
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class OfferWriteSuccess:
    offer: Offer
    application: Application
    replayed: bool = replayed_field()

    @strawberry.field(
        description="Always false: no connected source system has offers, so the offer "
        "lives here only."
    )
    def written_to_source(self) -> bool:
        return False


OfferWriteResult = write_back_result(
    "OfferWriteResult",
    OfferWriteSuccess,
    description="The members of every write's result, so one error fragment serves "
    "them all; an offer reaches no source, so the source-side errors do not occur.",
)


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
    replayed: bool = replayed_field()


@strawberry.type
class OnboardingTaskReviewSuccess:
    task: OnboardingTask
    replayed: bool = replayed_field()


OnboardingTaskCreateResult = write_back_result(
    "OnboardingTaskCreateResult", OnboardingTaskCreateSuccess
)
OnboardingTaskReviewResult = write_back_result(
    "OnboardingTaskReviewResult", OnboardingTaskReviewSuccess
)


async def _task(info: Info, task_id: int) -> OnboardingTask:
    row = await written_row(
        info.context.loaders.onboarding_task_by_id, task_id, "written onboarding task"
    )
    return build_onboarding_task(row)


async def offer_success(info: Info, written: Written) -> OfferWriteSuccess:
    row = await written_row(info.context.loaders.offer_by_id, written.ids["offer"], "written offer")
    return OfferWriteSuccess(
        offer=build_offer(row),
        application=await written_application(info, written),
        replayed=written.replayed,
    )


async def tasks_created(info: Info, written: Written) -> OnboardingTaskCreateSuccess:
    application = await written_application(info, written)
    return OnboardingTaskCreateSuccess(
        tasks=[await _task(info, pk) for pk in onboarding_writes.task_ids(written)],
        application=application,
        replayed=written.replayed,
    )


async def task_reviewed(info: Info, written: Written) -> OnboardingTaskReviewSuccess:
    return OnboardingTaskReviewSuccess(
        task=await _task(info, written.ids["task"]), replayed=written.replayed
    )


async def _write_application(
    info: Info,
    input: ApplicationMoveStageInput | ApplicationReleaseInput | ApplicationRejectInput,
    write: Callable[..., Awaitable[Written]],
    **fields: Any,
) -> ApplicationWriteResult:  # type: ignore[valid-type]
    """``write`` (an ``application_writes`` service) on the input's application, with its
    idempotency key and ``fields``."""
    return await write_to_source(
        info,
        Permission.APPLICATIONS_WRITE,
        write,
        application_success,
        application_id=_application(input.application_id),
        idempotency_key=input.idempotency_key,
        **fields,
    )


def _application(value: strawberry.ID) -> GlobalIdArg:
    return GlobalIdArg(value, "Application", field="applicationId")


@strawberry.type
class ApplicationMutations:
    @strawberry.mutation(
        description="Move an application to a stage in its source system (Recruiterflow), "
        "as the caller's recruiter; then here."
    )
    async def application_move_stage(
        self, info: Info, input: ApplicationMoveStageInput
    ) -> ApplicationWriteResult:  # type: ignore[valid-type]
        return await _write_application(
            info, input, application_writes.move_stage, stage=input.stage
        )

    @strawberry.mutation(
        description="Release an application to the client in its source system (BPOC), as "
        "the caller's recruiter; then here (status RELEASED)."
    )
    async def application_release(
        self, info: Info, input: ApplicationReleaseInput
    ) -> ApplicationWriteResult:  # type: ignore[valid-type]
        return await _write_application(info, input, application_writes.release, notes=input.notes)

    @strawberry.mutation(
        description="Reject an application with a reason in its source system (BPOC reject, "
        "Recruiterflow disqualify), as the caller's recruiter; then here (status REJECTED)."
    )
    async def application_reject(
        self, info: Info, input: ApplicationRejectInput
    ) -> ApplicationWriteResult:  # type: ignore[valid-type]
        return await _write_application(info, input, application_writes.reject, reason=input.reason)

    @strawberry.mutation(
        description="Create an offer on an application. It is recorded here only "
        "(`writtenToSource: false`): no connected source system has offers."
    )
    async def offer_create(self, info: Info, input: OfferCreateInput) -> OfferWriteResult:  # type: ignore[valid-type]
        return await write_to_source(
            info,
            Permission.OFFERS_WRITE,
            offer_writes.create_offer,
            offer_success,
            application_id=_application(input.application_id),
            terms=mirrored(offer_writes.OfferTerms, input),
            idempotency_key=input.idempotency_key,
        )

    @strawberry.mutation(
        description="Change an offer's status here, with an activity and the events "
        "`offer.status_changed` (and `offer.sent`, `offer.accepted` or `offer.declined`)."
    )
    async def offer_update_status(
        self, info: Info, input: OfferUpdateStatusInput
    ) -> OfferWriteResult:  # type: ignore[valid-type]
        return await write_to_source(
            info,
            Permission.OFFERS_WRITE,
            offer_status.update_offer_status,
            offer_success,
            offer_id=GlobalIdArg(input.offer_id, "Offer", field="offerId"),
            status=input.status,
            note=input.note,
            idempotency_key=input.idempotency_key,
        )

    @strawberry.mutation(
        description="Create onboarding tasks for the hire behind an application, in its "
        "source (BPOC, Jobvite Onboarding), as the caller's recruiter; then here."
    )
    async def onboarding_task_create(
        self, info: Info, input: OnboardingTaskCreateInput
    ) -> OnboardingTaskCreateResult:  # type: ignore[valid-type]
        return await write_to_source(
            info,
            Permission.ONBOARDING_WRITE,
            onboarding_writes.create_tasks,
            tasks_created,
            application_id=_application(input.application_id),
            tasks=[mirrored(onboarding_writes.NewTask, task) for task in input.tasks],
            idempotency_key=input.idempotency_key,
        )

    @strawberry.mutation(
        description="Approve or reject an onboarding task in its source (BPOC, Jobvite "
        "Onboarding), as the caller's recruiter; then here."
    )
    async def onboarding_task_review(
        self, info: Info, input: OnboardingTaskReviewInput
    ) -> OnboardingTaskReviewResult:  # type: ignore[valid-type]
        return await write_to_source(
            info,
            Permission.ONBOARDING_WRITE,
            onboarding_writes.review_task,
            task_reviewed,
            task_id=GlobalIdArg(input.task_id, "OnboardingTask", field="taskId"),
            approve=input.decision is OnboardingReviewDecision.APPROVE,
            notes=input.notes,
            idempotency_key=input.idempotency_key,
        )
