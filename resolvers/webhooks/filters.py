"""Which webhook subscriptions, deliveries and inbound events a listing asks for: the
inputs and their criteria."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import strawberry

from gateway.store.base import table_of
from gateway.store.criteria import DateRange
from gateway.store.enums import DeliveryStatus, Provider, WebhookEventStatus
from gateway.store.models import WebhookDelivery as WebhookDeliveryModel
from gateway.store.models import WebhookEvent as WebhookEventModel
from gateway.store.models import WebhookSubscription as WebhookSubscriptionModel
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.read_criteria import (
    Condition,
    as_is,
    as_tuple,
    criteria_from,
    equal_to,
    is_value,
    one_of,
    pk_from,
    tenant_rows,
    utc_from,
)
from resolvers.read_criteria import as_utc as as_utc
from resolvers.relay import pk_of


@strawberry.input(description="Under a subscription, `subscriptionId` is ignored.")
class WebhookDeliveryFilter:
    subscription_id: strawberry.ID | None = None
    status: list[DeliveryStatus] | None = None
    event: list[str] | None = strawberry.field(
        default=None, description='Event names as sent, e.g. "application.created".'
    )


@dataclass(frozen=True, slots=True)
class WebhookDeliveryCriteria:
    subscription_id: int | None = None
    statuses: tuple[DeliveryStatus, ...] = ()
    events: tuple[str, ...] = ()

    def where(self, tenant_id: int) -> list[Condition]:
        table = table_of(WebhookDeliveryModel)
        return tenant_rows(
            table,
            tenant_id,
            equal_to(table.c.subscription_id, self.subscription_id),
            one_of(table.c.status, self.statuses),
            one_of(table.c.event, self.events),
        )


def delivery_criteria(
    value: WebhookDeliveryFilter | None, *, nested: bool = False
) -> WebhookDeliveryCriteria:
    """``nested``: under a subscription, which the loader partitions by, so every
    subscription of a list shares one criteria and one statement."""
    value = value or WebhookDeliveryFilter()
    subscription_id = None
    if value.subscription_id and not nested:
        subscription_id = pk_of(
            value.subscription_id, "WebhookSubscription", field="subscriptionId"
        )
    return WebhookDeliveryCriteria(
        subscription_id=subscription_id,
        statuses=tuple(value.status or ()),
        events=tuple(value.event or ()),
    )


@strawberry.input
class WebhookSubscriptionFilter:
    is_active: bool | None = None


@dataclass(frozen=True, slots=True)
class WebhookSubscriptionCriteria:
    is_active: bool | None = None

    def where(self, tenant_id: int) -> list[Condition]:
        table = table_of(WebhookSubscriptionModel)
        return tenant_rows(table, tenant_id, is_value(table.c.is_active, self.is_active))


subscription_criteria = criteria_from(
    WebhookSubscriptionCriteria, WebhookSubscriptionFilter, is_active=as_is("is_active")
)


@strawberry.input(description="`receivedAfter` inclusive, `receivedBefore` exclusive.")
class WebhookEventFilter:
    integration_id: strawberry.ID | None = None
    status: list[WebhookEventStatus] | None = None
    provider: list[Provider] | None = None
    received_after: datetime | None = None
    received_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class WebhookEventCriteria:
    integration_id: int | None = None
    statuses: tuple[WebhookEventStatus, ...] = ()
    providers: tuple[Provider, ...] = ()
    received_after: datetime | None = None
    received_before: datetime | None = None

    def where(self, tenant_id: int) -> list[Condition]:
        table = table_of(WebhookEventModel)
        received = DateRange(self.received_after, self.received_before)
        return tenant_rows(
            table,
            tenant_id,
            equal_to(table.c.integration_id, self.integration_id),
            one_of(table.c.status, self.statuses),
            one_of(table.c.provider, self.providers),
            *received.conditions(table.c.received_at),
        )


webhook_event_criteria = criteria_from(
    WebhookEventCriteria,
    WebhookEventFilter,
    integration_id=pk_from("integration_id", "Integration"),
    statuses=as_tuple("status"),
    providers=as_tuple("provider"),
    received_after=utc_from("received_after"),
    received_before=utc_from("received_before"),
)
