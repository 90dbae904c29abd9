"""Which candidates a listing asks for, in which order: the inputs and their criteria."""

from __future__ import annotations

from enum import Enum

import strawberry

from gateway.store.criteria import CandidateCriteria
from resolvers.inputs import DateRangeInput, SortDirection
from resolvers.read_criteria import as_is, criteria_from, date_range_from, pk_from


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


candidate_criteria = criteria_from(
    CandidateCriteria,
    CandidateFilter,
    search=as_is("search"),
    integration_id=pk_from("integration_id", "Integration"),
    created=date_range_from("created_at"),
)
