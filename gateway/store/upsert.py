"""Bulk upsert of synced records by ``(integration_id, remote_id)``.

    result = await upsert_synced(session, Job, tenant_id=1, integration_id=7, rows=rows, now=now)
    result.created, result.updated, result.unchanged      # remote ids in each group
    result.ids                                            # remote id -> local id, for children

A row whose ``content_hash`` matches the stored one is not written at all; a changed
row gets only the columns the source owns (those in ``rows``), so what the gateway
owns (ranks, scores, local job fields) survives every sync. Three statements per
batch at most: one select, one insert, one executemany update.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store.base import Base, table_of

CHUNK = 500


def content_hash(value: Any) -> str:
    """Stable digest of a record (dataclasses and dicts, keys sorted, decimals as text)."""
    raw = orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
    return hashlib.blake2b(raw, digest_size=20).hexdigest()


@dataclass
class UpsertResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)

    @property
    def written(self) -> int:
        return len(self.created) + len(self.updated)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def existing_by_remote_id(
    session: AsyncSession, model: type[Base], integration_id: int, remote_ids: Sequence[str]
) -> dict[str, sa.Row[Any]]:
    table = table_of(model)
    found: dict[str, sa.Row[Any]] = {}
    for part in chunks(list(remote_ids)):
        rows = await session.execute(
            sa.select(
                table.c.id, table.c.remote_id, table.c.content_hash, table.c.remote_deleted_at
            ).where(table.c.integration_id == integration_id, table.c.remote_id.in_(part))
        )
        found.update({row.remote_id: row for row in rows})
    return found


async def upsert_synced(
    session: AsyncSession,
    model: type[Base],
    *,
    tenant_id: int,
    integration_id: int,
    rows: Sequence[dict[str, Any]],
    now: datetime,
    insert_defaults: Mapping[str, Any] | None = None,
    restore: Mapping[str, Any] | None = None,
) -> UpsertResult:
    """``rows`` hold ``remote_id``, ``content_hash`` and the source-owned columns.

    ``insert_defaults`` fill gateway-owned columns on first insert only; ``restore``
    is applied when a record marked deleted comes back.
    """
    table = table_of(model)
    result = UpsertResult()
    unique: dict[str, dict[str, Any]] = {row["remote_id"]: row for row in rows}
    existing = await existing_by_remote_id(session, model, integration_id, list(unique))
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for remote_id, row in unique.items():
        current = existing.get(remote_id)
        if current is None:
            inserts.append(
                {
                    **(insert_defaults or {}),
                    **row,
                    "tenant_id": tenant_id,
                    "integration_id": integration_id,
                    "last_synced_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            result.created.append(remote_id)
            continue
        result.ids[remote_id] = current.id
        deleted = current.remote_deleted_at is not None
        if current.content_hash == row["content_hash"] and not deleted:
            result.unchanged.append(remote_id)
            continue
        values = {**row, "_id": current.id, "last_synced_at": now, "updated_at": now}
        if deleted:
            values.update({"remote_deleted_at": None, **(restore or {})})
            result.restored.append(remote_id)
        updates.append(values)
        result.updated.append(remote_id)
    if inserts:
        for part in chunks(inserts):
            created = await session.execute(
                sa.insert(table).returning(table.c.id, table.c.remote_id), list(part)
            )
            result.ids.update({r.remote_id: r.id for r in created})
    if updates:
        await _update_by_id(session, table, updates)
    return result


async def _update_by_id(
    session: AsyncSession, table: sa.Table, updates: list[dict[str, Any]]
) -> None:
    """One executemany per distinct set of columns (restored rows carry more)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for values in updates:
        columns = tuple(sorted(name for name in values if name != "_id"))
        groups.setdefault(columns, []).append(values)
    connection = await session.connection()
    for columns, group in groups.items():
        statement = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("_id"))
            .values({name: sa.bindparam(f"v_{name}") for name in columns})
        )
        params = [{"_id": v["_id"], **{f"v_{name}": v[name] for name in columns}} for v in group]
        for part in chunks(params):
            await connection.execute(statement, list(part))


async def mark_missing_deleted(
    session: AsyncSession,
    model: type[Base],
    *,
    integration_id: int,
    seen: set[str],
    now: datetime,
    extra: Mapping[str, Any] | None = None,
) -> list[int]:
    """Mark records the source no longer lists as deleted; return their ids."""
    table = table_of(model)
    rows = await session.execute(
        sa.select(table.c.id, table.c.remote_id).where(
            table.c.integration_id == integration_id, table.c.remote_deleted_at.is_(None)
        )
    )
    missing = [row.id for row in rows if row.remote_id not in seen]
    for part in chunks(missing):
        await session.execute(
            sa.update(table)
            .where(table.c.id.in_(part))
            .values(remote_deleted_at=now, updated_at=now, **(extra or {}))
        )
    return missing
