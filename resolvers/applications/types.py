from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import strawberry
from strawberry.scalars import JSON

from gateway.store.enums import ApplicationStatus, OfferStatus, OnboardingTaskStatus, StageKind
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.activities.timeline import activities_field
from resolvers.compiled.catalog import RelatedRow, RelatedRows, sql_reading
from resolvers.context import Info
from resolvers.custom_fields import custom_fields_column, custom_fields_field
from resolvers.relay import Node, node_type, row_builder
from resolvers.remote_data import remote_data_field
from resolvers.type_fields import related_node, related_nodes
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

    @strawberry.field(description="Seconds spent in the stage; null while still in it.")
    def duration_seconds(self) -> int | None:
        if self.left_at is None:
            return None
        return int((self.left_at - self.entered_at).total_seconds())

    to_stage = related_node(PIPELINE_STAGE, loader="stage_by_id", key="to_stage_id")
    from_stage = related_node(PIPELINE_STAGE, loader="stage_by_id", key="from_stage_id")


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

    prefetched: strawberry.Private[dict[str, Any] | None] = None

    def _prefetched(self, name: str) -> tuple[bool, Any]:
        if self.prefetched is not None and name in self.prefetched:
            return True, self.prefetched[name]
        return False, None

    job = related_node(JOB, loader="job_by_id", key="job_id", nullable=False)

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


async def _load_list(loader: Any, key: int, build: Callable[[Any], T]) -> list[T]:
    return [build(row) for row in await loader.load(key)]
