"""Pipeline stages in the source's order.

A stage is stored once per integration under its name (``remote_id`` is the name the
applications use, so an application's stage and the stage list meet without a
translation table). Where the source lists its pipeline (``connector.stages()``), each
stage takes its place in that list (``position`` 0, 1, 2...), and a stage the source
renames or drops keeps its record. A stage the list does not name (a source without a
stage list, a stage only history mentions) is placed after the listed ones by what it
means: applied, screen, interview, offer, hired, rejected, other; so pipelines come out
in a sensible order even where nobody says which it is.

    await save_stage_order(session, tenant_id=1, integration_id=3, stages=await connector.stages())
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.models import RemoteStage
from gateway.store.base import table_of
from gateway.store.enums import StageKind, stage_kind_of, unlisted_position
from gateway.store.models import PipelineStage
from gateway.store.upsert import chunks

__all__ = ["listed_stages", "save_stage_order", "unlisted_position"]


def _kind(stage: RemoteStage) -> StageKind:
    try:
        kind = StageKind(stage.kind)
    except ValueError:
        kind = StageKind.OTHER
    return stage_kind_of(stage.name) if kind is StageKind.OTHER else kind


def listed_stages(stages: Sequence[RemoteStage]) -> list[tuple[str, int, StageKind]]:
    """(name, position, kind) per distinct stage name, in the source's order: the order
    of ``position``, then of the list; a name listed twice keeps its first place."""
    ordered = sorted(enumerate(stages), key=lambda item: (item[1].position, item[0]))
    placed: dict[str, tuple[str, int, StageKind]] = {}
    for stage in (stage for _, stage in ordered):
        name = stage.name.strip()[:255] if stage.name else ""
        if name and name not in placed:
            placed[name] = (name, len(placed), _kind(stage))
    return list(placed.values())


async def save_stage_order(
    session: AsyncSession, *, tenant_id: int, integration_id: int, stages: Sequence[RemoteStage]
) -> tuple[int, int]:
    """Create or re-place the integration's listed stages; returns (created, moved).
    One read, one insert and one update statement at most."""
    listed = listed_stages(stages)
    if not listed:
        return 0, 0
    table = table_of(PipelineStage)
    existing: dict[str, tuple[int, int]] = {}
    for part in chunks([name for name, _, _ in listed]):
        rows = await session.execute(
            sa.select(table.c.remote_id, table.c.id, table.c.position).where(
                table.c.integration_id == integration_id, table.c.remote_id.in_(part)
            )
        )
        existing.update({row.remote_id: (row.id, row.position) for row in rows})
    new = [
        {
            "tenant_id": tenant_id,
            "integration_id": integration_id,
            "remote_id": name,
            "name": name,
            "kind": kind,
            "position": position,
        }
        for name, position, kind in listed
        if name not in existing
    ]
    moved = [
        {"stage_id": existing[name][0], "new_position": position}
        for name, position, _ in listed
        if name in existing and existing[name][1] != position
    ]
    if new:
        await session.execute(sa.insert(table), new)
    if moved:
        await session.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("stage_id"))
            .values(position=sa.bindparam("new_position")),
            moved,
        )
    return len(new), len(moved)
