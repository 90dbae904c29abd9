"""The applications under one record: the ``applications`` field of Job and Candidate.

    applications = applications_field(
        "This requisition's applications.",
        lambda loaders: (loaders.application_page_by_job_id, loaders.application_count_by_job_id),
    )

Every parent's page comes from one batched statement, with the relations the selection
asks for prefetched; the list query ``applications`` prefetches the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry

from resolvers.applications.filters import (
    ApplicationFilter,
    ApplicationSort,
    application_criteria,
    application_sort,
)
from resolvers.applications.types import Application, build_application
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
from resolvers.selection import selected_below

if TYPE_CHECKING:
    from gateway.store.paging import PageRequest


APPLICATION_PREFETCH = {
    "candidate": "candidate",
    "currentStage": "current_stage",
    "stageHistory": "stage_history",
    "interviews": "interviews",
}
"""GraphQL field -> relation a connection of applications can prefetch."""


async def application_connection(
    info: Info,
    parent_id: int,
    pages: ChildPageLoader,
    counts: ChildCountLoader,
    page: PageRequest,
    filter: ApplicationFilter | None,
    sort: ApplicationSort | None,
) -> Connection[Application]:
    """The applications under one parent (a job, a candidate), batched with its siblings."""
    criteria = application_criteria(filter)
    key = ChildPageKey(
        parent_id, criteria, application_sort(sort), page, application_prefetch(info)
    )
    result = await pages.load(key)

    async def count() -> int:
        return await counts.load(ChildCountKey(parent_id, criteria))

    return connection_from_page(result, build_application, count)


def application_prefetch(info: Info) -> frozenset[str]:
    """The relations to prefetch for the application nodes selected under this connection."""
    wanted = selected_below(info, ("edges", "node")) | selected_below(info, ("nodes",))
    return frozenset(APPLICATION_PREFETCH[name] for name in wanted & APPLICATION_PREFETCH.keys())


def applications_field(description: str | None, child_loaders: ChildLoaders) -> Any:
    """The ``applications`` field of a parent's type, described by ``description``."""

    async def applications(
        root: Node,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ApplicationFilter | None = None,
        sort: ApplicationSort | None = None,
    ) -> Connection[Application]:
        pages, counts = child_loaders(info.context.loaders)
        return await application_connection(
            info, root.pk, pages, counts, page_request(first, after, last, before), filter, sort
        )

    return strawberry.field(resolver=applications, description=description)
