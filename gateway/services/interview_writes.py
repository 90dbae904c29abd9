"""Scheduled interview rounds, booked in the source as the acting recruiter.

    written = await schedule_interview(
        deps, principal, application_id=12, interview_type="client_round_1",
        scheduled_at=datetime(2030, 2, 1, 10, tzinfo=UTC), interviewer_id=7,
        idempotency_key=None,
    )
    # POST /interviews {"applicationId", "interviewType": "client_round_1",
    #   "scheduledAt": "2030-02-01T10:00:00Z", "interviewerId": <user 7's recruiter id>,
    #   "scheduledBy": <the caller's recruiter id>}
    written.ids["interview"]       # the local interview (kind scheduled, status scheduled)

Only BPOC books interview rounds (``Capability.SCHEDULE_INTERVIEW``). The rules, all
checked before anything is sent:

- ``interview_type`` is a lowercase word of letters, digits and underscores
  (``client_round_1``), at most 64 characters;
- ``scheduled_at`` carries a time zone (it is stored and sent in UTC), lies in the
  future (a round in the past is a record, not a booking) and at most two years ahead;
- the interviewer, when named, is an active user of the tenant with a recruiter id in
  the application's integration; without one the answer is a ``RecruiterLinkMissing``
  that names the interviewer, since the source must be told who conducts the round
  (no interviewer: the source is told none, as BPOC allows);
- the application is not rejected or withdrawn.

"In the future" and the interviewer's link are checked at the start of the remote call,
after ``write_back``'s own checks: an unsupported provider answers ``Unsupported``
first, and a repeated idempotency key still gets its first result once the time has
passed.

The new interview is stored with the source's id, and ``interview.created`` carries
``status: scheduled``, which outbound webhooks announce as ``interview.scheduled``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Capability, ConnectorBase
from connectors.models import Attribution, InterviewRequest, WriteResult
from gateway.auth import Principal
from gateway.errors import NotFound, RecruiterLinkMissing, ValidationFailed
from gateway.events import interview_created
from gateway.ports import HasSessions
from gateway.pubsub import Event
from gateway.services.activities import Actor, record_activity
from gateway.services.application_targets import Target, load_application, require_open
from gateway.services.writeback import (
    LocalChange,
    WriteDeps,
    Written,
    acting_as,
    created_id,
    write_back,
)
from gateway.store.base import utcnow
from gateway.store.enums import InterviewKind, InterviewStatus
from gateway.store.models import Interview, RecruiterLink, User

INTERVIEW_TYPE = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_AHEAD = timedelta(days=730)


def checked_interview_type(value: str) -> str:
    """``"client_round_1"`` passes; ``"Client Round 1"`` or ``""`` is ``ValidationFailed``."""
    text = (value or "").strip()
    if not INTERVIEW_TYPE.fullmatch(text):
        raise ValidationFailed(
            "interviewType",
            "interviewType is 1 to 64 lowercase letters, digits and underscores, starting "
            "with a letter (e.g. client_round_1)",
        )
    return text


def checked_time(value: datetime, now: datetime) -> datetime:
    """An aware time at most ``MAX_AHEAD`` from now, in UTC (``still_ahead`` checks that
    it is in the future)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationFailed("scheduledAt", "scheduledAt must include a time zone")
    moment = value.astimezone(UTC)
    if moment > now + MAX_AHEAD:
        raise ValidationFailed("scheduledAt", "scheduledAt must be within two years")
    return moment


def still_ahead(moment: datetime, now: datetime) -> None:
    if moment <= now:
        raise ValidationFailed("scheduledAt", "scheduledAt must be in the future")


@dataclass(frozen=True, slots=True)
class Interviewer:
    user_id: int
    name: str
    attribution: Attribution | None
    """None when the user has no recruiter id in the integration."""


async def _interviewer(
    deps: HasSessions, principal: Principal, user_id: int, integration_id: int
) -> Interviewer:
    async with deps.session_factory() as session:
        user = await session.get(User, user_id)
        if user is None or user.tenant_id != principal.tenant_id:
            raise NotFound("Recruiter", user_id)
        if not user.is_active:
            raise ValidationFailed("interviewerId", f"{user.name} is not an active user")
        link = await session.scalar(
            sa.select(RecruiterLink).where(
                RecruiterLink.user_id == user_id, RecruiterLink.integration_id == integration_id
            )
        )
    attribution = (
        Attribution(remote_id=link.remote_id, email=link.remote_email or user.email)
        if link is not None
        else None
    )
    return Interviewer(user_id, user.name or user.email, attribution)


@dataclass(frozen=True, slots=True)
class _Booking:
    """One interview round to book, checked."""

    target: Target
    kind: str
    when: datetime
    interviewer_id: int | None
    interviewer: Interviewer | None


async def _store_booking(
    session: AsyncSession, booking: _Booking, result: WriteResult, actor: Actor
) -> tuple[int, str]:
    """The booked interview stored (or updated, when a sync stored it first): its id and
    remote id."""
    target = booking.target
    now = utcnow()
    remote_id = created_id(result, "interview")
    record = result.raw.get("interview")
    values = {
        "application_id": target.id,
        "kind": InterviewKind.SCHEDULED,
        "interview_type": booking.kind,
        "status": InterviewStatus.SCHEDULED,
        "scheduled_at": booking.when,
        "interviewer_user_id": booking.interviewer_id,
        "scheduled_by_user_id": actor.user_id,
        "remote_data": dict(record) if isinstance(record, dict) else dict(result.raw),
        "remote_deleted_at": None,
        "updated_at": now,
    }
    found = await session.scalar(
        sa.select(Interview.id).where(
            Interview.integration_id == target.integration_id,
            Interview.remote_id == remote_id,
        )
    )
    if found is None:
        row = Interview(
            tenant_id=target.tenant_id,
            integration_id=target.integration_id,
            remote_id=remote_id,
            created_at=now,
            **values,
        )
        session.add(row)
        await session.flush()
        return row.id, remote_id
    # a webhook-driven sync stored it first
    await session.execute(sa.update(Interview).where(Interview.id == found).values(values))
    return found, remote_id


def _announce_booking(
    session: AsyncSession, booking: _Booking, actor: Actor, interview_id: int, remote_id: str
) -> Event:
    """The booking's activity; returns its event."""
    target, kind, when = booking.target, booking.kind, booking.when
    record_activity(
        session,
        actor,
        action="interview.scheduled",
        subject_type="Interview",
        subject_id=interview_id,
        description=f"Scheduled {kind} for {when.isoformat()}",
        job_id=target.job_id,
        candidate_id=target.candidate_id,
        application_id=target.id,
        details={
            "remoteId": remote_id,
            "interviewType": kind,
            "scheduledAt": when.isoformat(),
            "interviewerId": booking.interviewer_id,
        },
    )
    return interview_created(
        target.tenant_id,
        interview_id=interview_id,
        remote_id=remote_id,
        application_id=target.id,
        job_id=target.job_id,
        candidate_id=target.candidate_id,
        interview_type=kind,
        scheduled_at=when.isoformat(),
        status=str(InterviewStatus.SCHEDULED),
    )


async def _book(
    connector: ConnectorBase, attribution: Attribution | None, booking: _Booking
) -> WriteResult:
    target, interviewer = booking.target, booking.interviewer
    acting = acting_as(attribution, target.integration_id, target.integration_name)
    if interviewer is not None and interviewer.attribution is None:
        raise RecruiterLinkMissing(
            target.integration_id,
            target.integration_name,
            who=f"the interviewer {interviewer.name}",
        )
    still_ahead(booking.when, utcnow())  # here, so a replayed key answers even once it is past
    request = InterviewRequest(
        application_remote_id=target.remote_id,
        interview_type=booking.kind,
        scheduled_at=booking.when,
        interviewer=interviewer.attribution if interviewer is not None else None,
    )
    return await connector.schedule_interview(request, acting)


async def schedule_interview(
    deps: WriteDeps,
    principal: Principal,
    *,
    application_id: int,
    interview_type: str,
    scheduled_at: datetime,
    interviewer_id: int | None,
    idempotency_key: str | None,
) -> Written:
    kind = checked_interview_type(interview_type)
    when = checked_time(scheduled_at, utcnow())
    target = await load_application(deps, principal, application_id)
    require_open(target)
    interviewer = (
        await _interviewer(deps, principal, interviewer_id, target.integration_id)
        if interviewer_id is not None
        else None
    )
    booking = _Booking(target, kind, when, interviewer_id, interviewer)

    async def local(session: AsyncSession, result: WriteResult, actor: Actor) -> LocalChange:
        interview_id, remote_id = await _store_booking(session, booking, result, actor)
        event = _announce_booking(session, booking, actor, interview_id, remote_id)
        return LocalChange({"interview": interview_id}, [event])

    return await write_back(
        deps,
        principal,
        integration_id=target.integration_id,
        operation="interviewSchedule",
        capability=Capability.SCHEDULE_INTERVIEW,
        request={
            "applicationId": application_id,
            "interviewType": kind,
            "scheduledAt": when.isoformat(),
            "interviewerId": interviewer_id,
        },
        idempotency_key=idempotency_key,
        remote=lambda connector, attribution: _book(connector, attribution, booking),
        local=local,
    )
