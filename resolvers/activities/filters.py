"""Which activities a caller asks for, and sees: the filter input, its criteria, the order."""

from __future__ import annotations

import strawberry

from gateway.permissions import Permission, allows
from gateway.store.criteria import ActivityCriteria
from resolvers.context import Info
from resolvers.inputs import DateRangeInput, date_range
from resolvers.permissions import require
from resolvers.relay import pk_of

ACTIVITY_SORT = ("created_at", True)
"""The timeline reads newest first."""


@strawberry.input
class ActivityFilter:
    search: str | None = None
    action: list[str] | None = None
    job_id: strawberry.ID | None = None
    candidate_id: strawberry.ID | None = None
    application_id: strawberry.ID | None = None
    actor_id: str | None = None
    created_at: DateRangeInput | None = None


def activity_criteria(value: ActivityFilter | None, visible_to: int | None) -> ActivityCriteria:
    value = value or ActivityFilter()
    return ActivityCriteria(
        search=value.search,
        actions=tuple(value.action or ()),
        job_id=pk_of(value.job_id, "Job", field="jobId") if value.job_id else None,
        candidate_id=pk_of(value.candidate_id, "Candidate", field="candidateId")
        if value.candidate_id
        else None,
        application_id=pk_of(value.application_id, "Application", field="applicationId")
        if value.application_id
        else None,
        actor_id=value.actor_id,
        created=date_range(value.created_at),
        visible_to_recruiter_id=visible_to,
    )


def visible_activities(info: Info) -> int | None:
    """None when the caller sees the whole log; else the user whose requisitions bound it."""
    principal = require(info, Permission.ACTIVITIES_READ)
    return None if allows(principal.role, Permission.ACTIVITIES_READ_ALL) else principal.user_id
