"""``activities``: the tenant's audit timeline."""

from __future__ import annotations

from typing import Any

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
from resolvers.listing import list_connection
from resolvers.read_connection import connection_field, requested_page
from resolvers.relay import Connection, ConnectionArgs


async def _tenant_activities(
    info: Info, root: Any, args: ConnectionArgs, filter: ActivityFilter | None
) -> Connection[Activity]:
    return await list_connection(
        info,
        table_of(ActivityModel),
        activity_criteria(filter, visible_activities(info)),
        ACTIVITY_SORT,
        requested_page(args),
        build_activity,
    )


@strawberry.type
class ActivityQueries:
    activities = connection_field(
        Activity,
        _tenant_activities,
        filter=ActivityFilter,
        description="The audit timeline, newest first. Recruiters see requisitions they own.",
    )
