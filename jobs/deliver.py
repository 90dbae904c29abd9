"""Outbound webhook delivery: one row per message, attempts retried with backoff.

    deliveries = Deliveries(session_factory, keyring, bus, inbox, settings, http)
    ids = await deliveries.fan_out(event)   # rows for the subscriptions that want it, handed on
    await deliveries.deliver(ids[0])        # claim, sign, POST, record: True once delivered
    await deliveries.sweep()                # hand on rows that are due and nobody holds
    await deliveries.run()                  # bus listener, consumers and sweep, until cancelled

A delivery's row is its record:

    pending -> delivering -> succeeded (2xx)
                          \\-> retrying (5xx, 429, timeout, no connection; waits
                          |    base * 2**(attempt-1), for a 429 at least Retry-After)
                          |    -> delivering -> ...
                          \\-> failed (any other status, a refused target, a disabled
                               subscription, or the last of 1 + retryAttempts attempts)

Every process that runs ``run()`` hears every bus event (Redis pub/sub fans them out),
so each builds the same rows: the ``webhook-id`` is derived from the bus event, the
event name and the subscription, and the insert skips ids the store already has, so
one message is stored once however many processes heard it. Acting on a row takes a
claim first (one UPDATE only one process can win, held ``webhook_lease_seconds``); the
HTTP request runs outside any transaction, and its outcome is written only while the
claim is still this attempt's. Each attempt is signed afresh over exactly the bytes
sent, in the scheme the subscription has at that moment (Standard Webhooks with a new
``webhook-timestamp``, or the integration framework's ``X-Webhook-Signature``), under
the message's id (``webhook-id``, or its UUID in ``X-Webhook-Id``) on every attempt.

A delivery that gives up (``failed_at``) may raise the subscription's failure alert
(``gateway.services.failure_alerts``); that alert is withheld from the failing
subscription itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import tracing
from gateway.crypto import CryptoError, Keyring
from gateway.inbox import Inbox
from gateway.metrics import WEBHOOK_DELIVERY_ATTEMPTS
from gateway.oplog import LogEntry, stage_logs
from gateway.outbound_events import names_for, payload, withheld_from
from gateway.outbound_http import Reply
from gateway.outbox import Outbox
from gateway.pubsub import Event, EventBus
from gateway.redis_clients import raise_if_cancelled
from gateway.services.failure_alerts import FailureAlerts
from gateway.services.webhook_subscriptions import decrypted_secret
from gateway.settings import Settings
from gateway.store.base import table_of, utcnow
from gateway.store.engine import SessionFactory
from gateway.store.enums import DeliveryStatus, LogLevel
from gateway.store.models import Tenant, WebhookDelivery, WebhookSubscription
from gateway.unavailable import log_loop_failure
from gateway.webhook_send import error_of, send_signed
from gateway.webhook_signature import message_id

logger = logging.getLogger("talentgraph.jobs.deliver")

CONSUMERS = 8
SWEEP_LIMIT = 500
FAN_OUT_BATCH = 200
INSERT_CHUNK = 500
MAX_RETRY_AFTER_SECONDS = 3600.0
"""A receiver's ``Retry-After`` is honoured up to an hour; beyond that, an hour."""

_deliveries = table_of(WebhookDelivery)
_subscriptions = table_of(WebhookSubscription)


@dataclass(frozen=True, slots=True)
class Step:
    """What follows an attempt: its final status, or the time of the next attempt."""

    status: DeliveryStatus
    next_attempt_at: datetime | None = None


def next_step(
    reply: Reply, *, attempt: int, retry_attempts: int, base_seconds: float, now: datetime
) -> Step:
    """After ``attempt`` (1 is the first), given ``retry_attempts`` retries at most.

    With ``retry_attempts=3`` and ``base_seconds=1``, a 503 on attempts 1, 2 and 3
    schedules the next at now + 1 s, 2 s and 4 s; a 503 on attempt 4 is FAILED.
    """
    code = reply.status_code
    if code is not None and 200 <= code < 300:
        return Step(DeliveryStatus.SUCCEEDED)
    retryable = not reply.refused and (code is None or code >= 500 or code == 429)
    if not retryable or attempt > retry_attempts:
        return Step(DeliveryStatus.FAILED)
    delay = base_seconds * 2.0 ** (attempt - 1)
    if code == 429 and reply.retry_after is not None:
        delay = max(delay, min(reply.retry_after, MAX_RETRY_AFTER_SECONDS))
    return Step(DeliveryStatus.RETRYING, now + timedelta(seconds=delay))


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: int
    subscription_id: int
    event: str
    message_id: str
    payload: dict[str, Any]
    attempt: int
    traceparent: str | None = None
    tenant_id: int | None = None


class Deliveries:
    """Fans bus events out to delivery rows and delivers them; see the module docstring."""

    def __init__(
        self,
        session_factory: SessionFactory,
        keyring: Keyring,
        bus: EventBus,
        inbox: Inbox,
        settings: Settings,
        http: httpx.AsyncClient,
        *,
        consumers: int = CONSUMERS,
    ) -> None:
        self.session_factory = session_factory
        self.keyring = keyring
        self.bus = bus
        self.inbox = inbox
        self.settings = settings
        self.http = http
        self.consumers = consumers
        self.handoff_grace = timedelta(seconds=settings.webhook_handoff_grace_seconds)
        self._wakeups: set[asyncio.Task[None]] = set()
        self._running = False
        self.alerts = FailureAlerts(
            session_factory,
            Outbox(session_factory, bus, grace=timedelta(seconds=settings.outbox_grace_seconds)),
            settings,
        )

    # --- fan-out ---------------------------------------------------------------------

    async def fan_out(self, event: Event) -> list[int]:
        """Store a delivery per subscription wanting what ``event`` fires; hand the new
        rows on. Rows another process already stored for the same event are skipped."""
        return await self.fan_out_many([event])

    async def fan_out_many(self, events: Sequence[Event]) -> list[int]:
        fired = [(event, names) for event in events if (names := names_for(event))]
        if not fired:
            return []
        tenants = {event.tenant_id for event, _ in fired}
        now = utcnow()
        async with self.session_factory.begin() as session:
            found = (
                await session.execute(
                    sa.select(
                        _subscriptions.c.id, _subscriptions.c.tenant_id, _subscriptions.c.events
                    ).where(
                        _subscriptions.c.tenant_id.in_(tenants),
                        _subscriptions.c.is_active.is_(True),
                    )
                )
            ).all()
            if not found:
                return []
            by_tenant: dict[int, list[Any]] = defaultdict(list)
            for subscription in found:
                by_tenant[subscription.tenant_id].append(subscription)
            slugs = dict(
                (
                    await session.execute(
                        sa.select(Tenant.id, Tenant.slug).where(Tenant.id.in_(by_tenant))
                    )
                ).all()
            )
            rows = [
                {
                    "tenant_id": event.tenant_id,
                    "subscription_id": subscription.id,
                    "event": name.value,
                    "message_id": message_id(event.id, name.value, subscription.id),
                    "payload": payload(name.value, slugs[event.tenant_id], event),
                    "status": DeliveryStatus.PENDING,
                    "attempt": 0,
                    "next_attempt_at": now + self.handoff_grace,
                    "created_at": now,
                    "traceparent": event.trace,
                }
                for event, names in fired
                for subscription in by_tenant.get(event.tenant_id, ())
                for name in names
                if name.value in (subscription.events or ())
                and subscription.id != withheld_from(event)
            ]
            ids = await _insert_new(session, rows)
        if ids:
            await self.inbox.put(ids)
        return ids

    # --- one delivery ----------------------------------------------------------------

    async def deliver(self, delivery_id: int) -> bool:
        """Make the attempt that is due, if this process wins the claim. True when the
        receiver took it (2xx); False when it did not, or the row was not ours to send."""
        claimed = await self._claim(delivery_id)
        if claimed is None:
            return False
        async with self.session_factory() as session:
            subscription = await session.get(WebhookSubscription, claimed.subscription_id)
        if subscription is None or not subscription.is_active:
            disabled = Reply(None, 0, error="the subscription is disabled", refused=True)
            await self._settle(claimed, disabled)
            return False
        try:
            secret = decrypted_secret(subscription, self.keyring)
        except CryptoError:
            reply = Reply(None, 0, error="the signing secret does not decrypt", refused=True)
            await self._settle(claimed, reply, subscription.retry_attempts)
            return False
        with tracing.continued(claimed.traceparent, "webhook.deliver") as span:
            span.set_attribute("webhook.event", claimed.event)
            span.set_attribute("webhook.attempt", claimed.attempt)
            reply = await send_signed(
                self.http,
                self.settings,
                url=subscription.url,
                secret=secret,
                webhook_id=claimed.message_id,
                event=claimed.event,
                body=claimed.payload,
                timeout_ms=subscription.timeout_ms,
                scheme=subscription.signature_scheme,
            )
        step = await self._settle(claimed, reply, subscription.retry_attempts)
        if step is not None and step.next_attempt_at is not None:
            self._wake_at(claimed.id, step.next_attempt_at)
        return step is not None and step.status is DeliveryStatus.SUCCEEDED

    async def _claim(self, delivery_id: int) -> _Claimed | None:
        now = utcnow()
        c = _deliveries.c
        due = sa.or_(
            c.status == DeliveryStatus.PENDING,
            sa.and_(
                c.status == DeliveryStatus.RETRYING,
                sa.or_(c.next_attempt_at.is_(None), c.next_attempt_at <= now),
            ),
            sa.and_(c.status == DeliveryStatus.DELIVERING, c.claimed_until < now),
        )
        async with self.session_factory.begin() as session:
            row = (
                await session.execute(
                    sa.update(_deliveries)
                    .where(c.id == delivery_id, due)
                    .values(
                        status=DeliveryStatus.DELIVERING,
                        attempt=c.attempt + 1,
                        claimed_until=now + timedelta(seconds=self.settings.webhook_lease_seconds),
                        next_attempt_at=None,
                    )
                    .returning(
                        c.id,
                        c.subscription_id,
                        c.event,
                        c.message_id,
                        c.payload,
                        c.attempt,
                        c.traceparent,
                        c.tenant_id,
                    )
                )
            ).first()
        if row is None:
            return None
        return _Claimed(
            row.id,
            row.subscription_id,
            row.event,
            row.message_id,
            row.payload,
            row.attempt,
            row.traceparent,
            row.tenant_id,
        )

    async def _settle(
        self, claimed: _Claimed, reply: Reply, retry_attempts: int = 0
    ) -> Step | None:
        """Record the attempt, fenced by the claim; None when another process took over."""
        now = utcnow()
        step = next_step(
            reply,
            attempt=claimed.attempt,
            retry_attempts=retry_attempts,
            base_seconds=self.settings.webhook_retry_base_seconds,
            now=now,
        )
        c = _deliveries.c
        async with self.session_factory.begin() as session:
            settled = await session.scalar(
                sa.update(_deliveries)
                .where(
                    c.id == claimed.id,
                    c.status == DeliveryStatus.DELIVERING,
                    c.attempt == claimed.attempt,
                )
                .values(
                    status=step.status,
                    status_code=reply.status_code,
                    duration_ms=None if reply.refused else reply.duration_ms,
                    response_excerpt=reply.excerpt,
                    error=error_of(reply),
                    claimed_until=None,
                    next_attempt_at=step.next_attempt_at,
                    delivered_at=now if step.status is DeliveryStatus.SUCCEEDED else None,
                    failed_at=now if step.status is DeliveryStatus.FAILED else None,
                )
                .returning(c.id)
            )
            if settled is not None and step.status is DeliveryStatus.FAILED:
                await stage_logs(session, [_gave_up(claimed, reply)])
        if settled is None:
            logger.warning("webhook delivery %s was taken over by another process", claimed.id)
            return None
        WEBHOOK_DELIVERY_ATTEMPTS.labels(step.status.value).inc()
        if step.status is DeliveryStatus.FAILED:
            logger.info(
                "webhook delivery %s failed after %d attempt(s): %s",
                claimed.id,
                claimed.attempt,
                error_of(reply),
            )
            if claimed.tenant_id is not None:
                await self.alerts.outbound(
                    claimed.tenant_id, subscription_id=claimed.subscription_id
                )
        return step

    def _wake_at(self, delivery_id: int, due: datetime) -> None:
        """While ``run()`` runs, hand a retry on when it is due (the sweep would too,
        a sweep interval late)."""
        if not self._running:
            return

        async def wake() -> None:
            await asyncio.sleep(max(0.0, (due - utcnow()).total_seconds()) + 0.01)
            await self.inbox.put([delivery_id])

        task = asyncio.create_task(wake(), name=f"webhook-retry-{delivery_id}")
        self._wakeups.add(task)
        task.add_done_callback(self._wakeups.discard)

    # --- the loop --------------------------------------------------------------------

    async def sweep(self) -> int:
        """Hand on what is due and unclaimed: rows whose hand-off was lost, retries whose
        time has come, claims whose process died. Returns how many."""
        now = utcnow()
        c = _deliveries.c
        due = sa.or_(
            sa.and_(
                c.status.in_((DeliveryStatus.PENDING, DeliveryStatus.RETRYING)),
                sa.or_(c.next_attempt_at.is_(None), c.next_attempt_at <= now),
            ),
            sa.and_(c.status == DeliveryStatus.DELIVERING, c.claimed_until < now),
        )
        async with self.session_factory.begin() as session:
            ids = list(
                await session.scalars(
                    sa.select(c.id).where(due).order_by(c.next_attempt_at).limit(SWEEP_LIMIT)
                )
            )
            if ids:
                await session.execute(
                    sa.update(_deliveries)
                    .where(c.id.in_(ids), c.status == DeliveryStatus.PENDING)
                    .values(next_attempt_at=now + self.handoff_grace)
                )
        if ids:
            await self.inbox.put(ids)
        return len(ids)

    async def run(self) -> None:
        """Listen to the bus, deliver what the inbox hands over and sweep periodically,
        until cancelled. A failing piece logs and starts again; the others go on."""
        events: asyncio.Queue[Event] = asyncio.Queue(maxsize=10 * FAN_OUT_BATCH)
        pieces: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("listen", lambda: self._listen(events)),
            ("fan-out", lambda: self._fan_out_from(events)),
            *[("consume", self._consume)] * self.consumers,
        ]
        if self.settings.webhook_sweep_interval_seconds > 0:
            pieces.append(("sweep", self._sweep_after_interval))
        self._running = True
        tasks = [
            asyncio.create_task(_forever(name, step), name=f"webhooks-{name}-{n}")
            for n, (name, step) in enumerate(pieces)
        ]
        try:
            await asyncio.gather(*tasks)
        finally:
            self._running = False
            for task in (*tasks, *self._wakeups):
                task.cancel()
            for task in (*tasks, *self._wakeups):
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _listen(self, events: asyncio.Queue[Event]) -> None:
        async for event in self.bus.subscribe_all():
            if names_for(event):
                await events.put(event)

    async def _fan_out_from(self, events: asyncio.Queue[Event]) -> None:
        batch = [await events.get()]
        while len(batch) < FAN_OUT_BATCH and not events.empty():
            batch.append(events.get_nowait())
        await self.fan_out_many(batch)

    async def _consume(self) -> None:
        for delivery_id in await self.inbox.take(limit=1, timeout=1.0):
            try:
                await self.deliver(delivery_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("webhook delivery %s failed unexpectedly", delivery_id)

    async def _sweep_after_interval(self) -> None:
        await asyncio.sleep(self.settings.webhook_sweep_interval_seconds)
        await self.sweep()


def _gave_up(claimed: _Claimed, reply: Reply) -> LogEntry:
    assert claimed.tenant_id is not None
    return LogEntry(
        claimed.tenant_id,
        LogLevel.ERROR,
        "delivery",
        f"Webhook delivery of {claimed.event} gave up after {claimed.attempt} attempt(s): "
        f"{error_of(reply)}",
        extra={
            "deliveryId": claimed.id,
            "subscriptionId": claimed.subscription_id,
            "webhookId": claimed.message_id,
            "statusCode": reply.status_code,
        },
    )


async def _forever(name: str, step: Callable[[], Awaitable[None]]) -> None:
    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise_if_cancelled()
            log_loop_failure(logger, f"outbound webhooks: {name} failed; going on", exc)
            await asyncio.sleep(1.0)


async def _insert_new(session: AsyncSession, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows``, skipping those whose ``message_id`` is stored; the new ids."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    ids: list[int] = []
    for start in range(0, len(rows), INSERT_CHUNK):
        stmt = (
            insert(_deliveries)
            .values(rows[start : start + INSERT_CHUNK])
            .on_conflict_do_nothing(index_elements=["message_id"])
            .returning(_deliveries.c.id)
        )
        ids += list(await session.scalars(stmt))
    return ids
