from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.services.processing import has_report
from gateway.store.base import table_of
from gateway.store.id_lists import in_ids
from gateway.store.models import (
    Analysis,
    Application,
    Candidate,
    Interview,
    Offer,
    OnboardingTask,
    PipelineStage,
    StageTransition,
)
from resolvers.dataloaders import (
    Prefetcher,
    TenantLoader,
    child_loaders,
    grouped_by,
    latest_by_key_loader,
    row_by_id_loader,
    rows_by_key_loader,
    tenant_rows_in,
)


async def _by_id(
    conn: AsyncConnection, tenant_id: int, table: sa.Table, ids: set[int]
) -> dict[int, Row[Any]]:
    rows = (await conn.execute(tenant_rows_in(table, tenant_id, "id", ids))).all()
    return {row.id: row for row in rows}


async def _candidates(
    conn: AsyncConnection, tenant_id: int, rows: list[Row[Any]]
) -> dict[int, Any]:
    found = await _by_id(conn, tenant_id, table_of(Candidate), {r.candidate_id for r in rows})
    return {r.id: found.get(r.candidate_id) for r in rows}


async def _stages(conn: AsyncConnection, tenant_id: int, rows: list[Row[Any]]) -> dict[int, Any]:
    ids = {r.current_stage_id for r in rows if r.current_stage_id is not None}
    found = await _by_id(conn, tenant_id, table_of(PipelineStage), ids) if ids else {}
    return {r.id: found.get(r.current_stage_id) for r in rows}


async def _children(
    conn: AsyncConnection,
    tenant_id: int,
    table: sa.Table,
    rows: list[Row[Any]],
    order: tuple[str, ...],
) -> dict[int, Any]:
    c = table.c
    found = (
        await conn.execute(
            tenant_rows_in(table, tenant_id, "application_id", {r.id for r in rows}).order_by(
                c.application_id, *(c[name] for name in order)
            )
        )
    ).all()
    grouped = grouped_by(found, "application_id")
    return {r.id: grouped.get(r.id, []) for r in rows}


async def _interviews(
    conn: AsyncConnection, tenant_id: int, rows: list[Row[Any]]
) -> dict[int, Any]:
    return await _children(conn, tenant_id, table_of(Interview), rows, ("created_at", "id"))


async def _stage_history(
    conn: AsyncConnection, tenant_id: int, rows: list[Row[Any]]
) -> dict[int, Any]:
    return await _children(conn, tenant_id, table_of(StageTransition), rows, ("entered_at", "id"))


APPLICATION_PREFETCHERS: dict[str, Prefetcher] = {
    "candidate": _candidates,
    "current_stage": _stages,
    "interviews": _interviews,
    "stage_history": _stage_history,
}

ApplicationByIdLoader = row_by_id_loader(Application)
ApplicationPageByJobIdLoader, ApplicationCountByJobIdLoader = child_loaders(
    Application, "job_id", APPLICATION_PREFETCHERS
)
ApplicationPageByCandidateIdLoader, ApplicationCountByCandidateIdLoader = child_loaders(
    Application, "candidate_id", APPLICATION_PREFETCHERS
)
StageByIdLoader = row_by_id_loader(PipelineStage)
StageTransitionsByApplicationIdLoader = rows_by_key_loader(
    StageTransition, "application_id", order_by=("entered_at", "id")
)
AnalysisByApplicationIdLoader = latest_by_key_loader(
    Analysis, "application_id", order_by=("created_at", "id")
)
OffersByApplicationIdLoader = rows_by_key_loader(
    Offer, "application_id", order_by=("created_at", "id")
)
OnboardingTasksByApplicationIdLoader = rows_by_key_loader(
    OnboardingTask, "application_id", order_by=("created_at", "id")
)
AnalysisByIdLoader = row_by_id_loader(Analysis)
OfferByIdLoader = row_by_id_loader(Offer)
OnboardingTaskByIdLoader = row_by_id_loader(OnboardingTask)


class ReportedByApplicationIdLoader(TenantLoader[int, bool]):
    """Whether each application has a report (a completed interview with an
    evaluation, ``gateway.services.processing.has_report``): one statement per batch."""

    async def _load(self, ids: Sequence[int]) -> list[bool]:
        table = table_of(Application).c
        rows = await self.reader.all(
            sa.select(table.id).where(
                table.tenant_id == self.tenant_id,
                in_ids(table.id, ids),
                has_report(table.id),
            )
        )
        reported = {row.id for row in rows}
        return [pk in reported for pk in ids]
