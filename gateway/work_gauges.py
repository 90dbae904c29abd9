"""Gauges of waiting work, read from the store when ``/metrics`` is scraped: background
jobs by status and the age of the oldest pending one, and the inbound webhook backlog
and its lag. One grouped statement each, over every tenant (an operator's view); a
store that cannot be read leaves the last values and never fails the scrape."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from gateway.metrics import (
    QUEUE_JOBS,
    QUEUE_OLDEST_PENDING,
    WEBHOOK_BACKLOG,
    WEBHOOK_LAG,
)
from gateway.store.base import table_of
from gateway.store.enums import BackgroundJobStatus, WebhookEventStatus
from gateway.store.models import BackgroundJob, WebhookEvent
from gateway.store.reader import Reader
from gateway.unavailable import is_infrastructure_failure

logger = logging.getLogger("talentgraph.metrics")

WAITING_EVENTS = (
    WebhookEventStatus.RECEIVED,
    WebhookEventStatus.PROCESSING,
    WebhookEventStatus.RETRYING,
)


def _age(oldest: datetime | None, now: datetime) -> float:
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return max(0.0, (now - oldest).total_seconds())


async def refresh_work_gauges(reader: Reader) -> None:
    jobs, events = table_of(BackgroundJob).c, table_of(WebhookEvent).c
    try:
        by_status: list[Any] = await reader.all(
            sa.select(jobs.status, sa.func.count(), sa.func.min(jobs.created_at)).group_by(
                jobs.status
            )
        )
        backlog: list[Any] = await reader.all(
            sa.select(sa.func.count(), sa.func.min(events.received_at)).where(
                events.status.in_(WAITING_EVENTS)
            )
        )
    except Exception as exc:
        if not is_infrastructure_failure(exc):
            raise
        logger.warning("work gauges not refreshed: %r", exc)
        return
    now = datetime.now(UTC)
    found = {BackgroundJobStatus(row[0]): (int(row[1]), row[2]) for row in by_status}
    for status in BackgroundJobStatus:
        QUEUE_JOBS.labels(status.value).set(found.get(status, (0, None))[0])
    QUEUE_OLDEST_PENDING.set(_age(found.get(BackgroundJobStatus.PENDING, (0, None))[1], now))
    waiting, oldest = backlog[0]
    WEBHOOK_BACKLOG.set(int(waiting))
    WEBHOOK_LAG.set(_age(oldest, now))
