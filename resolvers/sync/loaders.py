"""Loaders of the sync domain, built per request for one tenant."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from gateway.store.base import table_of
from gateway.store.id_lists import in_ids
from gateway.store.models import BackgroundJob, SyncRun
from resolvers.dataloaders import TenantLoader, light_columns, row_by_id_loader


class LatestSyncRunByIntegrationIdLoader(TenantLoader[int, Row[Any] | None]):
    """The newest sync run of each integration, in one statement for all of them (only the
    newest rows are read, however long the history)."""

    async def _load(self, keys: Sequence[int]) -> list[Row[Any] | None]:
        table = table_of(SyncRun)
        c = table.c
        newest = (
            sa.select(sa.func.max(c.id))
            .where(c.tenant_id == self.tenant_id, in_ids(c.integration_id, keys))
            .group_by(c.integration_id)
        )
        rows = await self.reader.all(
            sa.select(*light_columns(table)).where(c.tenant_id == self.tenant_id, c.id.in_(newest))
        )
        by_integration = {row.integration_id: row for row in rows}
        return [by_integration.get(key) for key in keys]


SyncRunByIdLoader = row_by_id_loader(SyncRun)
BackgroundJobByIdLoader = row_by_id_loader(BackgroundJob)
