"""Pipeline analytics as GraphQL: ``Job.pipeline`` and the ``pipelineMetrics`` report.

What counts, what is stale and which stage is the bottleneck is decided in
``gateway.services.pipeline``; this module only shapes its results.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import sqlalchemy as sa
import strawberry

from gateway.errors import ValidationFailed
from gateway.permissions import Permission
from gateway.services import pipeline as service
from gateway.store.base import table_of
from gateway.store.enums import StageKind
from gateway.store.models import Job as JobModel
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.context import Info
from resolvers.dataloaders import light_columns
from resolvers.lazy import lazy_callable
from resolvers.permissions import require
from resolvers.relay import mirrored
from resolvers.type_fields import related_node
from resolvers.type_refs import APPLICATION, JOB

if TYPE_CHECKING:
    from resolvers.applications.types import PipelineStage
    from resolvers.jobs.types import Job

new_pipeline_stage: Callable[..., PipelineStage] = lazy_callable(
    "resolvers.applications.types", "PipelineStage"
)

MAX_LIST = 100
"""The most entries a list of this domain returns."""

STALE_AFTER_DAYS_ARGUMENT = strawberry.argument(
    description="Days in one stage after which an active application is stale (1 to "
    f"{service.MAX_STALE_AFTER_DAYS}); the tenant's `staleStageDays` setting by default."
)


def _capped(first: int) -> int:
    if not 0 <= first <= MAX_LIST:
        raise ValidationFailed("first", f"first must be between 0 and {MAX_LIST}, got {first}")
    return first


@strawberry.type(
    name="PipelineStageMetrics",
    description="One pipeline stage: who is in it now and how long stays in it last.",
)
class PipelineStageMetrics:
    name: str
    kind: StageKind | None = strawberry.field(
        description="Null when stages merged by name are of different kinds."
    )
    current_count: int = strawberry.field(description="Active applications in the stage now.")
    stale_count: int = strawberry.field(
        description="Active applications in the stage for longer than `staleAfterDays`."
    )
    completed_stays: int = strawberry.field(
        description="Stays in the stage that have ended: the sample of the average and median."
    )
    average_seconds: float | None = strawberry.field(
        description="Mean length of the completed stays; null without any."
    )
    median_seconds: float | None = strawberry.field(
        description="Median length of the completed stays; null without any."
    )
    longest_wait_seconds: float | None = strawberry.field(
        description="The longest current stay of an active application, so far."
    )
    source: strawberry.Private[service.Stage]

    @strawberry.field(
        description="The stage record; null across jobs (stages are merged by name there) "
        "and for a stage whose record is gone."
    )
    def stage(
        self,
    ) -> Annotated[PipelineStage, strawberry.lazy("resolvers.applications.types")] | None:
        stage = self.source
        if stage.id is None:
            return None
        return new_pipeline_stage(
            pk=stage.id,
            name=stage.name,
            position=stage.position or 0,
            kind=stage.kind or StageKind.OTHER,
        )


@strawberry.type(
    name="StaleApplication",
    description="An active application in one stage for longer than the threshold.",
)
class StaleApplication:
    stage_name: str
    entered_at: datetime = strawberry.field(description="When it entered the stage.")
    waiting_seconds: float = strawberry.field(description="Time in the stage so far.")
    application_id: strawberry.Private[int]

    application = related_node(APPLICATION, loader="application_by_id", key="application_id")


@strawberry.type
class _MeasuredWaits:
    """What waits in a stage are measured against; the first fields of every report."""

    as_of: datetime = strawberry.field(description="The moment waits are measured at.")
    stale_after_days: int = strawberry.field(
        description="Days in one stage after which an active application is stale."
    )


@strawberry.type(
    name="PipelineMetrics",
    description="Where applications are in a pipeline, how long stages take, what is stuck.",
)
class PipelineMetrics(_MeasuredWaits):
    active_applications: int = strawberry.field(
        description="Active applications, with or without a current stage."
    )
    stale_count: int = strawberry.field(description="Stale applications, all stages.")
    completed_stays: int = strawberry.field(description="Completed stays, all stages.")
    stages: list[PipelineStageMetrics] = strawberry.field(
        description="Every stage of the pipeline, even empty ones, in pipeline order."
    )
    bottleneck: PipelineStageMetrics | None = strawberry.field(
        description=f"The stage with the highest median time among stages with at least "
        f"{service.BOTTLENECK_MIN_STAYS} completed stays (a tie goes to more completed "
        "stays, then to the earlier stage); null when no stage has that many."
    )
    stale: strawberry.Private[tuple[service.StaleApplication, ...]]

    @strawberry.field(
        description=f"Stale applications, longest waiting first (at most {MAX_LIST})."
    )
    def stale_applications(self, first: int = 20) -> list[StaleApplication]:
        return [
            StaleApplication(
                stage_name=item.stage.name,
                entered_at=item.entered_at,
                waiting_seconds=item.waiting_seconds,
                application_id=item.application_id,
            )
            for item in self.stale[: _capped(first)]
        ]


def build_stage_metrics(metrics: service.StageMetrics) -> PipelineStageMetrics:
    stage = metrics.stage
    return mirrored(PipelineStageMetrics, metrics, name=stage.name, kind=stage.kind, source=stage)


def build_metrics(metrics: service.PipelineMetrics) -> PipelineMetrics:
    stages = [build_stage_metrics(stage) for stage in metrics.stages]
    bottleneck = next(
        (
            built
            for built, stage in zip(stages, metrics.stages, strict=True)
            if stage is metrics.bottleneck
        ),
        None,
    )
    return mirrored(PipelineMetrics, metrics, stages=stages, bottleneck=bottleneck)


async def stale_threshold(info: Info, stale_after_days: int | None) -> int:
    """The threshold asked for, checked, or else the tenant's setting."""
    if stale_after_days is not None:
        return service.validate_stale_after_days(stale_after_days)
    return await info.context.loaders.pipeline_facts_by_job_id.stale_stage_days()


async def job_pipeline(info: Info, job_id: int, stale_after_days: int | None) -> PipelineMetrics:
    """``Job.pipeline``: every job's facts of one request come from one loader batch."""
    require(info, Permission.JOBS_READ)
    loader = info.context.loaders.pipeline_facts_by_job_id
    if stale_after_days is not None:
        days = service.validate_stale_after_days(stale_after_days)
        facts = await loader.load(job_id)
    else:
        days, facts = await asyncio.gather(loader.stale_stage_days(), loader.load(job_id))
    return build_metrics(service.compute_metrics(facts, as_of=loader.as_of, stale_after_days=days))


@strawberry.type(name="JobPipeline", description="One job and its pipeline metrics.")
class JobPipeline:
    job: Annotated[Job, strawberry.lazy("resolvers.jobs.types")]
    pipeline: PipelineMetrics


@strawberry.type(
    name="PipelineReport",
    description="Pipeline metrics of the jobs a filter selects: per job and across them all.",
)
class PipelineReport(_MeasuredWaits):
    selection: strawberry.Private[sa.Select[tuple[int]]]

    @strawberry.field(description="Jobs the filter selects.")
    async def job_count(self, info: Info) -> int:
        count = sa.select(sa.func.count()).select_from(self.selection.subquery())
        return int(await info.context.reader.scalar(count))

    @strawberry.field(
        description="All selected jobs' applications as one pipeline, stages merged by name."
    )
    async def overall(self, info: Info) -> PipelineMetrics:
        async with info.context.reader.connect() as conn:
            facts = await service.load_pipeline_facts(conn, info.context.tenant_id, self.selection)
        merged = service.aggregate_facts(facts.values())
        return build_metrics(
            service.compute_metrics(
                merged, as_of=self.as_of, stale_after_days=self.stale_after_days
            )
        )

    @strawberry.field(
        description=f"Per-job metrics of the first `first` selected jobs (at most {MAX_LIST}), "
        "oldest job first."
    )
    async def jobs(self, info: Info, first: int = 50) -> list[JobPipeline]:
        table = table_of(JobModel)
        rows = await info.context.reader.all(
            sa.select(*light_columns(table))
            .where(table.c.tenant_id == info.context.tenant_id, table.c.id.in_(self.selection))
            .order_by(table.c.id)
            .limit(_capped(first))
        )
        loader = info.context.loaders.pipeline_facts_by_job_id
        facts = await loader.load_many([row.id for row in rows])
        return [
            JobPipeline(
                job=JOB.build(row),
                pipeline=build_metrics(
                    service.compute_metrics(
                        one, as_of=self.as_of, stale_after_days=self.stale_after_days
                    )
                ),
            )
            for row, one in zip(rows, facts, strict=True)
        ]
