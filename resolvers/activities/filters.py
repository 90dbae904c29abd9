"""Which activities a caller asks for, and sees: the filter input, its criteria, the order."""

from __future__ import annotations

from dataclasses import replace

import strawberry

from gateway.permissions import Permission, allows
from gateway.store.criteria import ActivityCriteria
from resolvers.context import Info
from resolvers.inputs import DateRangeInput
from resolvers.permissions import require
from resolvers.read_criteria import as_is, as_tuple, criteria_from, date_range_from, pk_from

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


_requested_activities = criteria_from(
    ActivityCriteria,
    ActivityFilter,
    search=as_is("search"),
    actions=as_tuple("action"),
    job_id=pk_from("job_id", "Job"),
    candidate_id=pk_from("candidate_id", "Candidate"),
    application_id=pk_from("application_id", "Application"),
    actor_id=as_is("actor_id"),
    created=date_range_from("created_at"),
)


def activity_criteria(value: ActivityFilter | None, visible_to: int | None) -> ActivityCriteria:
    return replace(_requested_activities(value), visible_to_recruiter_id=visible_to)


def visible_activities(info: Info) -> int | None:
    """None when the caller sees the whole log; else the user whose requisitions bound it."""
    principal = require(info, Permission.ACTIVITIES_READ)
    return None if allows(principal.role, Permission.ACTIVITIES_READ_ALL) else principal.user_id
