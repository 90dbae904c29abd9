"""One entry of the operational log as a GraphQL type."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from gateway.store.enums import LogLevel
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.relay import Node, node_type, row_builder
from resolvers.type_fields import related_node
from resolvers.type_refs import APPLICATION, JOB


@node_type(
    "LogEntry",
    description="What the gateway's own work did: a sync, a resume analysis, a webhook "
    "delivery, the interview automation. Kept TALENTGRAPH_LOG_RETENTION_DAYS days.",
)
class LogEntry(Node):
    level: LogLevel
    source: str = strawberry.field(
        description="What wrote it: sync, processing, delivery, automation, alerts."
    )
    message: str
    extra: JSON = strawberry.field(description="Figures and ids that go with the message.")
    created_at: datetime
    job_id: strawberry.Private[int | None]
    application_id: strawberry.Private[int | None]

    job = related_node(JOB, loader="job_by_id", key="job_id")
    application = related_node(APPLICATION, loader="application_by_id", key="application_id")


build_log_entry = row_builder(LogEntry, extra=lambda m: m["extra"] or {})
