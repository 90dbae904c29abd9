"""Self-service interviews from the candidate's side: everything here takes the token
from the invitation link and nothing else.

    page = await public_view(deps, token)          # name, position, company, status, chat
    page = await start(deps, token)                # scheduled -> in_progress, first question
    exchange = await send_message(deps, token, "I led the migration ...")
    exchange.interviewer.content, exchange.completed
    page = await request_human(deps, token, note="Can we talk by phone?")

Tokens are looked up by their hash (``gateway.interview_tokens``): the database compares
digests, so response times say nothing about how much of a guess was right, and a
malformed token is refused before any lookup with the same answer as an unknown one.

One turn at a time: ``start`` and ``send_message`` hold the interview's lock
(``gateway.locks``, across processes with Redis) while the interviewer answers; a second
message meanwhile is refused with ``BUSY``, so a chat never interleaves. The storing
transaction also checks that no message arrived since the turn began.

A turn: the candidate's message is stored and announced (``interview.message``), the
interviewer's reply is streamed piece by piece as transient ``interview.delta`` events
{interviewId, sequence, delta} and then stored as one message. The interview completes
with the interviewer's turn that follows the candidate's ``max_questions``-th message
(the provider sees that count in ``InterviewTurn.max_questions`` and closes); the
evaluation is then asked for at once. If the provider fails, the candidate's message
stays and the answer is ``INTERVIEWER_UNAVAILABLE``: ``start`` again (or the next
message) asks for the missing turn. A failed evaluation is logged and left to
``interviewEvaluate``.

Expiry is checked on every access: an open interview whose token is past its expiry
becomes ``expired`` there and then, and is refused with ``EXPIRED``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.ai.provider import InterviewTurn, ProviderError, plan_turn
from gateway.errors import DomainError, ValidationFailed
from gateway.events import interview_delta, interview_human_requested, interview_message
from gateway.interview_tokens import hash_token, plausible
from gateway.locks import Lock
from gateway.outbox import stage
from gateway.pubsub import Event, EventBus
from gateway.services.activities import record_activity
from gateway.services.interview_lifecycle import (
    InterviewDeps,
    candidate_actor,
    evaluate_interview,
    expire_if_due,
    lock_name,
    system_actor,
    transition,
)
from gateway.services.interview_prompts import (
    first_name,
    interview_turn,
    load_messages,
    load_subject,
)
from gateway.services.validation import optional_paragraph, paragraph
from gateway.store.base import utcnow
from gateway.store.enums import InterviewKind, InterviewStatus, MessageRole
from gateway.store.models import Application, Candidate, Interview, InterviewMessage, Job, Tenant

logger = logging.getLogger("talentgraph.interviews")

MAX_INTERVIEWER_CHARS = 20_000
MAX_NOTE_CHARS = 1000
_EXTEND_EVERY = 5.0
"""Seconds between lock heartbeats while a turn streams."""


class PublicCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    EXPIRED = "EXPIRED"
    NOT_STARTED = "NOT_STARTED"
    COMPLETED = "COMPLETED"
    ABANDONED = "ABANDONED"
    CANCELLED = "CANCELLED"
    BUSY = "BUSY"
    INVALID_MESSAGE = "INVALID_MESSAGE"
    MESSAGE_TOO_LONG = "MESSAGE_TOO_LONG"
    TOO_MANY_MESSAGES = "TOO_MANY_MESSAGES"
    INTERVIEWER_UNAVAILABLE = "INTERVIEWER_UNAVAILABLE"


class InterviewRefused(DomainError):
    """A public operation refused; ``reason`` says why, ``message`` says it to the
    candidate. Nothing the candidate sent was stored, except before
    ``INTERVIEWER_UNAVAILABLE`` (their message is kept)."""

    def __init__(self, reason: PublicCode, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.code = reason.value
        self.reason = reason
        self.retryable = retryable


_NOT_FOUND = "This interview link is not valid: check the link in your invitation."
_CLOSED: dict[InterviewStatus, tuple[PublicCode, str]] = {
    InterviewStatus.EXPIRED: (
        PublicCode.EXPIRED,
        "This interview link has expired. Please ask your recruiter for a new one.",
    ),
    InterviewStatus.COMPLETED: (
        PublicCode.COMPLETED,
        "This interview is complete. Thank you for your time!",
    ),
    InterviewStatus.ABANDONED: (
        PublicCode.ABANDONED,
        "This interview was closed after a long pause. Please ask your recruiter for a new link.",
    ),
    InterviewStatus.CANCELLED: (PublicCode.CANCELLED, "This interview was cancelled."),
}


def _refusal(
    status: InterviewStatus, allowed: frozenset[InterviewStatus]
) -> InterviewRefused | None:
    if status in allowed:
        return None
    if status is InterviewStatus.SCHEDULED:
        return InterviewRefused(PublicCode.NOT_STARTED, "Start the interview first.")
    code, message = _CLOSED.get(status, (PublicCode.NOT_FOUND, _NOT_FOUND))
    return InterviewRefused(code, message)


# -- what the candidate sees ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublicMessage:
    sequence: int
    role: MessageRole
    content: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PublicView:
    candidate_name: str
    """The first name only."""
    position: str
    company: str
    status: InterviewStatus
    expires_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    human_requested: bool
    questions_total: int
    questions_answered: int
    messages: tuple[PublicMessage, ...]
    tenant_id: int
    """For the caller's cache invalidation; never shown to the candidate."""


def _answered(messages: list[InterviewMessage]) -> int:
    """Interviewer messages the candidate replied to (a run of replies counts once)."""
    answered, awaiting = 0, False
    for message in messages:
        if message.role is MessageRole.CANDIDATE:
            answered += awaiting
            awaiting = False
        else:
            awaiting = True
    return answered


def _public(message: InterviewMessage) -> PublicMessage:
    return PublicMessage(message.sequence, message.role, message.content, message.created_at)


async def _view(session: AsyncSession, interview: Interview, max_questions: int) -> PublicView:
    names = (
        await session.execute(
            sa.select(Candidate.first_name, Candidate.name, Job.title, Job.client_name, Tenant.name)
            .select_from(Application)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .join(Job, Job.id == Application.job_id)
            .join(Tenant, Tenant.id == Application.tenant_id)
            .where(Application.id == interview.application_id)
        )
    ).one()
    messages = [
        m for m in await load_messages(session, interview.id) if m.role is not MessageRole.SYSTEM
    ]
    answered = _answered(messages)
    return PublicView(
        candidate_name=first_name(names[0], names[1]),
        position=names[2],
        company=(names[3] or "").strip() or names[4],
        status=interview.status,
        expires_at=interview.token_expires_at,
        started_at=interview.started_at,
        completed_at=interview.completed_at,
        human_requested=interview.human_requested,
        questions_total=max_questions,
        questions_answered=min(answered, max_questions),
        messages=tuple(_public(m) for m in messages),
        tenant_id=interview.tenant_id,
    )


async def _view_of(deps: InterviewDeps, interview_id: int) -> PublicView:
    async with deps.session_factory() as session:
        interview = await session.get(Interview, interview_id)
        assert interview is not None, "an interview vanished mid-request"
        return await _view(session, interview, deps.config.max_questions)


# -- finding the interview of a token ---------------------------------------------------


def _digest(token: str) -> str:
    if not plausible(token):
        raise InterviewRefused(PublicCode.NOT_FOUND, _NOT_FOUND)
    return hash_token(token)


async def _locate(deps: InterviewDeps, token: str) -> int:
    digest = _digest(token)
    async with deps.session_factory() as session:
        found = await session.scalar(
            sa.select(Interview.id).where(
                Interview.token_hash == digest, Interview.kind == InterviewKind.SELF_SERVICE
            )
        )
    if found is None:
        raise InterviewRefused(PublicCode.NOT_FOUND, _NOT_FOUND)
    return found


async def _locked(session: AsyncSession, interview_id: int, token: str) -> Interview:
    """The interview, row-locked, if the token still opens it (a new invitation may
    have replaced it since ``_locate``)."""
    interview = await session.scalar(
        sa.select(Interview)
        .where(Interview.id == interview_id, Interview.token_hash == hash_token(token))
        .with_for_update()
    )
    if interview is None:
        raise InterviewRefused(PublicCode.NOT_FOUND, _NOT_FOUND)
    return interview


@asynccontextmanager
async def _turn_lock(deps: InterviewDeps, interview_id: int) -> AsyncIterator[Lock]:
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


def _message_event(message: InterviewMessage) -> Event:
    return interview_message(
        message.tenant_id,
        interview_id=message.interview_id,
        message_id=message.id,
        sequence=message.sequence,
        role=message.role.value,
        content=message.content,
    )


async def _add_message(
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


async def _last_sequence(session: AsyncSession, interview_id: int) -> int:
    value = await session.scalar(
        sa.select(sa.func.max(InterviewMessage.sequence)).where(
            InterviewMessage.interview_id == interview_id
        )
    )
    return int(value or 0)


async def _message_count(session: AsyncSession, interview_id: int) -> int:
    value = await session.scalar(
        sa.select(sa.func.count()).where(InterviewMessage.interview_id == interview_id)
    )
    return int(value or 0)


# -- the interviewer's turn -------------------------------------------------------------


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
    deps: InterviewDeps,
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


async def _interviewer_turn(deps: InterviewDeps, interview_id: int, lock: Lock) -> Turn:
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
            refusal = _refusal(interview.status, frozenset())
        elif await _last_sequence(session, interview_id) != sequence - 1:
            refusal = InterviewRefused(
                PublicCode.BUSY, "Another message arrived meanwhile.", retryable=True
            )
        else:
            now = utcnow()
            message = await _add_message(
                session, interview, sequence, MessageRole.ASSISTANT, content, now
            )
            events.append(_message_event(message))
            stored = _public(message)
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


async def _evaluate_quietly(deps: InterviewDeps, tenant_id: int, interview_id: int) -> None:
    """The evaluation right after completion; its failure is the recruiter's to retry
    (``interviewEvaluate``), not the candidate's problem."""
    try:
        await evaluate_interview(deps, tenant_id, interview_id)
    except Exception:
        logger.exception("evaluation of interview %d failed; run interviewEvaluate", interview_id)


# -- the public operations --------------------------------------------------------------


async def public_view(deps: InterviewDeps, token: str) -> PublicView:
    """The candidate's page, in any status; an open interview past its expiry is marked
    expired first. Unknown and malformed tokens are ``NOT_FOUND``."""
    interview_id = await _locate(deps, token)
    async with deps.session_factory.begin() as session:
        interview = await session.get(Interview, interview_id)
        assert interview is not None
        staged = None
        if interview.token_expires_at is not None and interview.token_expires_at <= utcnow():
            interview = await _locked(session, interview_id, token)
            staged = await stage(session, await expire_if_due(session, interview, utcnow()))
        view = await _view(session, interview, deps.config.max_questions)
    if staged is not None:
        await deps.outbox.release(staged)
    return view


async def start(deps: InterviewDeps, token: str) -> PublicView:
    """Begin (scheduled -> in_progress) and get the interviewer's first message. On an
    interview in progress it resumes: if the interviewer's turn is missing (a failed
    provider call), it is asked for again."""
    interview_id = await _locate(deps, token)
    async with _turn_lock(deps, interview_id) as lock:
        now = utcnow()
        async with deps.session_factory.begin() as session:
            interview = await _locked(session, interview_id, token)
            events = await expire_if_due(session, interview, now)
            refusal = _refusal(
                interview.status,
                frozenset({InterviewStatus.SCHEDULED, InterviewStatus.IN_PROGRESS}),
            )
            if refusal is None and interview.status is InterviewStatus.SCHEDULED:
                subject = await load_subject(session, interview)
                events += await transition(
                    session,
                    interview,
                    InterviewStatus.IN_PROGRESS,
                    candidate_actor(interview.tenant_id, subject.candidate_name),
                    now=now,
                    description=f"{subject.candidate_name} started the interview",
                )
            last = (await load_messages(session, interview_id))[-1:]
            staged = await stage(session, events)
            tenant_id = interview.tenant_id
        await deps.outbox.release(staged)
        if refusal is not None:
            raise refusal
        if not last or last[0].role is MessageRole.CANDIDATE:
            turn = await _interviewer_turn(deps, interview_id, lock)
            if turn.completed:
                await _evaluate_quietly(deps, tenant_id, interview_id)
    return await _view_of(deps, interview_id)


@dataclass(frozen=True, slots=True)
class Exchange:
    candidate: PublicMessage
    interviewer: PublicMessage
    completed: bool
    view: PublicView


def checked_content(content: str, max_chars: int) -> str:
    text = (content or "").strip()
    if not text:
        raise InterviewRefused(PublicCode.INVALID_MESSAGE, "Your message is empty.")
    if len(text) > max_chars:
        raise InterviewRefused(
            PublicCode.MESSAGE_TOO_LONG,
            f"Your message is {len(text)} characters long; please keep it under {max_chars}.",
        )
    try:
        return paragraph("content", text, max_length=max_chars)
    except ValidationFailed as exc:
        raise InterviewRefused(PublicCode.INVALID_MESSAGE, exc.message) from exc


async def send_message(deps: InterviewDeps, token: str, content: str) -> Exchange:
    """Store the candidate's message, then stream and store the interviewer's reply."""
    text = checked_content(content, deps.config.max_message_chars)
    interview_id = await _locate(deps, token)
    async with _turn_lock(deps, interview_id) as lock:
        now = utcnow()
        candidate: PublicMessage | None = None
        async with deps.session_factory.begin() as session:
            interview = await _locked(session, interview_id, token)
            events = await expire_if_due(session, interview, now)
            refusal = _refusal(interview.status, frozenset({InterviewStatus.IN_PROGRESS}))
            if refusal is None and (
                await _message_count(session, interview_id) + 2 > deps.config.max_messages
            ):
                refusal = InterviewRefused(
                    PublicCode.TOO_MANY_MESSAGES,
                    "This interview has reached its message limit; your recruiter will be in "
                    "touch.",
                )
            if refusal is None:
                sequence = await _last_sequence(session, interview_id) + 1
                message = await _add_message(
                    session, interview, sequence, MessageRole.CANDIDATE, text, now
                )
                events.append(_message_event(message))
                candidate = _public(message)
            tenant_id = interview.tenant_id
            staged = await stage(session, events)
        await deps.outbox.release(staged)
        if refusal is not None:
            raise refusal
        assert candidate is not None
        turn = await _interviewer_turn(deps, interview_id, lock)
        if turn.completed:
            await _evaluate_quietly(deps, tenant_id, interview_id)
    return Exchange(candidate, turn.message, turn.completed, await _view_of(deps, interview_id))


async def request_human(deps: InterviewDeps, token: str, note: str | None = None) -> PublicView:
    """Ask for a person: the interview (and its application) is flagged, the status
    stays. Asking twice changes nothing the second time."""
    try:
        text = optional_paragraph("note", note, max_length=MAX_NOTE_CHARS)
    except ValidationFailed as exc:
        raise InterviewRefused(PublicCode.INVALID_MESSAGE, exc.message) from exc
    interview_id = await _locate(deps, token)
    now = utcnow()
    async with deps.session_factory.begin() as session:
        interview = await _locked(session, interview_id, token)
        events = await expire_if_due(session, interview, now)
        refusal = _refusal(
            interview.status,
            frozenset(
                {InterviewStatus.SCHEDULED, InterviewStatus.IN_PROGRESS, InterviewStatus.COMPLETED}
            ),
        )
        if refusal is None and not interview.human_requested:
            subject = await load_subject(session, interview)
            interview.human_requested = True
            interview.updated_at = now
            await session.execute(
                sa.update(Application)
                .where(Application.id == interview.application_id)
                .values(human_requested=True)
            )
            record_activity(
                session,
                candidate_actor(interview.tenant_id, subject.candidate_name),
                action="interview.human_requested",
                subject_type="Interview",
                subject_id=interview_id,
                description=f"{subject.candidate_name} asked to speak with a person",
                job_id=subject.job_id,
                candidate_id=subject.candidate_id,
                application_id=subject.application_id,
                details={"note": text} if text else {},
            )
            events.append(interview_human_requested(interview.tenant_id, interview_id=interview_id))
        staged = await stage(session, events)
    await deps.outbox.release(staged)
    if refusal is not None:
        raise refusal
    return await _view_of(deps, interview_id)
