"""The interviewer's turn in a self-service interview, one at a time.

``turn_lock`` holds the interview's lock (``gateway.locks``, across processes with
Redis) while the interviewer answers; a second message meanwhile is refused with
``BUSY``, so a chat never interleaves. ``interviewer_turn`` streams the reply piece by
piece as transient ``interview.delta`` events {interviewId, sequence, delta}, then
stores it as one message, checking that no message arrived since the turn began; the
closing turn completes the interview. A provider failure or timeout is
``INTERVIEWER_UNAVAILABLE``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.ai.provider import InterviewTurn, ProviderError, plan_turn
from gateway.events import interview_delta, interview_message
from gateway.locks import Lock
from gateway.outbox import stage
from gateway.ports import HasBus, HasLocks, HasOutbox, HasSessions
from gateway.pubsub import Event, EventBus
from gateway.services.interview_deps import HasInterviewConfig, HasInterviewer, lock_name
from gateway.services.interview_evaluation import Evaluates, evaluate_interview
from gateway.services.interview_prompts import interview_turn, load_messages, load_subject
from gateway.services.interview_public import (
    InterviewRefused,
    PublicCode,
    PublicMessage,
    public_message,
    refusal_for,
)
from gateway.services.interview_status import system_actor, transition
from gateway.store.base import utcnow
from gateway.store.enums import InterviewStatus, MessageRole
from gateway.store.models import Interview, InterviewMessage

logger = logging.getLogger("talentgraph.interviews")

MAX_INTERVIEWER_CHARS = 20_000
_EXTEND_EVERY = 5.0
"""Seconds between lock heartbeats while a turn streams."""


class LocksTurns(HasLocks, HasInterviewConfig, Protocol):
    pass


class StreamsTurn(HasBus, HasInterviewConfig, HasInterviewer, Protocol):
    pass


class TakesTurns(StreamsTurn, HasSessions, HasOutbox, Protocol):
    pass


@asynccontextmanager
async def turn_lock(deps: LocksTurns, interview_id: int) -> AsyncIterator[Lock]:
    lock = deps.locks.lock(lock_name(interview_id), ttl=deps.config.turn_timeout * 2 + 30)
    if not await lock.acquire():
        raise InterviewRefused(
            PublicCode.BUSY,
            "The interviewer is still answering: wait for the reply, then send your message.",
            retryable=True,
        )
    try:
        yield lock
    finally:
        await lock.release()


def message_event(message: InterviewMessage) -> Event:
    return interview_message(
        message.tenant_id,
        interview_id=message.interview_id,
        message_id=message.id,
        sequence=message.sequence,
        role=message.role.value,
        content=message.content,
    )


async def add_message(
    session: AsyncSession,
    interview: Interview,
    sequence: int,
    role: MessageRole,
    content: str,
    now: datetime,
) -> InterviewMessage:
    """Store one chat message (flushed, so it has its id) and touch the interview."""
    message = InterviewMessage(
        tenant_id=interview.tenant_id,
        interview_id=interview.id,
        sequence=sequence,
        role=role,
        content=content,
        created_at=now,
    )
    session.add(message)
    interview.updated_at = now
    await session.flush()
    return message


async def last_sequence(session: AsyncSession, interview_id: int) -> int:
    value = await session.scalar(
        sa.select(sa.func.max(InterviewMessage.sequence)).where(
            InterviewMessage.interview_id == interview_id
        )
    )
    return int(value or 0)


async def message_count(session: AsyncSession, interview_id: int) -> int:
    value = await session.scalar(
        sa.select(sa.func.count()).where(InterviewMessage.interview_id == interview_id)
    )
    return int(value or 0)


@dataclass(frozen=True, slots=True)
class Turn:
    message: PublicMessage
    completed: bool


async def _publish_delta(bus: EventBus, event: Event) -> None:
    try:
        await bus.publish(event)
    except Exception as exc:  # transient by design: the stored message follows
        logger.warning("interview.delta not published: %s", exc)


async def _stream(
    deps: StreamsTurn,
    lock: Lock,
    tenant_id: int,
    interview_id: int,
    sequence: int,
    turn: InterviewTurn,
) -> str:
    stream = deps.require_provider().interview_turn(turn)
    pieces: list[str] = []
    beat = time.monotonic()
    try:
        async with asyncio.timeout(deps.config.turn_timeout):
            async for piece in stream:
                if not piece:
                    continue
                pieces.append(piece)
                await _publish_delta(
                    deps.bus,
                    interview_delta(
                        tenant_id, interview_id=interview_id, sequence=sequence, delta=piece
                    ),
                )
                if time.monotonic() - beat > _EXTEND_EVERY:
                    await lock.extend()
                    beat = time.monotonic()
    except ProviderError as exc:
        logger.warning("interviewer turn of interview %d failed: %s", interview_id, exc.message)
        raise InterviewRefused(
            PublicCode.INTERVIEWER_UNAVAILABLE,
            "The interviewer could not answer just now; your message is saved. Please try "
            "again in a moment.",
            retryable=exc.retryable,
        ) from exc
    except TimeoutError as exc:
        logger.warning("interviewer turn of interview %d timed out", interview_id)
        raise InterviewRefused(
            PublicCode.INTERVIEWER_UNAVAILABLE,
            "The interviewer took too long to answer; your message is saved. Please try "
            "again in a moment.",
            retryable=True,
        ) from exc
    finally:
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()
    content = "".join(pieces).strip()
    if not content:
        raise InterviewRefused(
            PublicCode.INTERVIEWER_UNAVAILABLE,
            "The interviewer had nothing to say; please try again in a moment.",
            retryable=True,
        )
    return content[:MAX_INTERVIEWER_CHARS]


async def interviewer_turn(deps: TakesTurns, interview_id: int, lock: Lock) -> Turn:
    """Stream the interviewer's next message and store it; completes the interview when
    it is the closing turn. The caller holds the interview's lock."""
    async with deps.session_factory() as session:
        interview = await session.get(Interview, interview_id)
        assert interview is not None
        tenant_id = interview.tenant_id
        subject = await load_subject(session, interview)
        messages = await load_messages(session, interview_id)
    sequence = (messages[-1].sequence if messages else 0) + 1
    turn = interview_turn(subject, messages, max_questions=deps.config.max_questions)
    plan = plan_turn(turn)
    closing = plan.final
    content = await _stream(deps, lock, tenant_id, interview_id, sequence, turn)

    refusal: InterviewRefused | None = None
    stored: PublicMessage | None = None
    async with deps.session_factory.begin() as session:
        interview = await session.scalar(
            sa.select(Interview).where(Interview.id == interview_id).with_for_update()
        )
        assert interview is not None
        events: list[Event] = []
        if interview.status is not InterviewStatus.IN_PROGRESS:  # cancelled meanwhile
            refusal = refusal_for(interview.status, frozenset())
        elif await last_sequence(session, interview_id) != sequence - 1:
            refusal = InterviewRefused(
                PublicCode.BUSY, "Another message arrived meanwhile.", retryable=True
            )
        else:
            now = utcnow()
            message = await add_message(
                session, interview, sequence, MessageRole.ASSISTANT, content, now
            )
            events.append(message_event(message))
            stored = public_message(message)
            if closing:
                events += await transition(
                    session,
                    interview,
                    InterviewStatus.COMPLETED,
                    system_actor(tenant_id),
                    now=now,
                    description=f"{subject.candidate_name} answered every question; "
                    "interview completed",
                    details={"answered": plan.answered, "questions": len(plan.questions)},
                )
        staged = await stage(session, events)
    await deps.outbox.release(staged)
    if refusal is not None:
        raise refusal
    assert stored is not None
    return Turn(stored, closing)


async def evaluate_quietly(deps: Evaluates, tenant_id: int, interview_id: int) -> None:
    """The evaluation right after completion; its failure is the recruiter's to retry
    (``interviewEvaluate``), not the candidate's problem."""
    try:
        await evaluate_interview(deps, tenant_id, interview_id)
    except Exception:
        logger.exception("evaluation of interview %d failed; run interviewEvaluate", interview_id)
