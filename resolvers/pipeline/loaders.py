from __future__ import annotations

import asyncio
from collections.abc import Sequence

from gateway.services.pipeline import (
    PipelineFacts,
    load_pipeline_facts,
    tenant_stale_stage_days,
)
from gateway.store.base import utcnow
from gateway.store.reader import Reader
from resolvers.dataloaders import TenantLoader

EMPTY_PIPELINE = PipelineFacts()


class PipelineFactsByJobIdLoader(TenantLoader[int, PipelineFacts]):
    """Pipeline facts of the jobs asked for in one tick, in three statements.

    Also holds what every pipeline of one request shares: ``as_of``, the moment the
    metrics are computed for, and the tenant's default stale threshold, read once.
    """

    def __init__(self, reader: Reader, tenant_id: int) -> None:
        super().__init__(reader, tenant_id)
        self.as_of = utcnow()
        self._stale_stage_days: asyncio.Future[int] | None = None

    async def _load(self, job_ids: Sequence[int]) -> list[PipelineFacts]:
        async with self.reader.connect() as conn:
            facts = await load_pipeline_facts(conn, self.tenant_id, job_ids)
        return [facts.get(job_id, EMPTY_PIPELINE) for job_id in job_ids]

    async def stale_stage_days(self) -> int:
        """The tenant's ``settings.stale_stage_days``; one statement per request."""
        if self._stale_stage_days is None:
            self._stale_stage_days = asyncio.ensure_future(self._read_stale_stage_days())
        return await self._stale_stage_days

    async def _read_stale_stage_days(self) -> int:
        async with self.reader.connect() as conn:
            return await tenant_stale_stage_days(conn, self.tenant_id)
