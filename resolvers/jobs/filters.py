"""Which requisitions a listing asks for, in which order: the inputs and their criteria."""

from __future__ import annotations

from enum import Enum

import strawberry

from gateway.store.criteria import JobCriteria
from gateway.store.enums import JobStatus
from resolvers.inputs import DateRangeInput, SortDirection
from resolvers.read_criteria import as_is, as_tuple, criteria_from, date_range_from, pk_from


@strawberry.enum
class JobSortField(Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    TITLE = "title"


@strawberry.input
class JobSort:
    field: JobSortField = JobSortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC


@strawberry.input
class JobFilter:
    search: str | None = strawberry.field(default=None, description="Title, client or location.")
    status: list[JobStatus] | None = None
    recruiter_id: strawberry.ID | None = None
    integration_id: strawberry.ID | None = None
    is_active: bool | None = None
    created_at: DateRangeInput | None = None
    opened_at: DateRangeInput | None = None


job_criteria = criteria_from(
    JobCriteria,
    JobFilter,
    search=as_is("search"),
    statuses=as_tuple("status"),
    recruiter_id=pk_from("recruiter_id", "Recruiter"),
    integration_id=pk_from("integration_id", "Integration"),
    is_active=as_is("is_active"),
    created=date_range_from("created_at"),
    opened=date_range_from("opened_at"),
)
