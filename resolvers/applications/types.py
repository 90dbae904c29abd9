from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import strawberry
from strawberry.scalars import JSON

from gateway.store.enums import (
    ApplicationStatus,
    OfferStatus,
    OnboardingTaskStatus,
    ProcessingStatus,
    StageKind,
)
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.activities.timeline import activities_field
from resolvers.compiled.catalog import RelatedRow, RelatedRows, sql_reading
from resolvers.context import Info
from resolvers.custom_fields import custom_fields_column, custom_fields_field
from resolvers.relay import Node, node_type, row_builder
from resolvers.remote_data import remote_data_field
from resolvers.type_fields import recruiter_node, related_node, related_nodes
from resolvers.type_refs import (
    ANALYSIS,
    CANDIDATE,
    INTERVIEW,
    JOB,
    OFFER,
    ONBOARDING_TASK,
    PIPELINE_STAGE,
)

T = TypeVar("T")

if TYPE_CHECKING:
    from resolvers.candidates.types import Candidate
    from resolvers.interviews.types import Interview


@node_type("PipelineStage")
class PipelineStage(Node):
    remote_data = remote_data_field()
    name: str
    position: int
    kind: StageKind


build_stage = row_builder(PipelineStage)


@strawberry.type(name="StageTransition", description="One move between pipeline stages.")
class StageTransition:
    from_stage_name: str | None
    to_stage_name: str
    entered_at: datetime
    left_at: datetime | None
    moved_by_name: str | None
    from_stage_id: strawberry.Private[int | None]
    to_stage_id: strawberry.Private[int | None]
    moved_by_user_id: strawberry.Private[int | None]

    @strawberry.field(description="Seconds spent in the stage; null while still in it.")
    def duration_seconds(self) -> int | None:
        if self.left_at is None:
            return None
        return int((self.left_at - self.entered_at).total_seconds())

    to_stage = related_node(PIPELINE_STAGE, loader="stage_by_id", key="to_stage_id")
    from_stage = related_node(PIPELINE_STAGE, loader="stage_by_id", key="from_stage_id")
    moved_by = recruiter_node(
        "moved_by_user_id",
        "The user who made the move here; null for moves made in the source "
        "(movedByName names them) or when the caller may not read recruiters.",
    )


build_transition = row_builder(StageTransition)


@node_type("Analysis", description="AI resume analysis of an application.")
class Analysis(Node):
    risk_score: float | None
    relevance_summary: str | None
    pros: list[str]
    cons: list[str]
    red_flags: list[str]
    suggested_questions: list[str]
    compliance_flags: list[str]
    model: str | None
    created_at: datetime


build_analysis = row_builder(Analysis)


@node_type("Offer")
class Offer(Node):
    remote_data = remote_data_field()
    remote_id: str | None
    status: OfferStatus
    salary: Decimal | None
    currency: str | None
    start_date: date | None
    sent_at: datetime | None
    responded_at: datetime | None
    created_at: datetime
    created_by_user_id: strawberry.Private[int | None]

    created_by = recruiter_node(
        "created_by_user_id",
        "The user who made the offer; null when the caller may not read recruiters.",
    )


build_offer = row_builder(Offer)


@node_type("OnboardingTask")
class OnboardingTask(Node):
    remote_data = remote_data_field()
    remote_id: str | None
    title: str
    description: str | None
    task_type: str | None
    status: OnboardingTaskStatus
    due_date: date | None
    reviewed_at: datetime | None
    review_notes: str | None
    created_at: datetime
    created_by_user_id: strawberry.Private[int | None]
    reviewed_by_user_id: strawberry.Private[int | None]

    created_by = recruiter_node(
        "created_by_user_id",
        "The user who added the task here; null for tasks from the source.",
    )
    reviewed_by = recruiter_node(
        "reviewed_by_user_id",
        "The user who reviewed the task; null until reviewed here.",
    )


build_onboarding_task = row_builder(OnboardingTask)


@node_type("Application", description="A candidate in a requisition's pipeline.")
class Application(Node):
    remote_data = remote_data_field()
    remote_id: str | None
    status: ApplicationStatus
    applied_at: datetime | None
    stage_entered_at: datetime | None
    rejected_at: datetime | None
    rejection_reason: str | None
    custom_fields: JSON = custom_fields_field()
    released_at: datetime | None
    hired_at: datetime | None
    risk_score: float | None
    human_requested: bool
    compliance_review: bool
    remote_updated_at: datetime | None
    last_synced_at: datetime | None
    created_at: datetime
    updated_at: datetime
    job_id: strawberry.Private[int]
    candidate_id: strawberry.Private[int]
    current_stage_id: strawberry.Private[int | None]
    processing_status: strawberry.Private[ProcessingStatus]

    prefetched: strawberry.Private[dict[str, Any] | None] = None

    def _prefetched(self, name: str) -> tuple[bool, Any]:
        if self.prefetched is not None and name in self.prefetched:
            return True, self.prefetched[name]
        return False, None

    job = related_node(JOB, loader="job_by_id", key="job_id", nullable=False)

    @strawberry.field(
        name="processingStatus",
        description="How far the gateway's work on it has come: see `ProcessingStatus`.",
    )
    def effective_processing_status(self) -> ProcessingStatus:
        if self.status is not ApplicationStatus.ACTIVE:
            return ProcessingStatus.COMPLETE
        return self.processing_status

    @strawberry.field(description="Whether it has a resume analysis (`analysis`).")
    async def has_analysis(self, info: Info) -> bool:
        return await info.context.loaders.analysis_by_application_id.load(self.pk) is not None

    @strawberry.field(description="Whether it has an interview, in any status.")
    def has_interview(self, info: Info) -> bool:
        found, rows = self._prefetched("interviews")
        if found:
            return bool(rows)
        return _deferred(_any(info.context.loaders.interviews_by_application_id, self.pk))

    @strawberry.field(
        description="Whether it has a report: a completed interview with its evaluation."
    )
    async def has_report(self, info: Info) -> bool:
        return await info.context.loaders.reported_by_application_id.load(self.pk)

    @strawberry.field(metadata=sql_reading(RelatedRow("Candidate", "candidate_id")))
    def candidate(
        self, info: Info
    ) -> Annotated[Candidate, strawberry.lazy("resolvers.candidates.types")]:
        found, row = self._prefetched("candidate")
        if found:
            return CANDIDATE.build(row)
        return _deferred(
            _load_one(info.context.loaders.candidate_by_id, self.candidate_id, CANDIDATE.build)
        )

    @strawberry.field(
        description="The stage the application is in now.",
        metadata=sql_reading(RelatedRow("PipelineStage", "current_stage_id")),
    )
    def current_stage(self, info: Info) -> PipelineStage | None:
        found, row = self._prefetched("current_stage")
        if found:
            return build_stage(row) if row is not None else None
        if self.current_stage_id is None:
            return None
        return _deferred(
            _load_one(info.context.loaders.stage_by_id, self.current_stage_id, build_stage)
        )

    @strawberry.field(description="Every stage move, oldest first.")
    def stage_history(self, info: Info) -> list[StageTransition]:
        found, rows = self._prefetched("stage_history")
        if found:
            return [build_transition(row) for row in rows or ()]
        loader = info.context.loaders.stage_transitions_by_application_id
        return _deferred(_load_list(loader, self.pk, build_transition))

    @strawberry.field(
        metadata=sql_reading(RelatedRows("Interview", "application_id", ("created_at", "id")))
    )
    def interviews(
        self, info: Info
    ) -> list[Annotated[Interview, strawberry.lazy("resolvers.interviews.types")]]:
        found, rows = self._prefetched("interviews")
        if found:
            return [INTERVIEW.build(row) for row in rows or ()]
        loader = info.context.loaders.interviews_by_application_id
        return _deferred(_load_list(loader, self.pk, INTERVIEW.build))

    analysis = related_node(
        ANALYSIS, loader="analysis_by_application_id", description="The newest resume analysis."
    )
    offers = related_nodes(OFFER, loader="offers_by_application_id")
    onboarding_tasks = related_nodes(ONBOARDING_TASK, loader="onboarding_tasks_by_application_id")

    activities = activities_field(
        "What happened to this application, newest first: stage moves by users, syncs and "
        "webhooks. Recruiters see it for requisitions they own.",
        lambda loaders: (
            loaders.activity_page_by_application_id,
            loaders.activity_count_by_application_id,
        ),
    )


build_application = row_builder(Application, custom_fields=custom_fields_column)


def _deferred(awaitable: Awaitable[T]) -> T:
    """A sync resolver may hand graphql-core an awaitable: the prefetched path stays
    synchronous, the fallback goes through the loaders."""
    return cast(T, awaitable)


async def _load_one(loader: Any, key: int, build: Callable[[Any], T]) -> T:
    row = await loader.load(key)
    assert row is not None, "dangling reference"
    return build(row)


async def _any(loader: Any, key: int) -> bool:
    return bool(await loader.load(key))


async def _load_list(loader: Any, key: int, build: Callable[[Any], T]) -> list[T]:
    return [build(row) for row in await loader.load(key)]
