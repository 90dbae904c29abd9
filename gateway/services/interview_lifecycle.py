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
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import links
from gateway.ai.provider import AIProvider, EvaluationResult, ProviderError
from gateway.errors import NotFound, RemoteWriteFailed, ValidationFailed
from gateway.events import (
    interview_cancelled,
    interview_completed,
    interview_created,
    interview_evaluated,
    interview_status_changed,
)
from gateway.interview_tokens import hash_token, new_token, plausible
from gateway.locks import LockFactory
from gateway.outbox import Outbox, stage
from gateway.pubsub import Event, EventBus
from gateway.services.activities import Actor, record_activity
from gateway.services.interview_mail import SmtpConfig, send_email
from gateway.services.interview_prompts import (
    default_persona,
    evaluation_request,
    invitation,
    load_messages,
    load_subject,
)
from gateway.services.validation import email as checked_email
from gateway.settings import Settings
from gateway.store.base import utcnow
from gateway.store.engine import SessionFactory
from gateway.store.enums import (
    ActorType,
    ApplicationStatus,
    InterviewKind,
    InterviewStatus,
    MessageRole,
)
from gateway.store.models import Application, Evaluation, Interview, InterviewMessage, Persona

logger = logging.getLogger("talentgraph.interviews")

OPEN = frozenset({InterviewStatus.SCHEDULED, InterviewStatus.IN_PROGRESS})
CLOSED_APPLICATION = frozenset({ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN})
INVITE_ACTIONS = ("interview.invite_sent", "interview.invite_queued")
SWEEP_BATCH = 500
_RECOMMENDATION_LENGTH = 64


def _setting(settings: Settings, name: str, default: Any) -> Any:
    """A setting that ``gateway.settings`` may not declare yet: its default until then."""
    value = getattr(settings, name, None)
    return default if value is None else value


def _secret(value: Any) -> str | None:
    """A str or a pydantic ``SecretStr``."""
    reveal = getattr(value, "get_secret_value", None)
    text = reveal() if callable(reveal) else value
    return str(text) if text else None


@dataclass(frozen=True, slots=True)
class InterviewConfig:
    public_url: str = links.DEFAULT_BASE
    """Base of the link shown to the caller alone (``interviewCreate``)."""
    invite_url: str | None = None
    """Base of the link mailed to the candidate and kept in the timeline, which must not
    come from a client's Host header (``gateway.links.for_others``); None: ``public_url``."""
    max_questions: int = 6
    """Candidate answers before the interviewer's closing turn completes the interview."""
    max_message_chars: int = 4000
    max_messages: int = 100
    """Stored messages per interview, both sides; past it the candidate is refused."""
    abandon_after: timedelta = timedelta(hours=24)
    turn_timeout: float = 120.0
    """Seconds one interviewer turn (or evaluation) may take before it counts as failed."""
    smtp: SmtpConfig | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, *, public_url: str | None = None, invite_url: str | None = None
    ) -> InterviewConfig:
        """``public_url``/``invite_url``: the request's bases (``gateway.links``); without
        a request, both are ``links.outside_request``."""
        host = _setting(settings, "smtp_host", None)
        smtp = (
            SmtpConfig(
                host=str(host),
                port=int(_setting(settings, "smtp_port", 587)),
                username=_setting(settings, "smtp_username", None),
                password=_secret(_setting(settings, "smtp_password", None)),
                sender=_setting(settings, "smtp_from", None),
                starttls=bool(_setting(settings, "smtp_starttls", True)),
                timeout=float(_setting(settings, "smtp_timeout_seconds", 10.0)),
            )
            if host
            else None
        )
        return cls(
            public_url=public_url or links.outside_request(settings),
            invite_url=invite_url,
            max_questions=int(_setting(settings, "interview_max_questions", 6)),
            max_message_chars=int(_setting(settings, "interview_max_message_chars", 4000)),
            max_messages=int(_setting(settings, "interview_max_messages", 100)),
            abandon_after=timedelta(
                hours=float(_setting(settings, "interview_abandon_after_hours", 24.0))
            ),
            turn_timeout=float(_setting(settings, "interview_turn_timeout_seconds", 120.0)),
            smtp=smtp,
        )

    def link(self, token: str) -> str:
        return f"{self.public_url.rstrip('/')}/interview/{token}"

    def invite_link(self, token: str) -> str:
        return f"{(self.invite_url or self.public_url).rstrip('/')}/interview/{token}"


@dataclass(frozen=True, slots=True)
class InterviewDeps:
    session_factory: SessionFactory
    bus: EventBus
    locks: LockFactory
    config: InterviewConfig
    provider: AIProvider | None = None
    """Needed by the chat and by evaluations only."""

    @property
    def outbox(self) -> Outbox:
        return Outbox(self.session_factory, self.bus)

    def require_provider(self) -> AIProvider:
        if self.provider is None:
            raise RuntimeError("no AI provider configured")
        return self.provider


def lock_name(interview_id: int) -> str:
    """The per-interview lock every chat turn and invitation holds."""
    return f"interview:{interview_id}"


def mask(token: str) -> str:
    return token[:7] + "…"


# -- status moves -----------------------------------------------------------------------


async def transition(
    session: AsyncSession,
    interview: Interview,
    status: InterviewStatus,
    actor: Actor,
    *,
    now: datetime,
    description: str,
    details: dict[str, Any] | None = None,
) -> list[Event]:
    """Move ``interview`` to ``status`` in the caller's transaction; its events to stage."""
    previous = interview.status
    interview.status = status
    interview.updated_at = now
    if status is InterviewStatus.IN_PROGRESS and interview.started_at is None:
        interview.started_at = now
    if status is InterviewStatus.COMPLETED:
        interview.completed_at = now
    application = await session.get(Application, interview.application_id)
    job_id = application.job_id if application is not None else None
    candidate_id = application.candidate_id if application is not None else None
    record_activity(
        session,
        actor,
        action=f"interview.{status.value}",
        subject_type="Interview",
        subject_id=interview.id,
        description=description,
        job_id=job_id,
        candidate_id=candidate_id,
        application_id=interview.application_id,
        details={"previousStatus": previous.value, "status": status.value, **(details or {})},
    )
    tenant = interview.tenant_id
    events = [
        interview_status_changed(
            tenant, interview_id=interview.id, status=status.value, previous_status=previous.value
        )
    ]
    ended = {
        InterviewStatus.COMPLETED: interview_completed,
        InterviewStatus.CANCELLED: interview_cancelled,
    }.get(status)
    if ended is not None:
        events.append(
            ended(
                tenant,
                interview_id=interview.id,
                application_id=interview.application_id,
                job_id=job_id,
                candidate_id=candidate_id,
                kind=interview.kind.value,
                previous_status=previous.value,
            )
        )
    return events


def system_actor(tenant_id: int) -> Actor:
    return Actor(tenant_id, ActorType.SYSTEM, None, "Self-service interview")


def candidate_actor(tenant_id: int, name: str) -> Actor:
    return Actor(tenant_id, ActorType.SYSTEM, "candidate", f"{name} (candidate)"[:255])


async def _tenant_interview(session: AsyncSession, tenant_id: int, interview_id: int) -> Interview:
    interview = await session.scalar(
        sa.select(Interview)
        .where(Interview.id == interview_id, Interview.tenant_id == tenant_id)
        .with_for_update()
    )
    if interview is None:
        raise NotFound("Interview", interview_id)
    if interview.kind is not InterviewKind.SELF_SERVICE:
        raise ValidationFailed("interviewId", "this is a scheduled round, not a self-service one")
    return interview


# -- create -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Issued:
    interview_id: int
    token: str
    public_url: str
    expires_at: datetime


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


async def create_self_service(
    deps: InterviewDeps, actor: Actor, *, application_id: int, persona_id: int | None
) -> Issued:
    """A scheduled self-service interview for the application, and its one-time token.

    Refused: an application of another tenant or missing (``NotFound``), a rejected or
    withdrawn one, or one with an interview still scheduled or in progress.
    """
    now = utcnow()
    token = new_token()
    async with deps.session_factory.begin() as session:
        application = await session.scalar(
            sa.select(Application)
            .where(Application.id == application_id, Application.tenant_id == actor.tenant_id)
            .with_for_update()
        )
        if application is None:
            raise NotFound("Application", application_id)
        if application.status in CLOSED_APPLICATION:
            raise ValidationFailed("applicationId", f"the application is {application.status}")
        chosen = await _persona_id(session, actor.tenant_id, persona_id)
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
            details={"personaId": chosen, "expiresAt": interview.token_expires_at.isoformat()},
        )
        staged = await stage(
            session,
            [
                interview_created(
                    actor.tenant_id,
                    interview_id=interview.id,
                    application_id=application.id,
                    job_id=application.job_id,
                    candidate_id=application.candidate_id,
                    kind=InterviewKind.SELF_SERVICE.value,
                    status=InterviewStatus.SCHEDULED.value,
                    expires_at=interview.token_expires_at.isoformat(),
                )
            ],
        )
        issued = Issued(interview.id, token, deps.config.link(token), interview.token_expires_at)
    await deps.outbox.release(staged)
    return issued


# -- invitations ------------------------------------------------------------------------


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


async def send_invite(
    deps: InterviewDeps,
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
    async with deps.session_factory() as session:
        found = await session.scalar(
            sa.select(Interview).where(
                Interview.id == interview_id, Interview.tenant_id == actor.tenant_id
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
        subject = await load_subject(session, found)
    to = checked_email("email", email) if email else None
    if to is None:
        if not subject.candidate_email:
            raise ValidationFailed(
                "email", "the candidate has no email address: pass the one to invite"
            )
        to = checked_email("email", subject.candidate_email)
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
        mail = invitation(
            subject,
            interview_link=deps.config.invite_link(link_token),
            expires_at=expires_at.strftime("%Y-%m-%d %H:%M UTC"),
        )
        smtp = deps.config.smtp
        if smtp is not None:
            await send_email(
                smtp,
                to=to,
                subject=mail.subject,
                body=mail.body,
                from_address=subject.email_from_address,
                from_name=subject.email_from_name or subject.tenant_name,
            )
        delivery = Delivery.SMTP if smtp is not None else Delivery.QUEUED
        async with deps.session_factory.begin() as session:
            interview = await _tenant_interview(session, actor.tenant_id, interview_id)
            if interview.status not in OPEN:
                raise ValidationFailed("interviewId", f"the interview is {interview.status.value}")
            if rotate:
                interview.token_hash = hash_token(link_token)
            interview.token_expires_at = expires_at
            interview.invite_sent_at = now
            interview.updated_at = now
            action = "sent" if delivery is Delivery.SMTP else "queued (no SMTP configured)"
            record_activity(
                session,
                actor,
                action=INVITE_ACTIONS[0] if delivery is Delivery.SMTP else INVITE_ACTIONS[1],
                subject_type="Interview",
                subject_id=interview.id,
                description=f"Interview invitation to {to} {action}",
                job_id=subject.job_id,
                candidate_id=subject.candidate_id,
                application_id=subject.application_id,
                details={
                    "to": to,
                    "subject": mail.subject,
                    "body": mail.body.replace(link_token, mask(link_token)),
                    "delivery": delivery.value,
                    "newLink": rotate,
                    "expiresAt": expires_at.isoformat(),
                },
            )
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


# -- cancel -----------------------------------------------------------------------------


async def cancel_interview(deps: InterviewDeps, actor: Actor, *, interview_id: int) -> None:
    """Close a scheduled or in-progress self-service interview; its link answers CANCELLED."""
    async with deps.session_factory.begin() as session:
        interview = await _tenant_interview(session, actor.tenant_id, interview_id)
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


# -- evaluation -------------------------------------------------------------------------


def _score(value: int, low: int, high: int, name: str) -> int:
    if not low <= value <= high:
        logger.warning("evaluation %s %s out of %d..%d; clamped", name, value, low, high)
    return max(low, min(high, int(value)))


def _texts(values: tuple[str, ...]) -> list[str]:
    return [str(v).strip() for v in values if str(v).strip()]


def _evaluation_values(result: EvaluationResult) -> dict[str, Any]:
    return {
        "reliability_score": _score(result.reliability, 1, 10, "reliability"),
        "accountability_score": _score(result.accountability, 1, 10, "accountability"),
        "professionalism_score": _score(result.professionalism, 1, 10, "professionalism"),
        "communication_score": _score(result.communication, 1, 10, "communication"),
        "technical_score": _score(result.technical, 1, 10, "technical"),
        "growth_potential_score": _score(result.growth_potential, 1, 10, "growth_potential"),
        "overall_score": _score(result.overall, 0, 100, "overall"),
        "summary": result.summary.strip(),
        "strengths": _texts(result.strengths),
        "weaknesses": _texts(result.weaknesses),
        "red_flags": _texts(result.red_flags),
        "recommendation": (result.recommendation.strip().lower() or "maybe")[
            :_RECOMMENDATION_LENGTH
        ],
        "next_interview_focus": _texts(result.next_interview_focus),
        "model": result.model[:128] or None,
    }


async def evaluate_interview(
    deps: InterviewDeps, tenant_id: int, interview_id: int, actor: Actor | None = None
) -> int:
    """Ask the provider for the verdict on a completed interview and store it (replacing
    an earlier one). Returns the evaluation's id. A provider failure is
    ``RemoteWriteFailed`` and stores nothing."""
    provider = deps.require_provider()
    async with deps.session_factory() as session:
        interview = await session.scalar(
            sa.select(Interview).where(
                Interview.id == interview_id, Interview.tenant_id == tenant_id
            )
        )
        if interview is None:
            raise NotFound("Interview", interview_id)
        if interview.status is not InterviewStatus.COMPLETED:
            raise ValidationFailed(
                "interviewId",
                f"only completed interviews are evaluated; this one is {interview.status.value}",
            )
        subject = await load_subject(session, interview)
        messages = await load_messages(session, interview_id)
    try:
        async with asyncio.timeout(deps.config.turn_timeout):
            result = await provider.evaluate(evaluation_request(subject, messages))
    except ProviderError as exc:
        raise RemoteWriteFailed(
            f"the AI provider could not evaluate the interview: {exc.message}",
            retryable=exc.retryable,
        ) from exc
    except TimeoutError as exc:
        raise RemoteWriteFailed(
            "the AI provider took too long to evaluate the interview", retryable=True
        ) from exc
    values = _evaluation_values(result)
    now = utcnow()
    async with deps.session_factory.begin() as session:
        existing = await session.scalar(
            sa.select(Evaluation).where(Evaluation.interview_id == interview_id).with_for_update()
        )
        if existing is None:
            evaluation = Evaluation(
                tenant_id=tenant_id, interview_id=interview_id, created_at=now, **values
            )
            session.add(evaluation)
        else:
            evaluation = existing
            for name, value in values.items():
                setattr(evaluation, name, value)
            evaluation.created_at = now
        await session.flush()
        record_activity(
            session,
            actor or system_actor(tenant_id),
            action="interview.evaluated",
            subject_type="Interview",
            subject_id=interview_id,
            description=f"Evaluated the interview of {subject.candidate_name}: overall "
            f"{values['overall_score']}/100, {values['recommendation']}",
            job_id=subject.job_id,
            candidate_id=subject.candidate_id,
            application_id=subject.application_id,
            details={
                "evaluationId": evaluation.id,
                "overallScore": values["overall_score"],
                "recommendation": values["recommendation"],
                "model": values["model"],
            },
        )
        staged = await stage(
            session,
            [
                interview_evaluated(
                    tenant_id, interview_id=interview_id, evaluation_id=evaluation.id
                )
            ],
        )
        evaluation_id = evaluation.id
    await deps.outbox.release(staged)
    return evaluation_id


# -- expiry and abandonment -------------------------------------------------------------


async def expire_if_due(session: AsyncSession, interview: Interview, now: datetime) -> list[Event]:
    """In the caller's transaction: an open interview whose token is past its expiry
    becomes expired. Returns the events to stage ([] when nothing moved)."""
    if (
        interview.status in OPEN
        and interview.token_expires_at is not None
        and interview.token_expires_at <= now
    ):
        return await transition(
            session,
            interview,
            InterviewStatus.EXPIRED,
            system_actor(interview.tenant_id),
            now=now,
            description="The interview link expired",
            details={"expiresAt": interview.token_expires_at.isoformat()},
        )
    return []


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
