"""Sending one test message of an outbound webhook subscription now (``webhookSubscriptionTest``).

    delivery = await send_test(session_factory, keyring, http, settings, actor, 12)
    delivery.status, delivery.status_code       # DeliveryStatus.SUCCEEDED, 204

The message is signed in the subscription's scheme and posted like every delivery
(``gateway.webhook_send``), but at once, from the request, and never retried: its
answer is recorded as a delivery of one attempt, and an activity says who sent it and
what came back.
"""

from __future__ import annotations

import uuid

import httpx
import sqlalchemy as sa

from gateway.crypto import CryptoError, Keyring
from gateway.errors import NotFound, ValidationFailed
from gateway.global_ids import to_global_id
from gateway.outbound_events import TEST_EVENT, OutboundEvent, payload
from gateway.pubsub import Event
from gateway.services.activities import Actor, record_activity
from gateway.services.webhook_subscriptions import decrypted_secret
from gateway.settings import Settings
from gateway.store.base import utcnow
from gateway.store.engine import SessionFactory
from gateway.store.enums import DeliveryStatus
from gateway.store.models import Tenant, WebhookDelivery, WebhookSubscription
from gateway.webhook_send import error_of, send_signed
from gateway.webhook_signature import message_id


async def send_test(
    session_factory: SessionFactory,
    keyring: Keyring,
    http: httpx.AsyncClient,
    settings: Settings,
    actor: Actor,
    subscription_id: int,
    event: OutboundEvent | None = None,
) -> WebhookDelivery:
    """Send one signed message now, wait for the answer and log it as a delivery that is
    never retried. ``event`` names it (``webhook.test`` by default); its data says
    ``{"test": true}`` so a receiver can tell it from a real one."""
    async with session_factory() as session:
        subscription = await session.scalar(
            sa.select(WebhookSubscription).where(
                WebhookSubscription.id == subscription_id,
                WebhookSubscription.tenant_id == actor.tenant_id,
            )
        )
        if subscription is None:
            raise NotFound("WebhookSubscription", subscription_id)
        slug = await session.scalar(sa.select(Tenant.slug).where(Tenant.id == actor.tenant_id))
    try:
        secret = decrypted_secret(subscription, keyring)
    except CryptoError as exc:
        raise ValidationFailed("id", "the stored signing secret does not decrypt") from exc
    name = event.value if event is not None else TEST_EVENT
    subject = {"test": True, "subscriptionId": to_global_id("WebhookSubscription", subscription_id)}
    body = payload(name, str(slug), Event(name, actor.tenant_id, subject))
    webhook_id = message_id("test", subscription_id, uuid.uuid4().hex)
    reply = await send_signed(
        http,
        settings,
        url=subscription.url,
        secret=secret,
        webhook_id=webhook_id,
        event=name,
        body=body,
        timeout_ms=subscription.timeout_ms,
        scheme=subscription.signature_scheme,
    )
    succeeded = reply.status_code is not None and 200 <= reply.status_code < 300
    now = utcnow()
    async with session_factory.begin() as session:
        delivery = WebhookDelivery(
            tenant_id=actor.tenant_id,
            subscription_id=subscription_id,
            event=name,
            message_id=webhook_id,
            payload=body,
            status=DeliveryStatus.SUCCEEDED if succeeded else DeliveryStatus.FAILED,
            attempt=1,
            status_code=reply.status_code,
            duration_ms=None if reply.refused else reply.duration_ms,
            response_excerpt=reply.excerpt,
            error=error_of(reply),
            created_at=now,
            delivered_at=now if succeeded else None,
        )
        session.add(delivery)
        await session.flush()
        record_activity(
            session,
            actor,
            action="webhook_subscription.tested",
            subject_type="WebhookSubscription",
            subject_id=subscription_id,
            description=f"Sent a test {name} to {subscription.name}: "
            + (f"HTTP {reply.status_code}" if reply.status_code is not None else "no answer"),
            details={"statusCode": reply.status_code, "deliveryId": delivery.id},
        )
    return delivery
