"""Which candidates a listing asks for, in which order: the inputs and their criteria."""

from __future__ import annotations

from enum import Enum

import strawberry

from gateway.store.criteria import CandidateCriteria
from resolvers.inputs import DateRangeInput, SortDirection, date_range
from resolvers.relay import pk_of


@strawberry.enum
class CandidateSortField(Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    NAME = "name"


@strawberry.input
class CandidateSort:
    field: CandidateSortField = CandidateSortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC


@strawberry.input
class CandidateFilter:
    search: str | None = strawberry.field(default=None, description="Name, email or headline.")
    integration_id: strawberry.ID | None = None
    created_at: DateRangeInput | None = None


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
