"""A sync's hold on its integration while it runs: the lock, and the run's heartbeat.

    lease = RunLease(lock, session_factory, run_id)
    async with lease.kept():        # renewed every Leases.heartbeat() seconds meanwhile
        ...

The lock (``sync:{integration_id}``, ``Leases.lock_ttl()`` seconds) keeps a second sync of the
integration out; the heartbeat (``sync_runs.heartbeat_at``) tells everyone else that
the run is alive. Both are renewed by a task of their own, so a slow page of the
source never lets them lapse, and both stop when the process dies: the lock expires
within the lock's TTL and the run counts as stalled after ``Leases.lease()``, when
the next sync resumes it. Renewing never fails the sync: while Redis or the database
is away a renewal is skipped and logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import sqlalchemy as sa

from gateway.locks import Lock
from gateway.queue import Leases
from gateway.store.base import utcnow
from gateway.store.engine import SessionFactory
from gateway.store.models import SyncRun

logger = logging.getLogger("talentgraph.jobs.sync")


class RunLease:
    def __init__(self, lock: Lock, session_factory: SessionFactory, run_id: int) -> None:
        self.lock = lock
        self.session_factory = session_factory
        self.run_id = run_id

    async def extend(self) -> bool:
        """Renew both; False when the lock could not be renewed (Redis away, or taken)."""
        renewed = False
        try:
            renewed = await self.lock.extend() or await self.lock.acquire()
        except Exception as exc:
            logger.warning("sync run %s: lock not renewed: %s", self.run_id, exc)
        try:
            async with self.session_factory.begin() as session:
                await session.execute(
                    sa.update(SyncRun)
                    .where(SyncRun.id == self.run_id)
                    .values(heartbeat_at=utcnow())
                )
        except Exception as exc:
            logger.warning("sync run %s: heartbeat not recorded: %s", self.run_id, exc)
        return renewed

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(Leases.heartbeat())
            await self.extend()

    @contextlib.asynccontextmanager
    async def kept(self) -> AsyncIterator[RunLease]:
        renewer = asyncio.create_task(self._renew_forever(), name=f"sync-lease:{self.run_id}")
        try:
            yield self
        finally:
            renewer.cancel()
            await asyncio.wait([renewer])


async def release(lock: Lock) -> None:
    """Release the lock; with Redis away it expires by itself within its TTL."""
    try:
        await lock.release()
    except Exception as exc:
        logger.warning("sync lock not released (it expires by itself): %s", exc)
