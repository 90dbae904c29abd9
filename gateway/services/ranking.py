"""Job ranks: computed by the gateway, written back to the ATS when they change.

    changed = await recompute_ranks(session, tenant_id)      # ids whose rank moved
    report = await write_back_ranks(connector, session_factory, tenant_id, integration_id,
                                    field_name="Current Rank")

The rank orders a tenant's open, active requisitions: highest ``score`` first (the
gateway's own scoring), then the larger estimated fee, then the oldest opening. A
job that is closed, inactive or deleted has no rank. Write-back sends only ranks that
differ from the last one written (``rank_written``), so an unchanged ranking costs no
request at all.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

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
    field_name: str,
) -> WriteBackReport:
    report = WriteBackReport()
    if Capability.CUSTOM_FIELDS not in connector.capabilities:
        return report
    async with session_factory() as session:
        pending = (
            await session.execute(
                sa.select(Job.id, Job.remote_id, Job.rank).where(
                    Job.tenant_id == tenant_id,
                    Job.integration_id == integration_id,
                    Job.remote_id.is_not(None),
                    Job.rank.is_not(None),
                    Job.rank.is_distinct_from(Job.rank_written),
                )
            )
        ).all()
    limit = asyncio.Semaphore(WRITES_IN_FLIGHT)
    written: list[dict[str, int]] = []

    async def write(job_id: int, remote_id: str, rank: int) -> None:
        async with limit:
            try:
                await connector.update_job_custom_field(remote_id, field_name, str(rank))
            except ConnectorError as error:
                report.failed += 1
                report.errors.append(f"job {remote_id}: {error.message}")
                return
        written.append({"_id": job_id, "v_rank": rank})

    await asyncio.gather(*(write(row.id, row.remote_id, row.rank) for row in pending))
    if written:
        async with session_factory.begin() as session:
            connection = await session.connection()
            await connection.execute(
                sa.update(JOBS)
                .where(JOBS.c.id == sa.bindparam("_id"))
                .values(rank_written=sa.bindparam("v_rank")),
                written,
            )
    report.written = len(written)
    return report
