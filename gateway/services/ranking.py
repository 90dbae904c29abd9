"""Job ranks: computed by the gateway, written back to the ATS when they change.

    changed = await recompute_ranks(session, tenant_id)      # ids whose rank moved
    report = await write_back_ranks(connector, session_factory, tenant_id, integration_id,
                                    field_name="Current Rank", score_field="Gateway Score")

The rank orders a tenant's open, active requisitions: highest ``score`` first (the
gateway's own scoring, ``gateway.services.scoring``), then the larger estimated fee,
then the oldest opening. A job that is closed, inactive or deleted has no rank.
Write-back sends only ranks that differ from the last one written (``rank_written``),
and, when a ``score_field`` is named, scores that differ from the last one written
(``score_written``), so an unchanged ranking costs no request at all. Recruiterflow has
no score field of its own (see ``gateway.services.scoring``): both go to job custom
fields.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Capability, ConnectorBase
from connectors.errors import ConnectorError
from gateway.store.base import table_of
from gateway.store.engine import SessionFactory
from gateway.store.enums import JobStatus
from gateway.store.models import Job

WRITES_IN_FLIGHT = 4
JOBS = table_of(Job)


async def recompute_ranks(session: AsyncSession, tenant_id: int) -> list[int]:
    rows = (
        await session.execute(
            sa.select(Job.id, Job.rank, Job.status, Job.is_active, Job.remote_deleted_at)
            .where(Job.tenant_id == tenant_id)
            .order_by(
                Job.score.desc().nulls_last(),
                Job.estimated_fee.desc().nulls_last(),
                Job.opened_at.asc().nulls_last(),
                Job.id,
            )
        )
    ).all()
    ranked = [
        r
        for r in rows
        if r.status is JobStatus.OPEN and r.is_active and r.remote_deleted_at is None
    ]
    wanted = {row.id: position for position, row in enumerate(ranked, start=1)}
    changes = [
        {"_id": row.id, "v_rank": wanted.get(row.id)}
        for row in rows
        if row.rank != wanted.get(row.id)
    ]
    if changes:
        connection = await session.connection()
        await connection.execute(
            sa.update(JOBS)
            .where(JOBS.c.id == sa.bindparam("_id"))
            .values(rank=sa.bindparam("v_rank")),
            changes,
        )
    return [change["_id"] for change in changes]


@dataclass
class WriteBackReport:
    written: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


async def write_back_ranks(
    connector: ConnectorBase,
    session_factory: SessionFactory,
    tenant_id: int,
    integration_id: int,
    *,
    field_name: str | None,
    score_field: str | None = None,
) -> WriteBackReport:
    """Send moved ranks to ``field_name`` and moved scores to ``score_field`` (either
    may be None: not written)."""
    report = WriteBackReport()
    moved = []
    if field_name:
        moved.append(Job.rank.is_not(None) & Job.rank.is_distinct_from(Job.rank_written))
    if score_field:
        moved.append(Job.score.is_not(None) & Job.score.is_distinct_from(Job.score_written))
    if Capability.CUSTOM_FIELDS not in connector.capabilities or not moved:
        return report
    async with session_factory() as session:
        pending = (
            await session.execute(
                sa.select(
                    Job.id, Job.remote_id, Job.rank, Job.rank_written, Job.score, Job.score_written
                ).where(
                    Job.tenant_id == tenant_id,
                    Job.integration_id == integration_id,
                    Job.remote_id.is_not(None),
                    sa.or_(*moved),
                )
            )
        ).all()
    limit = asyncio.Semaphore(WRITES_IN_FLIGHT)
    ranks: list[dict[str, int]] = []
    scores: list[dict[str, Any]] = []

    async def write(remote_id: str, field: str, value: float | int) -> bool:
        async with limit:
            try:
                await connector.update_job_custom_field(remote_id, field, _text(value))
            except ConnectorError as error:
                report.failed += 1
                report.errors.append(f"job {remote_id}: {error.message}")
                return False
        return True

    async def write_job(job: Any) -> None:
        rank_moved = job.rank is not None and job.rank != job.rank_written
        if field_name and rank_moved and await write(job.remote_id, field_name, job.rank):
            ranks.append({"_id": job.id, "v_rank": job.rank})
        score_moved = job.score is not None and job.score != job.score_written
        if score_field and score_moved and await write(job.remote_id, score_field, job.score):
            scores.append({"_id": job.id, "v_score": job.score})

    await asyncio.gather(*(write_job(job) for job in pending))
    if ranks or scores:
        async with session_factory.begin() as session:
            connection = await session.connection()
            for column, values in (("rank", ranks), ("score", scores)):
                if values:
                    await connection.execute(
                        sa.update(JOBS)
                        .where(JOBS.c.id == sa.bindparam("_id"))
                        .values({f"{column}_written": sa.bindparam(f"v_{column}")}),
                        values,
                    )
    report.written = len(ranks) + len(scores)
    return report


def _text(value: float | int) -> str:
    """``3`` -> ``"3"``, ``71.5`` -> ``"71.5"``, ``80.0`` -> ``"80"``."""
    return str(int(value)) if float(value).is_integer() else str(value)
