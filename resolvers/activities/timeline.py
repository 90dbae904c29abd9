"""One record's timeline: the ``activities`` field of Job, Candidate and Application.

    activities = activities_field(
        "What happened to this requisition, newest first: ...",
        lambda loaders: (loaders.activity_page_by_job_id, loaders.activity_count_by_job_id),
    )

Each type describes its own timeline and names the loaders that partition it by the
record's id; the arguments, the role filtering and the batching are the same for all.
"""

from __future__ import annotations

from typing import Any

from resolvers.activities.filters import (
    ACTIVITY_SORT,
    ActivityFilter,
    activity_criteria,
    visible_activities,
)
from resolvers.activities.types import Activity, build_activity
from resolvers.context import Info
from resolvers.dataloaders import ChildLoaders
from resolvers.read_connection import child_connection, connection_field, requested_page
from resolvers.relay import Connection, ConnectionArgs, Node


def activities_field(description: str, timeline_loaders: ChildLoaders) -> Any:
    """The ``activities`` field of a record's type, described by ``description``: the
    record's timeline, newest first, filtered for the caller's role."""

    async def activities(
        info: Info, root: Node, args: ConnectionArgs, filter: ActivityFilter | None
    ) -> Connection[Activity]:
        children = timeline_loaders(info.context.loaders)
        page = requested_page(args)
        criteria = activity_criteria(filter, visible_activities(info))
        return await child_connection(
            children, root.pk, criteria, ACTIVITY_SORT, page, build_activity
        )

    return connection_field(Activity, activities, filter=ActivityFilter, description=description)
