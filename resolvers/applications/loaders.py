from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.store.base import table_of
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
    ChildCountLoader,
    ChildPageLoader,
    LatestByKeyLoader,
    Prefetcher,
    RowByIdLoader,
    RowsByKeyLoader,
    light_columns,
)


class ApplicationByIdLoader(RowByIdLoader):
    table = table_of(Application)


async def _by_id(
    conn: AsyncConnection, tenant_id: int, table: sa.Table, ids: set[int]
) -> dict[int, Row[Any]]:
    rows = (
        await conn.execute(
            sa.select(*light_columns(table)).where(
                table.c.tenant_id == tenant_id, table.c.id.in_(ids)
            )
        )
    ).all()
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
            sa.select(*light_columns(table))
            .where(c.tenant_id == tenant_id, c.application_id.in_({r.id for r in rows}))
            .order_by(c.application_id, *(c[name] for name in order))
        )
    ).all()
    grouped: dict[int, list[Row[Any]]] = {r.id: [] for r in rows}
    for row in found:
        grouped[row.application_id].append(row)
    return dict(grouped)


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


class ApplicationPageByJobIdLoader(ChildPageLoader):
    table = table_of(Application)
    parent_column = "job_id"
    prefetchers = APPLICATION_PREFETCHERS


class ApplicationCountByJobIdLoader(ChildCountLoader):
    table = table_of(Application)
    parent_column = "job_id"


class ApplicationPageByCandidateIdLoader(ChildPageLoader):
    table = table_of(Application)
    parent_column = "candidate_id"
    prefetchers = APPLICATION_PREFETCHERS


class ApplicationCountByCandidateIdLoader(ChildCountLoader):
    table = table_of(Application)
    parent_column = "candidate_id"


class StageByIdLoader(RowByIdLoader):
    table = table_of(PipelineStage)


class StageTransitionsByApplicationIdLoader(RowsByKeyLoader):
    table = table_of(StageTransition)
    key_column = "application_id"
    order_by = ("entered_at", "id")


class AnalysisByApplicationIdLoader(LatestByKeyLoader):
    table = table_of(Analysis)
    key_column = "application_id"
    order_by = ("created_at", "id")


class OffersByApplicationIdLoader(RowsByKeyLoader):
    table = table_of(Offer)
    key_column = "application_id"
    order_by = ("created_at", "id")


class OnboardingTasksByApplicationIdLoader(RowsByKeyLoader):
    table = table_of(OnboardingTask)
    key_column = "application_id"
    order_by = ("created_at", "id")


class AnalysisByIdLoader(RowByIdLoader):
    table = table_of(Analysis)


class OfferByIdLoader(RowByIdLoader):
    table = table_of(Offer)


class OnboardingTaskByIdLoader(RowByIdLoader):
    table = table_of(OnboardingTask)
