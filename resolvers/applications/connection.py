"""The applications under one record: the ``applications`` field of Job and Candidate.

    applications = applications_field(
        "This requisition's applications.",
        lambda loaders: (loaders.application_page_by_job_id, loaders.application_count_by_job_id),
    )

Every parent's page comes from one batched statement, with the relations the selection
asks for prefetched; the list query ``applications`` prefetches the same way.
"""

from __future__ import annotations

from typing import Any

from resolvers.applications.filters import ApplicationFilter, ApplicationSort, application_criteria
from resolvers.applications.types import Application, build_application
from resolvers.compiled.catalog import Listing
from resolvers.context import Info
from resolvers.dataloaders import ChildLoaders
from resolvers.read_connection import child_connection, connection_field, requested_page
from resolvers.read_criteria import sort_order
from resolvers.relay import Connection, ConnectionArgs, Node
from resolvers.selection import selected_below

APPLICATION_PREFETCH = {
    "candidate": "candidate",
    "currentStage": "current_stage",
    "stageHistory": "stage_history",
    "interviews": "interviews",
}
"""GraphQL field -> relation a connection of applications can prefetch."""


def application_prefetch(info: Info) -> frozenset[str]:
    """The relations to prefetch for the application nodes selected under this connection."""
    wanted = selected_below(info, ("edges", "node")) | selected_below(info, ("nodes",))
    return frozenset(APPLICATION_PREFETCH[name] for name in wanted & APPLICATION_PREFETCH.keys())


def applications_field(
    description: str | None, child_loaders: ChildLoaders, parent_column: str
) -> Any:
    """The ``applications`` field of a parent's type, described by ``description``: the
    applications whose ``parent_column`` holds the parent's id."""

    async def applications(
        info: Info,
        root: Node,
        args: ConnectionArgs,
        filter: ApplicationFilter | None,
        sort: ApplicationSort | None,
    ) -> Connection[Application]:
        children = child_loaders(info.context.loaders)
        page = requested_page(args)
        return await child_connection(
            children,
            root.pk,
            application_criteria(filter),
            sort_order(sort, ApplicationSort),
            page,
            build_application,
            application_prefetch(info),
        )

    return connection_field(
        Application,
        applications,
        filter=ApplicationFilter,
        sort=ApplicationSort,
        description=description,
        reading=Listing(
            "Application",
            application_criteria,
            lambda sort: sort_order(sort, ApplicationSort),
            parent_column=parent_column,
        ),
    )
