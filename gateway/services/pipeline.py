"""Pipeline analytics: who waits in which stage, how long stays last, which
applications are stale and which stage is the bottleneck.

    >>> async with reader.connect() as conn:
    ...     facts = await load_pipeline_facts(conn, tenant_id, [job_id])
    >>> metrics = compute_metrics(facts[job_id], as_of=utcnow(), stale_after_days=14)
    >>> metrics.bottleneck.stage.name          # the slowest median among busy stages
    'Client Interview'
    >>> [(m.stage.name, m.current_count, m.stale_count) for m in metrics.stages][:2]
    [('Applied', 4, 1), ('Recruiter Screen', 3, 0)]

``load_pipeline_facts`` reads the store (three statements for any number of jobs);
everything after it is pure functions over ``PipelineFacts``, testable on hand-made
stays.

The rules:

- Current count: active applications (status ``active``, not deleted at the source)
  by their current stage. One without a current stage counts only in
  ``active_applications``.
- Average and median time in a stage: completed stays only, i.e. transitions with a
  ``left_at``, of every application of the job whatever its status now. A stay that
  ends before it begins is bad data and ignored. Open stays are left out on purpose:
  time-so-far grows with the clock and one stuck application would dominate the
  average; they are what the current count, the longest wait and staleness measure.
- Stale: an active application whose current stay (its latest transition without a
  ``left_at``) began more than ``stale_after_days`` days before ``as_of``. It counts in
  the stage of that stay. The default threshold is the tenant's
  ``settings.stale_stage_days``.
- Bottleneck: the stage with the highest median among stages with at least
  ``BOTTLENECK_MIN_STAYS`` completed stays; a tie goes to the stage with more completed
  stays, then to the earlier stage. None when no stage has enough completed stays.
- Stages: the job's pipeline (its integration's stages, listed even when empty) plus
  any stage an application or transition is in, ordered by position. A stage is known
  by its id; a transition whose stage record is gone is known by the name it recorded.
  Across jobs (``aggregate_facts``) stages are merged by name, since every integration
  has its own stage records.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.services.validation import in_range
from gateway.store.base import table_of
from gateway.store.enums import ApplicationStatus, StageKind
from gateway.store.models import Application, Job, PipelineStage, StageTransition, TenantSettings

__all__ = [
    "BOTTLENECK_MIN_STAYS",
    "DEFAULT_STALE_STAGE_DAYS",
    "MAX_STALE_AFTER_DAYS",
    "PipelineFacts",
    "PipelineMetrics",
    "Stage",
    "StageMetrics",
    "StaleApplication",
    "Stay",
    "aggregate_facts",
    "compute_metrics",
    "load_pipeline_facts",
    "pick_bottleneck",
    "select_job_ids",
    "tenant_stale_stage_days",
    "validate_stale_after_days",
]

BOTTLENECK_MIN_STAYS = 3
"""Completed stays a stage needs before its median can make it the bottleneck."""

DEFAULT_STALE_STAGE_DAYS = 14
"""The threshold of a tenant without a settings row (``TenantSettings``' default)."""

MAX_STALE_AFTER_DAYS = 365
"""The largest threshold accepted, as for ``settings.stale_stage_days``."""

StageKey = int | str
"""A stage's id, or the recorded name of a stage whose record is gone."""


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    id: int | None = None
    position: int | None = None
    kind: StageKind | None = None

    @property
    def key(self) -> StageKey:
        return self.id if self.id is not None else self.name


@dataclass(frozen=True, slots=True)
class Stay:
    """One application's time in one stage: a transition into ``stage``."""

    application_id: int
    stage: Stage
    entered_at: datetime
    left_at: datetime | None = None
    application_active: bool = True

    @property
    def seconds(self) -> float | None:
        """The length of a completed stay; None while open or when it ends before it began."""
        if self.left_at is None or self.left_at < self.entered_at:
            return None
        return (self.left_at - self.entered_at).total_seconds()


@dataclass(frozen=True, slots=True)
class PipelineFacts:
    """What the store says about one job's pipeline (or several jobs', merged)."""

    pipeline: tuple[Stage, ...] = ()
    """The stages of the job's integration, in order, whether anyone is in them or not."""
    current: tuple[tuple[Stage, int], ...] = ()
    """Active applications per current stage."""
    unstaged: int = 0
    """Active applications without a current stage."""
    stays: tuple[Stay, ...] = ()


@dataclass(frozen=True, slots=True)
class StaleApplication:
    application_id: int
    stage: Stage
    entered_at: datetime
    waiting_seconds: float


@dataclass(frozen=True, slots=True)
class StageMetrics:
    stage: Stage
    current_count: int = 0
    stale_count: int = 0
    completed_stays: int = 0
    average_seconds: float | None = None
    median_seconds: float | None = None
    longest_wait_seconds: float | None = None
    """The longest current stay of an active application in this stage, so far."""


@dataclass(frozen=True, slots=True)
class PipelineMetrics:
    as_of: datetime
    stale_after_days: int
    active_applications: int
    stages: tuple[StageMetrics, ...]
    stale: tuple[StaleApplication, ...] = field(default=())
    """Stale applications, longest waiting first."""
    bottleneck: StageMetrics | None = None

    @property
    def stale_count(self) -> int:
        return len(self.stale)

    @property
    def completed_stays(self) -> int:
        return sum(stage.completed_stays for stage in self.stages)


# -- pure computation -----------------------------------------------------------------


def validate_stale_after_days(value: int) -> int:
    """A threshold asked for by a caller: 1 to 365 days, as in the tenant's settings."""
    return in_range("stale_after_days", value, 1, MAX_STALE_AFTER_DAYS)


def _order(stage: Stage) -> tuple[bool, int, str, str]:
    return (stage.position is None, stage.position or 0, stage.name, str(stage.key))


def _current_stays(stays: Iterable[Stay]) -> list[Stay]:
    """Each active application's latest open stay."""
    latest: dict[int, Stay] = {}
    for stay in stays:
        if not stay.application_active or stay.left_at is not None:
            continue
        seen = latest.get(stay.application_id)
        if seen is None or stay.entered_at >= seen.entered_at:
            latest[stay.application_id] = stay
    return list(latest.values())


def compute_metrics(
    facts: PipelineFacts,
    *,
    as_of: datetime,
    stale_after_days: int,
    min_stays: int = BOTTLENECK_MIN_STAYS,
) -> PipelineMetrics:
    """Apply the rules of the module docstring to ``facts`` at the moment ``as_of``."""
    stages: dict[StageKey, Stage] = {}
    for stage in (
        *facts.pipeline,
        *(stage for stage, _ in facts.current),
        *(stay.stage for stay in facts.stays),
    ):
        stages.setdefault(stage.key, stage)

    current: dict[StageKey, int] = defaultdict(int)
    for stage, count in facts.current:
        current[stage.key] += count

    durations: dict[StageKey, list[float]] = defaultdict(list)
    for stay in facts.stays:
        seconds = stay.seconds
        if seconds is not None:
            durations[stay.stage.key].append(seconds)

    threshold = timedelta(days=stale_after_days).total_seconds()
    longest: dict[StageKey, float] = {}
    stale: list[StaleApplication] = []
    for stay in _current_stays(facts.stays):
        waiting = max(0.0, (as_of - stay.entered_at).total_seconds())
        key = stay.stage.key
        longest[key] = max(longest.get(key, 0.0), waiting)
        if waiting > threshold:
            stale.append(
                StaleApplication(stay.application_id, stages[key], stay.entered_at, waiting)
            )
    stale.sort(key=lambda item: (-item.waiting_seconds, item.application_id))
    stale_by_stage: dict[StageKey, int] = defaultdict(int)
    for item in stale:
        stale_by_stage[item.stage.key] += 1

    metrics = []
    for stage in sorted(stages.values(), key=_order):
        values = durations.get(stage.key, [])
        metrics.append(
            StageMetrics(
                stage=stage,
                current_count=current.get(stage.key, 0),
                stale_count=stale_by_stage.get(stage.key, 0),
                completed_stays=len(values),
                average_seconds=statistics.fmean(values) if values else None,
                median_seconds=float(statistics.median(values)) if values else None,
                longest_wait_seconds=longest.get(stage.key),
            )
        )
    return PipelineMetrics(
        as_of=as_of,
        stale_after_days=stale_after_days,
        active_applications=sum(current.values()) + facts.unstaged,
        stages=tuple(metrics),
        stale=tuple(stale),
        bottleneck=pick_bottleneck(metrics, min_stays),
    )


def pick_bottleneck(
    stages: Sequence[StageMetrics], min_stays: int = BOTTLENECK_MIN_STAYS
) -> StageMetrics | None:
    """The stage with the highest median among those with ``min_stays`` completed stays;
    ties go to more completed stays, then to the earlier stage in ``stages``."""
    ranked = [
        (stage.median_seconds, stage.completed_stays, -index, stage)
        for index, stage in enumerate(stages)
        if stage.median_seconds is not None and stage.completed_stays >= max(min_stays, 1)
    ]
    if not ranked:
        return None
    return max(ranked, key=lambda entry: entry[:3])[3]


def aggregate_facts(facts: Iterable[PipelineFacts]) -> PipelineFacts:
    """Several jobs' facts as one pipeline, stages merged by name.

    A merged stage has no id; its position is the smallest and its kind the one all
    merged stages share (None if they differ).
    """
    facts = list(facts)
    positions: dict[str, set[int]] = defaultdict(set)
    kinds: dict[str, set[StageKind | None]] = defaultdict(set)
    for one in facts:
        for stage in (
            *one.pipeline,
            *(stage for stage, _ in one.current),
            *(stay.stage for stay in one.stays),
        ):
            kinds[stage.name].add(stage.kind)
            if stage.position is not None:
                positions[stage.name].add(stage.position)
    merged = {
        name: Stage(
            name=name,
            position=min(positions[name], default=None),
            kind=next(iter(found)) if len(found) == 1 else None,
        )
        for name, found in kinds.items()
    }

    pipeline = {stage.name for one in facts for stage in one.pipeline}
    current: dict[str, int] = defaultdict(int)
    for one in facts:
        for stage, count in one.current:
            current[stage.name] += count
    return PipelineFacts(
        pipeline=tuple(sorted((merged[name] for name in pipeline), key=_order)),
        current=tuple((merged[name], count) for name, count in current.items()),
        unstaged=sum(one.unstaged for one in facts),
        stays=tuple(
            replace(stay, stage=merged[stay.stage.name]) for one in facts for stay in one.stays
        ),
    )


# -- the store --------------------------------------------------------------------------

JobSelection = Sequence[int] | sa.Select[tuple[int]]
"""Job ids, or a statement selecting them (``select_job_ids``)."""


def select_job_ids(
    tenant_id: int, *, job_ids: Sequence[int] | None = None, is_active: bool | None = None
) -> sa.Select[tuple[int]]:
    """The ids of the tenant's jobs, narrowed to ``job_ids`` and ``is_active`` when given."""
    jobs = table_of(Job).c
    stmt = sa.select(jobs.id).where(jobs.tenant_id == tenant_id)
    if job_ids is not None:
        stmt = stmt.where(jobs.id.in_(set(job_ids)))
    if is_active is not None:
        stmt = stmt.where(jobs.is_active.is_(is_active))
    return stmt


async def tenant_stale_stage_days(conn: AsyncConnection, tenant_id: int) -> int:
    settings = table_of(TenantSettings).c
    value = await conn.scalar(
        sa.select(settings.stale_stage_days).where(settings.tenant_id == tenant_id)
    )
    return int(value) if value is not None else DEFAULT_STALE_STAGE_DAYS


def _stage(row: Any, fallback_name: str | None = None) -> Stage | None:
    if row.stage_id is None:
        return Stage(name=fallback_name) if fallback_name is not None else None
    return Stage(name=row.stage_name, id=row.stage_id, position=row.position, kind=row.kind)


_JOBS = table_of(Job)
_STAGES = table_of(PipelineStage)
_APPLICATIONS = table_of(Application)
_TRANSITIONS = table_of(StageTransition)
_STAGE_COLUMNS = (
    _STAGES.c.id.label("stage_id"),
    _STAGES.c.name.label("stage_name"),
    _STAGES.c.position,
    _STAGES.c.kind,
)


async def _load_pipelines(
    conn: AsyncConnection, tenant_id: int, jobs: JobSelection
) -> dict[int, list[Stage]]:
    """Each job's pipeline: its integration's stages, in order."""
    j, s = _JOBS, _STAGES
    pipelines: dict[int, list[Stage]] = defaultdict(list)
    rows = await conn.execute(
        sa.select(j.c.id.label("job_id"), *_STAGE_COLUMNS)
        .join_from(
            j, s, sa.and_(s.c.integration_id == j.c.integration_id, s.c.tenant_id == tenant_id)
        )
        .where(j.c.tenant_id == tenant_id, j.c.id.in_(jobs), s.c.remote_deleted_at.is_(None))
        .order_by(j.c.id, s.c.position, s.c.id)
    )
    for row in rows:
        stage = _stage(row)
        assert stage is not None
        pipelines[row.job_id].append(stage)
    return pipelines


async def _load_current(
    conn: AsyncConnection, tenant_id: int, jobs: JobSelection
) -> tuple[dict[int, list[tuple[Stage, int]]], dict[int, int]]:
    """Active applications per job and current stage, and per job those without one."""
    s, a = _STAGES, _APPLICATIONS
    current: dict[int, list[tuple[Stage, int]]] = defaultdict(list)
    unstaged: dict[int, int] = defaultdict(int)
    in_stage = sa.and_(s.c.id == a.c.current_stage_id, s.c.tenant_id == tenant_id)
    rows = await conn.execute(
        sa.select(a.c.job_id, *_STAGE_COLUMNS, sa.func.count().label("applications"))
        .select_from(a.outerjoin(s, in_stage))
        .where(
            a.c.tenant_id == tenant_id,
            a.c.job_id.in_(jobs),
            a.c.status == ApplicationStatus.ACTIVE,
            a.c.remote_deleted_at.is_(None),
        )
        .group_by(a.c.job_id, s.c.id, s.c.name, s.c.position, s.c.kind)
    )
    for row in rows:
        stage = _stage(row)
        if stage is None:
            unstaged[row.job_id] += row.applications
        else:
            current[row.job_id].append((stage, row.applications))
    return current, unstaged


async def _load_stays(
    conn: AsyncConnection, tenant_id: int, jobs: JobSelection
) -> dict[int, list[Stay]]:
    """Every stay of every application of each job, whatever its status now."""
    s, a, t = _STAGES, _APPLICATIONS, _TRANSITIONS
    stays: dict[int, list[Stay]] = defaultdict(list)
    rows = await conn.execute(
        sa.select(
            a.c.job_id,
            a.c.status,
            t.c.application_id,
            t.c.to_stage_name,
            t.c.entered_at,
            t.c.left_at,
            *_STAGE_COLUMNS,
        )
        .select_from(
            t.join(a, a.c.id == t.c.application_id).outerjoin(
                s, sa.and_(s.c.id == t.c.to_stage_id, s.c.tenant_id == tenant_id)
            )
        )
        .where(
            t.c.tenant_id == tenant_id,
            a.c.tenant_id == tenant_id,
            a.c.job_id.in_(jobs),
            a.c.remote_deleted_at.is_(None),
        )
        .order_by(a.c.job_id, t.c.application_id, t.c.entered_at, t.c.id)
    )
    for row in rows:
        stage = _stage(row, fallback_name=row.to_stage_name)
        assert stage is not None
        stays[row.job_id].append(
            Stay(
                application_id=row.application_id,
                stage=stage,
                entered_at=row.entered_at,
                left_at=row.left_at,
                application_active=row.status == ApplicationStatus.ACTIVE,
            )
        )
    return stays


async def load_pipeline_facts(
    conn: AsyncConnection, tenant_id: int, jobs: JobSelection
) -> dict[int, PipelineFacts]:
    """Facts per job id for every selected job of the tenant, in three statements.

    Jobs with no stages, applications or transitions are left out of the result.
    """
    if not isinstance(jobs, sa.Select):
        jobs = sorted(set(jobs))
        if not jobs:
            return {}
    pipelines = await _load_pipelines(conn, tenant_id, jobs)
    current, unstaged = await _load_current(conn, tenant_id, jobs)
    stays = await _load_stays(conn, tenant_id, jobs)
    return {
        job_id: PipelineFacts(
            pipeline=tuple(pipelines.get(job_id, ())),
            current=tuple(current.get(job_id, ())),
            unstaged=unstaged.get(job_id, 0),
            stays=tuple(stays.get(job_id, ())),
        )
        for job_id in sorted({*pipelines, *current, *unstaged, *stays})
    }
