"""``logs``: the tenant's operational log, newest first, with the design's filters."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import strawberry

from gateway.permissions import Permission, allows
from gateway.store.base import table_of
from gateway.store.criteria import LogCriteria
from gateway.store.enums import LogLevel
from gateway.store.models import OperationalLog
from resolvers.context import Info
from resolvers.inputs import DateRangeInput
from resolvers.listing import list_connection
from resolvers.logs.types import LogEntry, build_log_entry
from resolvers.permissions import require
from resolvers.read_connection import connection_field, requested_page
from resolvers.read_criteria import as_is, as_tuple, criteria_from, date_range_from, pk_from
from resolvers.relay import Connection, ConnectionArgs

LOG_SORT = ("created_at", True)


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


def visible_logs(info: Info) -> int | None:
    """None when the caller sees the whole log; else the user whose requisitions bound it
    (as for the audit timeline)."""
    principal = require(info, Permission.ACTIVITIES_READ)
    return None if allows(principal.role, Permission.ACTIVITIES_READ_ALL) else principal.user_id


async def _tenant_logs(
    info: Info, root: Any, args: ConnectionArgs, filter: LogFilter | None
) -> Connection[LogEntry]:
    criteria = replace(_requested(filter), visible_to_recruiter_id=visible_logs(info))
    return await list_connection(
        info,
        table_of(OperationalLog),
        criteria,
        LOG_SORT,
        requested_page(args),
        build_log_entry,
    )


@strawberry.type
class LogQueries:
    logs = connection_field(
        LogEntry,
        _tenant_logs,
        filter=LogFilter,
        description="The operational log, newest first: syncs, processing, deliveries and "
        "the interview automation. Recruiters see entries of requisitions they own.",
    )
