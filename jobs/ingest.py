"""Processing stored inbound webhook events: claim, refetch, upsert, publish.

    ingestor = Ingestor(deps, settings, inbox, queue)
    await ingestor.process(17)      # WebhookEventStatus.PROCESSED (None: not ours to run)
    await ingestor.run()            # consumers on the inbox + the sweep, until cancelled

An event's row is its record:

    received -> processing -> processed | ignored (names nothing we refetch)
                          \\-> retrying (backoff) -> processing -> ...
                          \\-> failed (out of attempts, or no retry can help;
                                       ``webhookEventRetry`` runs it again)

A process claims a row before working on it (one UPDATE that only one process can
win) and holds the claim for ``webhook_lease_seconds``; a claim that outlives its
process is taken over by the next sweep. The refetched records and the event's
``processed`` mark commit in one transaction, fenced by the claim's attempt number,
so an event's writes land once even when a dead worker's attempt is repeated.
The bus events are staged in that transaction too (``gateway.outbox``) and published
after the commit, when the tenant's cached responses are dropped; the sweep also
publishes what a process that died in between left staged.

A notice names records, never their state: the connector refetches them, so a late or
repeated delivery cannot write stale data. What no targeted refetch covers (an
interview, or a provider that cannot fetch one candidate's applications) queues the
integration's incremental sync instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import ConnectorBase
from connectors.errors import ConnectorError, UnsupportedOperationError
from connectors.models import RemoteApplication, RemoteCandidate, RemoteJob
from connectors.webhooks import Notice, NoticeError, Scheme, parse_notice
from gateway.crypto import CryptoError
from gateway.events import job_deleted
from gateway.inbox import Inbox
from gateway.metrics import WEBHOOK_EVENTS_PROCESSED
from gateway.outbox import Outbox, Staged, stage
from gateway.pubsub import Event
from gateway.queue import TaskQueue
from gateway.redis_clients import raise_if_cancelled
from gateway.services.activities import Actor
from gateway.services.analysis import NewApplicationAnalyses, new_application_ids
from gateway.services.connections import connector_for
from gateway.settings import Settings
from gateway.store.base import table_of, utcnow
from gateway.store.enums import ActorType, IntegrationStatus, Provider, WebhookEventStatus
from gateway.store.models import Integration, Job, WebhookEvent
from gateway.unavailable import log_loop_failure
from jobs.sync_api import SyncDeps, SyncMode
from jobs.sync_writer import RecordWriter, describe_failure
from jobs.tasks import enqueue_integration_sync, retry_delay

logger = logging.getLogger("talentgraph.jobs.ingest")

_events = table_of(WebhookEvent)
SWEEP_LIMIT = 500
CONSUMERS = 8
MAX_ERROR_LENGTH = 2000


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    tenant_id: int
    integration_id: int
    provider: Provider
    event_type: str | None
    headers: Mapping[str, Any]
    body: bytes
    attempts: int


@dataclass
class _Tally:
    tenant_id: int
    integration_id: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def count(self, model: str, outcome: str, amount: int = 1) -> None:
        if amount:
            bucket = self.counts.setdefault(model, {})
            bucket[outcome] = bucket.get(outcome, 0) + amount

    def fail(self, entity: str, remote_id: str | None, reason: str) -> None:
        self.count(entity, "failed")
        self.failures.append(describe_failure(entity, remote_id, reason))


class AttemptFailed(Exception):
    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class ClaimLost(Exception):
    """Another process took the event over (this one outlived its lease)."""


def scheme_of(provider: Provider, headers: Mapping[str, Any]) -> Scheme:
    """The route an event came in by: Standard Webhooks senders leave ``webhook-id``."""
    if "webhook-id" in headers:
        return Scheme.STANDARD
    return Scheme(provider.value)


class Ingestor:
    def __init__(self, deps: SyncDeps, settings: Settings, inbox: Inbox, queue: TaskQueue) -> None:
        self.deps = deps
        self.settings = settings
        self.inbox = inbox
        self.queue = queue
        self.handoff_grace = timedelta(seconds=settings.webhook_handoff_grace_seconds)
        self.outbox = Outbox(
            deps.session_factory,
            deps.bus,
            grace=timedelta(seconds=settings.outbox_grace_seconds),
            invalidate=deps.cache.invalidate,
        )

    # --- one event ------------------------------------------------------------------

    async def process(self, event_id: int) -> WebhookEventStatus | None:
        claimed = await self._claim(event_id)
        if claimed is None:
            return None
        try:
            status = await self._handle(claimed)
        except ClaimLost:
            logger.warning("webhook event %s was taken over by another process", event_id)
            return None
        except AttemptFailed as failed:
            status = await self._failed(claimed, str(failed), retryable=failed.retryable)
        except Exception as exc:
            logger.exception("webhook event %s failed unexpectedly", event_id)
            status = await self._failed(claimed, f"{type(exc).__name__}: {exc}", retryable=True)
        WEBHOOK_EVENTS_PROCESSED.labels(status.value).inc()
        return status

    async def _claim(self, event_id: int) -> Claimed | None:
        now = utcnow()
        due = sa.or_(
            _events.c.status == WebhookEventStatus.RECEIVED,
            sa.and_(
                _events.c.status == WebhookEventStatus.RETRYING,
                sa.or_(_events.c.next_attempt_at.is_(None), _events.c.next_attempt_at <= now),
            ),
            sa.and_(
                _events.c.status == WebhookEventStatus.PROCESSING,
                _events.c.claimed_until < now,
            ),
        )
        async with self.deps.session_factory.begin() as session:
            row = (
                await session.execute(
                    sa.update(_events)
                    .where(_events.c.id == event_id, due)
                    .values(
                        status=WebhookEventStatus.PROCESSING,
                        attempts=_events.c.attempts + 1,
                        claimed_until=now + timedelta(seconds=self.settings.webhook_lease_seconds),
                        next_attempt_at=None,
                    )
                    .returning(
                        _events.c.id,
                        _events.c.tenant_id,
                        _events.c.integration_id,
                        _events.c.provider,
                        _events.c.event_type,
                        _events.c.headers,
                        _events.c.body,
                        _events.c.attempts,
                    )
                )
            ).first()
        if row is None:
            return None
        return Claimed(
            row.id,
            row.tenant_id,
            row.integration_id,
            Provider(row.provider),
            row.event_type,
            row.headers or {},
            bytes(row.body),
            row.attempts,
        )

    async def _handle(self, event: Claimed) -> WebhookEventStatus:
        scheme = scheme_of(event.provider, event.headers)
        topic = (event.event_type or "").partition(".")[0] or None
        try:
            notice = parse_notice(scheme, event.body, topic=topic)
        except NoticeError as exc:
            raise AttemptFailed(str(exc), retryable=False) from None
        async with self.deps.session_factory() as session:
            integration = await session.get(Integration, event.integration_id)
        if integration is None:
            raise AttemptFailed("the integration was deleted", retryable=False)
        if integration.status is IntegrationStatus.INACTIVE:
            raise AttemptFailed(f"{integration.name} is disabled", retryable=False)
        if notice.empty:
            return await self._finish(
                event,
                WebhookEventStatus.IGNORED,
                {"event": notice.event, "ignored": "names no record the gateway refetches"},
            )
        if notice.full_sync:
            return await self._finish(
                event, WebhookEventStatus.PROCESSED, await self._queue_sync(event, notice)
            )
        try:
            connector = connector_for(
                integration,
                self.deps.keyring,
                self.deps.http,
                session_factory=self.deps.session_factory,
                sleep=self.deps.sleep,
            )
            fetched = await self._refetch(connector, notice, event.integration_id)
        except CryptoError as exc:
            raise AttemptFailed(f"credentials unreadable: {exc}", retryable=False) from None
        except ConnectorError as exc:
            raise AttemptFailed(str(exc), retryable=exc.retryable) from None
        queued = await self._queue_sync(event, notice) if fetched.needs_sync else None
        tally = _Tally(event.tenant_id, event.integration_id)
        actor = Actor(
            event.tenant_id, ActorType.WEBHOOK, str(event.id), f"{integration.name} webhook"
        )
        writer = RecordWriter(tally, actor)
        events: list[Event] = []
        async with self.deps.session_factory.begin() as session:
            events += await writer.write_jobs(session, fetched.jobs)
            events += await self._mark_gone(session, tally, fetched.gone_jobs)
            events += await writer.write_candidates(session, fetched.candidates)
            events += await writer.write_applications(session, fetched.applications)
            result: dict[str, Any] = {"event": notice.event, "counts": tally.counts}
            if queued is not None:
                result.update(queued)
            if tally.failures:
                result["failures"] = tally.failures[:20]
            await self._mark(session, event, WebhookEventStatus.PROCESSED, result)
            staged = await stage(session, events)
        if events:
            await _despite_cancellation(self._after_commit(event.tenant_id, staged))
        return WebhookEventStatus.PROCESSED

    async def _after_commit(self, tenant_id: int, staged: Staged) -> None:
        """Drop the tenant's cached answers, announce the change, queue the analyses
        of new applications."""
        await self.deps.cache.invalidate(tenant_id)
        await self.outbox.release(staged)
        await NewApplicationAnalyses(self.settings, self.queue)(
            tenant_id, new_application_ids(staged.events), trigger="webhook"
        )

    async def _refetch(
        self, connector: ConnectorBase, notice: Notice, integration_id: int
    ) -> _Fetched:
        fetched = _Fetched()
        if notice.job_ids:
            fetched.jobs = await connector.get_jobs(list(notice.job_ids))
        if notice.candidate_ids:
            fetched.candidates = await connector.get_candidates(list(notice.candidate_ids))
            try:
                fetched.applications = await connector.get_applications(list(notice.candidate_ids))
            except UnsupportedOperationError:
                fetched.needs_sync = True
        found = {job.remote_id for job in fetched.jobs}
        if not notice.candidate_ids:
            fetched.gone_jobs = [j for j in notice.job_ids if j not in found]
        wanted = {a.job_remote_id for a in fetched.applications} - found
        if wanted:
            async with self.deps.session_factory() as session:
                known = set(
                    await session.scalars(
                        sa.select(Job.remote_id).where(
                            Job.integration_id == integration_id, Job.remote_id.in_(wanted)
                        )
                    )
                )
            if wanted - known:
                fetched.jobs += await connector.get_jobs(sorted(wanted - known))
        return fetched

    async def _mark_gone(
        self, session: AsyncSession, tally: _Tally, remote_ids: list[str]
    ) -> list[Event]:
        """A job the notice names that the source no longer has is deleted, never dropped."""
        if not remote_ids:
            return []
        rows = (
            await session.execute(
                sa.update(Job)
                .where(
                    Job.integration_id == tally.integration_id,
                    Job.remote_id.in_(remote_ids),
                    Job.remote_deleted_at.is_(None),
                )
                .values(remote_deleted_at=utcnow(), is_active=False)
                .returning(Job.id)
            )
        ).all()
        tally.count("jobs", "deleted", len(rows))
        return [job_deleted(tally.tenant_id, job_id=row.id) for row in rows]

    async def _queue_sync(self, event: Claimed, notice: Notice) -> dict[str, Any]:
        enqueued = await enqueue_integration_sync(
            self.queue,
            event.tenant_id,
            event.integration_id,
            mode=SyncMode.INCREMENTAL,
            trigger="webhook",
        )
        return {
            "event": notice.event,
            "sync": "already queued" if enqueued.duplicate else "queued",
            "backgroundJobId": enqueued.job_record_id,
        }

    async def _finish(
        self,
        event: Claimed,
        status: WebhookEventStatus,
        result: dict[str, Any],
    ) -> WebhookEventStatus:
        """Settle an event that changed no record."""
        async with self.deps.session_factory.begin() as session:
            await self._mark(session, event, status, result)
        return status

    async def _mark(
        self,
        session: AsyncSession,
        event: Claimed,
        status: WebhookEventStatus,
        result: dict[str, Any] | None,
        *,
        error: str | None = None,
        next_attempt_at: Any = None,
    ) -> None:
        """Settle this attempt, fenced: only while the claim is still this attempt's."""
        finished = status in (
            WebhookEventStatus.PROCESSED,
            WebhookEventStatus.IGNORED,
            WebhookEventStatus.FAILED,
        )
        outcome = await session.execute(
            sa.update(_events)
            .where(
                _events.c.id == event.id,
                _events.c.status == WebhookEventStatus.PROCESSING,
                _events.c.attempts == event.attempts,
            )
            .values(
                status=status,
                result=result,
                last_error=error,
                claimed_until=None,
                next_attempt_at=next_attempt_at,
                processed_at=utcnow() if finished else None,
            )
        )
        if getattr(outcome, "rowcount", 0) != 1:
            raise ClaimLost(event.id)

    async def _failed(self, event: Claimed, error: str, *, retryable: bool) -> WebhookEventStatus:
        error = error[:MAX_ERROR_LENGTH]
        attempts = self.settings.webhook_processing_attempts
        if retryable and event.attempts < attempts:
            delay = retry_delay(self.settings.webhook_processing_retry_base_seconds, event.attempts)
            status, due = WebhookEventStatus.RETRYING, utcnow() + timedelta(seconds=delay)
            logger.info(
                "webhook event %s attempt %d/%d failed, retrying in %.1fs: %s",
                event.id,
                event.attempts,
                attempts,
                delay,
                error,
            )
        else:
            status, due = WebhookEventStatus.FAILED, None
            logger.warning(
                "webhook event %s failed after %d attempt(s): %s", event.id, event.attempts, error
            )
        try:
            async with self.deps.session_factory.begin() as session:
                await self._mark(session, event, status, None, error=error, next_attempt_at=due)
        except ClaimLost:
            return WebhookEventStatus.PROCESSING
        return status

    # --- the loop -------------------------------------------------------------------

    async def sweep(self) -> int:
        """Hand on what is due and unclaimed: events whose hand-off was lost, retries
        whose time has come, claims whose process died; publish staged bus events a dead
        process left. Returns how many events were handed on."""
        now = utcnow()
        due = sa.or_(
            sa.and_(
                _events.c.status.in_((WebhookEventStatus.RECEIVED, WebhookEventStatus.RETRYING)),
                _events.c.next_attempt_at <= now,
            ),
            sa.and_(
                _events.c.status == WebhookEventStatus.PROCESSING,
                _events.c.claimed_until < now,
            ),
        )
        async with self.deps.session_factory.begin() as session:
            ids = list(
                await session.scalars(
                    sa.select(_events.c.id).where(due).order_by(_events.c.id).limit(SWEEP_LIMIT)
                )
            )
            if ids:
                await session.execute(
                    sa.update(_events)
                    .where(_events.c.id.in_(ids), _events.c.status == WebhookEventStatus.RECEIVED)
                    .values(next_attempt_at=now + self.handoff_grace)
                )
        if ids:
            await self.inbox.put(ids)
        await self.outbox.sweep()
        return len(ids)

    async def run(self, *, consumers: int = CONSUMERS) -> None:
        """Process what the inbox hands over and sweep periodically, until cancelled."""
        tasks = [asyncio.create_task(self._consume(), name=f"ingest-{n}") for n in range(consumers)]
        if self.settings.webhook_sweep_interval_seconds > 0:
            tasks.append(asyncio.create_task(self._sweep_forever(), name="ingest-sweep"))
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _consume(self) -> None:
        while True:
            try:
                for event_id in await self.inbox.take(limit=1, timeout=1.0):
                    await self.process(event_id)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                raise_if_cancelled()
                log_loop_failure(logger, "webhook processing loop error; continuing", exc)
                await asyncio.sleep(1.0)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.webhook_sweep_interval_seconds)
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log_loop_failure(logger, "webhook sweep failed; trying again", exc)


async def _despite_cancellation(work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` to its end even when the caller is cancelled meanwhile (once or
    more: ``run`` cancels its consumers through ``gather`` and again one by one), then
    pass the cancellation on.

    A worker that stops (SIGTERM) cancels its consumers. One cancelled between an
    event's commit and the release of its staged bus events would leave a committed
    change unannounced, and the tenant's cached answers standing, until another
    process's outbox sweep (which drops no cache) or the cache TTL; with no other
    worker running, never. The event reads ``processed`` all the while.
    """
    task = asyncio.ensure_future(work)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    task.result()


@dataclass
class _Fetched:
    jobs: list[RemoteJob] = field(default_factory=list)
    gone_jobs: list[str] = field(default_factory=list)
    candidates: list[RemoteCandidate] = field(default_factory=list)
    applications: list[RemoteApplication] = field(default_factory=list)
    needs_sync: bool = False
    """The provider cannot refetch one candidate's applications: sync instead."""
