"""Which applications a listing asks for, in which order: the inputs and their criteria."""

from __future__ import annotations

from enum import Enum

import strawberry

from gateway.store.criteria import ApplicationCriteria
from gateway.store.enums import ApplicationStatus
from resolvers.inputs import DateRangeInput, SortDirection, date_range
from resolvers.relay import pk_of


@strawberry.enum
class ApplicationSortField(Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


@strawberry.input
class ApplicationSort:
    field: ApplicationSortField = ApplicationSortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC


@strawberry.input
class ApplicationFilter:
    search: str | None = strawberry.field(default=None, description="Candidate name or email.")
    status: list[ApplicationStatus] | None = None
    job_id: strawberry.ID | None = None
    candidate_id: strawberry.ID | None = None
    stage_id: strawberry.ID | None = None
    recruiter_id: strawberry.ID | None = strawberry.field(
        default=None, description="Applications to requisitions this recruiter owns."
    )
    created_at: DateRangeInput | None = None


def application_criteria(value: ApplicationFilter | None) -> ApplicationCriteria:
    if value is None:
        return ApplicationCriteria()
    return ApplicationCriteria(
        search=value.search,
        statuses=tuple(value.status or ()),
        job_id=pk_of(value.job_id, "Job", field="jobId") if value.job_id else None,
        candidate_id=pk_of(value.candidate_id, "Candidate", field="candidateId")
        if value.candidate_id
        else None,
        stage_id=pk_of(value.stage_id, "PipelineStage", field="stageId")
        if value.stage_id
        else None,
        recruiter_id=pk_of(value.recruiter_id, "Recruiter", field="recruiterId")
        if value.recruiter_id
        else None,
        created=date_range(value.created_at),
    )


def application_sort(value: ApplicationSort | None) -> tuple[str, bool]:
    value = value or ApplicationSort()
    return value.field.value, value.direction is SortDirection.DESC
