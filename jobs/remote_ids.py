"""Finding an integration's stored rows by their remote ids, a chunk of ids per query:
what the writers and the sync's steps use to link a source's records to ours.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store.base import Base, table_of
from gateway.store.upsert import chunks


async def ids_by_remote_id(
    session: AsyncSession, model: type[Base], integration_id: int, remote_ids: Iterable[str]
) -> dict[str, int]:
    """remote id -> row id of the integration's rows of ``model`` with those remote ids."""
    table = table_of(model)
    found: dict[str, int] = {}
    for part in chunks(sorted(set(remote_ids))):
        rows = await session.execute(
            sa.select(table.c.remote_id, table.c.id).where(
                table.c.integration_id == integration_id, table.c.remote_id.in_(part)
            )
        )
        found.update({row.remote_id: row.id for row in rows})
    return found


async def column_by_remote_id(
    session: AsyncSession,
    model: type[Base],
    column: Any,
    integration_id: int,
    remote_ids: list[str],
) -> dict[str, Any]:
    """remote id -> ``column`` of the integration's existing rows of ``model``."""
    table = table_of(model)
    found: dict[str, Any] = {}
    for part in chunks(remote_ids):
        rows = await session.execute(
            sa.select(table.c.remote_id, column).where(
                table.c.integration_id == integration_id,
                table.c.remote_id.in_(part),
            )
        )
        found.update({row[0]: row[1] for row in rows})
    return found
