"""Invitations to a self-service interview: the link mailed to the candidate, or, without
an SMTP host, queued for the recruiter to deliver (see
``gateway.services.interview_lifecycle``). Either way an activity records it with the
token masked, since the timeline is readable by every role and a copy of the store must
not open an interview.

    invited = await send_invite(deps, actor, interview_id=12)
    invited.delivery, invited.public_url          # Delivery.QUEUED, ".../interview/iv_..."
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

import sqlalchemy as sa

from gateway.errors import NotFound, ValidationFailed
from gateway.interview_tokens import hash_token, new_token, plausible
from gateway.ports import HasLocks, HasSessions
from gateway.services.activities import Actor, record_activity
from gateway.services.interview_deps import HasInterviewConfig, lock_name
from gateway.services.interview_mail import send_email
from gateway.services.interview_prompts import (
    InterviewSubject,
    Invitation,
    invitation,
    load_subject,
)
from gateway.services.interview_status import OPEN, tenant_interview
from gateway.services.validation import email as checked_email
from gateway.store.base import utcnow
from gateway.store.enums import InterviewKind
from gateway.store.models import Interview

INVITE_ACTIONS = ("interview.invite_sent", "interview.invite_queued")


class Delivery(StrEnum):
    SMTP = "smtp"
    QUEUED = "queued"


@dataclass(frozen=True, slots=True)
class Invited:
    interview_id: int
    to: str
    subject: str
    delivery: Delivery
    token: str
    public_url: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class _Sent:
    """One invitation as it went out, for the record."""

    to: str
    mail: Invitation
    delivery: Delivery
    token: str
    new_link: bool
    expires_at: datetime
    sent_at: datetime


def mask(token: str) -> str:
    return token[:7] + "…"


class SendsInvites(HasSessions, HasLocks, HasInterviewConfig, Protocol):
    pass


async def _invitable(
    deps: HasSessions, tenant_id: int, interview_id: int, token: str | None
) -> tuple[Interview, InterviewSubject]:
    """The open self-service interview to invite to, and who and what it is about."""
    async with deps.session_factory() as session:
        found = await session.scalar(
            sa.select(Interview).where(
                Interview.id == interview_id, Interview.tenant_id == tenant_id
            )
        )
        if found is None:
            raise NotFound("Interview", interview_id)
        if found.kind is not InterviewKind.SELF_SERVICE:
            raise ValidationFailed("interviewId", "only self-service interviews have invitations")
        if found.status not in OPEN:
            raise ValidationFailed("interviewId", f"the interview is {found.status.value}")
        if token is not None and (not plausible(token) or hash_token(token) != found.token_hash):
            raise ValidationFailed(
                "token", "not this interview's current link: leave token out to issue a new one"
            )
        return found, await load_subject(session, found)


def _recipient(email: str | None, subject: InterviewSubject) -> str:
    if email:
        return checked_email("email", email)
    if not subject.candidate_email:
        raise ValidationFailed(
            "email", "the candidate has no email address: pass the one to invite"
        )
    return checked_email("email", subject.candidate_email)


async def _mail(
    deps: HasInterviewConfig, subject: InterviewSubject, to: str, token: str, expires_at: datetime
) -> tuple[Invitation, Delivery]:
    """The invitation, sent by SMTP when a host is configured."""
    mail = invitation(
        subject,
        interview_link=deps.config.invite_link(token),
        expires_at=expires_at.strftime("%Y-%m-%d %H:%M UTC"),
    )
    smtp = deps.config.smtp
    if smtp is None:
        return mail, Delivery.QUEUED
    await send_email(
        smtp,
        to=to,
        subject=mail.subject,
        body=mail.body,
        from_address=subject.email_from_address,
        from_name=subject.email_from_name or subject.tenant_name,
    )
    return mail, Delivery.SMTP


async def _record(
    deps: HasSessions, actor: Actor, interview_id: int, subject: InterviewSubject, sent: _Sent
) -> None:
    """Store the new link (when one was issued) and the invitation's activity."""
    async with deps.session_factory.begin() as session:
        interview = await tenant_interview(session, actor.tenant_id, interview_id)
        if interview.status not in OPEN:
            raise ValidationFailed("interviewId", f"the interview is {interview.status.value}")
        if sent.new_link:
            interview.token_hash = hash_token(sent.token)
        interview.token_expires_at = sent.expires_at
        interview.invite_sent_at = sent.sent_at
        interview.updated_at = sent.sent_at
        smtp = sent.delivery is Delivery.SMTP
        action = "sent" if smtp else "queued (no SMTP configured)"
        record_activity(
            session,
            actor,
            action=INVITE_ACTIONS[0] if smtp else INVITE_ACTIONS[1],
            subject_type="Interview",
            subject_id=interview.id,
            description=f"Interview invitation to {sent.to} {action}",
            job_id=subject.job_id,
            candidate_id=subject.candidate_id,
            application_id=subject.application_id,
            details={
                "to": sent.to,
                "subject": sent.mail.subject,
                "body": sent.mail.body.replace(sent.token, mask(sent.token)),
                "delivery": sent.delivery.value,
                "newLink": sent.new_link,
                "expiresAt": sent.expires_at.isoformat(),
            },
        )


async def send_invite(
    deps: SendsInvites,
    actor: Actor,
    *,
    interview_id: int,
    email: str | None = None,
    token: str | None = None,
) -> Invited:
    """Email the interview link to ``email`` (default: the candidate's address).

    ``token``: the one just issued by ``create_self_service``; without it a fresh token
    and expiry replace the old ones. The mail goes first: an SMTP failure
    (``RemoteWriteFailed``) leaves the interview and its old link as they were.
    """
    lock = deps.locks.lock(lock_name(interview_id), ttl=60.0)
    found, subject = await _invitable(deps, actor.tenant_id, interview_id, token)
    to = _recipient(email, subject)
    if not await lock.acquire():
        raise ValidationFailed(
            "interviewId", "the interviewer is answering a message; try again in a moment"
        )
    try:
        now = utcnow()
        rotate = token is None
        link_token = new_token() if token is None else token
        expires_at = (
            now + timedelta(days=subject.expiry_days)
            if rotate or found.token_expires_at is None
            else found.token_expires_at
        )
        mail, delivery = await _mail(deps, subject, to, link_token, expires_at)
        sent = _Sent(to, mail, delivery, link_token, rotate, expires_at, now)
        await _record(deps, actor, interview_id, subject, sent)
    finally:
        await lock.release()
    return Invited(
        interview_id,
        to,
        mail.subject,
        delivery,
        link_token,
        deps.config.invite_link(link_token),
        expires_at,
    )
