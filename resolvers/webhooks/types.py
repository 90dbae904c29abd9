"""Webhooks as GraphQL types: outbound subscriptions and their deliveries, inbound events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, cast

import strawberry
from sqlalchemy.engine import Row
from strawberry.scalars import JSON

from gateway.crypto import CryptoError, mask
from gateway.outbound_events import OutboundEvent
from gateway.permissions import Permission
from gateway.services.webhook_subscriptions import secret_context
from gateway.store.enums import DeliveryStatus, Provider, WebhookEventStatus
from gateway.store.paging import PageRequest
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.context import Info
from resolvers.dataloaders import ChildCountKey, ChildPageKey
from resolvers.lazy import lazy_callable
from resolvers.listing import page_request
from resolvers.permissions import can
from resolvers.relay import Connection, Node, connection_from_page, row_builder
from resolvers.webhooks.filters import WebhookDeliveryFilter, as_utc, delivery_criteria
from resolvers.webhooks.loaders import StatsKey

if TYPE_CHECKING:
    from resolvers.integrations.types import Integration

build_integration: Callable[[Row[Any]], Integration] = lazy_callable(
    "resolvers.integrations.types", "build_integration"
)

strawberry.enum(
    OutboundEvent,
    name="WebhookSubscriptionEvent",
    description="What a webhook subscription can receive, e.g. APPLICATION_CREATED is "
    "`application.created` in the payload and the X-Webhook-Event header.",
)


@strawberry.type(
    name="WebhookDelivery",
    description="One message to one subscription and how its latest attempt went.",
)
class WebhookDelivery(Node):
    NODE_TYPE: ClassVar[str] = "WebhookDelivery"

    event: str = strawberry.field(description='As sent, e.g. "application.created".')
    message_id: str = strawberry.field(
        description="The `webhook-id` header: the same on every attempt, for deduplication."
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

    @strawberry.field
    async def subscription(self, info: Info) -> WebhookSubscription | None:
        row = await info.context.loaders.webhook_subscription_by_id.load(self.subscription_id)
        return build_webhook_subscription(row) if row is not None else None


build_webhook_delivery = row_builder(WebhookDelivery)


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


@strawberry.type(
    name="WebhookSubscription",
    description="An endpoint that receives the tenant's events, signed the Standard "
    "Webhooks way. The secret is shown once, when created; `secretHint` identifies it.",
)
class WebhookSubscription(Node):
    NODE_TYPE: ClassVar[str] = "WebhookSubscription"

    name: str
    url: str
    events: list[OutboundEvent]
    retry_attempts: int = strawberry.field(description="Retries after the first attempt.")
    timeout_ms: int
    is_active: bool
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

    @strawberry.field(description="Newest first.")
    async def deliveries(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: WebhookDeliveryFilter | None = None,
    ) -> Connection[WebhookDelivery]:
        loaders = info.context.loaders
        criteria = delivery_criteria(filter, nested=True)
        page: PageRequest = page_request(first, after, last, before)
        key = ChildPageKey(self.pk, criteria, ("created_at", True), page)
        result = await loaders.webhook_delivery_page_by_subscription_id.load(key)

        async def count() -> int:
            return await loaders.webhook_delivery_count_by_subscription_id.load(
                ChildCountKey(self.pk, criteria)
            )

        return connection_from_page(result, build_webhook_delivery, count)

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


def build_webhook_subscription(row: Row[Any]) -> WebhookSubscription:
    m = row._mapping
    known = {event.value for event in OutboundEvent}
    return WebhookSubscription(
        pk=m["id"],
        name=m["name"],
        url=m["url"],
        events=[OutboundEvent(name) for name in m["events"] or () if name in known],
        retry_attempts=m["retry_attempts"],
        timeout_ms=m["timeout_ms"],
        is_active=m["is_active"],
        has_secret=bool(m["secret_encrypted"]),
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        secret_encrypted=m["secret_encrypted"],
        tenant_id=m["tenant_id"],
    )


@strawberry.type(
    name="WebhookEvent",
    description="An inbound webhook as received from a provider and what processing did. "
    "Headers and body stay stored; `bodyExcerpt` shows the start to admins.",
)
class WebhookEvent(Node):
    NODE_TYPE: ClassVar[str] = "WebhookEvent"

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

    @strawberry.field
    async def integration(
        self, info: Info
    ) -> Annotated[Integration, strawberry.lazy("resolvers.integrations.types")] | None:
        row = await info.context.loaders.integration_by_id.load(self.integration_id)
        return build_integration(row) if row is not None else None

    @strawberry.field(
        description="The first 2000 characters of the body (UTF-8, invalid bytes replaced); "
        "null unless the caller may manage integrations."
    )
    async def body_excerpt(self, info: Info) -> str | None:
        if not can(info, Permission.INTEGRATIONS_MANAGE):
            return None
        return await info.context.loaders.webhook_event_body_excerpt_by_id.load(self.pk)


def build_webhook_event(row: Row[Any]) -> WebhookEvent:
    m = row._mapping
    return WebhookEvent(
        pk=m["id"],
        provider=m["provider"],
        delivery_id=m["delivery_id"],
        event_type=m["event_type"],
        status=m["status"],
        attempts=m["attempts"],
        last_error=m["last_error"],
        result=cast(JSON, m["result"]),
        received_at=m["received_at"],
        processed_at=m["processed_at"],
        next_attempt_at=m["next_attempt_at"],
        integration_id=m["integration_id"],
    )
