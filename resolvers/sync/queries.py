from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.models import SyncRun as SyncRunModel
from resolvers.context import Info
from resolvers.listing import page_request
from resolvers.permissions import require
from resolvers.read_connection import tenant_connection_field
from resolvers.sync.filters import (
    BackgroundJobFilter,
    SyncRunFilter,
    background_job_criteria,
    sync_run_criteria,
)
from resolvers.sync.types import BackgroundJobQueue, SyncRun, build_sync_run

_ITEMS_PAGING = strawberry.argument(
    deprecation_reason="Page with the arguments of BackgroundJobQueue.items."
)


@strawberry.type
class SyncQueries:
    sync_runs = tenant_connection_field(
        SyncRun,
        Permission.INTEGRATIONS_READ,
        table_of(SyncRunModel),
        build_sync_run,
        filter=(SyncRunFilter, sync_run_criteria),
        order=("created_at", True),
        description="Sync runs, newest first.",
    )

    @strawberry.field(description="The tenant's background work: counts per status and the jobs.")
    async def background_jobs(
        self,
        info: Info,
        first: Annotated[int | None, _ITEMS_PAGING] = None,
        after: Annotated[str | None, _ITEMS_PAGING] = None,
        last: Annotated[int | None, _ITEMS_PAGING] = None,
        before: Annotated[str | None, _ITEMS_PAGING] = None,
        filter: BackgroundJobFilter | None = None,
    ) -> BackgroundJobQueue:
        require(info, Permission.QUEUE_READ)
        return BackgroundJobQueue(
            criteria=background_job_criteria(filter),
            page=page_request(first, after, last, before),
        )
