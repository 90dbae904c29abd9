from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.models import Interview as InterviewModel
from resolvers.context import Info
from resolvers.inputs import SortDirection
from resolvers.interviews.filters import InterviewFilter, InterviewSort, interview_criteria
from resolvers.interviews.types import Interview, build_interview
from resolvers.listing import list_connection, page_request
from resolvers.permissions import require
from resolvers.relay import Connection, pk_or_none


@strawberry.type
class InterviewQueries:
    @strawberry.field
    async def interviews(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: InterviewFilter | None = None,
        sort: InterviewSort | None = None,
    ) -> Connection[Interview]:
        require(info, Permission.INTERVIEWS_READ)
        sort = sort or InterviewSort()
        return await list_connection(
            info,
            table_of(InterviewModel),
            interview_criteria(filter),
            (sort.field.value, sort.direction is SortDirection.DESC),
            page_request(first, after, last, before),
            build_interview,
        )

    @strawberry.field
    async def interview(self, info: Info, id: strawberry.ID) -> Interview | None:
        require(info, Permission.INTERVIEWS_READ)
        pk = pk_or_none(id, "Interview")
        row = await info.context.loaders.interview_by_id.load(pk) if pk is not None else None
        return build_interview(row) if row is not None else None
