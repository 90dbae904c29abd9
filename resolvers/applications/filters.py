"""Which applications a listing asks for, in which order: the inputs and their criteria."""

from __future__ import annotations

from enum import Enum

import strawberry

from gateway.store.criteria import ApplicationCriteria
from gateway.store.enums import ApplicationStatus, ProcessingStatus
from resolvers.inputs import DateRangeInput, SortDirection
from resolvers.read_criteria import as_is, as_tuple, criteria_from, date_range_from, pk_from


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
    human_requested: bool | None = strawberry.field(
        default=None, description="The candidate asked for a person and nobody resolved it yet."
    )
    compliance_review: bool | None = strawberry.field(
        default=None, description="Flagged for a compliance review."
    )
    has_analysis: bool | None = strawberry.field(
        default=None, description="With (true) or without (false) a resume analysis."
    )
    processing_status: list[ProcessingStatus] | None = strawberry.field(
        default=None,
        description="Any of these processing statuses (a closed application is COMPLETE).",
    )


application_criteria = criteria_from(
    ApplicationCriteria,
    ApplicationFilter,
    search=as_is("search"),
    statuses=as_tuple("status"),
    job_id=pk_from("job_id", "Job"),
    candidate_id=pk_from("candidate_id", "Candidate"),
    stage_id=pk_from("stage_id", "PipelineStage"),
    recruiter_id=pk_from("recruiter_id", "Recruiter"),
    created=date_range_from("created_at"),
    human_requested=as_is("human_requested"),
    compliance_review=as_is("compliance_review"),
    has_analysis=as_is("has_analysis"),
    processing_statuses=as_tuple("processing_status"),
)
