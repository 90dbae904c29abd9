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

An event that ends failed may raise the integration's failure alert
(``gateway.services.failure_alerts``).

The row's claim and settling are ``jobs.ingest_claims``; the refetch, ``jobs.ingest_refetch``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine, Mapping
from datetime import timedelta
from typing import Any

from connectors.errors import ConnectorError
from connectors.webhooks import STANDARD_SCHEME, Notice, NoticeError, parse_notice
from gateway import tracing
from gateway.crypto import CryptoError
from gateway.inbox import Inbox
from gateway.metrics import WEBHOOK_EVENTS_PROCESSED
from gateway.outbox import Outbox, Staged, stage
from gateway.pubsub import Event
from gateway.queue import TaskQueue
from gateway.redis_clients import raise_if_cancelled
from gateway.services.activities import Actor
from gateway.services.analysis import NewApplicationAnalyses, new_application_ids
from gateway.services.connections import connector_for
from gateway.services.failure_alerts import FailureAlerts
from gateway.services.sync_requests import enqueue_integration_sync
from gateway.settings import Settings
from gateway.store.base import utcnow
from gateway.store.enums import ActorType, IntegrationStatus, Provider, WebhookEventStatus
from gateway.store.models import Integration
from gateway.unavailable import log_loop_failure
from jobs.ingest_claims import Claimed, ClaimLost, claim, mark, take_due
from jobs.ingest_refetch import Fetched, WebhookTally, mark_gone, refetch
from jobs.recorded import retry_delay
from jobs.sync_api import SyncDeps, SyncMode
from jobs.sync_writer import RecordWriter

logger = logging.getLogger("talentgraph.jobs.ingest")

CONSUMERS = 8
MAX_ERROR_LENGTH = 2000


class AttemptFailed(Exception):
    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def scheme_of(provider: Provider, headers: Mapping[str, Any]) -> str:
    """The route an event came in by: Standard Webhooks senders leave ``webhook-id``."""
    if "webhook-id" in headers:
        return STANDARD_SCHEME
    return provider.value


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
        self.alerts = FailureAlerts(deps.session_factory, self.outbox, settings)

    # --- one event ------------------------------------------------------------------

    async def process(self, event_id: int) -> WebhookEventStatus | None:
        claimed = await claim(
            self.deps.session_factory,
            event_id,
            lease=timedelta(seconds=self.settings.webhook_lease_seconds),
        )
        if claimed is None:
            return None
        with tracing.continued(claimed.headers.get("traceparent"), "webhook.process"):
            return await self._process(claimed)

    async def _process(self, claimed: Claimed) -> WebhookEventStatus | None:
        event_id = claimed.id
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
        fetched = await self._refetch(integration, notice)
        queued = await self._queue_sync(event, notice) if fetched.needs_sync else None
        await self._write(event, integration, notice, fetched, queued)
        return WebhookEventStatus.PROCESSED

    async def _refetch(self, integration: Integration, notice: Notice) -> Fetched:
        try:
            connector = connector_for(
                integration,
                self.deps.keyring,
                self.deps.http,
                session_factory=self.deps.session_factory,
                sleep=self.deps.sleep,
            )
            return await refetch(connector, notice, integration.id, self.deps.session_factory)
        except CryptoError as exc:
            raise AttemptFailed(f"credentials unreadable: {exc}", retryable=False) from None
        except ConnectorError as exc:
            raise AttemptFailed(str(exc), retryable=exc.retryable) from None

    async def _write(
        self,
        event: Claimed,
        integration: Integration,
        notice: Notice,
        fetched: Fetched,
        queued: dict[str, Any] | None,
    ) -> None:
        """Store the refetched records and settle the event in one transaction, then
        announce what changed."""
        tally = WebhookTally(event.tenant_id, event.integration_id)
        actor = Actor(
            event.tenant_id, ActorType.WEBHOOK, str(event.id), f"{integration.name} webhook"
        )
        writer = RecordWriter(tally, actor)
        events: list[Event] = []
        async with self.deps.session_factory.begin() as session:
            events += await writer.write_jobs(session, fetched.jobs)
            events += await mark_gone(session, tally, fetched.gone_jobs)
            events += await writer.write_candidates(session, fetched.candidates)
            events += await writer.write_applications(session, fetched.applications)
            result: dict[str, Any] = {"event": notice.event, "counts": tally.counts}
            if queued is not None:
                result.update(queued)
            if tally.failures:
                result["failures"] = tally.failures[:20]
            await mark(session, event, WebhookEventStatus.PROCESSED, result)
            staged = await stage(session, events)
        if events:
            await _despite_cancellation(self._after_commit(event.tenant_id, staged))

    async def _after_commit(self, tenant_id: int, staged: Staged) -> None:
        """Drop the tenant's cached answers, announce the change, queue the analyses
        of new applications."""
        await self.deps.cache.invalidate(tenant_id)
        await self.outbox.release(staged)
        await NewApplicationAnalyses(self.settings, self.queue, self.deps.session_factory)(
            tenant_id, new_application_ids(staged.events), trigger="webhook"
        )

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
            await mark(session, event, status, result)
        return status

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
                await mark(session, event, status, None, error=error, next_attempt_at=due)
        except ClaimLost:
            return WebhookEventStatus.PROCESSING
        if status is WebhookEventStatus.FAILED:
            await self.alerts.inbound(event.tenant_id, integration_id=event.integration_id)
        return status

    # --- the loop -------------------------------------------------------------------

    async def sweep(self) -> int:
        """Hand on what is due and unclaimed: events whose hand-off was lost, retries
        whose time has come, claims whose process died; publish staged bus events a dead
        process left. Returns how many events were handed on."""
        ids = await take_due(self.deps.session_factory, handoff_grace=self.handoff_grace)
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
