"""A subscription's test message sent directly through the service, to a receiver on a
real loopback port that verifies signatures: signed, sent once and logged as a
delivery of one attempt whatever the answer, a target now forbidden never called,
and another tenant's subscription or an undecryptable secret refused before sending."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from itertools import count

import pytest
import sqlalchemy as sa

from gateway.errors import NotFound, ValidationFailed
from gateway.global_ids import to_global_id
from gateway.outbound_events import OutboundEvent
from gateway.services.webhook_subscriptions import create_subscription
from gateway.services.webhook_tests import send_test
from gateway.settings import Settings
from gateway.store.enums import DeliveryStatus
from gateway.store.models import Activity, WebhookDelivery, WebhookSubscription
from tests.gateway.services.service_world import World, listening
from tests.support.gateway import Gateway
from tests.support.receiver import Answer, Receiver, serving

_paths = count(1)


@dataclass
class Hooks:
    world: World
    receiver: Receiver
    base_url: str
    settings: Settings
    """The gateway's settings with private targets allowed, as the receiver is on loopback."""

    async def subscribe(self, tenant: str = "demo", url: str | None = None) -> tuple[int, str]:
        """A new subscription of ``tenant`` and its signing secret; its path expected."""
        path = f"/hooks/{next(_paths)}"
        async with self.world.session_factory.begin() as session:
            subscription, secret = await create_subscription(
                session,
                self.world.actor(tenant),
                self.world.runtime.keyring,
                self.settings,
                {
                    "name": f"Mirror {path}",
                    "url": url or self.base_url + path,
                    "events": ["application.created"],
                    "retry_attempts": 5,
                },
            )
        assert secret is not None
        self.receiver.expect(path, secret)
        return subscription.id, path

    async def send(
        self,
        subscription_id: int,
        tenant: str = "demo",
        event: OutboundEvent | None = None,
        settings: Settings | None = None,
    ) -> WebhookDelivery:
        return await send_test(
            self.world.session_factory,
            self.world.runtime.keyring,
            self.world.runtime.outbound_http,
            settings or self.settings,
            self.world.actor(tenant),
            subscription_id,
            event,
        )

    async def deliveries(self, subscription_id: int) -> list[WebhookDelivery]:
        async with self.world.session_factory() as session:
            return list(
                await session.scalars(
                    sa.select(WebhookDelivery).where(
                        WebhookDelivery.subscription_id == subscription_id
                    )
                )
            )

    async def tested(self, subscription_id: int) -> list[Activity]:
        async with self.world.session_factory() as session:
            return list(
                await session.scalars(
                    sa.select(Activity).where(
                        Activity.action == "webhook_subscription.tested",
                        Activity.subject_id == subscription_id,
                    )
                )
            )


@pytest.fixture(scope="module")
async def hooks(gateway: Gateway) -> AsyncIterator[Hooks]:
    receiver = Receiver()
    settings = gateway.settings.model_copy(update={"webhook_allow_private_targets": True})
    async with serving(receiver) as base_url, listening(gateway) as world:
        yield Hooks(world, receiver, base_url, settings)


async def test_a_signed_message_is_sent_and_logged_as_one_attempt(hooks: Hooks) -> None:
    subscription_id, path = await hooks.subscribe()
    hooks.receiver.script(path, Answer(204, body=""))

    delivery = await hooks.send(subscription_id)

    [request] = hooks.receiver.at(path)
    assert request.verified, "the receiver could not verify the signature"
    assert request.headers["x-webhook-event"] == "webhook.test"
    assert request.headers["webhook-id"] == delivery.message_id
    assert request.payload == delivery.payload
    assert request.payload["organizationId"] == "demo"
    assert request.payload["data"] == {
        "test": True,
        "subscriptionId": to_global_id("WebhookSubscription", subscription_id),
    }
    [stored] = await hooks.deliveries(subscription_id)
    assert stored.id == delivery.id and stored.tenant_id == hooks.world.tenant_id()
    assert (stored.status, stored.attempt, stored.status_code) == (
        DeliveryStatus.SUCCEEDED,
        1,
        204,
    )
    assert stored.error is None and stored.delivered_at is not None
    assert stored.next_attempt_at is None and stored.duration_ms is not None
    [activity] = await hooks.tested(subscription_id)
    assert activity.tenant_id == hooks.world.tenant_id()
    assert activity.details == {"statusCode": 204, "deliveryId": delivery.id}


async def test_a_failed_answer_is_logged_and_never_retried(hooks: Hooks) -> None:
    subscription_id, path = await hooks.subscribe()
    hooks.receiver.script(path, Answer(500, body="boom"))

    delivery = await hooks.send(subscription_id, event=OutboundEvent("job.opened"))

    [request] = hooks.receiver.at(path)
    assert request.headers["x-webhook-event"] == "job.opened"
    assert delivery.event == "job.opened"
    [stored] = await hooks.deliveries(subscription_id)
    assert (stored.status, stored.status_code, stored.error) == (
        DeliveryStatus.FAILED,
        500,
        "HTTP 500",
    )
    assert stored.response_excerpt == "boom"
    assert stored.next_attempt_at is None and stored.delivered_at is None, "never retried"
    assert len(hooks.receiver.at(path)) == 1


async def test_a_target_the_settings_forbid_is_never_called(hooks: Hooks) -> None:
    subscription_id, path = await hooks.subscribe()
    strict = hooks.settings.model_copy(update={"webhook_allow_private_targets": False})

    delivery = await hooks.send(subscription_id, settings=strict)

    assert hooks.receiver.at(path) == []
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.status_code is None and delivery.duration_ms is None
    assert delivery.error
    [activity] = await hooks.tested(subscription_id)
    assert activity.description.endswith("no answer")


async def test_another_tenants_subscription_is_not_found(hooks: Hooks) -> None:
    theirs, path = await hooks.subscribe(tenant="other")

    with pytest.raises(NotFound):
        await hooks.send(theirs, tenant="demo")

    assert hooks.receiver.at(path) == []
    assert await hooks.deliveries(theirs) == []
    assert await hooks.tested(theirs) == []


async def test_a_secret_that_does_not_decrypt_is_refused_before_sending(hooks: Hooks) -> None:
    subscription_id, path = await hooks.subscribe()
    theirs, _ = await hooks.subscribe(tenant="other")
    async with hooks.world.session_factory.begin() as session:
        their_secret = await session.scalar(
            sa.select(WebhookSubscription.secret_encrypted).where(WebhookSubscription.id == theirs)
        )
        await session.execute(
            sa.update(WebhookSubscription)
            .where(WebhookSubscription.id == subscription_id)
            .values(secret_encrypted=their_secret)
        )

    with pytest.raises(ValidationFailed) as refused:
        await hooks.send(subscription_id)

    assert refused.value.field == "id"
    assert hooks.receiver.at(path) == []
    assert await hooks.deliveries(subscription_id) == []
