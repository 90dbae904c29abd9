from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.models import SyncRun as SyncRunModel
from resolvers.context import Info
from resolvers.listing import list_connection, page_request
from resolvers.permissions import require
from resolvers.relay import Connection
from resolvers.sync.filters import (
    BackgroundJobFilter,
    SyncRunFilter,
    background_job_criteria,
    sync_run_criteria,
)
from resolvers.sync.types import BackgroundJobQueue, SyncRun, build_sync_run


@strawberry.type
class SyncQueries:
    @strawberry.field(description="Sync runs, newest first.")
    async def sync_runs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: SyncRunFilter | None = None,
    ) -> Connection[SyncRun]:
        require(info, Permission.INTEGRATIONS_READ)
        return await list_connection(
            info,
            table_of(SyncRunModel),
            sync_run_criteria(filter),
            ("created_at", True),
            page_request(first, after, last, before),
            build_sync_run,
        )

    @strawberry.field(description="The tenant's background work: counts per status and the jobs.")
    async def background_jobs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: BackgroundJobFilter | None = None,
    ) -> BackgroundJobQueue:
        require(info, Permission.QUEUE_READ)
        return BackgroundJobQueue(
            criteria=background_job_criteria(filter),
            page=page_request(first, after, last, before),
        )
