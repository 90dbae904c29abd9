from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.criteria import IntegrationCriteria
from gateway.store.models import Integration as IntegrationModel
from resolvers.context import Info
from resolvers.integrations.filters import IntegrationFilter
from resolvers.integrations.types import Integration, build_integration
from resolvers.listing import list_connection, page_request
from resolvers.permissions import require
from resolvers.relay import Connection, pk_or_none


@strawberry.type
class IntegrationQueries:
    @strawberry.field
    async def integrations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: IntegrationFilter | None = None,
    ) -> Connection[Integration]:
        require(info, Permission.INTEGRATIONS_READ)
        criteria = IntegrationCriteria(
            providers=tuple(filter.provider or ()) if filter else (),
            statuses=tuple(filter.status or ()) if filter else (),
        )
        return await list_connection(
            info,
            table_of(IntegrationModel),
            criteria,
            ("created_at", False),
            page_request(first, after, last, before),
            build_integration,
        )

    @strawberry.field
    async def integration(self, info: Info, id: strawberry.ID) -> Integration | None:
        require(info, Permission.INTEGRATIONS_READ)
        pk = pk_or_none(id, "Integration")
        row = await info.context.loaders.integration_by_id.load(pk) if pk is not None else None
        return build_integration(row) if row is not None else None
