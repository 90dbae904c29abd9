from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.permissions import Permission
from gateway.services.pipeline import select_job_ids
from resolvers.context import Info
from resolvers.permissions import require
from resolvers.pipeline.filters import PipelineMetricsFilter
from resolvers.pipeline.types import STALE_AFTER_DAYS_ARGUMENT, PipelineReport, stale_threshold
from resolvers.relay import pk_or_none


@strawberry.type
class PipelineQueries:
    @strawberry.field(
        description="Pipeline analytics across the caller's jobs: per job and overall. "
        "Computed from stage transitions; responses are cached until any write to the "
        "tenant (or the pipeline cache TTL)."
    )
    async def pipeline_metrics(
        self,
        info: Info,
        filter: PipelineMetricsFilter | None = None,
        stale_after_days: Annotated[int | None, STALE_AFTER_DAYS_ARGUMENT] = None,
    ) -> PipelineReport:
        principal = require(info, Permission.JOBS_READ)
        filter = filter or PipelineMetricsFilter()
        job_ids = None
        if filter.job_ids is not None:
            found = (pk_or_none(global_id, "Job") for global_id in filter.job_ids)
            job_ids = [pk for pk in found if pk is not None]
        return PipelineReport(
            as_of=info.context.loaders.pipeline_facts_by_job_id.as_of,
            stale_after_days=await stale_threshold(info, stale_after_days),
            selection=select_job_ids(
                principal.tenant_id, job_ids=job_ids, is_active=filter.is_active
            ),
        )
