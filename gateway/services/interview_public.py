"""The candidate's side of a self-service interview, short of the chat itself: the
interview a token opens (looked up by its hash, a malformed token refused like an
unknown one), the page they see (``PublicView``), and the refusals they get, each with
a ``PublicCode`` and a message written for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import DomainError
from gateway.interview_tokens import hash_token, plausible
from gateway.ports import HasSessions
from gateway.services.interview_deps import HasInterviewConfig
from gateway.services.interview_prompts import first_name, load_messages
from gateway.store.enums import InterviewKind, InterviewStatus, MessageRole
from gateway.store.models import Application, Candidate, Interview, InterviewMessage, Job, Tenant


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


NOT_FOUND_MESSAGE = "This interview link is not valid: check the link in your invitation."
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


def refusal_for(
    status: InterviewStatus, allowed: frozenset[InterviewStatus]
) -> InterviewRefused | None:
    if status in allowed:
        return None
    if status is InterviewStatus.SCHEDULED:
        return InterviewRefused(PublicCode.NOT_STARTED, "Start the interview first.")
    code, message = _CLOSED.get(status, (PublicCode.NOT_FOUND, NOT_FOUND_MESSAGE))
    return InterviewRefused(code, message)


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


def public_message(message: InterviewMessage) -> PublicMessage:
    return PublicMessage(message.sequence, message.role, message.content, message.created_at)


async def build_view(session: AsyncSession, interview: Interview, max_questions: int) -> PublicView:
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
        messages=tuple(public_message(m) for m in messages),
        tenant_id=interview.tenant_id,
    )


class ShowsInterview(HasSessions, HasInterviewConfig, Protocol):
    pass


async def view_by_id(deps: ShowsInterview, interview_id: int) -> PublicView:
    async with deps.session_factory() as session:
        interview = await session.get(Interview, interview_id)
        assert interview is not None, "an interview vanished mid-request"
        return await build_view(session, interview, deps.config.max_questions)


def _digest(token: str) -> str:
    if not plausible(token):
        raise InterviewRefused(PublicCode.NOT_FOUND, NOT_FOUND_MESSAGE)
    return hash_token(token)


async def locate(deps: HasSessions, token: str) -> int:
    digest = _digest(token)
    async with deps.session_factory() as session:
        found = await session.scalar(
            sa.select(Interview.id).where(
                Interview.token_hash == digest, Interview.kind == InterviewKind.SELF_SERVICE
            )
        )
    if found is None:
        raise InterviewRefused(PublicCode.NOT_FOUND, NOT_FOUND_MESSAGE)
    return found


async def locked(session: AsyncSession, interview_id: int, token: str) -> Interview:
    """The interview, row-locked, if the token still opens it (a new invitation may
    have replaced it since ``locate``)."""
    interview = await session.scalar(
        sa.select(Interview)
        .where(Interview.id == interview_id, Interview.token_hash == hash_token(token))
        .with_for_update()
    )
    if interview is None:
        raise InterviewRefused(PublicCode.NOT_FOUND, NOT_FOUND_MESSAGE)
    return interview
