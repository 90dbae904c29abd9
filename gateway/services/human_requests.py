"""A candidate's request to speak with a person: who hears of it, and how it is resolved.

    staged = await stage(session, await flag_request(session, interview, subject, note))
    ...                                                 # commit, release
    await mail_recruiter(deps, tenant_id, application_id, note)   # SMTP set: one e-mail
    await resolve(deps, principal, application_id=7, note="Called her back")

Asking (``interview_chat.request_human``) flags the interview and its application and,
in the same transaction, records the activity, stages the bus events
``interview.human_requested`` and ``application.human_requested`` (which outbound
webhooks subscribed to ``application.human_requested`` receive) and writes a WARNING
line to the operational log (source ``processing``). After the commit the requisition's
recruiter, else the tenant's default recruiter, is mailed when SMTP is configured; a
mail that fails is logged (ERROR) and never fails the candidate's request.

Resolving (``applicationResolveHumanRequest``) clears both flags, records the activity
``application.human_request_resolved`` with the note and publishes the event of that
name. Admins may resolve any request of the tenant; a recruiter only those on
requisitions they own (``PermissionDenied`` otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import Principal
from gateway.errors import NotFound, PermissionDenied, ValidationFailed
from gateway.events import (
    EventName,
    application_human_request_resolved,
    application_human_requested,
)
from gateway.oplog import LogEntry, stage_logs, write_log
from gateway.outbox import Outbox, stage
from gateway.pubsub import Event
from gateway.services.activities import Actor, record_activity
from gateway.services.interview_mail import MailFailed, SmtpConfig, send_email
from gateway.services.validation import optional_paragraph
from gateway.store.base import utcnow
from gateway.store.engine import SessionFactory
from gateway.store.enums import LogLevel, Role
from gateway.store.models import (
    Application,
    Candidate,
    Interview,
    Job,
    TenantSettings,
    User,
)

SOURCE = "processing"
_WARNING = LogLevel.WARNING
_ERROR = LogLevel.ERROR
RESOLVED = EventName.APPLICATION_HUMAN_REQUEST_RESOLVED.value
"""The activity a resolution records is named after its event."""
MAX_NOTE_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Asked:
    application_id: int
    interview_id: int
    job_id: int
    candidate_id: int
    candidate_name: str


async def flag_request(
    session: AsyncSession, asked: Asked, tenant_id: int, note: str | None
) -> list[Event]:
    """Inside the asking transaction: the application flagged, the log line written;
    the events to stage (the caller flags the interview and records the activity)."""
    await session.execute(
        sa.update(Application)
        .where(Application.id == asked.application_id, Application.tenant_id == tenant_id)
        .values(human_requested=True)
    )
    await stage_logs(
        session,
        [
            LogEntry(
                tenant_id,
                _WARNING,
                SOURCE,
                f"{asked.candidate_name} asked to speak with a person",
                job_id=asked.job_id,
                application_id=asked.application_id,
                extra={"interviewId": asked.interview_id, **({"note": note} if note else {})},
            )
        ],
    )
    return [
        application_human_requested(
            tenant_id,
            application_id=asked.application_id,
            interview_id=asked.interview_id,
            job_id=asked.job_id,
            candidate_id=asked.candidate_id,
            note=note,
        )
    ]


@dataclass(frozen=True, slots=True)
class _Recipient:
    email: str
    name: str | None


async def _recipient(session: AsyncSession, tenant_id: int, job_id: int) -> _Recipient | None:
    """The requisition's recruiter, else the tenant's default recruiter: the first that
    is an active user with an e-mail address."""
    candidates = (
        await session.execute(
            sa.select(
                sa.select(Job.recruiter_id)
                .where(Job.id == job_id, Job.tenant_id == tenant_id)
                .scalar_subquery(),
                sa.select(TenantSettings.default_recruiter_id)
                .where(TenantSettings.tenant_id == tenant_id)
                .scalar_subquery(),
            )
        )
    ).one()
    order = [user_id for user_id in candidates if user_id is not None]
    users = {
        user.id: user
        for user in await session.scalars(
            sa.select(User).where(
                User.id.in_(order),
                User.tenant_id == tenant_id,
                User.is_active.is_(True),
                User.email.is_not(None),
            )
        )
    }
    for user_id in order:
        if user_id in users:
            return _Recipient(users[user_id].email, users[user_id].name)
    return None


async def mail_recruiter(
    session_factory: SessionFactory,
    smtp: SmtpConfig | None,
    tenant_id: int,
    asked: Asked,
    note: str | None,
) -> bool:
    """E-mail the recruiter of the request; False when nothing was sent (no SMTP, no
    recipient, or a mail failure, which is logged)."""
    if smtp is None:
        return False
    async with session_factory() as session:
        recipient = await _recipient(session, tenant_id, asked.job_id)
        settings = await session.get(TenantSettings, tenant_id)
        title = await session.scalar(sa.select(Job.title).where(Job.id == asked.job_id))
    if recipient is None:
        await write_log(
            session_factory,
            LogEntry(
                tenant_id,
                _WARNING,
                SOURCE,
                "Nobody to mail about a request for a person: the requisition has no "
                "recruiter and the tenant no default recruiter",
                job_id=asked.job_id,
                application_id=asked.application_id,
            ),
        )
        return False
    body = (
        f"{asked.candidate_name} asked to speak with a person during their interview for "
        f"{title}.\n\n"
        + (f"Their note: {note}\n\n" if note else "")
        + "Resolve the request once you have been in touch (applicationResolveHumanRequest)."
    )
    try:
        await send_email(
            smtp,
            to=recipient.email,
            subject=f"{asked.candidate_name} asked to speak with a person",
            body=body,
            from_address=settings.email_from_address if settings is not None else None,
            from_name=settings.email_from_name if settings is not None else None,
        )
    except MailFailed as exc:
        await write_log(
            session_factory,
            LogEntry(
                tenant_id,
                _ERROR,
                SOURCE,
                f"Could not mail {recipient.email} about a request for a person: {exc.message}",
                job_id=asked.job_id,
                application_id=asked.application_id,
            ),
        )
        return False
    return True


async def resolve(
    session_factory: SessionFactory,
    outbox: Outbox,
    principal: Principal,
    *,
    application_id: int,
    note: str | None,
) -> int:
    """Clear the application's request for a person (and its interviews' flags).
    ``NotFound`` outside the tenant, ``PermissionDenied`` for a recruiter who does not
    own the requisition, ``ValidationFailed`` when nothing is requested or the note is
    too long."""
    text = optional_paragraph("note", note, max_length=MAX_NOTE_CHARS)
    tenant_id = principal.tenant_id
    async with session_factory.begin() as session:
        found = (
            await session.execute(
                sa.select(Application, Job.recruiter_id, Candidate.name)
                .join(Job, Job.id == Application.job_id)
                .join(Candidate, Candidate.id == Application.candidate_id)
                .where(Application.id == application_id, Application.tenant_id == tenant_id)
                .with_for_update(of=Application)
            )
        ).one_or_none()
        if found is None:
            raise NotFound("Application", application_id)
        application, owner, candidate_name = found
        if principal.role is not Role.ADMIN and owner != principal.user_id:
            raise PermissionDenied(
                "applications:write",
                "only the requisition's recruiter or an admin can resolve this request",
            )
        if not application.human_requested:
            raise ValidationFailed("applicationId", "the candidate has no open request")
        application.human_requested = False
        application.updated_at = utcnow()
        await session.execute(
            sa.update(Interview)
            .where(
                Interview.application_id == application_id,
                Interview.tenant_id == tenant_id,
                Interview.human_requested.is_(True),
            )
            .values(human_requested=False)
        )
        record_activity(
            session,
            Actor.from_principal(principal),
            action=RESOLVED,
            subject_type="Application",
            subject_id=application_id,
            description=f"Resolved {candidate_name}'s request to speak with a person",
            job_id=application.job_id,
            candidate_id=application.candidate_id,
            application_id=application_id,
            details={"note": text} if text else {},
        )
        staged = await stage(
            session,
            [
                application_human_request_resolved(
                    tenant_id,
                    application_id=application_id,
                    job_id=application.job_id,
                    candidate_id=application.candidate_id,
                    resolved_by=principal.user_id,
                    note=text,
                )
            ],
        )
    await outbox.release(staged)
    return application_id
