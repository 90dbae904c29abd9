"""Webhooks as GraphQL types: outbound subscriptions and their deliveries, inbound events."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from gateway.crypto import CryptoError, mask
from gateway.outbound_events import OutboundEvent
from gateway.permissions import Permission
from gateway.services.webhook_subscriptions import secret_context
from gateway.store.enums import DeliveryStatus, Provider, SignatureScheme, WebhookEventStatus
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.context import Info
from resolvers.permissions import can
from resolvers.read_connection import child_connection, connection_field, requested_page
from resolvers.relay import Connection, ConnectionArgs, Node, node_type, row_builder
from resolvers.type_fields import related_node
from resolvers.type_refs import INTEGRATION, WEBHOOK_SUBSCRIPTION
from resolvers.webhooks.filters import WebhookDeliveryFilter, as_utc, delivery_criteria
from resolvers.webhooks.loaders import StatsKey

strawberry.enum(
    OutboundEvent,
    name="WebhookSubscriptionEvent",
    description="What a webhook subscription can receive, e.g. APPLICATION_CREATED is "
    "`application.created` in the payload and the X-Webhook-Event header.",
)


@node_type(
    "WebhookDelivery",
    description="One message to one subscription and how its latest attempt went.",
)
class WebhookDelivery(Node):
    event: str = strawberry.field(description='As sent, e.g. "application.created".')
    message_id: str = strawberry.field(
        description="The `webhook-id` header: the same on every attempt, for deduplication. "
        "INTEGRATION_FRAMEWORK deliveries carry it as the UUID in `X-Webhook-Id` (`uuid5` "
        "of this id; see the README)."
    )
    status: DeliveryStatus
    attempt: int = strawberry.field(description="Attempts made so far (1 is the first).")
    status_code: int | None
    duration_ms: int | None
    response_excerpt: str | None = strawberry.field(
        description="The start of the receiver's answer (up to 1000 characters)."
    )
    error: str | None
    payload: JSON = strawberry.field(description="The JSON body, as signed and sent.")
    created_at: datetime
    delivered_at: datetime | None
    next_attempt_at: datetime | None = strawberry.field(
        description="When a RETRYING delivery is tried again."
    )
    subscription_id: strawberry.Private[int]

    subscription = related_node(
        WEBHOOK_SUBSCRIPTION, loader="webhook_subscription_by_id", key="subscription_id"
    )


build_webhook_delivery = row_builder(WebhookDelivery)


async def _deliveries(
    info: Info, root: Node, args: ConnectionArgs, filter: WebhookDeliveryFilter | None
) -> Connection[WebhookDelivery]:
    loaders = info.context.loaders
    criteria = delivery_criteria(filter, nested=True)
    return await child_connection(
        (
            loaders.webhook_delivery_page_by_subscription_id,
            loaders.webhook_delivery_count_by_subscription_id,
        ),
        root.pk,
        criteria,
        ("created_at", True),
        requested_page(args),
        build_webhook_delivery,
    )


@strawberry.type(
    description="Deliveries by outcome and the receiver's latency. `successRate` is "
    "succeeded / (succeeded + failed), null before any finished; latencies are "
    "nearest-rank percentiles of the latest attempt of each delivery that made a request."
)
class WebhookSubscriptionStats:
    total: int
    succeeded: int
    failed: int
    pending: int = strawberry.field(description="Not finished: pending, delivering, retrying.")
    success_rate: float | None
    p50_latency_ms: int | None
    p95_latency_ms: int | None


@node_type(
    "WebhookSubscription",
    description="An endpoint that receives the tenant's events, signed as its "
    "`signatureScheme` says (Standard Webhooks by default). The secret is shown once, "
    "when created; `secretHint` identifies it.",
)
class WebhookSubscription(Node):
    name: str
    url: str
    events: list[OutboundEvent]
    retry_attempts: int = strawberry.field(description="Retries after the first attempt.")
    timeout_ms: int
    is_active: bool
    signature_scheme: SignatureScheme = strawberry.field(
        description="How deliveries and test messages are signed."
    )
    has_secret: bool
    created_at: datetime
    updated_at: datetime
    secret_encrypted: strawberry.Private[str]
    tenant_id: strawberry.Private[int]

    @strawberry.field(description="The secret's last characters, masked: `••••f00d`.")
    def secret_hint(self, info: Info) -> str | None:
        try:
            secret = info.context.keyring.decrypt(
                self.secret_encrypted, context=secret_context(self.tenant_id)
            )
        except CryptoError:
            return None
        return mask(secret.decode())

    deliveries = connection_field(
        WebhookDelivery, _deliveries, filter=WebhookDeliveryFilter, description="Newest first."
    )

    @strawberry.field(description="Over the deliveries created since `since` (all by default).")
    async def stats(self, info: Info, since: datetime | None = None) -> WebhookSubscriptionStats:
        found = await info.context.loaders.webhook_stats_by_subscription_id.load(
            StatsKey(self.pk, as_utc(since))
        )
        counts = found.counts
        succeeded = counts.get(DeliveryStatus.SUCCEEDED, 0)
        failed = counts.get(DeliveryStatus.FAILED, 0)
        finished = succeeded + failed
        return WebhookSubscriptionStats(
            total=sum(counts.values()),
            succeeded=succeeded,
            failed=failed,
            pending=sum(counts.values()) - finished,
            success_rate=succeeded / finished if finished else None,
            p50_latency_ms=found.p50_ms,
            p95_latency_ms=found.p95_ms,
        )


_KNOWN_EVENTS = frozenset(event.value for event in OutboundEvent)

build_webhook_subscription = row_builder(
    WebhookSubscription,
    events=lambda m: [OutboundEvent(name) for name in m["events"] or () if name in _KNOWN_EVENTS],
    has_secret=lambda m: bool(m["secret_encrypted"]),
)


@node_type(
    "WebhookEvent",
    description="An inbound webhook as received from a provider and what processing did. "
    "Headers and body stay stored; `bodyExcerpt` shows the start to admins.",
)
class WebhookEvent(Node):
    provider: Provider
    delivery_id: str | None = strawberry.field(description="The sender's id of the delivery.")
    event_type: str | None
    status: WebhookEventStatus
    attempts: int
    last_error: str | None
    result: JSON | None = strawberry.field(
        description="What processing did: records refetched and written, a sync queued, "
        "or why the event was ignored."
    )
    received_at: datetime
    processed_at: datetime | None
    next_attempt_at: datetime | None
    integration_id: strawberry.Private[int]

    integration = related_node(INTEGRATION, loader="integration_by_id", key="integration_id")

    @strawberry.field(
        description="The first 2000 characters of the body (UTF-8, invalid bytes replaced); "
        "null unless the caller may manage integrations."
    )
    async def body_excerpt(self, info: Info) -> str | None:
        if not can(info, Permission.INTEGRATIONS_MANAGE):
            return None
        return await info.context.loaders.webhook_event_body_excerpt_by_id.load(self.pk)


build_webhook_event = row_builder(WebhookEvent)
