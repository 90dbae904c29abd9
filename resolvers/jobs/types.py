"""A requisition as a GraphQL type, with its recruiter, integration, applications,
pipeline analytics and timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from gateway.permissions import Permission
from gateway.services.processing import PENDING
from gateway.store.criteria import ApplicationCriteria
from gateway.store.enums import JobStatus
from resolvers.activities.timeline import activities_field
from resolvers.applications.connection import applications_field
from resolvers.compiled.catalog import ChildCount, sql_reading
from resolvers.context import Info
from resolvers.custom_fields import custom_fields_column, custom_fields_field
from resolvers.dataloaders import ChildCountKey
from resolvers.enums import JobStatus as _JobStatusEnum  # noqa: F401  (registers the enum)
from resolvers.lazy import lazy_callable
from resolvers.relay import Node, node_type, row_builder
from resolvers.remote_data import remote_data_field
from resolvers.type_fields import recruiter_node, related_node
from resolvers.type_refs import INTEGRATION

PENDING_APPLICATIONS = ApplicationCriteria(processing_statuses=PENDING)

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from resolvers.pipeline.types import PipelineMetrics

job_pipeline: Callable[[Info, int, int | None], Awaitable[PipelineMetrics]] = lazy_callable(
    "resolvers.pipeline.types", "job_pipeline"
)


@strawberry.type(description="One signal of a job score.")
class ScoreSignal:
    value: float | None = strawberry.field(
        description="The signal from 0 to 1 (higher: work on this first); null when the "
        "job had no data for it, which counts as 0.5."
    )
    weight: int = strawberry.field(description="The tenant's weight for this signal.")
    points: float = strawberry.field(description="What the signal added to the score.")


@strawberry.type(description="The signals behind a job score; their points sum to the score.")
class ScoreBreakdown:
    fee: ScoreSignal = strawberry.field(
        description="Estimated fee, min-max normalised over the tenant's ranked jobs."
    )
    pipeline: ScoreSignal = strawberry.field(
        description="Pipeline health: the share of active applications that are not stale."
    )
    time_open: ScoreSignal = strawberry.field(
        description="Time open: 1 on the day the job opened, falling to 0 at 90 days."
    )
    analysis: ScoreSignal = strawberry.field(
        description="Analysis results: 1 minus the mean risk score of analysed applications."
    )


def _breakdown(stored: dict[str, Any] | None) -> ScoreBreakdown | None:
    if not stored:
        return None
    signals = {
        name: ScoreSignal(
            value=entry.get("value"), weight=int(entry["weight"]), points=float(entry["points"])
        )
        for name, entry in stored.items()
    }
    return ScoreBreakdown(
        fee=signals["fee"],
        pipeline=signals["pipeline"],
        time_open=signals["timeOpen"],
        analysis=signals["analysis"],
    )


@node_type("Job", description="A requisition, mirrored from its ATS.")
class Job(Node):
    remote_data = remote_data_field()
    remote_id: str | None
    title: str
    description: str | None
    detailed_description: str | None
    location: str | None
    department: str | None
    employment_type: str | None
    client_name: str | None
    status: JobStatus
    remote_status: str | None
    opened_at: datetime | None
    closed_at: datetime | None
    estimated_fee: Decimal | None
    currency: str | None
    custom_fields: JSON = custom_fields_field()
    is_active: bool
    auto_send_interview: bool
    auto_send_on_status: str | None
    interview_instructions: str | None
    min_check_interval: int = strawberry.field(
        description="Minutes between the interview automation's checks of the requisition."
    )
    lookback_hours: int | None
    last_checked_at: datetime | None = strawberry.field(
        description="When the interview automation last checked the requisition; a check "
        "is due minCheckInterval minutes later while autoSendInterview is on."
    )
    rank: int | None = strawberry.field(
        description="1 for the tenant's first open, active requisition: by score, then "
        "fee, then age; null when not open."
    )
    score: float | None = strawberry.field(
        description="0 to 100 from the tenant's weighted signals (see scoreBreakdown); "
        "null when not open."
    )
    remote_updated_at: datetime | None
    remote_deleted_at: datetime | None
    last_synced_at: datetime | None
    created_at: datetime
    updated_at: datetime
    recruiter_id: strawberry.Private[int | None]
    integration_id: strawberry.Private[int | None]
    stored_breakdown: strawberry.Private[dict[str, Any] | None]

    @strawberry.field(description="The signals behind the score, each with its points.")
    def score_breakdown(self) -> ScoreBreakdown | None:
        return _breakdown(self.stored_breakdown)

    recruiter = recruiter_node("recruiter_id")
    integration = related_node(
        INTEGRATION,
        loader="integration_by_id",
        key="integration_id",
        permission=Permission.INTEGRATIONS_READ,
    )

    applications = applications_field(
        "This requisition's applications.",
        lambda loaders: (loaders.application_page_by_job_id, loaders.application_count_by_job_id),
        "job_id",
    )

    @strawberry.field(
        description="Number of applications, all stages.",
        metadata=sql_reading(ChildCount("Application", "job_id")),
    )
    async def application_count(self, info: Info) -> int:
        key = ChildCountKey(self.pk, ApplicationCriteria())
        return await info.context.loaders.application_count_by_job_id.load(key)

    @strawberry.field(
        description="Active applications still to be processed: processing status NEW or ANALYZING."
    )
    async def pending_count(self, info: Info) -> int:
        key = ChildCountKey(self.pk, PENDING_APPLICATIONS)
        return await info.context.loaders.application_count_by_job_id.load(key)

    @strawberry.field(
        description="Pipeline analytics: active applications per stage, time in each "
        "stage, stale applications, the bottleneck stage."
    )
    async def pipeline(
        self,
        info: Info,
        stale_after_days: Annotated[
            int | None,
            strawberry.argument(
                description="Days in one stage after which an active application is stale "
                "(1 to 365); the tenant's `staleStageDays` setting by default."
            ),
        ] = None,
    ) -> Annotated[PipelineMetrics, strawberry.lazy("resolvers.pipeline.types")]:
        return await job_pipeline(info, self.pk, stale_after_days)

    activities = activities_field(
        "What happened to this requisition, newest first: user actions, syncs, webhooks. "
        "Recruiters see it for requisitions they own.",
        lambda loaders: (loaders.activity_page_by_job_id, loaders.activity_count_by_job_id),
    )


build_job = row_builder(
    Job,
    stored_breakdown=lambda row: row.get("score_breakdown"),
    custom_fields=custom_fields_column,
)
