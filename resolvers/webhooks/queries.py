from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.models import WebhookDelivery as WebhookDeliveryModel
from gateway.store.models import WebhookEvent as WebhookEventModel
from gateway.store.models import WebhookSubscription as WebhookSubscriptionModel
from resolvers.node import node_field
from resolvers.read_connection import tenant_connection_field
from resolvers.webhooks.filters import (
    WebhookDeliveryFilter,
    WebhookEventFilter,
    WebhookSubscriptionFilter,
    delivery_criteria,
    subscription_criteria,
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
    webhook_subscriptions = tenant_connection_field(
        WebhookSubscription,
        Permission.INTEGRATIONS_READ,
        table_of(WebhookSubscriptionModel),
        build_webhook_subscription,
        filter=(WebhookSubscriptionFilter, subscription_criteria),
        order=("created_at", False),
        description="Outbound webhook subscriptions, oldest first.",
    )
    webhook_subscription = node_field(WebhookSubscription)
    webhook_deliveries = tenant_connection_field(
        WebhookDelivery,
        Permission.INTEGRATIONS_READ,
        table_of(WebhookDeliveryModel),
        build_webhook_delivery,
        filter=(WebhookDeliveryFilter, delivery_criteria),
        order=("created_at", True),
        description="The outbound delivery log, newest first.",
    )
    webhook_events = tenant_connection_field(
        WebhookEvent,
        Permission.INTEGRATIONS_READ,
        table_of(WebhookEventModel),
        build_webhook_event,
        filter=(WebhookEventFilter, webhook_event_criteria),
        order=("received_at", True),
        description="Inbound webhooks as received, newest first.",
    )
