"""The sweep that closes self-service interviews nobody closed: in progress with no
answer for ``abandon_after`` (abandoned), or open past the link's expiry (expired).
Run hourly by ``jobs.tasks.maintenance_task``, in batches of ``SWEEP_BATCH``, each its
own transaction whose events are published after its commit."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from gateway.outbox import Outbox, stage
from gateway.pubsub import Event, EventBus
from gateway.services.interview_status import OPEN, system_actor, transition
from gateway.store.base import utcnow
from gateway.store.engine import SessionFactory
from gateway.store.enums import InterviewKind, InterviewStatus, MessageRole
from gateway.store.models import Interview, InterviewMessage

logger = logging.getLogger("talentgraph.interviews")

SWEEP_BATCH = 500


async def _sweep(
    session_factory: SessionFactory,
    outbox: Outbox,
    ids_query: sa.Select[Any],
    status: InterviewStatus,
    description: str,
    now: datetime,
) -> int:
    moved = 0
    while True:
        async with session_factory.begin() as session:
            ids = list((await session.scalars(ids_query.limit(SWEEP_BATCH))).all())
            if not ids:
                return moved
            events: list[Event] = []
            rows = (
                await session.scalars(
                    sa.select(Interview).where(Interview.id.in_(ids)).with_for_update()
                )
            ).all()
            for interview in rows:
                if interview.status not in OPEN:  # moved meanwhile
                    continue
                events += await transition(
                    session,
                    interview,
                    status,
                    system_actor(interview.tenant_id),
                    now=now,
                    description=description,
                )
                moved += 1
            staged = await stage(session, events)
        await outbox.release(staged)
        if len(ids) < SWEEP_BATCH:
            return moved


async def sweep_interviews(
    session_factory: SessionFactory,
    bus: EventBus,
    *,
    now: datetime | None = None,
    abandon_after: timedelta = timedelta(hours=24),
) -> dict[str, int]:
    """Mark abandoned the interviews in progress whose candidate said nothing for
    ``abandon_after`` (counted from the start when they never answered), then expired
    the open ones whose token is past its expiry. Returns how many of each.

    Meant for the hourly maintenance (``jobs.tasks.maintenance_task``); public
    operations expire an interview on access too, so a late sweep refuses nothing
    it should have allowed.
    """
    now = now or utcnow()
    outbox = Outbox(session_factory, bus)
    last_answer = (
        sa.select(sa.func.max(InterviewMessage.created_at))
        .where(
            InterviewMessage.interview_id == Interview.id,
            InterviewMessage.role == MessageRole.CANDIDATE,
        )
        .scalar_subquery()
    )
    idle = (
        sa.select(Interview.id)
        .where(
            Interview.kind == InterviewKind.SELF_SERVICE,
            Interview.status == InterviewStatus.IN_PROGRESS,
            sa.func.coalesce(last_answer, Interview.started_at, Interview.updated_at)
            < now - abandon_after,
        )
        .order_by(Interview.id)
    )
    abandoned = await _sweep(
        session_factory,
        outbox,
        idle,
        InterviewStatus.ABANDONED,
        f"No answer from the candidate for {abandon_after}; interview abandoned",
        now,
    )
    due = (
        sa.select(Interview.id)
        .where(
            Interview.kind == InterviewKind.SELF_SERVICE,
            Interview.status.in_(OPEN),
            Interview.token_expires_at <= now,
        )
        .order_by(Interview.id)
    )
    expired = await _sweep(
        session_factory, outbox, due, InterviewStatus.EXPIRED, "The interview link expired", now
    )
    if abandoned or expired:
        logger.info("interviews: %d abandoned, %d expired", abandoned, expired)
    return {"interviews_abandoned": abandoned, "interviews_expired": expired}
