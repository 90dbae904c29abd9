"""Which jobs a pipeline report covers."""

from __future__ import annotations

import strawberry


@strawberry.input(name="PipelineMetricsFilter")
class PipelineMetricsFilter:
    job_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Only these jobs; ids of other types or other tenants select nothing.",
    )
    is_active: bool | None = None
