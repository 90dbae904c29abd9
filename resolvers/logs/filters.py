"""Which log lines a caller asks for, and sees: the filter input, its criteria, the order."""

from __future__ import annotations

from dataclasses import replace

import strawberry

from gateway.store.criteria import LogCriteria
from gateway.store.enums import LogLevel
from resolvers.activities.filters import visible_activities
from resolvers.context import Info
from resolvers.inputs import DateRangeInput
from resolvers.read_criteria import as_is, as_tuple, criteria_from, date_range_from, pk_from

LOG_SORT = ("created_at", True)
"""The log reads newest first."""


@strawberry.input(description="Every field given narrows the log.")
class LogFilter:
    level: list[LogLevel] | None = strawberry.field(default=None, description="Only these levels.")
    min_level: LogLevel | None = strawberry.field(
        default=None, description="This level and the more severe ones."
    )
    source: list[str] | None = None
    job_id: strawberry.ID | None = None
    application_id: strawberry.ID | None = None
    search: str | None = strawberry.field(default=None, description="In the message.")
    created_at: DateRangeInput | None = None


_requested = criteria_from(
    LogCriteria,
    LogFilter,
    levels=as_tuple("level"),
    min_level=as_is("min_level"),
    sources=as_tuple("source"),
    job_id=pk_from("job_id", "Job"),
    application_id=pk_from("application_id", "Application"),
    search=as_is("search"),
    created=date_range_from("created_at"),
)


def log_criteria(value: LogFilter | None, info: Info) -> LogCriteria:
    return replace(_requested(value), visible_to_recruiter_id=visible_activities(info))
