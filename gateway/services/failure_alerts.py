"""Alerts when webhooks keep failing, inbound or outbound.

    alerts = FailureAlerts(session_factory, outbox, settings)
    await alerts.inbound(tenant_id, integration_id=3)      # after an event ended failed
    await alerts.outbound(tenant_id, subscription_id=5)    # after a delivery gave up

Each call counts the failures of the last ``webhook_failure_alert_window_minutes`` in one
statement: an integration's inbound events that ended ``failed`` (``processed_at``), or a
subscription's deliveries that gave up (``failed_at``). More than
``webhook_failure_alert_threshold`` raises the alert, in one transaction: an ERROR in the
operational log (source ``alerts``; the subject's id and the counts in ``extra``) and the
bus event ``integration.webhook_failures`` or ``webhook_subscription.failures``, staged in
the outbox and published after the commit, which outbound webhooks deliver to the
subscriptions that chose it.

At most one alert per integration or subscription per window, across processes: the
alert's transaction first moves the subject's marker (``webhook_failures_alerted_at``,
``failures_alerted_at``) to now with a conditional UPDATE that only matches while the
marker is empty or a window old; a process that loses it (or comes later in the window)
raises nothing.

A subscription's own alert never loops through it: the fan-out withholds it from the
failing subscription (``outbound_events.withheld_from``), and deliveries of the alert
events themselves are not counted, so alerts delivered to other failing endpoints cannot
raise alerts in turn.

Alerting never fails the work it watches: an error on the way is logged and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from gateway.events import integration_webhook_failures, webhook_subscription_failures
from gateway.oplog import LogEntry, stage_logs
from gateway.outbound_events import OutboundEvent
from gateway.outbox import Outbox, stage
from gateway.pubsub import Event
from gateway.settings import Settings
from gateway.store.base import table_of, utcnow
from gateway.store.engine import SessionFactory
from gateway.store.enums import DeliveryStatus, LogLevel, WebhookEventStatus
from gateway.store.models import Integration, WebhookDelivery, WebhookEvent, WebhookSubscription

logger = logging.getLogger("talentgraph.alerts")

SOURCE = "alerts"
ALERT_EVENTS = (
    OutboundEvent.INTEGRATION_WEBHOOK_FAILURES.value,
    OutboundEvent.WEBHOOK_SUBSCRIPTION_FAILURES.value,
)
"""Deliveries of these are not counted: an alert must not raise alerts."""

_events = table_of(WebhookEvent)
_deliveries = table_of(WebhookDelivery)
_integrations = table_of(Integration)
_subscriptions = table_of(WebhookSubscription)


@dataclass(frozen=True, slots=True)
class _Subject:
    """What an alert is about: the failures counted, the marker moved, what is said."""

    failures: sa.Select[int]
    table: sa.Table
    marker: sa.Column[Any]
    subject_id: int
    kind: str
    key: str
    build: Callable[[int], Event]
    """The bus event, given the failures counted."""


class FailureAlerts:
    def __init__(self, session_factory: SessionFactory, outbox: Outbox, settings: Settings) -> None:
        self.session_factory = session_factory
        self.outbox = outbox
        self.threshold = settings.webhook_failure_alert_threshold
        self.window_minutes = settings.webhook_failure_alert_window_minutes

    async def inbound(self, tenant_id: int, *, integration_id: int) -> Event | None:
        """Alert if the integration's failed inbound events passed the threshold; the
        event published, or None."""
        since = self._since()
        c = _events.c
        failures = sa.select(sa.func.count()).where(
            c.tenant_id == tenant_id,
            c.integration_id == integration_id,
            c.status == WebhookEventStatus.FAILED,
            c.processed_at >= since,
        )
        subject = _Subject(
            failures,
            _integrations,
            _integrations.c.webhook_failures_alerted_at,
            integration_id,
            "Inbound webhook events of integration",
            "integrationId",
            lambda failures: integration_webhook_failures(
                tenant_id,
                integration_id=integration_id,
                failures=failures,
                threshold=self.threshold,
                window_minutes=self.window_minutes,
            ),
        )
        return await self._guarded(tenant_id, subject, since)

    async def outbound(self, tenant_id: int, *, subscription_id: int) -> Event | None:
        """Alert if the subscription's failed deliveries passed the threshold; the event
        published, or None."""
        since = self._since()
        c = _deliveries.c
        failures = sa.select(sa.func.count()).where(
            c.tenant_id == tenant_id,
            c.subscription_id == subscription_id,
            c.status == DeliveryStatus.FAILED,
            c.failed_at >= since,
            c.event.not_in(ALERT_EVENTS),
        )
        subject = _Subject(
            failures,
            _subscriptions,
            _subscriptions.c.failures_alerted_at,
            subscription_id,
            "Webhook deliveries to subscription",
            "subscriptionId",
            lambda failures: webhook_subscription_failures(
                tenant_id,
                subscription_id=subscription_id,
                failures=failures,
                threshold=self.threshold,
                window_minutes=self.window_minutes,
            ),
        )
        return await self._guarded(tenant_id, subject, since)

    def _since(self) -> datetime:
        return utcnow() - timedelta(minutes=self.window_minutes)

    async def _guarded(self, tenant_id: int, subject: _Subject, since: datetime) -> Event | None:
        try:
            return await self._alert(tenant_id, subject, since)
        except Exception:
            logger.exception("failure alert for %s %s not raised", subject.key, subject.subject_id)
            return None

    async def _alert(self, tenant_id: int, subject: _Subject, since: datetime) -> Event | None:
        async with self.session_factory.begin() as session:
            failures = int(await session.scalar(subject.failures) or 0)
            if failures <= self.threshold:
                return None
            table = subject.table
            won = await session.scalar(
                sa.update(table)
                .where(
                    table.c.id == subject.subject_id,
                    table.c.tenant_id == tenant_id,
                    sa.or_(subject.marker.is_(None), subject.marker <= since),
                )
                .values({subject.marker.name: utcnow(), "updated_at": table.c.updated_at})
                .returning(table.c.id)
            )
            if won is None:
                return None
            counts = {
                "failures": failures,
                "threshold": self.threshold,
                "windowMinutes": self.window_minutes,
            }
            entry = LogEntry(
                tenant_id,
                LogLevel.ERROR,
                SOURCE,
                f"{subject.kind} {subject.subject_id}: {failures} failed in the last "
                f"{self.window_minutes} min (threshold {self.threshold})",
                extra={subject.key: subject.subject_id, **counts},
            )
            await stage_logs(session, [entry])
            event = subject.build(failures)
            staged = await stage(session, [event])
        await self.outbox.release(staged)
        logger.error(entry.message)
        return event
