"""``logs``: the tenant's operational log, newest first, with the design's filters."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.store.base import table_of
from gateway.store.models import OperationalLog
from resolvers.context import Info
from resolvers.listing import list_connection
from resolvers.logs.filters import LOG_SORT, LogFilter, log_criteria
from resolvers.logs.types import LogEntry, build_log_entry
from resolvers.read_connection import connection_field, requested_page
from resolvers.relay import Connection, ConnectionArgs


async def _tenant_logs(
    info: Info, root: Any, args: ConnectionArgs, filter: LogFilter | None
) -> Connection[LogEntry]:
    return await list_connection(
        info,
        table_of(OperationalLog),
        log_criteria(filter, info),
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
