"""Requisition automation: each requisition with ``autoSendInterview`` on is checked on
its own interval (``minCheckInterval`` minutes, counted from ``lastCheckedAt``), and a
check invites every application that reached the requisition's trigger within its
lookback window to a self-service interview, once.

    due = await claim_due_checks(session_factory, now=now)   # the schedule, every tick
    report = await check_requisition(deps, tenant_id, job_id)  # the queued task
    report.invited, report.failed

The trigger: ``autoSendOnStatus`` names a stage of the requisition's pipeline (as its
source spells it, case aside) or a stage kind (``screen``, ``interview``...); unset, a
new application (in an ``applied`` stage, or in none yet). The lookback: the
application entered that stage (or applied, for a new one) within the requisition's
``lookbackHours``, else the tenant's ``lookbackHoursDefault``; older ones are left
alone, so turning automation on does not mail a requisition's whole history.

Once: an application that ever had a self-service interview is skipped, and each
invitation is made holding a lock named after the application (Redis, or in-process
without it) and re-checked under a lock on the application's row (``first_only``), so
checks racing each other (a retry beside a late worker) invite it once, on SQLite too,
where a row lock does not exist. Each invitation is an
interview created (activity ``interview.created``, event ``interview.created``) and
sent (activity ``interview.invite_sent`` or ``..._queued``), and an operational log
line. One application failing (no e-mail address, a mail server refusing) fails alone:
logged as a warning, retried at the next check.

Why checks do not refetch from the source: no provider lists one requisition's
applications, so the integration's own sync (and its webhooks) keeps them fresh; a check
works on what is stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from gateway.errors import DomainError
from gateway.oplog import LogEntry, write_log
from gateway.services.activities import Actor
from gateway.services.interview_deps import InterviewDeps
from gateway.services.interview_lifecycle import (
    AlreadyInterviewed,
    create_self_service,
    send_invite,
)
from gateway.store.base import utcnow
from gateway.store.engine import SessionFactory
from gateway.store.enums import (
    ActorType,
    ApplicationStatus,
    InterviewKind,
    InterviewStatus,
    JobStatus,
    LogLevel,
    StageKind,
)
from gateway.store.models import (
    Application,
    Candidate,
    Interview,
    Job,
    PipelineStage,
    TenantSettings,
)

logger = logging.getLogger("talentgraph.automation")

SOURCE = "automation"
CHECK_REQUISITION = "check_requisition"
DEFAULT_LOOKBACK_HOURS = 24


def automation_actor(tenant_id: int) -> Actor:
    return Actor(tenant_id, ActorType.SYSTEM, SOURCE, "Interview automation")


def check_key(job_id: int) -> str:
    return f"check:{job_id}"


@dataclass(frozen=True, slots=True)
class DueCheck:
    tenant_id: int
    job_id: int


async def claim_due_checks(
    session_factory: SessionFactory, *, now: datetime | None = None
) -> list[DueCheck]:
    """The requisitions due a check (automation on, active and open, their interval
    passed since the last check), marked checked now so the next tick skips them."""
    now = now or utcnow()
    async with session_factory.begin() as session:
        rows = (
            await session.execute(
                sa.select(Job.id, Job.tenant_id, Job.last_checked_at, Job.min_check_interval)
                .where(
                    Job.auto_send_interview.is_(True),
                    Job.is_active.is_(True),
                    Job.status == JobStatus.OPEN,
                    Job.remote_deleted_at.is_(None),
                )
                .order_by(Job.id)
            )
        ).all()
        due = [
            DueCheck(row.tenant_id, row.id)
            for row in rows
            if row.last_checked_at is None
            or row.last_checked_at <= now - timedelta(minutes=row.min_check_interval)
        ]
        if due:
            await session.execute(
                sa.update(Job)
                .where(Job.id.in_([check.job_id for check in due]))
                .values(last_checked_at=now)
            )
    return due


@dataclass(slots=True)
class CheckReport:
    job_id: int
    considered: int = 0
    invited: list[int] = field(default_factory=list)
    """Application ids invited by this check."""
    failed: dict[int, str] = field(default_factory=dict)
    """Application id -> why its invitation failed."""
    skipped: str | None = None
    """Why nothing was considered (automation off, requisition closed...)."""

    def note(self) -> str:
        if self.skipped:
            return f"requisition {self.job_id}: {self.skipped}"
        return (
            f"requisition {self.job_id}: {self.considered} application(s) at the trigger, "
            f"{len(self.invited)} invited, {len(self.failed)} failed"
        )


@dataclass(frozen=True, slots=True)
class _Requisition:
    tenant_id: int
    job_id: int
    title: str
    integration_id: int | None
    on_status: str | None
    since: datetime


async def _requisition(
    session_factory: SessionFactory, tenant_id: int, job_id: int, now: datetime
) -> _Requisition | str:
    async with session_factory() as session:
        job = await session.scalar(
            sa.select(Job).where(Job.id == job_id, Job.tenant_id == tenant_id)
        )
        if job is None:
            return "the requisition no longer exists"
        if not job.auto_send_interview:
            return "automation is off"
        if not job.is_active or job.status is not JobStatus.OPEN:
            return "the requisition is not active and open"
        default = await session.scalar(
            sa.select(TenantSettings.lookback_hours_default).where(
                TenantSettings.tenant_id == tenant_id
            )
        )
    hours = job.lookback_hours or default or DEFAULT_LOOKBACK_HOURS
    return _Requisition(
        tenant_id,
        job.id,
        job.title,
        job.integration_id,
        (job.auto_send_on_status or "").strip() or None,
        now - timedelta(hours=hours),
    )


def _at_trigger(requisition: _Requisition) -> sa.ColumnElement[bool]:
    """Applications of the requisition at its trigger, entered within the lookback."""
    stage = PipelineStage
    if requisition.on_status is None:
        entered = sa.func.coalesce(
            Application.applied_at, Application.stage_entered_at, Application.created_at
        )
        at_stage = sa.or_(
            Application.current_stage_id.is_(None),
            Application.current_stage_id.in_(
                sa.select(stage.id).where(
                    stage.tenant_id == requisition.tenant_id, stage.kind == StageKind.APPLIED
                )
            ),
        )
    else:
        entered = sa.func.coalesce(
            Application.stage_entered_at, Application.applied_at, Application.created_at
        )
        wanted = requisition.on_status.lower()
        kinds = [kind for kind in StageKind if kind.value == wanted]
        matches = sa.func.lower(stage.name) == wanted
        if kinds:
            matches = sa.or_(matches, stage.kind == kinds[0])
        at_stage = Application.current_stage_id.in_(
            sa.select(stage.id).where(stage.tenant_id == requisition.tenant_id, matches)
        )
    ever_interviewed = (
        sa.select(Interview.id)
        .where(
            Interview.application_id == Application.id,
            Interview.kind == InterviewKind.SELF_SERVICE,
        )
        .exists()
    )
    return sa.and_(
        Application.tenant_id == requisition.tenant_id,
        Application.job_id == requisition.job_id,
        Application.status == ApplicationStatus.ACTIVE,
        Application.remote_deleted_at.is_(None),
        at_stage,
        entered >= requisition.since,
        sa.or_(~ever_interviewed, _uninvited().is_not(None)),
    )


def _uninvited() -> sa.ScalarSelect[int]:
    """The application's interview the automation created and could not send yet (its
    invitation is tried again, with a fresh link)."""
    return (
        sa.select(Interview.id)
        .where(
            Interview.application_id == Application.id,
            Interview.kind == InterviewKind.SELF_SERVICE,
            Interview.status == InterviewStatus.SCHEDULED,
            Interview.invite_sent_at.is_(None),
            Interview.scheduled_by_user_id.is_(None),
        )
        .limit(1)
        .scalar_subquery()
    )


async def check_requisition(
    deps: InterviewDeps,
    tenant_id: int,
    job_id: int,
    *,
    limit: int = 50,
    now: datetime | None = None,
) -> CheckReport:
    """Invite the applications at the requisition's trigger (at most ``limit``), each
    once; see the module docstring."""
    now = now or utcnow()
    report = CheckReport(job_id)
    found = await _requisition(deps.session_factory, tenant_id, job_id, now)
    if isinstance(found, str):
        report.skipped = found
        return report
    async with deps.session_factory() as session:
        candidates = (
            await session.execute(
                sa.select(Application.id, Candidate.name, _uninvited().label("uninvited"))
                .join(Candidate, Candidate.id == Application.candidate_id)
                .where(_at_trigger(found))
                .order_by(Application.id)
                .limit(limit)
            )
        ).all()
    report.considered = len(candidates)
    actor = automation_actor(tenant_id)
    logs: list[LogEntry] = []
    for application_id, name, uninvited in candidates:
        entry = await _invite(deps, actor, found, application_id, name, uninvited, report)
        if entry is not None:
            logs.append(entry)
    if report.invited or report.failed:
        logs.append(
            LogEntry(
                tenant_id,
                LogLevel.WARNING if report.failed else LogLevel.INFO,
                SOURCE,
                f"Checked {found.title}: {len(report.invited)} invited, "
                f"{len(report.failed)} failed",
                job_id=job_id,
                extra={"considered": report.considered, "invited": len(report.invited)},
            )
        )
    await write_log(deps.session_factory, *logs)
    return report


async def _invite(
    deps: InterviewDeps,
    actor: Actor,
    requisition: _Requisition,
    application_id: int,
    name: str,
    uninvited: int | None,
    report: CheckReport,
) -> LogEntry | None:
    """One application's interview and invitation (only the invitation when an earlier
    check created the interview and could not send it); its log line (None: nothing to
    say)."""
    lock = deps.locks.lock(f"auto-invite:{application_id}", ttl=120.0)
    if not await lock.acquire():
        return None  # another check is inviting it now
    try:
        interview_id, token = uninvited, None
        if interview_id is None:
            try:
                issued = await create_self_service(
                    deps, actor, application_id=application_id, persona_id=None, first_only=True
                )
            except AlreadyInterviewed:
                return None  # invited by a check that ran meanwhile
            except DomainError as exc:
                report.failed[application_id] = str(exc)
                return _failure(requisition, application_id, name, "creating the interview", exc)
            interview_id, token = issued.interview_id, issued.token
        try:
            invited = await send_invite(deps, actor, interview_id=interview_id, token=token)
        except DomainError as exc:
            report.failed[application_id] = str(exc)
            return _failure(requisition, application_id, name, "sending the invitation", exc)
    finally:
        await lock.release()
    report.invited.append(application_id)
    return LogEntry(
        requisition.tenant_id,
        LogLevel.INFO,
        SOURCE,
        f"Invited {name} to a self-service interview for {requisition.title} "
        f"({invited.delivery.value})",
        job_id=requisition.job_id,
        application_id=application_id,
        extra={"interviewId": interview_id, "delivery": invited.delivery.value},
    )


def _failure(
    requisition: _Requisition, application_id: int, name: str, step: str, exc: Exception
) -> LogEntry:
    logger.warning("automation: %s for application %s failed: %s", step, application_id, exc)
    return LogEntry(
        requisition.tenant_id,
        LogLevel.WARNING,
        SOURCE,
        f"Could not invite {name} ({step}): {exc}",
        job_id=requisition.job_id,
        application_id=application_id,
    )
