"""Alert events: webhooks failing past the threshold (``gateway.services.failure_alerts``).

Each fires at most once per window per integration or subscription; ``failures`` is how
many failed within the last ``windowMinutes``, more than ``threshold``.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.events.catalogue import _builds, _event, _payload
from gateway.events.names import EventName
from gateway.events.payload import Payload
from gateway.pubsub import Event


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrationWebhookFailures(Payload):
    """Inbound events of the integration that ended failed (out of attempts, or beyond
    any retry's help)."""

    NAME = EventName.INTEGRATION_WEBHOOK_FAILURES
    integration_id: int
    failures: int
    threshold: int
    window_minutes: int


@_payload
@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookSubscriptionFailures(Payload):
    """Outbound deliveries to the subscription that gave up."""

    NAME = EventName.WEBHOOK_SUBSCRIPTION_FAILURES
    subscription_id: int
    failures: int
    threshold: int
    window_minutes: int


@_builds(EventName.INTEGRATION_WEBHOOK_FAILURES)
def integration_webhook_failures(
    tenant_id: int, *, integration_id: int, failures: int, threshold: int, window_minutes: int
) -> Event:
    return _event(
        tenant_id,
        IntegrationWebhookFailures(
            integration_id=integration_id,
            failures=failures,
            threshold=threshold,
            window_minutes=window_minutes,
        ),
    )


@_builds(EventName.WEBHOOK_SUBSCRIPTION_FAILURES)
def webhook_subscription_failures(
    tenant_id: int, *, subscription_id: int, failures: int, threshold: int, window_minutes: int
) -> Event:
    return _event(
        tenant_id,
        WebhookSubscriptionFailures(
            subscription_id=subscription_id,
            failures=failures,
            threshold=threshold,
            window_minutes=window_minutes,
        ),
    )
