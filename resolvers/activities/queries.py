"""``activities``: the tenant's audit timeline."""

from __future__ import annotations

import strawberry

from gateway.store.base import table_of
from gateway.store.models import Activity as ActivityModel
from resolvers.activities.filters import (
    ACTIVITY_SORT,
    ActivityFilter,
    activity_criteria,
    visible_activities,
)
from resolvers.activities.types import Activity, build_activity
from resolvers.context import Info
from resolvers.listing import list_connection, page_request
from resolvers.relay import Connection


@strawberry.type
class ActivityQueries:
    @strawberry.field(
        description="The audit timeline, newest first. Recruiters see requisitions they own."
    )
    async def activities(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ActivityFilter | None = None,
    ) -> Connection[Activity]:
        return await list_connection(
            info,
            table_of(ActivityModel),
            activity_criteria(filter, visible_activities(info)),
            ACTIVITY_SORT,
            page_request(first, after, last, before),
            build_activity,
        )
