"""Which webhook subscriptions, deliveries and inbound events a listing asks for: the
inputs and their criteria."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
import strawberry

from gateway.store.base import table_of
from gateway.store.enums import DeliveryStatus, Provider, WebhookEventStatus
from gateway.store.models import WebhookDelivery as WebhookDeliveryModel
from gateway.store.models import WebhookEvent as WebhookEventModel
from gateway.store.models import WebhookSubscription as WebhookSubscriptionModel
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.relay import pk_of

Condition = sa.ColumnElement[bool]


def as_utc(value: datetime | None) -> datetime | None:
    """A date-time without a zone is taken as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


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
        c = table_of(WebhookDeliveryModel).c
        conditions: list[Condition] = [c.tenant_id == tenant_id]
        if self.subscription_id is not None:
            conditions.append(c.subscription_id == self.subscription_id)
        if self.statuses:
            conditions.append(c.status.in_(self.statuses))
        if self.events:
            conditions.append(c.event.in_(self.events))
        return conditions


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
        c = table_of(WebhookSubscriptionModel).c
        conditions: list[Condition] = [c.tenant_id == tenant_id]
        if self.is_active is not None:
            conditions.append(c.is_active.is_(self.is_active))
        return conditions


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
        c = table_of(WebhookEventModel).c
        conditions: list[Condition] = [c.tenant_id == tenant_id]
        if self.integration_id is not None:
            conditions.append(c.integration_id == self.integration_id)
        if self.statuses:
            conditions.append(c.status.in_(self.statuses))
        if self.providers:
            conditions.append(c.provider.in_(self.providers))
        if self.received_after is not None:
            conditions.append(c.received_at >= self.received_after)
        if self.received_before is not None:
            conditions.append(c.received_at < self.received_before)
        return conditions


def webhook_event_criteria(value: WebhookEventFilter | None) -> WebhookEventCriteria:
    value = value or WebhookEventFilter()
    return WebhookEventCriteria(
        integration_id=pk_of(value.integration_id, "Integration", field="integrationId")
        if value.integration_id
        else None,
        statuses=tuple(value.status or ()),
        providers=tuple(value.provider or ()),
        received_after=as_utc(value.received_after),
        received_before=as_utc(value.received_before),
    )
