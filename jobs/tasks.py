"""The background tasks: plain async functions over a typed context, and the wrapper that
keeps each queued one's ``background_jobs`` record.

    ctx = TaskContext(sync_deps, settings)
    await sync_integration_task(ctx, tenant_id=1, integration_id=42, mode=SyncMode.FULL)
    attempt = await run_recorded(ctx, record_id=7)   # one attempt; the record follows it
    attempt.status, attempt.retry_in                 # FAILED, 20.0 (seconds to the retry)

arq (``jobs.worker``) and the in-process queue (``jobs.queue_local``) both run queued
work through ``run_recorded``; they differ only in how they wait for a retry. A failed
attempt is retried with exponential backoff (``task_retry_base_seconds``, doubling,
capped at ten minutes) until the record's ``max_attempts``; then, or at once for a
failure no retry can fix (``PermanentTaskError``, a ``DomainError``), it is dead.

An attempt holds the record's lease while it runs (a heartbeat every
``Leases.heartbeat()`` seconds) and stops when another attempt took the record
over. Its outcome is recorded even through a short database outage (tried again for
about half a minute); if it still cannot be, ``run_recorded`` raises and the queue
runs the record again later, so a logged "retrying in N s" always happens.

The sync engine is called through this module's names ``sync_integration``,
``sync_job`` and ``due_syncs``, so a test can replace them here.

The daily recruiter sync (``enqueue_recruiter_syncs``, from the worker's cron or the
embedded schedule) queues one ``recruiter_sync`` per active integration whose provider
lists users; each matches users to remote recruiters by email and drops stale links
(``gateway.services.recruiter_links``), creating nobody.

Resume analyses (``gateway.services.analysis``): ``analyze_application`` (one
application, queued by ``applicationReprocess`` as ``analysis:{id}``) and
``analyze_applications`` (a batch of new ones, queued after a sync or webhook commits
them). A provider failure that a retry can help (429, 5xx, timeouts) is retried; any
other (an answer invalid twice, a refused request) makes the record dead at once. The
provider is ``TaskContext.ai``, else the one the settings describe.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from connectors.base import Capability
from connectors.registry import connector_class
from gateway.ai.factory import create_provider
from gateway.ai.provider import AIProvider, ProviderError
from gateway.errors import DomainError, RemoteWriteFailed
from gateway.queue import (
    SYNC_INTEGRATION,
    SYNC_JOB,
    Enqueued,
    JobRecords,
    Leases,
    TaskQueue,
)
from gateway.services.activities import Actor
from gateway.services.analysis import (
    ANALYZE_APPLICATION,
    ANALYZE_APPLICATIONS,
    AnalysisDeps,
    Analyzed,
    BatchReport,
    analyze_application,
    analyze_new_applications,
)
from gateway.services.analysis import enqueue_analysis as enqueue_analysis
from gateway.services.analysis import (
    enqueue_new_application_analyses as enqueue_new_application_analyses,
)
from gateway.services.analysis import request_reprocess as request_reprocess
from gateway.services.interview_lifecycle import InterviewConfig, sweep_interviews
from gateway.services.recruiter_links import RecruiterSyncReport, sync_recruiters
from gateway.services.sync_requests import enqueue_integration_sync as enqueue_integration_sync
from gateway.services.sync_requests import enqueue_job_sync as enqueue_job_sync
from gateway.settings import Settings
from gateway.store.base import utcnow
from gateway.store.engine import SessionFactory
from gateway.store.enums import (
    ActorType,
    BackgroundJobStatus,
    DeliveryStatus,
    IntegrationStatus,
    SyncStatus,
    WebhookEventStatus,
)
from gateway.store.models import (
    IdempotencyKey,
    Integration,
    OAuthState,
    WebhookDelivery,
    WebhookEvent,
)
from jobs.health import HealthDeps, check_health
from jobs.sync import due_syncs as due_syncs
from jobs.sync import sync_integration as sync_integration
from jobs.sync import sync_job as sync_job
from jobs.sync_api import SyncDeps, SyncMode, SyncOutcome

logger = logging.getLogger("talentgraph.jobs.tasks")

MAX_RETRY_DELAY = 600.0
STALE_GRACE = timedelta(minutes=10)
"""A running record older than its task's timeout plus this is one whose worker died."""
WAITING_TTL = timedelta(days=1)
"""A pending record not started within this is one no worker will pick up (arq's expiry)."""
KEEP_FINISHED = timedelta(days=7)
"""Succeeded and dead records are pruned after this."""
RECRUITER_SYNC = "recruiter_sync"
RECRUITER_SYNC_EVERY = 86_400.0
"""Seconds between recruiter syncs of the embedded schedule (the worker's cron: daily)."""
KEEP_WEBHOOKS = timedelta(days=30)
"""Settled inbound events and finished outbound deliveries are pruned after this (well
past the one-day duplicate window of inbound events)."""


@dataclass(frozen=True, slots=True)
class TaskContext:
    """What every task may use; built once per worker or ``serve`` process."""

    deps: SyncDeps
    settings: Settings
    ai: AIProvider | None = None
    """The AI provider of this process (one instance, shared: it bounds its concurrent
    requests); None: one is built from the settings when a task needs it."""

    @property
    def session_factory(self) -> SessionFactory:
        return self.deps.session_factory

    def provider(self) -> AIProvider:
        if self.ai is not None:
            return self.ai
        try:
            return create_provider(self.settings, self.deps.http)
        except ValueError as exc:  # misconfigured: no retry fixes it
            raise PermanentTaskError(str(exc)) from None

    def analysis_deps(self) -> AnalysisDeps:
        return AnalysisDeps(self.session_factory, self.deps.bus, self.deps.cache, self.provider())

    @property
    def records(self) -> JobRecords:
        return JobRecords(self.deps.session_factory)


SETTLED_EVENTS = (
    WebhookEventStatus.PROCESSED,
    WebhookEventStatus.IGNORED,
    WebhookEventStatus.FAILED,
)


class TaskError(Exception):
    """A failed attempt worth retrying."""


class PermanentTaskError(Exception):
    """A failure no retry can fix: the record goes straight to ``dead``."""


# --- the tasks --------------------------------------------------------------------------


async def sync_integration_task(
    ctx: TaskContext,
    tenant_id: int,
    integration_id: int,
    *,
    mode: SyncMode = SyncMode.INCREMENTAL,
    trigger: str = "manual",
) -> SyncOutcome:
    outcome = await sync_integration(
        ctx.deps, tenant_id, integration_id, mode=mode, trigger=trigger
    )
    return settled(outcome, f"integration {integration_id}")


async def sync_job_task(
    ctx: TaskContext, tenant_id: int, job_id: int, *, trigger: str = "manual"
) -> SyncOutcome:
    outcome = await sync_job(ctx.deps, tenant_id, job_id, trigger=trigger)
    return settled(outcome, f"job {job_id}")


def settled(outcome: SyncOutcome, what: str) -> SyncOutcome:
    """The outcome of a sync that needs no retry; raises for one that does or cannot."""
    if outcome.already_running:
        if outcome.details.get("holderAlive") is False:
            raise TaskError(f"the lock on {what} is held by a sync that stopped; trying again")
        return outcome
    if outcome.status is None:
        raise PermanentTaskError(outcome.error or f"nothing to sync for {what}")
    if outcome.status is SyncStatus.AUTHENTICATION_FAILED:
        raise PermanentTaskError(outcome.error or "authentication failed")
    if outcome.details.get("resumable"):
        raise TaskError(f"cut short, resumes from its checkpoint: {outcome.error}")
    if outcome.status is SyncStatus.FAILED:
        if outcome.details.get("retryable") is False:
            raise PermanentTaskError(outcome.error or "sync failed")
        raise TaskError(outcome.error or "sync failed")
    return outcome


async def recruiter_sync_task(
    ctx: TaskContext, tenant_id: int, integration_id: int, *, create_missing: bool = False
) -> RecruiterSyncReport:
    """Match the tenant's users to the integration's by email; a source failure that a
    retry can fix is retried, any other expected failure is final."""
    actor = Actor(tenant_id, ActorType.SYSTEM, RECRUITER_SYNC, "Recruiter sync")
    try:
        return await sync_recruiters(
            ctx.deps, tenant_id, integration_id, create_missing=create_missing, actor=actor
        )
    except RemoteWriteFailed as exc:
        if exc.retryable:
            raise TaskError(exc.message) from None
        raise


async def analyze_application_task(
    ctx: TaskContext,
    tenant_id: int,
    application_id: int,
    *,
    trigger: str = "manual",
    requested_by: int | None = None,
) -> Analyzed:
    """A fresh analysis of one application (``NotFound`` when it is gone: dead)."""
    try:
        return await analyze_application(
            ctx.analysis_deps(),
            tenant_id,
            application_id,
            trigger=trigger,
            requested_by=requested_by,
        )
    except ProviderError as exc:
        if exc.retryable:
            raise TaskError(exc.message) from None
        raise PermanentTaskError(exc.message) from None


async def analyze_applications_task(
    ctx: TaskContext, tenant_id: int, application_ids: list[int], *, trigger: str = "new"
) -> BatchReport:
    """Analyse the new applications of a batch that still need it. Failures fail the
    attempt after the others are done: retried when any could succeed on a retry (the
    retry skips what is analysed by then), dead otherwise."""
    report = await analyze_new_applications(
        ctx.analysis_deps(), tenant_id, application_ids, trigger=trigger
    )
    if report.failed:
        first_id, first = next(iter(report.failed.items()))
        summary = (
            f"{len(report.failed)} of {len(application_ids)} analyses failed "
            f"({len(report.analyzed)} done); application {first_id}: {first.message}"
        )
        if any(error.retryable for error in report.failed.values()):
            raise TaskError(summary)
        raise PermanentTaskError(summary)
    return report


async def health_task(ctx: TaskContext) -> dict[int, bool]:
    """Check the integrations whose health check is due; integration id -> healthy."""
    interval = ctx.settings.health_check_interval_seconds or 300
    deps = HealthDeps(
        ctx.session_factory, ctx.deps.keyring, ctx.deps.http, timedelta(seconds=interval)
    )
    return await check_health(deps)


async def maintenance_task(ctx: TaskContext, *, now: datetime | None = None) -> dict[str, int]:
    """Delete expired OAuth states, mark dead the records no worker will finish, prune
    old finished records, webhook events and deliveries, and expired idempotency keys,
    and abandon idle self-service interviews and expire those past their link's expiry.
    Returns how many of each."""
    now = now or utcnow()
    async with ctx.session_factory.begin() as session:
        result = await session.execute(sa.delete(OAuthState).where(OAuthState.expires_at < now))
    expired_states = int(getattr(result, "rowcount", 0) or 0)

    def running_cutoff(job_type: str) -> datetime:
        spec = TASKS.get(job_type)
        timeout = spec.timeout if spec is not None else DEFAULT_TIMEOUT
        return now - timedelta(seconds=timeout) - STALE_GRACE

    records = ctx.records
    dead = await records.expire_stale(
        running_cutoff=running_cutoff, waiting_since=now - WAITING_TTL
    )
    pruned = await records.prune(finished_before=now - KEEP_FINISHED)
    async with ctx.session_factory.begin() as session:
        events = await session.execute(
            sa.delete(WebhookEvent).where(
                WebhookEvent.status.in_(SETTLED_EVENTS),
                WebhookEvent.received_at < now - KEEP_WEBHOOKS,
            )
        )
        keys = await session.execute(
            sa.delete(IdempotencyKey).where(IdempotencyKey.expires_at < now)
        )
        deliveries = await session.execute(
            sa.delete(WebhookDelivery).where(
                WebhookDelivery.status.in_((DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED)),
                WebhookDelivery.created_at < now - KEEP_WEBHOOKS,
            )
        )
    report = {
        "oauth_states_deleted": expired_states,
        "jobs_marked_dead": dead,
        "jobs_pruned": pruned,
        "webhook_events_pruned": int(getattr(events, "rowcount", 0) or 0),
        "webhook_deliveries_pruned": int(getattr(deliveries, "rowcount", 0) or 0),
        "idempotency_keys_pruned": int(getattr(keys, "rowcount", 0) or 0),
    }
    report.update(
        await sweep_interviews(
            ctx.session_factory,
            ctx.deps.bus,
            now=now,
            abandon_after=InterviewConfig.from_settings(ctx.settings).abandon_after,
        )
    )
    if any(report.values()):
        logger.info("maintenance: %s", report)
    return report


# --- enqueueing -------------------------------------------------------------------------


async def enqueue_due_syncs(
    session_factory: SessionFactory, queue: TaskQueue, *, now: datetime | None = None
) -> dict[str, int]:
    """Queue every sync whose interval has passed (see ``jobs.sync.due_syncs``)."""
    queued = duplicates = 0
    for due in await due_syncs(session_factory, now):
        try:
            enqueued = await enqueue_integration_sync(
                queue, due.tenant_id, due.integration_id, mode=due.mode, trigger="schedule"
            )
        except Exception:
            logger.exception("could not queue the sync of integration %s", due.integration_id)
            continue
        if enqueued.duplicate:
            duplicates += 1
        else:
            queued += 1
    if queued:
        logger.info("queued %d due sync(s); %d already queued", queued, duplicates)
    return {"queued": queued, "duplicates": duplicates}


async def schedule_tick(session_factory: SessionFactory, queue: TaskQueue) -> dict[str, int]:
    """The every-minute step of the schedule: take over what stalled (and queue again
    what the queue lost), then queue what is due (a stalled sync run is due)."""
    reclaimed = await queue.reclaim()
    if reclaimed:
        logger.warning("%d stalled or lost background job(s) queued again", reclaimed)
    return {**await enqueue_due_syncs(session_factory, queue), "reclaimed": reclaimed}


def recruiter_sync_key(integration_id: int) -> str:
    return f"recruiter-sync:{integration_id}"


async def enqueue_recruiter_sync(
    queue: TaskQueue,
    tenant_id: int,
    integration_id: int,
    *,
    create_missing: bool = False,
    trigger: str = "schedule",
) -> Enqueued:
    return await queue.enqueue(
        RECRUITER_SYNC,
        key=recruiter_sync_key(integration_id),
        tenant_id=tenant_id,
        payload={
            "integration_id": integration_id,
            "create_missing": create_missing,
            "trigger": trigger,
        },
    )


async def enqueue_recruiter_syncs(
    session_factory: SessionFactory, queue: TaskQueue
) -> dict[str, int]:
    """Queue the recruiter sync of every active integration, with credentials, whose
    provider lists users (``Capability.USERS``); nobody is created in the source."""
    async with session_factory() as session:
        rows = (
            await session.execute(
                sa.select(Integration.id, Integration.tenant_id, Integration.provider).where(
                    Integration.status == IntegrationStatus.ACTIVE,
                    Integration.credentials_encrypted.is_not(None),
                )
            )
        ).all()
    queued = duplicates = 0
    for row in rows:
        try:
            if Capability.USERS not in connector_class(row.provider.value).capabilities:
                continue
            enqueued = await enqueue_recruiter_sync(queue, row.tenant_id, row.id)
        except Exception:
            logger.exception("could not queue the recruiter sync of integration %s", row.id)
            continue
        if enqueued.duplicate:
            duplicates += 1
        else:
            queued += 1
    if queued:
        logger.info("queued %d recruiter sync(s); %d already queued", queued, duplicates)
    return {"queued": queued, "duplicates": duplicates}


# --- running queued work ----------------------------------------------------------------

TaskRun = Callable[[TaskContext, int, dict[str, Any]], Awaitable[object]]
"""A task as the queues call it: context, tenant id and the record's payload."""
DEFAULT_TIMEOUT = 3600.0


@dataclass(frozen=True, slots=True)
class TaskSpec:
    name: str
    run: TaskRun
    max_attempts: int = 5
    timeout: float = DEFAULT_TIMEOUT
    """Seconds one attempt may take before it is cancelled and counted as failed."""


async def _run_sync_integration(
    ctx: TaskContext, tenant_id: int, payload: dict[str, Any]
) -> object:
    return await sync_integration_task(
        ctx,
        tenant_id,
        int(payload["integration_id"]),
        mode=SyncMode(payload.get("mode", SyncMode.INCREMENTAL.value)),
        trigger=str(payload.get("trigger", "manual")),
    )


async def _run_sync_job(ctx: TaskContext, tenant_id: int, payload: dict[str, Any]) -> object:
    return await sync_job_task(
        ctx, tenant_id, int(payload["job_id"]), trigger=str(payload.get("trigger", "manual"))
    )


async def _run_recruiter_sync(ctx: TaskContext, tenant_id: int, payload: dict[str, Any]) -> object:
    return await recruiter_sync_task(
        ctx,
        tenant_id,
        int(payload["integration_id"]),
        create_missing=bool(payload.get("create_missing", False)),
    )


async def _run_analyze_application(
    ctx: TaskContext, tenant_id: int, payload: dict[str, Any]
) -> object:
    requested_by = payload.get("requested_by")
    return await analyze_application_task(
        ctx,
        tenant_id,
        int(payload["application_id"]),
        trigger=str(payload.get("trigger", "manual")),
        requested_by=int(requested_by) if requested_by is not None else None,
    )


async def _run_analyze_applications(
    ctx: TaskContext, tenant_id: int, payload: dict[str, Any]
) -> object:
    return await analyze_applications_task(
        ctx,
        tenant_id,
        [int(ident) for ident in payload.get("application_ids") or []],
        trigger=str(payload.get("trigger", "new")),
    )


TASKS: dict[str, TaskSpec] = {
    SYNC_INTEGRATION: TaskSpec(
        SYNC_INTEGRATION, _run_sync_integration, max_attempts=5, timeout=4 * 3600.0
    ),
    SYNC_JOB: TaskSpec(SYNC_JOB, _run_sync_job, max_attempts=3, timeout=300.0),
    RECRUITER_SYNC: TaskSpec(RECRUITER_SYNC, _run_recruiter_sync, max_attempts=3, timeout=600.0),
    ANALYZE_APPLICATION: TaskSpec(
        ANALYZE_APPLICATION, _run_analyze_application, max_attempts=4, timeout=600.0
    ),
    ANALYZE_APPLICATIONS: TaskSpec(
        ANALYZE_APPLICATIONS, _run_analyze_applications, max_attempts=4, timeout=3 * 3600.0
    ),
}
"""Every task that can be queued, by name."""


def task_spec(task: str) -> TaskSpec:
    try:
        return TASKS[task]
    except KeyError:
        raise ValueError(f"no task named {task!r}; known: {sorted(TASKS)}") from None


@dataclass(frozen=True, slots=True)
class Attempt:
    """How one ``run_recorded`` call ended. ``status`` None: there was nothing to run."""

    record_id: int
    status: BackgroundJobStatus | None
    retry_in: float | None = None
    error: str | None = None


def retry_delay(base: float, attempt: int) -> float:
    """``base * 2**(attempt-1)``, capped, with up to 10% jitter so retries spread out."""
    delay = min(MAX_RETRY_DELAY, base * 2.0 ** max(attempt - 1, 0))
    return delay * (1 + random.random() / 10)


class LeaseLost(Exception):
    """Another attempt took the record over: this one stopped."""


RECORDING_PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
"""Pauses between tries to record an attempt's outcome while the database is away."""


async def run_recorded(ctx: TaskContext, record_id: int) -> Attempt:
    """Run one attempt of a queued record and write how it went to the record."""
    records = ctx.records
    record = await records.start_attempt(record_id)
    if record is None:
        return Attempt(record_id, None)
    attempt = record.attempts
    spec = TASKS.get(record.job_type)
    if spec is None:
        error = f"no task named {record.job_type!r}"
        await records.fail(record_id, error, retry_at=None, attempt=attempt)
        return Attempt(record_id, BackgroundJobStatus.DEAD, None, error)
    try:
        async with asyncio.timeout(spec.timeout):
            result = await _holding_lease(
                records,
                record_id,
                attempt,
                spec.run(ctx, record.tenant_id, dict(record.payload or {})),
            )
    except LeaseLost:
        logger.warning(
            "%s (record %s) attempt %d stopped: another attempt took it over",
            spec.name,
            record_id,
            attempt,
        )
        return Attempt(record_id, None, None, "taken over")
    except Exception as exc:
        error = _describe(exc, spec)
        permanent = isinstance(exc, PermanentTaskError | DomainError)
        if permanent or attempt >= record.max_attempts:
            logger.warning(
                "%s (record %s) is dead after %d attempt(s): %s",
                spec.name,
                record_id,
                attempt,
                error,
            )
            await _recorded(lambda: records.fail(record_id, error, retry_at=None, attempt=attempt))
            return Attempt(record_id, BackgroundJobStatus.DEAD, None, error)
        delay = retry_delay(ctx.settings.task_retry_base_seconds, attempt)
        await _recorded(
            lambda: records.fail(
                record_id, error, retry_at=utcnow() + timedelta(seconds=delay), attempt=attempt
            )
        )
        logger.info(
            "%s (record %s) attempt %d/%d failed, retrying in %.1fs: %s",
            spec.name,
            record_id,
            attempt,
            record.max_attempts,
            delay,
            error,
        )
        return Attempt(record_id, BackgroundJobStatus.FAILED, delay, error)
    note = _note_of(result)
    await _recorded(lambda: records.succeed(record_id, attempt=attempt, note=note))
    return Attempt(record_id, BackgroundJobStatus.SUCCEEDED, error=note)


def _note_of(result: object) -> str | None:
    """What a succeeded record still tells: a sync that finished with records it could
    not map (listed with its run; retrying would not help, the next sync tries them)."""
    if isinstance(result, SyncOutcome) and result.status is SyncStatus.PARTIALLY_FAILED:
        return f"finished with failed records: {result.error}"
    return None


async def _holding_lease(
    records: JobRecords, record_id: int, attempt: int, work: Awaitable[object]
) -> object:
    """Await ``work`` while renewing the lease of ``attempt``; raise ``LeaseLost`` (having
    cancelled the work) when another attempt took the record over. A renewal the
    database refuses is skipped: the lease may then run out and the record be taken
    over, which the next renewal notices."""
    running = asyncio.ensure_future(work)
    lost = False

    async def renew() -> None:
        nonlocal lost
        while True:
            await asyncio.sleep(Leases.heartbeat())
            try:
                held = await records.beat(record_id, attempt)
            except Exception as exc:
                logger.warning("record %s: heartbeat not recorded: %s", record_id, exc)
                continue
            if not held:
                lost = True
                running.cancel()
                return

    renewer = asyncio.create_task(renew(), name=f"lease:{record_id}")
    try:
        return await running
    except asyncio.CancelledError:
        if lost:
            raise LeaseLost() from None
        raise
    finally:
        renewer.cancel()
        await asyncio.wait([renewer])


async def _recorded(write: Callable[[], Awaitable[None]]) -> None:
    """``write`` an outcome, trying again while the database is away; raises the last
    error if it never could (the queue then runs the record again)."""
    for pause in RECORDING_PAUSES:
        try:
            await write()
            return
        except Exception as exc:
            logger.warning("outcome not recorded (%s); trying again in %.1f s", exc, pause)
            await asyncio.sleep(pause)
    await write()


def _describe(exc: BaseException, spec: TaskSpec) -> str:
    if isinstance(exc, TimeoutError) and not str(exc):
        return f"timed out after {spec.timeout:g}s"
    if isinstance(exc, TaskError | PermanentTaskError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
