"""Self-service interviews from the recruiter's side: create, invite, cancel, evaluate,
and the sweep that expires and abandons them.

    issued = await create_self_service(deps, actor, application_id=12, persona_id=None)
    issued.token, issued.public_url      # shown once: only sha256(token) is stored
    invited = await send_invite(deps, actor, interview_id=issued.interview_id)
    invited.delivery                     # Delivery.SMTP, or QUEUED without an SMTP host
    await sweep_interviews(deps.session_factory, deps.bus, now=utcnow(),
                           abandon_after=timedelta(hours=24))

Statuses::

    scheduled --start--> in_progress --last answer--> completed (then evaluated)
        |                    |  \\--no answer for `abandon_after`--> abandoned
        |                    \\----token past its expiry--> expired
        \\--token past its expiry--> expired
    scheduled / in_progress --interviewCancel--> cancelled

A token expires ``interview_token_expiry_days`` (the tenant's setting) after it is
issued. Sending an invitation later (``send_invite`` without a token) issues a fresh
token and expiry: earlier links stop working, since the store keeps only hashes and
cannot mail an old link again.

Without an SMTP host the invitation is not sent anywhere: an ``interview.invite_queued``
activity records it (``to``, ``subject``, ``body``, ``delivery``), and the recruiter
delivers the link returned by the mutation. Stored bodies show the token masked
(``iv_AbCd…``): the activity timeline is readable by every role, and a copy of the
store must not open an interview. ``Interview.invites`` lists these records.

Events (staged with the change, published after the commit): ``interview.created``,
``interview.status_changed`` {interviewId, status, previousStatus} on every move,
``interview.completed`` / ``interview.cancelled`` (outbound webhooks), and
``interview.evaluated`` {interviewId, evaluationId}.

Creating and cancelling are here; the rest has a module each: the settings and
dependencies (``interview_deps``), status moves and expiry (``interview_status``),
invitations (``interview_invites``), evaluations (``interview_evaluation``) and the
sweep (``interview_sweep``). Their public names are importable from here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import NotFound, ValidationFailed
from gateway.events import interview_created
from gateway.interview_tokens import hash_token, new_token
from gateway.outbox import stage
from gateway.ports import HasOutbox, HasSessions
from gateway.pubsub import Event
from gateway.services.activities import Actor, record_activity
from gateway.services.interview_deps import HasInterviewConfig, InterviewConfig, InterviewDeps
from gateway.services.interview_evaluation import evaluate_interview
from gateway.services.interview_invites import INVITE_ACTIONS, Invited, send_invite
from gateway.services.interview_prompts import InterviewSubject, default_persona, load_subject
from gateway.services.interview_status import OPEN, tenant_interview, transition
from gateway.services.interview_sweep import sweep_interviews
from gateway.store.base import utcnow
from gateway.store.enums import ApplicationStatus, InterviewKind, InterviewStatus
from gateway.store.models import Application, Interview, Persona

__all__ = [
    "CLOSED_APPLICATION",
    "INVITE_ACTIONS",
    "InterviewConfig",
    "InterviewDeps",
    "Invited",
    "Issued",
    "cancel_interview",
    "create_self_service",
    "evaluate_interview",
    "send_invite",
    "sweep_interviews",
]

CLOSED_APPLICATION = frozenset({ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN})


class ChangesInterviews(HasSessions, HasOutbox, Protocol):
    pass


class IssuesInterviews(ChangesInterviews, HasInterviewConfig, Protocol):
    pass


# -- create -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Issued:
    interview_id: int
    token: str
    public_url: str
    expires_at: datetime


async def _open_application(
    session: AsyncSession, tenant_id: int, application_id: int
) -> Application:
    application = await session.scalar(
        sa.select(Application)
        .where(Application.id == application_id, Application.tenant_id == tenant_id)
        .with_for_update()
    )
    if application is None:
        raise NotFound("Application", application_id)
    if application.status in CLOSED_APPLICATION:
        raise ValidationFailed("applicationId", f"the application is {application.status}")
    return application


async def _persona_id(session: AsyncSession, tenant_id: int, persona_id: int | None) -> int | None:
    if persona_id is None:
        persona = await default_persona(session, tenant_id)
        return persona.id if persona is not None else None
    found = await session.scalar(
        sa.select(Persona.id).where(Persona.id == persona_id, Persona.tenant_id == tenant_id)
    )
    if found is None:
        raise NotFound("Persona", persona_id)
    return found


async def _refuse_a_second(session: AsyncSession, application: Application) -> None:
    open_one = await session.scalar(
        sa.select(Interview.id).where(
            Interview.application_id == application.id,
            Interview.kind == InterviewKind.SELF_SERVICE,
            Interview.status.in_(OPEN),
        )
    )
    if open_one is not None:
        raise ValidationFailed(
            "applicationId",
            "the application already has a self-service interview scheduled or in "
            "progress; cancel it (interviewCancel) or send its invitation again "
            "(interviewSendInvite)",
        )


class AlreadyInterviewed(ValidationFailed):
    """The application has had a self-service interview, whatever became of it (the
    automation invites an application once)."""


async def _refuse_any(session: AsyncSession, application: Application) -> None:
    earlier = await session.scalar(
        sa.select(Interview.id)
        .where(
            Interview.application_id == application.id,
            Interview.kind == InterviewKind.SELF_SERVICE,
        )
        .limit(1)
    )
    if earlier is not None:
        raise AlreadyInterviewed("applicationId", "the application already had an interview")


def _announce_created(
    session: AsyncSession,
    actor: Actor,
    application: Application,
    interview: Interview,
    subject: InterviewSubject,
) -> Event:
    """The new interview's activity; returns its event."""
    assert interview.token_expires_at is not None
    expires_at = interview.token_expires_at.isoformat()
    record_activity(
        session,
        actor,
        action="interview.created",
        subject_type="Interview",
        subject_id=interview.id,
        description=f"Created a self-service interview for {subject.candidate_name} "
        f"({subject.job_title})",
        job_id=application.job_id,
        candidate_id=application.candidate_id,
        application_id=application.id,
        details={"personaId": interview.persona_id, "expiresAt": expires_at},
    )
    return interview_created(
        actor.tenant_id,
        interview_id=interview.id,
        application_id=application.id,
        job_id=application.job_id,
        candidate_id=application.candidate_id,
        kind=InterviewKind.SELF_SERVICE.value,
        status=InterviewStatus.SCHEDULED.value,
        expires_at=expires_at,
    )


async def create_self_service(
    deps: IssuesInterviews,
    actor: Actor,
    *,
    application_id: int,
    persona_id: int | None,
    first_only: bool = False,
) -> Issued:
    """A scheduled self-service interview for the application, and its one-time token.

    Refused: an application of another tenant or missing (``NotFound``), a rejected or
    withdrawn one, or one with an interview still scheduled or in progress; with
    ``first_only``, one that ever had a self-service interview (``AlreadyInterviewed``).
    The application's row is locked while this is decided, so two callers never both
    create one.
    """
    now = utcnow()
    token = new_token()
    async with deps.session_factory.begin() as session:
        application = await _open_application(session, actor.tenant_id, application_id)
        chosen = await _persona_id(session, actor.tenant_id, persona_id)
        await _refuse_a_second(session, application)
        if first_only:
            await _refuse_any(session, application)
        interview = Interview(
            tenant_id=actor.tenant_id,
            application_id=application.id,
            persona_id=chosen,
            kind=InterviewKind.SELF_SERVICE,
            status=InterviewStatus.SCHEDULED,
            token_hash=hash_token(token),
            scheduled_by_user_id=actor.user_id,
            human_requested=False,
            created_at=now,
            updated_at=now,
        )
        session.add(interview)
        await session.flush()
        subject = await load_subject(session, interview)
        interview.token_expires_at = now + timedelta(days=subject.expiry_days)
        event = _announce_created(session, actor, application, interview, subject)
        staged = await stage(session, [event])
        issued = Issued(interview.id, token, deps.config.link(token), interview.token_expires_at)
    await deps.outbox.release(staged)
    return issued


# -- cancel -----------------------------------------------------------------------------


async def cancel_interview(deps: ChangesInterviews, actor: Actor, *, interview_id: int) -> None:
    """Close a scheduled or in-progress self-service interview; its link answers CANCELLED."""
    async with deps.session_factory.begin() as session:
        interview = await tenant_interview(session, actor.tenant_id, interview_id)
        if interview.status not in OPEN:
            raise ValidationFailed("interviewId", f"the interview is {interview.status.value}")
        events = await transition(
            session,
            interview,
            InterviewStatus.CANCELLED,
            actor,
            now=utcnow(),
            description="Cancelled the self-service interview",
        )
        staged = await stage(session, events)
    await deps.outbox.release(staged)
