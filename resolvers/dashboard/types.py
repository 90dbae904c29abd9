"""The dashboard's figures as GraphQL (``gateway.services.dashboard`` decides what counts)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.services.dashboard import DashboardFigures
from gateway.store.enums import ApplicationStatus, InterviewStatus
from resolvers import enums as _enums  # noqa: F401  (registers the enums)


@strawberry.type(description="How many applications are in one status.")
class ApplicationStatusCount:
    status: ApplicationStatus
    count: int


@strawberry.type(description="How many interviews are in one status.")
class InterviewStatusCount:
    status: InterviewStatus
    count: int


@strawberry.type(
    name="DashboardApplications",
    description="Applications still at their source. `last24h` and `last7d` go by when the "
    "candidate applied (when the gateway first stored it if the source gave no date).",
)
class DashboardApplications:
    total: int
    last_24h: int
    last_7d: int
    by_status: list[ApplicationStatusCount] = strawberry.field(
        description="Every status, zeros included, in the enum's order."
    )


@strawberry.type(name="DashboardInterviews", description="Interviews of the applications counted.")
class DashboardInterviews:
    total: int
    by_status: list[InterviewStatusCount] = strawberry.field(
        description="Every status, zeros included, in the enum's order."
    )


@strawberry.type(
    description="The figures of the design's metrics: applications, interviews and the "
    "last processing, over the requisitions the caller sees."
)
class Dashboard:
    applications: DashboardApplications
    interviews: DashboardInterviews
    last_processed: datetime | None = strawberry.field(
        description="When the newest resume analysis of the applications counted was made."
    )


def build_dashboard(figures: DashboardFigures) -> Dashboard:
    return Dashboard(
        applications=DashboardApplications(
            total=figures.applications_total,
            last_24h=figures.applications_last_24h,
            last_7d=figures.applications_last_7d,
            by_status=[
                ApplicationStatusCount(
                    status=status, count=figures.applications_by_status.get(status.value, 0)
                )
                for status in ApplicationStatus
            ],
        ),
        interviews=DashboardInterviews(
            total=figures.interviews_total,
            by_status=[
                InterviewStatusCount(
                    status=status, count=figures.interviews_by_status.get(status.value, 0)
                )
                for status in InterviewStatus
            ],
        ),
        last_processed=figures.last_processed,
    )
