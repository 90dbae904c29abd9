from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, ClassVar

import strawberry

from gateway.permissions import Permission
from gateway.store.criteria import ApplicationCriteria
from gateway.store.enums import JobStatus
from resolvers.context import Info
from resolvers.dataloaders import ChildCountKey
from resolvers.enums import JobStatus as _JobStatusEnum  # noqa: F401  (registers the enum)
from resolvers.inputs import DateRangeInput, SortDirection
from resolvers.listing import page_request
from resolvers.permissions import can
from resolvers.relay import Connection, Node, row_builder

if TYPE_CHECKING:
    from resolvers.admin.types import Activity, ActivityFilter, Recruiter
    from resolvers.applications.types import Application, ApplicationFilter, ApplicationSort
    from resolvers.integrations.types import Integration
    from resolvers.pipeline.types import PipelineMetrics


@strawberry.type(name="Job", description="A requisition, mirrored from its ATS.")
class Job(Node):
    NODE_TYPE: ClassVar[str] = "Job"

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
    is_active: bool
    auto_send_interview: bool
    auto_send_on_status: str | None
    interview_instructions: str | None
    min_check_interval: int = strawberry.field(description="Minutes between ATS checks.")
    lookback_hours: int | None
    rank: int | None
    score: float | None
    remote_updated_at: datetime | None
    remote_deleted_at: datetime | None
    last_synced_at: datetime | None
    created_at: datetime
    updated_at: datetime
    recruiter_id: strawberry.Private[int | None]
    integration_id: strawberry.Private[int | None]

    @strawberry.field
    async def recruiter(
        self, info: Info
    ) -> Annotated[Recruiter, strawberry.lazy("resolvers.admin.types")] | None:
        from resolvers.admin.types import build_recruiter

        if self.recruiter_id is None or not can(info, Permission.RECRUITERS_READ):
            return None
        row = await info.context.loaders.user_by_id.load(self.recruiter_id)
        return build_recruiter(row) if row is not None else None

    @strawberry.field
    async def integration(
        self, info: Info
    ) -> Annotated[Integration, strawberry.lazy("resolvers.integrations.types")] | None:
        from resolvers.integrations.types import build_integration

        if self.integration_id is None or not can(info, Permission.INTEGRATIONS_READ):
            return None
        row = await info.context.loaders.integration_by_id.load(self.integration_id)
        return build_integration(row) if row is not None else None

    @strawberry.field(description="This requisition's applications.")
    async def applications(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[ApplicationFilter, strawberry.lazy("resolvers.applications.types")]
        | None = None,
        sort: Annotated[ApplicationSort, strawberry.lazy("resolvers.applications.types")]
        | None = None,
    ) -> Connection[Annotated[Application, strawberry.lazy("resolvers.applications.types")]]:
        from resolvers.applications.types import application_connection

        loaders = info.context.loaders
        return await application_connection(
            info,
            self.pk,
            loaders.application_page_by_job_id,
            loaders.application_count_by_job_id,
            page_request(first, after, last, before),
            filter,
            sort,
        )

    @strawberry.field(description="Number of applications, all stages.")
    async def application_count(self, info: Info) -> int:
        key = ChildCountKey(self.pk, ApplicationCriteria())
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
        from resolvers.pipeline.types import job_pipeline

        return await job_pipeline(info, self.pk, stale_after_days)

    @strawberry.field(
        description="What happened to this requisition, newest first: user actions, "
        "syncs, webhooks. Recruiters see it for requisitions they own."
    )
    async def activities(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[ActivityFilter, strawberry.lazy("resolvers.admin.types")] | None = None,
    ) -> Connection[Annotated[Activity, strawberry.lazy("resolvers.admin.types")]]:
        from resolvers.admin.types import activity_connection

        loaders = info.context.loaders
        return await activity_connection(
            info,
            self.pk,
            loaders.activity_page_by_job_id,
            loaders.activity_count_by_job_id,
            page_request(first, after, last, before),
            filter,
        )


build_job = row_builder(Job)


@strawberry.enum
class JobSortField(Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    TITLE = "title"


@strawberry.input
class JobSort:
    field: JobSortField = JobSortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC


@strawberry.input
class JobFilter:
    search: str | None = strawberry.field(default=None, description="Title, client or location.")
    status: list[JobStatus] | None = None
    recruiter_id: strawberry.ID | None = None
    integration_id: strawberry.ID | None = None
    is_active: bool | None = None
    created_at: DateRangeInput | None = None
    opened_at: DateRangeInput | None = None
