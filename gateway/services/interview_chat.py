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

The lookup, the page and the refusals are in ``interview_public``, the interviewer's
turn in ``interview_turns``; this module holds the operations the candidate calls.

Expiry is checked on every access: an open interview whose token is past its expiry
becomes ``expired`` there and then, and is refused with ``EXPIRED``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from gateway.errors import ValidationFailed
from gateway.events import interview_human_requested
from gateway.outbox import stage
from gateway.ports import HasOutbox
from gateway.services.activities import record_activity
from gateway.services.human_requests import Asked, flag_request, mail_recruiter
from gateway.services.interview_deps import InterviewDeps
from gateway.services.interview_prompts import load_messages, load_subject
from gateway.services.interview_public import (
    InterviewRefused,
    PublicCode,
    PublicMessage,
    PublicView,
    ShowsInterview,
    build_view,
    locate,
    locked,
    public_message,
    refusal_for,
    view_by_id,
)
from gateway.services.interview_status import candidate_actor, expire_if_due, transition
from gateway.services.interview_turns import (
    add_message,
    evaluate_quietly,
    interviewer_turn,
    last_sequence,
    message_count,
    message_event,
    turn_lock,
)
from gateway.services.validation import optional_paragraph, paragraph
from gateway.store.base import utcnow
from gateway.store.enums import InterviewStatus, MessageRole
from gateway.store.models import Interview

__all__ = [
    "MAX_NOTE_CHARS",
    "Exchange",
    "InterviewRefused",
    "PublicCode",
    "PublicMessage",
    "PublicView",
    "checked_content",
    "public_view",
    "request_human",
    "send_message",
    "start",
]

MAX_NOTE_CHARS = 1000


class CandidatePage(ShowsInterview, HasOutbox, Protocol):
    """What the candidate's page needs when no interviewer turn is asked for: ``start``
    and ``send_message`` take the whole ``InterviewDeps`` (locks, bus, AI provider)."""


async def public_view(deps: CandidatePage, token: str) -> PublicView:
    """The candidate's page, in any status; an open interview past its expiry is marked
    expired first. Unknown and malformed tokens are ``NOT_FOUND``."""
    interview_id = await locate(deps, token)
    async with deps.session_factory.begin() as session:
        interview = await session.get(Interview, interview_id)
        assert interview is not None
        staged = None
        if interview.token_expires_at is not None and interview.token_expires_at <= utcnow():
            interview = await locked(session, interview_id, token)
            staged = await stage(session, await expire_if_due(session, interview, utcnow()))
        view = await build_view(session, interview, deps.config.max_questions)
    if staged is not None:
        await deps.outbox.release(staged)
    return view


async def start(deps: InterviewDeps, token: str) -> PublicView:
    """Begin (scheduled -> in_progress) and get the interviewer's first message. On an
    interview in progress it resumes: if the interviewer's turn is missing (a failed
    provider call), it is asked for again."""
    interview_id = await locate(deps, token)
    async with turn_lock(deps, interview_id) as lock:
        now = utcnow()
        async with deps.session_factory.begin() as session:
            interview = await locked(session, interview_id, token)
            events = await expire_if_due(session, interview, now)
            refusal = refusal_for(
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
            turn = await interviewer_turn(deps, interview_id, lock)
            if turn.completed:
                await evaluate_quietly(deps, tenant_id, interview_id)
    return await view_by_id(deps, interview_id)


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
    interview_id = await locate(deps, token)
    async with turn_lock(deps, interview_id) as lock:
        now = utcnow()
        candidate: PublicMessage | None = None
        async with deps.session_factory.begin() as session:
            interview = await locked(session, interview_id, token)
            events = await expire_if_due(session, interview, now)
            refusal = refusal_for(interview.status, frozenset({InterviewStatus.IN_PROGRESS}))
            if refusal is None and (
                await message_count(session, interview_id) + 2 > deps.config.max_messages
            ):
                refusal = InterviewRefused(
                    PublicCode.TOO_MANY_MESSAGES,
                    "This interview has reached its message limit; your recruiter will be in "
                    "touch.",
                )
            if refusal is None:
                sequence = await last_sequence(session, interview_id) + 1
                message = await add_message(
                    session, interview, sequence, MessageRole.CANDIDATE, text, now
                )
                events.append(message_event(message))
                candidate = public_message(message)
            tenant_id = interview.tenant_id
            staged = await stage(session, events)
        await deps.outbox.release(staged)
        if refusal is not None:
            raise refusal
        assert candidate is not None
        turn = await interviewer_turn(deps, interview_id, lock)
        if turn.completed:
            await evaluate_quietly(deps, tenant_id, interview_id)
    return Exchange(candidate, turn.message, turn.completed, await view_by_id(deps, interview_id))


async def request_human(deps: CandidatePage, token: str, note: str | None = None) -> PublicView:
    """Ask for a person: the interview (and its application) is flagged, the status
    stays, and the recruiter hears of it (``gateway.services.human_requests``). Asking
    twice changes nothing the second time."""
    try:
        text = optional_paragraph("note", note, max_length=MAX_NOTE_CHARS)
    except ValidationFailed as exc:
        raise InterviewRefused(PublicCode.INVALID_MESSAGE, exc.message) from exc
    interview_id = await locate(deps, token)
    now = utcnow()
    async with deps.session_factory.begin() as session:
        interview = await locked(session, interview_id, token)
        events = await expire_if_due(session, interview, now)
        refusal = refusal_for(
            interview.status,
            frozenset(
                {InterviewStatus.SCHEDULED, InterviewStatus.IN_PROGRESS, InterviewStatus.COMPLETED}
            ),
        )
        asked: Asked | None = None
        if refusal is None and not interview.human_requested:
            subject = await load_subject(session, interview)
            interview.human_requested = True
            interview.updated_at = now
            asked = Asked(
                subject.application_id,
                interview_id,
                subject.job_id,
                subject.candidate_id,
                subject.candidate_name,
            )
            events += await flag_request(session, asked, interview.tenant_id, text)
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
        tenant_id = interview.tenant_id
        staged = await stage(session, events)
    await deps.outbox.release(staged)
    if refusal is not None:
        raise refusal
    if asked is not None:
        await mail_recruiter(deps.session_factory, deps.config.smtp, tenant_id, asked, text)
    return await view_by_id(deps, interview_id)
