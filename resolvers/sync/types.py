"""Sync runs and background jobs as GraphQL types, their filters and criteria."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import strawberry
from strawberry.scalars import JSON

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.enums import BackgroundJobStatus, SyncKind, SyncStatus
from gateway.store.models import BackgroundJob as BackgroundJobModel
from gateway.store.paging import PageRequest
from gateway.sync_modes import SyncMode
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.context import Info
from resolvers.listing import list_connection, page_request
from resolvers.relay import Connection, Node, node_type, row_builder
from resolvers.sync.filters import BackgroundJobCriteria
from resolvers.type_fields import related_node
from resolvers.type_refs import INTEGRATION, JOB

strawberry.enum(SyncMode, name="SyncMode", description="FULL also detects deleted records.")


@strawberry.type(
    name="SyncRecordFailure",
    description="A record a sync could not store; it is tried again by the next run.",
)
class SyncRecordFailure:
    entity: str = strawberry.field(
        description='The kind of record: "jobs", "candidates", "applications", '
        '"interviews", "onboarding_tasks", "resumes", "activities".'
    )
    remote_id: str | None = strawberry.field(
        description="Its id in the source, when it has a readable one."
    )
    reason: str


def _failures(root: SyncRun) -> list[SyncRecordFailure]:
    details: dict[str, Any] = root.error_details if isinstance(root.error_details, dict) else {}
    listed: list[Any] = details.get("records") or []
    return [
        SyncRecordFailure(
            entity=str(item.get("entity") or ""),
            remote_id=None if item.get("remoteId") is None else str(item["remoteId"]),
            reason=str(item.get("reason") or ""),
        )
        for item in listed
        if isinstance(item, dict)
    ]


@node_type("SyncRun", description="One sync of one integration: what it did, how it ended.")
class SyncRun(Node):
    kind: SyncKind
    status: SyncStatus
    trigger: str = strawberry.field(
        description='What started it: "manual", "schedule", "cli", "webhook".'
    )
    counts: JSON = strawberry.field(
        description='Per entity and outcome, e.g. {"jobs": {"created": 3, "updated": 1}}.'
    )
    error_message: str | None
    error_details: JSON | None
    failures: list[SyncRecordFailure] = strawberry.field(
        resolver=_failures,
        description="The records this run could not store (at most 200), each with its reason.",
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None
    heartbeat_at: datetime | None = strawberry.field(
        description="When the run last said it is alive. A RUNNING run whose heartbeat "
        "stopped is resumed from its checkpoint by the next sync of its integration."
    )
    integration_id: strawberry.Private[int]
    job_id: strawberry.Private[int | None]

    integration = related_node(INTEGRATION, loader="integration_by_id", key="integration_id")
    job = related_node(
        JOB,
        loader="job_by_id",
        key="job_id",
        permission=Permission.JOBS_READ,
        description="The requisition a JOB run refetched.",
    )


build_sync_run = row_builder(SyncRun)


@node_type(
    "BackgroundJob",
    description="A unit of queued background work (a sync, a requisition refresh) "
    "and how its attempts went.",
)
class BackgroundJob(Node):
    job_type: str = strawberry.field(description='The task, e.g. "sync_integration".')
    job_key: str | None = strawberry.field(
        description='Work with the same key never runs twice at once, e.g. "sync:42".'
    )
    status: BackgroundJobStatus
    priority: int = strawberry.field(
        description="Higher runs first (backgroundJobEnqueue); 0 for work the gateway queued."
    )
    attempts: int
    max_attempts: int
    payload: JSON
    last_error: str | None
    created_at: datetime
    scheduled_at: datetime | None = strawberry.field(
        description="When the retry of a FAILED job is due."
    )
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None = strawberry.field(
        description="When the running attempt last renewed its lease. A RUNNING job whose "
        "heartbeat is older than the lease (TALENTGRAPH_JOB_LEASE_SECONDS) was left by a "
        "worker that stopped: it is taken over by itself, or by backgroundJobRetry."
    )


build_background_job = row_builder(BackgroundJob)


@strawberry.type(description="How many of the tenant's background jobs are in each status.")
class BackgroundJobCounts:
    pending: int
    running: int
    succeeded: int
    failed: int
    dead: int


@strawberry.type(description="The tenant's background work: counts per status and the jobs.")
class BackgroundJobQueue:
    criteria: strawberry.Private[BackgroundJobCriteria]
    page: strawberry.Private[PageRequest]

    @strawberry.field(description="Per status, whatever the status filter (jobType applies).")
    async def counts(self, info: Info) -> BackgroundJobCounts:
        c = table_of(BackgroundJobModel).c
        everything = BackgroundJobCriteria(job_type=self.criteria.job_type)
        rows = await info.context.reader.all(
            sa.select(c.status, sa.func.count().label("n"))
            .where(*everything.where(info.context.tenant_id))
            .group_by(c.status)
        )
        found = {BackgroundJobStatus(row.status): int(row.n) for row in rows}
        return BackgroundJobCounts(
            **{status.value: found.get(status, 0) for status in BackgroundJobStatus}
        )

    @strawberry.field(
        description="The jobs matching the filter, newest first. Page with this field's "
        "own arguments (what Relay's @connection and Apollo's relayStylePagination key "
        "on); without them, the paging arguments of backgroundJobs apply."
    )
    async def items(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[BackgroundJob]:
        own = (first, after, last, before) != (None, None, None, None)
        page = page_request(first, after, last, before) if own else self.page
        return await list_connection(
            info,
            table_of(BackgroundJobModel),
            self.criteria,
            ("created_at", True),
            page,
            build_background_job,
        )
