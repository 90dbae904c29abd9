"""Job scores: how much a requisition deserves attention, 0 to 100, from four signals.

    await recompute_scores(session, tenant_id)   # every job's score, then:
    await recompute_ranks(session, tenant_id)    # the ranks follow the scores

Only ranked jobs (open, active, not deleted at the source) are scored; any other job
has no score. Each signal is a number from 0 to 1, higher meaning "work on this first":

- ``fee``: the estimated fee, min-max normalised over the tenant's ranked jobs that
  have one: ``(fee - lowest) / (highest - lowest)``; 1 when they all have the same fee.
  Fees are compared as numbers, whatever their currency.
- ``pipeline``: pipeline health, the share of the job's active applications (status
  active, not deleted at the source) that are not stale. Stale is the pipeline
  board's rule (``gateway.services.pipeline``): the application's latest open stage
  stay began more than the tenant's ``staleStageDays`` before now.
- ``timeOpen``: newer is higher, ``max(0, 1 - days open / 90)``: 1 on the day it
  opened, 0 from ``TIME_OPEN_HORIZON_DAYS`` days on (1 for a date in the future).
- ``analysis``: analysis results, ``1 - mean risk score`` of the job's analysed
  applications (``risk_score`` from 0 to 1, lower risk scoring higher).

A signal without data (no fee, no active application, no opening date, nothing
analysed) counts as ``NEUTRAL`` (0.5): it neither helps nor hurts.

The score is the weighted mean, ``100 * sum(weight * signal) / sum(weights)``, rounded
to two decimals, with the weights of the tenant's settings (``scoreWeightFee`` 40,
``scoreWeightPipeline`` 25, ``scoreWeightTimeOpen`` 15, ``scoreWeightAnalysis`` 20 by
default; each 0 to 100, not all 0). ``score_breakdown`` keeps, per signal, its value
(None when it had no data), its weight and the points it gave.

The signals are aggregated in SQL, for the whole tenant in one statement; the
arithmetic above is a pure function over that row per job (``score_job``); the changed
scores are written in one executemany. Two statements besides the settings read,
whatever the number of jobs.

Recruiterflow has no score or priority of its own for a job: neither ``/job/update``
nor ``/job/list`` in its OpenAPI document (``recruiterflow-openapi.json``) has such a
field, and its integration notes (source 000, "Custom Fields (for linking)") link the
gateway's scoring to Recruiterflow through job custom fields. So the score is written
back like the rank: to the job custom field named in ``settings.scoreCustomField``
(``gateway.services.ranking.write_back_ranks``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.services.pipeline import DEFAULT_STALE_STAGE_DAYS
from gateway.store.base import table_of, utcnow
from gateway.store.enums import ApplicationStatus, JobStatus
from gateway.store.models import Application, Job, StageTransition, TenantSettings

__all__ = [
    "DEFAULT_WEIGHTS",
    "NEUTRAL",
    "SIGNALS",
    "TIME_OPEN_HORIZON_DAYS",
    "JobSignals",
    "Weights",
    "recompute_scores",
    "score_job",
    "tenant_weights",
]

SIGNALS = ("fee", "pipeline", "timeOpen", "analysis")
"""The signals, in the order of the breakdown."""

NEUTRAL = 0.5
"""What a signal without data counts as."""

TIME_OPEN_HORIZON_DAYS = 90
"""Days open after which ``timeOpen`` is 0."""

_JOBS = table_of(Job)
_APPLICATIONS = table_of(Application)
_TRANSITIONS = table_of(StageTransition)


@dataclass(frozen=True, slots=True)
class Weights:
    fee: int = 40
    pipeline: int = 25
    time_open: int = 15
    analysis: int = 20

    def by_signal(self) -> dict[str, int]:
        values = (self.fee, self.pipeline, self.time_open, self.analysis)
        return dict(zip(SIGNALS, values, strict=True))


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True, slots=True)
class JobSignals:
    """Each signal from 0 to 1, None when the job has no data for it."""

    fee: float | None
    pipeline: float | None
    time_open: float | None
    analysis: float | None

    def by_signal(self) -> dict[str, float | None]:
        values = (self.fee, self.pipeline, self.time_open, self.analysis)
        return dict(zip(SIGNALS, values, strict=True))


def score_job(signals: JobSignals, weights: Weights) -> tuple[float, dict[str, Any]]:
    """The score and its breakdown, as the module docstring says.

    >>> score_job(JobSignals(1.0, 0.5, None, 0.8), Weights(40, 25, 15, 20))[0]
    80.0
    """
    values = signals.by_signal()
    weighted = weights.by_signal()
    total = sum(weighted.values())
    if total <= 0:
        raise ValueError("score weights are all 0")
    breakdown: dict[str, Any] = {}
    score = 0.0
    for name in SIGNALS:
        value = values[name]
        points = 100 * weighted[name] * (NEUTRAL if value is None else value) / total
        score += points
        breakdown[name] = {
            "value": None if value is None else round(value, 4),
            "weight": weighted[name],
            "points": round(points, 2),
        }
    return round(score, 2), breakdown


async def tenant_weights(session: AsyncSession, tenant_id: int) -> tuple[Weights, int]:
    """The tenant's weights and stale-stage threshold (the defaults without a settings row)."""
    settings = await session.get(TenantSettings, tenant_id)
    if settings is None:
        return DEFAULT_WEIGHTS, DEFAULT_STALE_STAGE_DAYS
    weights = Weights(
        fee=settings.score_weight_fee,
        pipeline=settings.score_weight_pipeline,
        time_open=settings.score_weight_time_open,
        analysis=settings.score_weight_analysis,
    )
    return weights, settings.stale_stage_days


def _signal_query(tenant_id: int, stale_before: datetime) -> sa.Select[Any]:
    """One row per job of the tenant: its fee, dates and application aggregates."""
    a, t, j = _APPLICATIONS, _TRANSITIONS, _JOBS
    latest_open = (
        sa.select(t.c.application_id, sa.func.max(t.c.entered_at).label("entered_at"))
        .where(t.c.tenant_id == tenant_id, t.c.left_at.is_(None))
        .group_by(t.c.application_id)
        .subquery("latest_open")
    )
    active = a.c.status == ApplicationStatus.ACTIVE
    per_job = (
        sa.select(
            a.c.job_id,
            sa.func.sum(sa.case((active, 1), else_=0)).label("active"),
            sa.func.sum(
                sa.case((sa.and_(active, latest_open.c.entered_at < stale_before), 1), else_=0)
            ).label("stale"),
            sa.func.avg(a.c.risk_score).label("mean_risk"),
        )
        .select_from(a.outerjoin(latest_open, latest_open.c.application_id == a.c.id))
        .where(a.c.tenant_id == tenant_id, a.c.remote_deleted_at.is_(None))
        .group_by(a.c.job_id)
        .subquery("per_job")
    )
    return (
        sa.select(
            j.c.id,
            j.c.status,
            j.c.is_active,
            j.c.remote_deleted_at,
            j.c.estimated_fee,
            j.c.opened_at,
            j.c.score,
            j.c.score_breakdown,
            per_job.c.active,
            per_job.c.stale,
            per_job.c.mean_risk,
        )
        .select_from(j.outerjoin(per_job, per_job.c.job_id == j.c.id))
        .where(j.c.tenant_id == tenant_id)
    )


def _ranked(row: Any) -> bool:
    return row.status == JobStatus.OPEN and row.is_active and row.remote_deleted_at is None


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def _signals(row: Any, fees: tuple[Decimal, Decimal] | None, now: datetime) -> JobSignals:
    fee: float | None = None
    if row.estimated_fee is not None and fees is not None:
        low, high = fees
        fee = 1.0 if high == low else float((row.estimated_fee - low) / (high - low))
    pipeline = None
    if row.active:
        pipeline = (int(row.active) - int(row.stale or 0)) / int(row.active)
    time_open = None
    if row.opened_at is not None:
        days = (now - row.opened_at) / timedelta(days=1)
        time_open = _clamp(1 - days / TIME_OPEN_HORIZON_DAYS)
    analysis = None if row.mean_risk is None else _clamp(1 - float(row.mean_risk))
    return JobSignals(fee=fee, pipeline=pipeline, time_open=time_open, analysis=analysis)


async def recompute_scores(
    session: AsyncSession, tenant_id: int, *, now: datetime | None = None
) -> list[int]:
    """Score every job of the tenant; the ids whose score or breakdown changed."""
    now = now or utcnow()
    weights, stale_days = await tenant_weights(session, tenant_id)
    rows = (await session.execute(_signal_query(tenant_id, now - timedelta(days=stale_days)))).all()
    ranked = [row for row in rows if _ranked(row)]
    known_fees = [row.estimated_fee for row in ranked if row.estimated_fee is not None]
    fees = (min(known_fees), max(known_fees)) if known_fees else None
    wanted: dict[int, tuple[float | None, Mapping[str, Any] | None]] = {
        row.id: score_job(_signals(row, fees, now), weights) for row in ranked
    }
    changes = []
    for row in rows:
        score, breakdown = wanted.get(row.id, (None, None))
        if row.score != score or row.score_breakdown != breakdown:
            changes.append({"_id": row.id, "v_score": score, "v_breakdown": breakdown})
    if changes:
        connection = await session.connection()
        await connection.execute(
            sa.update(_JOBS)
            .where(_JOBS.c.id == sa.bindparam("_id"))
            .values(score=sa.bindparam("v_score"), score_breakdown=sa.bindparam("v_breakdown")),
            changes,
        )
    return [change["_id"] for change in changes]
