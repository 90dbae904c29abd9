"""Which interviews a listing asks for, in which order: the inputs and their criteria."""

from __future__ import annotations

from enum import Enum

import strawberry

from gateway.store.criteria import InterviewCriteria
from gateway.store.enums import InterviewStatus
from resolvers.inputs import DateRangeInput, SortDirection, date_range
from resolvers.relay import pk_of


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


def interview_criteria(value: InterviewFilter | None) -> InterviewCriteria:
    if value is None:
        return InterviewCriteria()
    return InterviewCriteria(
        statuses=tuple(value.status or ()),
        job_id=pk_of(value.job_id, "Job", field="jobId") if value.job_id else None,
        application_id=pk_of(value.application_id, "Application", field="applicationId")
        if value.application_id
        else None,
        created=date_range(value.created_at),
    )
