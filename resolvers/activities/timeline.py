"""One record's timeline: the ``activities`` field of Job, Candidate and Application.

    activities = activities_field(
        "What happened to this requisition, newest first: ...",
        lambda loaders: (loaders.activity_page_by_job_id, loaders.activity_count_by_job_id),
    )

Each type describes its own timeline and names the loaders that partition it by the
record's id; the arguments, the role filtering and the batching are the same for all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry

from resolvers.activities.filters import (
    ACTIVITY_SORT,
    ActivityFilter,
    activity_criteria,
    visible_activities,
)
from resolvers.activities.types import Activity, build_activity
from resolvers.context import Info
from resolvers.dataloaders import (
    ChildCountKey,
    ChildCountLoader,
    ChildLoaders,
    ChildPageKey,
    ChildPageLoader,
)
from resolvers.listing import page_request
from resolvers.relay import Connection, Node, connection_from_page

if TYPE_CHECKING:
    from gateway.store.paging import PageRequest


async def activity_connection(
    info: Info,
    parent_id: int,
    pages: ChildPageLoader,
    counts: ChildCountLoader,
    page: PageRequest,
    filter: ActivityFilter | None,
) -> Connection[Activity]:
    """The timeline of one record (a job, a candidate, an application), newest first,
    filtered for the caller's role and batched with its siblings: one statement for
    every parent's page, one more for their counts if ``totalCount`` is asked."""
    criteria = activity_criteria(filter, visible_activities(info))
    result = await pages.load(ChildPageKey(parent_id, criteria, ACTIVITY_SORT, page))

    async def count() -> int:
        return await counts.load(ChildCountKey(parent_id, criteria))

    return connection_from_page(result, build_activity, count)


def activities_field(description: str, timeline_loaders: ChildLoaders) -> Any:
    """The ``activities`` field of a record's type, described by ``description``."""

    async def activities(
        root: Node,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ActivityFilter | None = None,
    ) -> Connection[Activity]:
        pages, counts = timeline_loaders(info.context.loaders)
        return await activity_connection(
            info, root.pk, pages, counts, page_request(first, after, last, before), filter
        )

    return strawberry.field(resolver=activities, description=description)
