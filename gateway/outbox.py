"""Bus events that survive the process: staged with the change, published after it.

    async with session_factory.begin() as session:
        ...                                          # the writes
        staged = await stage(session, events)        # same transaction
    await outbox.release(staged)                     # publish, then forget
    await outbox.sweep()                             # elsewhere, periodically

Publishing after the commit means a process that dies in between would leave a change
nobody hears of, and outbound webhooks (``jobs.deliver``) would never fire for it.
Staged rows close that gap: the sweep publishes what a dead process left behind, and
drops the cached answers of the tenants it announces for (the dead process may have
died before its own invalidation). A change can therefore be announced twice (died
after publishing, before forgetting); the event keeps its id, which is what consumers
that must act once deduplicate on.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.pubsub import Event, EventBus
from gateway.store.base import table_of, utcnow
from gateway.store.engine import SessionFactory
from gateway.store.models import OutboxEvent

logger = logging.getLogger("talentgraph.outbox")

_outbox = table_of(OutboxEvent)
SWEEP_LIMIT = 500
DEFAULT_GRACE = timedelta(seconds=30)
"""A staged event older than this was left by a process that died before releasing it."""


@dataclass(frozen=True, slots=True)
class Staged:
    ids: list[int] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


def _row(event: Event) -> dict[str, object]:
    return {"id": event.id, "type": event.type, "data": event.data, "at": event.at}


async def stage(session: AsyncSession, events: list[Event]) -> Staged:
    """Write ``events`` in the caller's transaction."""
    if not events:
        return Staged()
    now = utcnow()
    rows = await session.execute(
        sa.insert(_outbox).returning(_outbox.c.id),
        [{"tenant_id": e.tenant_id, "event": _row(e), "created_at": now} for e in events],
    )
    return Staged([row.id for row in rows], events)


class Outbox:
    def __init__(
        self,
        session_factory: SessionFactory,
        bus: EventBus,
        *,
        grace: timedelta = DEFAULT_GRACE,
        invalidate: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        """``invalidate(tenant_id)``: drops a tenant's cached answers (the sweep's)."""
        self.session_factory = session_factory
        self.bus = bus
        self.grace = grace
        self.invalidate = invalidate

    async def release(self, staged: Staged) -> None:
        """Publish what was staged (after its commit) and delete the rows. If publishing
        or deleting fails (Redis or the database away) the rows stay, and the sweep
        publishes them: the change is committed, so its caller must not fail now."""
        if not staged.ids:
            return
        try:
            await self.bus.publish_many(staged.events)
            async with self.session_factory.begin() as session:
                await session.execute(sa.delete(_outbox).where(_outbox.c.id.in_(staged.ids)))
        except Exception as exc:
            logger.warning("%d staged events left for the sweep: %r", len(staged.ids), exc)

    async def sweep(self) -> int:
        """Publish and delete staged events older than the grace. Returns how many."""
        cutoff = utcnow() - self.grace
        async with self.session_factory.begin() as session:
            query = (
                sa.select(_outbox.c.id, _outbox.c.tenant_id, _outbox.c.event)
                .where(_outbox.c.created_at < cutoff)
                .order_by(_outbox.c.id)
                .limit(SWEEP_LIMIT)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = (await session.execute(query)).all()
            if not rows:
                return 0
            events = [
                Event(
                    row.event["type"],
                    row.tenant_id,
                    row.event.get("data") or {},
                    row.event["at"],
                    row.event["id"],
                )
                for row in rows
            ]
            await self.bus.publish_many(events)
            await session.execute(sa.delete(_outbox).where(_outbox.c.id.in_([r.id for r in rows])))
        if self.invalidate is not None:
            for tenant_id in sorted({row.tenant_id for row in rows}):
                await self.invalidate(tenant_id)
        logger.info("published %d staged event(s) a stopped process left", len(rows))
        return len(rows)
