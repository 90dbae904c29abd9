"""The operational log (``operational_logs``): what the gateway's own work did, written
by syncs, processing, deliveries and the automation, read with ``logs`` in GraphQL.

    await write_log(session_factory, LogEntry(tenant_id, LogLevel.INFO, "automation",
                    "Sent the interview invitation to Ada Lovelace", job_id=7,
                    application_id=42, extra={"interviewId": 9}))

Writing never fails the work it describes: an entry that cannot be stored (the database
away, say) is written to the process log instead. Entries older than
``TALENTGRAPH_LOG_RETENTION_DAYS`` are pruned by the maintenance task (``prune_logs``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store.base import table_of, utcnow
from gateway.store.engine import SessionFactory
from gateway.store.enums import LogLevel
from gateway.store.models import OperationalLog

logger = logging.getLogger("talentgraph.oplog")

_logs = table_of(OperationalLog)
MAX_MESSAGE = 4000
_PY_LEVELS = {
    LogLevel.DEBUG: logging.DEBUG,
    LogLevel.INFO: logging.INFO,
    LogLevel.WARNING: logging.WARNING,
    LogLevel.ERROR: logging.ERROR,
}


@dataclass(frozen=True, slots=True)
class LogEntry:
    tenant_id: int
    level: LogLevel
    source: str
    """What wrote it: ``sync``, ``processing``, ``delivery``, ``automation``, ``alerts``."""
    message: str
    job_id: int | None = None
    application_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def row(self, now: datetime) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant_id,
            "level": self.level,
            "source": self.source[:64],
            "message": self.message[:MAX_MESSAGE],
            "job_id": self.job_id,
            "application_id": self.application_id,
            "extra": self.extra,
            "created_at": now,
        }


async def stage_logs(session: AsyncSession, entries: Sequence[LogEntry]) -> None:
    """Write ``entries`` in the caller's transaction (they stand or fall with its work)."""
    if entries:
        now = utcnow()
        await session.execute(sa.insert(_logs), [entry.row(now) for entry in entries])


async def write_log(session_factory: SessionFactory, *entries: LogEntry) -> None:
    """Store ``entries`` in a transaction of their own; on failure, the process log
    gets them (never raises)."""
    try:
        async with session_factory.begin() as session:
            await stage_logs(session, entries)
    except Exception as exc:
        for entry in entries:
            logger.log(
                _PY_LEVELS[entry.level],
                "[%s, tenant %s, not stored: %s] %s",
                entry.source,
                entry.tenant_id,
                type(exc).__name__,
                entry.message,
            )


async def prune_logs(session_factory: SessionFactory, *, before: datetime) -> int:
    """Delete the entries older than ``before``; how many."""
    async with session_factory.begin() as session:
        result = await session.execute(sa.delete(_logs).where(_logs.c.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
