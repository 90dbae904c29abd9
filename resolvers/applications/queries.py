from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.models import Application as ApplicationModel
from resolvers.applications.connection import application_prefetch
from resolvers.applications.filters import (
    ApplicationFilter,
    ApplicationSort,
    application_criteria,
    application_sort,
)
from resolvers.applications.loaders import APPLICATION_PREFETCHERS
from resolvers.applications.types import Application, build_application
from resolvers.context import Info
from resolvers.listing import list_connection, page_request
from resolvers.permissions import require
from resolvers.relay import Connection, pk_or_none


@strawberry.type
class ApplicationQueries:
    @strawberry.field
    async def applications(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ApplicationFilter | None = None,
        sort: ApplicationSort | None = None,
    ) -> Connection[Application]:
        require(info, Permission.APPLICATIONS_READ)
        return await list_connection(
            info,
            table_of(ApplicationModel),
            application_criteria(filter),
            application_sort(sort),
            page_request(first, after, last, before),
            build_application,
            prefetch=application_prefetch(info),
            prefetchers=APPLICATION_PREFETCHERS,
        )

    @strawberry.field
    async def application(self, info: Info, id: strawberry.ID) -> Application | None:
        require(info, Permission.APPLICATIONS_READ)
        pk = pk_or_none(id, "Application")
        row = await info.context.loaders.application_by_id.load(pk) if pk is not None else None
        return build_application(row) if row is not None else None
