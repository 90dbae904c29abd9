"""An inbound webhook event's row as the record of its processing: claiming it for one
attempt, settling the attempt (fenced by its attempt number), and finding what the
sweep should hand on.

    event = await claim(session_factory, 17, lease=timedelta(seconds=60))
    async with session_factory.begin() as session:
        await mark(session, event, WebhookEventStatus.PROCESSED, {"counts": ...})

A claim is one UPDATE only one process can win; a claim that outlives its process
(``claimed_until`` passed) may be taken over, and the attempt that lost it then fails to
settle (``ClaimLost``) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store.base import table_of, utcnow
from gateway.store.engine import SessionFactory
from gateway.store.enums import Provider, WebhookEventStatus
from gateway.store.models import WebhookEvent

_events = table_of(WebhookEvent)
SWEEP_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    tenant_id: int
    integration_id: int
    provider: Provider
    event_type: str | None
    headers: Mapping[str, Any]
    body: bytes
    attempts: int


class ClaimLost(Exception):
    """Another process took the event over (this one outlived its lease)."""


async def claim(
    session_factory: SessionFactory, event_id: int, *, lease: timedelta
) -> Claimed | None:
    """Claim the event for one attempt if it is due (new, a retry whose time has come,
    or a claim whose process died); None when it is not."""
    now = utcnow()
    due = sa.or_(
        _events.c.status == WebhookEventStatus.RECEIVED,
        sa.and_(
            _events.c.status == WebhookEventStatus.RETRYING,
            sa.or_(_events.c.next_attempt_at.is_(None), _events.c.next_attempt_at <= now),
        ),
        sa.and_(
            _events.c.status == WebhookEventStatus.PROCESSING,
            _events.c.claimed_until < now,
        ),
    )
    async with session_factory.begin() as session:
        row = (
            await session.execute(
                sa.update(_events)
                .where(_events.c.id == event_id, due)
                .values(
                    status=WebhookEventStatus.PROCESSING,
                    attempts=_events.c.attempts + 1,
                    claimed_until=now + lease,
                    next_attempt_at=None,
                )
                .returning(
                    _events.c.id,
                    _events.c.tenant_id,
                    _events.c.integration_id,
                    _events.c.provider,
                    _events.c.event_type,
                    _events.c.headers,
                    _events.c.body,
                    _events.c.attempts,
                )
            )
        ).first()
    if row is None:
        return None
    return Claimed(
        row.id,
        row.tenant_id,
        row.integration_id,
        Provider(row.provider),
        row.event_type,
        row.headers or {},
        bytes(row.body),
        row.attempts,
    )


async def mark(
    session: AsyncSession,
    event: Claimed,
    status: WebhookEventStatus,
    result: dict[str, Any] | None,
    *,
    error: str | None = None,
    next_attempt_at: Any = None,
) -> None:
    """Settle this attempt, fenced: only while the claim is still this attempt's."""
    finished = status in (
        WebhookEventStatus.PROCESSED,
        WebhookEventStatus.IGNORED,
        WebhookEventStatus.FAILED,
    )
    outcome = await session.execute(
        sa.update(_events)
        .where(
            _events.c.id == event.id,
            _events.c.status == WebhookEventStatus.PROCESSING,
            _events.c.attempts == event.attempts,
        )
        .values(
            status=status,
            result=result,
            last_error=error,
            claimed_until=None,
            next_attempt_at=next_attempt_at,
            processed_at=utcnow() if finished else None,
        )
    )
    if getattr(outcome, "rowcount", 0) != 1:
        raise ClaimLost(event.id)


async def take_due(session_factory: SessionFactory, *, handoff_grace: timedelta) -> list[int]:
    """The ids of the events due and unclaimed: those whose hand-off was lost, retries
    whose time has come, claims whose process died. A new one among them is not due
    again for ``handoff_grace``, so one sweep hands it on once."""
    now = utcnow()
    due = sa.or_(
        sa.and_(
            _events.c.status.in_((WebhookEventStatus.RECEIVED, WebhookEventStatus.RETRYING)),
            _events.c.next_attempt_at <= now,
        ),
        sa.and_(
            _events.c.status == WebhookEventStatus.PROCESSING,
            _events.c.claimed_until < now,
        ),
    )
    async with session_factory.begin() as session:
        ids = list(
            await session.scalars(
                sa.select(_events.c.id).where(due).order_by(_events.c.id).limit(SWEEP_LIMIT)
            )
        )
        if ids:
            await session.execute(
                sa.update(_events)
                .where(_events.c.id.in_(ids), _events.c.status == WebhookEventStatus.RECEIVED)
                .values(next_attempt_at=now + handoff_grace)
            )
    return ids
