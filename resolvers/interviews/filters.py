"""Which interviews a listing asks for, in which order: the inputs and their criteria."""

from __future__ import annotations

from enum import Enum

import strawberry

from gateway.store.criteria import InterviewCriteria
from gateway.store.enums import InterviewStatus
from resolvers.inputs import DateRangeInput, SortDirection
from resolvers.read_criteria import as_tuple, criteria_from, date_range_from, pk_from


@strawberry.enum
class InterviewSortField(Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


@strawberry.input
class InterviewSort:
    field: InterviewSortField = InterviewSortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC


@strawberry.input
class InterviewFilter:
    status: list[InterviewStatus] | None = None
    job_id: strawberry.ID | None = None
    application_id: strawberry.ID | None = None
    created_at: DateRangeInput | None = None


interview_criteria = criteria_from(
    InterviewCriteria,
    InterviewFilter,
    statuses=as_tuple("status"),
    job_id=pk_from("job_id", "Job"),
    application_id=pk_from("application_id", "Application"),
    created=date_range_from("created_at"),
)
