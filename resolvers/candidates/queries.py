from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.models import Candidate as CandidateModel
from resolvers.candidates.filters import CandidateFilter, CandidateSort, candidate_criteria
from resolvers.candidates.types import Candidate, build_candidate
from resolvers.context import Info
from resolvers.inputs import SortDirection
from resolvers.listing import list_connection, page_request
from resolvers.permissions import require
from resolvers.relay import Connection, pk_or_none


@strawberry.type
class CandidateQueries:
    @strawberry.field
    async def candidates(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: CandidateFilter | None = None,
        sort: CandidateSort | None = None,
    ) -> Connection[Candidate]:
        require(info, Permission.CANDIDATES_READ)
        sort = sort or CandidateSort()
        return await list_connection(
            info,
            table_of(CandidateModel),
            candidate_criteria(filter),
            (sort.field.value, sort.direction is SortDirection.DESC),
            page_request(first, after, last, before),
            build_candidate,
        )

    @strawberry.field
    async def candidate(self, info: Info, id: strawberry.ID) -> Candidate | None:
        require(info, Permission.CANDIDATES_READ)
        pk = pk_or_none(id, "Candidate")
        row = await info.context.loaders.candidate_by_id.load(pk) if pk is not None else None
        return build_candidate(row) if row is not None else None
