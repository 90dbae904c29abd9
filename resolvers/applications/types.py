from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar, cast

import strawberry
from sqlalchemy.engine import Row

from gateway.store.enums import ApplicationStatus, OfferStatus, OnboardingTaskStatus, StageKind
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.activities.timeline import activities_field
from resolvers.context import Info
from resolvers.lazy import lazy_callable
from resolvers.relay import Node, row_builder

T = TypeVar("T")

if TYPE_CHECKING:
    from resolvers.candidates.types import Candidate
    from resolvers.interviews.types import Interview
    from resolvers.jobs.types import Job

build_job: Callable[[Row[Any]], Job] = lazy_callable("resolvers.jobs.types", "build_job")
build_candidate: Callable[[Row[Any]], Candidate] = lazy_callable(
    "resolvers.candidates.types", "build_candidate"
)
build_interview: Callable[[Row[Any]], Interview] = lazy_callable(
    "resolvers.interviews.types", "build_interview"
)


@strawberry.type(name="PipelineStage")
class PipelineStage(Node):
    NODE_TYPE: ClassVar[str] = "PipelineStage"

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

    @strawberry.field
    async def to_stage(self, info: Info) -> PipelineStage | None:
        if self.to_stage_id is None:
            return None
        row = await info.context.loaders.stage_by_id.load(self.to_stage_id)
        return build_stage(row) if row is not None else None

    @strawberry.field
    async def from_stage(self, info: Info) -> PipelineStage | None:
        if self.from_stage_id is None:
            return None
        row = await info.context.loaders.stage_by_id.load(self.from_stage_id)
        return build_stage(row) if row is not None else None


def build_transition(row: object) -> StageTransition:
    m = row._mapping  # type: ignore[attr-defined]
    return StageTransition(
        from_stage_name=m["from_stage_name"],
        to_stage_name=m["to_stage_name"],
        entered_at=m["entered_at"],
        left_at=m["left_at"],
        moved_by_name=m["moved_by_name"],
        from_stage_id=m["from_stage_id"],
        to_stage_id=m["to_stage_id"],
    )


@strawberry.type(name="Analysis", description="AI resume analysis of an application.")
class Analysis(Node):
    NODE_TYPE: ClassVar[str] = "Analysis"

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


@strawberry.type(name="Offer")
class Offer(Node):
    NODE_TYPE: ClassVar[str] = "Offer"

    remote_id: str | None
    status: OfferStatus
    salary: Decimal | None
    currency: str | None
    start_date: date | None
    sent_at: datetime | None
    responded_at: datetime | None
    created_at: datetime


build_offer = row_builder(Offer)


@strawberry.type(name="OnboardingTask")
class OnboardingTask(Node):
    NODE_TYPE: ClassVar[str] = "OnboardingTask"

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


@strawberry.type(name="Application", description="A candidate in a requisition's pipeline.")
class Application(Node):
    NODE_TYPE: ClassVar[str] = "Application"

    remote_id: str | None
    status: ApplicationStatus
    applied_at: datetime | None
    stage_entered_at: datetime | None
    rejected_at: datetime | None
    rejection_reason: str | None
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

    @strawberry.field
    async def job(self, info: Info) -> Annotated[Job, strawberry.lazy("resolvers.jobs.types")]:
        row = await info.context.loaders.job_by_id.load(self.job_id)
        assert row is not None, "application without its job"
        return build_job(row)

    @strawberry.field
    def candidate(
        self, info: Info
    ) -> Annotated[Candidate, strawberry.lazy("resolvers.candidates.types")]:
        found, row = self._prefetched("candidate")
        if found:
            return build_candidate(row)
        return _deferred(
            _load_one(info.context.loaders.candidate_by_id, self.candidate_id, build_candidate)
        )

    @strawberry.field(description="The stage the application is in now.")
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

    @strawberry.field
    def interviews(
        self, info: Info
    ) -> list[Annotated[Interview, strawberry.lazy("resolvers.interviews.types")]]:
        found, rows = self._prefetched("interviews")
        if found:
            return [build_interview(row) for row in rows or ()]
        loader = info.context.loaders.interviews_by_application_id
        return _deferred(_load_list(loader, self.pk, build_interview))

    @strawberry.field(description="The newest resume analysis.")
    async def analysis(self, info: Info) -> Analysis | None:
        row = await info.context.loaders.analysis_by_application_id.load(self.pk)
        return build_analysis(row) if row is not None else None

    @strawberry.field
    async def offers(self, info: Info) -> list[Offer]:
        rows = await info.context.loaders.offers_by_application_id.load(self.pk)
        return [build_offer(row) for row in rows]

    @strawberry.field
    async def onboarding_tasks(self, info: Info) -> list[OnboardingTask]:
        rows = await info.context.loaders.onboarding_tasks_by_application_id.load(self.pk)
        return [build_onboarding_task(row) for row in rows]

    activities = activities_field(
        "What happened to this application, newest first: stage moves by users, syncs and "
        "webhooks. Recruiters see it for requisitions they own.",
        lambda loaders: (
            loaders.activity_page_by_application_id,
            loaders.activity_count_by_application_id,
        ),
    )


build_application = row_builder(Application)


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
