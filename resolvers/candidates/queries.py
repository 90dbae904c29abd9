from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.criteria import CandidateCriteria
from gateway.store.models import Candidate as CandidateModel
from resolvers.candidates.types import Candidate, CandidateFilter, CandidateSort, build_candidate
from resolvers.context import Info
from resolvers.inputs import SortDirection, date_range
from resolvers.listing import list_connection, page_request
from resolvers.permissions import require
from resolvers.relay import Connection, pk_of, pk_or_none


def candidate_criteria(value: CandidateFilter | None) -> CandidateCriteria:
    if value is None:
        return CandidateCriteria()
    return CandidateCriteria(
        search=value.search,
        integration_id=pk_of(value.integration_id, "Integration", field="integrationId")
        if value.integration_id
        else None,
        created=date_range(value.created_at),
    )


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
