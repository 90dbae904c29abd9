"""Which requisitions a listing asks for, in which order: the inputs and their criteria."""

from __future__ import annotations

from enum import Enum

import strawberry

from gateway.store.criteria import JobCriteria
from gateway.store.enums import JobStatus
from resolvers.inputs import DateRangeInput, SortDirection, date_range
from resolvers.relay import pk_of


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


def job_criteria(value: JobFilter | None) -> JobCriteria:
    if value is None:
        return JobCriteria()
    return JobCriteria(
        search=value.search,
        statuses=tuple(value.status or ()),
        recruiter_id=pk_of(value.recruiter_id, "Recruiter", field="recruiterId")
        if value.recruiter_id
        else None,
        integration_id=pk_of(value.integration_id, "Integration", field="integrationId")
        if value.integration_id
        else None,
        is_active=value.is_active,
        created=date_range(value.created_at),
        opened=date_range(value.opened_at),
    )
