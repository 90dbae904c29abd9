from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.models import WebhookDelivery as WebhookDeliveryModel
from gateway.store.models import WebhookEvent as WebhookEventModel
from gateway.store.models import WebhookSubscription as WebhookSubscriptionModel
from resolvers.context import Info
from resolvers.listing import list_connection, page_request
from resolvers.permissions import require
from resolvers.relay import Connection, pk_or_none
from resolvers.webhooks.filters import (
    WebhookDeliveryFilter,
    WebhookEventFilter,
    WebhookSubscriptionCriteria,
    WebhookSubscriptionFilter,
    delivery_criteria,
    webhook_event_criteria,
)
from resolvers.webhooks.types import (
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
    build_webhook_delivery,
    build_webhook_event,
    build_webhook_subscription,
)


@strawberry.type
class WebhookQueries:
    @strawberry.field(description="Outbound webhook subscriptions, oldest first.")
    async def webhook_subscriptions(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: WebhookSubscriptionFilter | None = None,
    ) -> Connection[WebhookSubscription]:
        require(info, Permission.INTEGRATIONS_READ)
        return await list_connection(
            info,
            table_of(WebhookSubscriptionModel),
            WebhookSubscriptionCriteria(is_active=filter.is_active if filter else None),
            ("created_at", False),
            page_request(first, after, last, before),
            build_webhook_subscription,
        )

    @strawberry.field
    async def webhook_subscription(
        self, info: Info, id: strawberry.ID
    ) -> WebhookSubscription | None:
        require(info, Permission.INTEGRATIONS_READ)
        pk = pk_or_none(id, "WebhookSubscription")
        loader = info.context.loaders.webhook_subscription_by_id
        row = await loader.load(pk) if pk is not None else None
        return build_webhook_subscription(row) if row is not None else None

    @strawberry.field(description="The outbound delivery log, newest first.")
    async def webhook_deliveries(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: WebhookDeliveryFilter | None = None,
    ) -> Connection[WebhookDelivery]:
        require(info, Permission.INTEGRATIONS_READ)
        return await list_connection(
            info,
            table_of(WebhookDeliveryModel),
            delivery_criteria(filter),
            ("created_at", True),
            page_request(first, after, last, before),
            build_webhook_delivery,
        )

    @strawberry.field(description="Inbound webhooks as received, newest first.")
    async def webhook_events(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: WebhookEventFilter | None = None,
    ) -> Connection[WebhookEvent]:
        require(info, Permission.INTEGRATIONS_READ)
        return await list_connection(
            info,
            table_of(WebhookEventModel),
            webhook_event_criteria(filter),
            ("received_at", True),
            page_request(first, after, last, before),
            build_webhook_event,
        )
