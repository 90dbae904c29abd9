"""Outbound webhook delivery against a real receiver on a loopback port that verifies
every request with the ``standardwebhooks`` package, or for integration framework
subscriptions with its own ``hmac`` check written from the framework's design, on
SQLite and PostgreSQL: fan-out to the subscriptions that want an event, stored once
however many processes heard it; signed deliveries in either scheme, a wrong secret
failing verification, a switch of scheme taking effect on the next attempt; backoff on
5xx, 429 (Retry-After) and timeouts, then failure; immediate failure on other answers,
redirects and refused targets; claims that let one process send; the sweep; and
``run()`` end to end from the bus."""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import count
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from gateway.crypto import Keyring
from gateway.events import (
    application_stage_changed,
    candidate_created,
    candidate_updated,
    job_created,
    job_status_changed,
)
from gateway.inbox import Inbox
from gateway.outbound_http import Reply
from gateway.pubsub import Event, EventBus
from gateway.services.activities import Actor
from gateway.services.rotation import rotate_secrets
from gateway.services.webhook_subscriptions import secret_context, update_subscription
from gateway.settings import Settings
from gateway.store.base import utcnow
from gateway.store.engine import SessionFactory, create_engine, create_session_factory
from gateway.store.enums import ActorType, DeliveryStatus, LogLevel, SignatureScheme
from gateway.store.migrate import upgrade
from gateway.store.models import OperationalLog, Tenant, WebhookDelivery, WebhookSubscription
from gateway.webhook_send import USER_AGENT
from gateway.webhook_signature import (
    FRAMEWORK_ID_NAMESPACE,
    generate_plain_secret,
    generate_secret,
    generate_secret_for,
)
from jobs.deliver import Deliveries, next_step
from tests.support.gateway import ENCRYPTION_KEYS, JWT_SECRET
from tests.support.receiver import FRAMEWORK, STANDARD, Answer, Receiver, serving
from tests.support.services import Backend

BASE = 0.25
"""The first retry delay: long enough that a "not due yet" call made right after an
attempt is never late on a loaded machine (at 0.05 s it was, once)."""
_paths = count(1)


@dataclass
class World:
    session_factory: SessionFactory
    keyring: Keyring
    settings: Settings
    http: httpx.AsyncClient
    receiver: Receiver
    base_url: str


@dataclass
class Subscription:
    id: int
    path: str
    secret: str


def settings_for(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "jwt_secret": JWT_SECRET,
        "encryption_keys": ENCRYPTION_KEYS,
        "webhook_retry_base_seconds": BASE,
        "webhook_allow_private_targets": True,
        "webhook_handoff_grace_seconds": 0,
        "webhook_lease_seconds": 30,
        "webhook_sweep_interval_seconds": 0.05,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture(scope="module")
async def world(backend: Backend) -> AsyncIterator[World]:
    engine = create_engine(backend.url)
    await upgrade(engine)
    factory = create_session_factory(engine)
    settings = settings_for(backend.url)
    receiver = Receiver()
    try:
        async with serving(receiver) as base_url, httpx.AsyncClient() as http:
            yield World(factory, settings.keyring(), settings, http, receiver, base_url)
    finally:
        await engine.dispose()


@pytest.fixture
def deliveries(world: World) -> Deliveries:
    """A fresh process: its own bus and in-process inbox."""
    return Deliveries(
        world.session_factory, world.keyring, EventBus(), Inbox("test"), world.settings, world.http
    )


async def new_tenant(world: World, slug: str | None = None) -> int:
    """Each test's subscriptions in a tenant of their own: fan-out reaches only them."""
    async with world.session_factory.begin() as session:
        slug = slug or f"t{next(_paths)}"
        tenant = Tenant(slug=slug, name=slug.upper())
        session.add(tenant)
        await session.flush()
        return tenant.id


async def subscribe(
    world: World,
    events: list[str],
    *,
    tenant_id: int | None = None,
    retry_attempts: int = 3,
    timeout_ms: int = 2000,
    is_active: bool = True,
    url: str | None = None,
    scheme: SignatureScheme = SignatureScheme.STANDARD_WEBHOOKS,
    secret: str | None = None,
) -> Subscription:
    path = f"/hooks/{next(_paths)}"
    secret = secret or generate_secret_for(scheme)
    tenant_id = tenant_id or await new_tenant(world)
    async with world.session_factory.begin() as session:
        row = WebhookSubscription(
            tenant_id=tenant_id,
            name=path,
            url=url or world.base_url + path,
            events=events,
            secret_encrypted=world.keyring.encrypt(
                secret.encode(), context=secret_context(tenant_id)
            ),
            retry_attempts=retry_attempts,
            timeout_ms=timeout_ms,
            is_active=is_active,
            signature_scheme=scheme,
        )
        session.add(row)
        await session.flush()
        pk = row.id
    world.receiver.expect(path, secret, scheme)
    return Subscription(pk, path, secret)


async def delivery(world: World, delivery_id: int) -> WebhookDelivery:
    async with world.session_factory() as session:
        found = await session.get(WebhookDelivery, delivery_id)
        assert found is not None
        return found


async def gave_up(world: World, delivery_id: int) -> list[OperationalLog]:
    """The operational log's lines about the delivery (one when it gave up)."""
    async with world.session_factory() as session:
        rows = await session.scalars(sa.select(OperationalLog))
        return [row for row in rows if row.extra.get("deliveryId") == delivery_id]


async def deliveries_of(world: World, subscription: Subscription) -> list[WebhookDelivery]:
    async with world.session_factory() as session:
        return list(
            await session.scalars(
                sa.select(WebhookDelivery)
                .where(WebhookDelivery.subscription_id == subscription.id)
                .order_by(WebhookDelivery.id)
            )
        )


async def one_delivery(
    world: World, deliveries: Deliveries, subscription: Subscription, remote_id: str = "C-1"
) -> int:
    tenant_id = await tenant_of(world, subscription)
    ids = await deliveries.fan_out(
        candidate_created(tenant_id, candidate_id=1, remote_id=remote_id)
    )
    assert len(ids) == 1
    await drain(deliveries.inbox)
    return ids[0]


async def tenant_of(world: World, subscription: Subscription) -> int:
    async with world.session_factory() as session:
        found = await session.get(WebhookSubscription, subscription.id)
        assert found is not None
        return found.tenant_id


async def drain(inbox: Inbox) -> list[int]:
    return await inbox.take(limit=10_000, timeout=0.01)


async def until_due(world: World, delivery_id: int) -> None:
    row = await delivery(world, delivery_id)
    assert row.next_attempt_at is not None
    await asyncio.sleep(max(0.0, (row.next_attempt_at - utcnow()).total_seconds()) + 0.01)


# --- fan-out -----------------------------------------------------------------------------


async def test_fan_out_stores_a_delivery_per_wanted_event_and_hands_it_on(
    world: World, deliveries: Deliveries
) -> None:
    tenant_id = await new_tenant(world, "acme")
    wanted = ["application.stage_changed", "application.hired"]
    wants_both = await subscribe(world, wanted, tenant_id=tenant_id)
    wants_hired = await subscribe(world, ["application.hired"], tenant_id=tenant_id)
    await subscribe(world, ["job.created"], tenant_id=tenant_id)
    await subscribe(world, ["application.hired"], tenant_id=tenant_id, is_active=False)
    await subscribe(world, ["application.hired"])
    event = application_stage_changed(
        tenant_id,
        application_id=9,
        job_id=2,
        candidate_id=3,
        stage="Hired",
        previous_stage="Offer",
        status="hired",
    )
    ids = await deliveries.fan_out(event)
    assert sorted(await drain(deliveries.inbox)) == sorted(ids)
    both = await deliveries_of(world, wants_both)
    hired = await deliveries_of(world, wants_hired)
    assert [d.event for d in both] == ["application.stage_changed", "application.hired"]
    assert [d.event for d in hired] == ["application.hired"]
    assert sorted(ids) == sorted(d.id for d in both + hired)
    first = hired[0]
    assert first.status is DeliveryStatus.PENDING and first.attempt == 0
    assert first.payload["organizationId"] == "acme"
    assert first.payload["data"]["applicationId"] == base64.b64encode(b"Application:9").decode()
    assert len({d.message_id for d in both + hired}) == 3


async def test_an_event_heard_by_many_processes_is_stored_once(
    world: World, deliveries: Deliveries
) -> None:
    tenant_id = await new_tenant(world)
    subscription = await subscribe(world, ["job.created", "job.opened"], tenant_id=tenant_id)
    others = [
        Deliveries(
            world.session_factory, world.keyring, EventBus(), Inbox("x"), world.settings, world.http
        )
        for _ in range(3)
    ]
    event = job_created(tenant_id, job_id=4, remote_id="J-4", status="open")
    results = await asyncio.gather(*(d.fan_out(event) for d in [deliveries, *others]))
    stored = [i for ids in results for i in ids]
    assert len(stored) == len(set(stored)), "two processes both claim to have stored a row"
    assert await deliveries.fan_out(event) == []
    rows = await deliveries_of(world, subscription)
    assert [d.event for d in rows] == ["job.created", "job.opened"]
    assert {d.id for d in rows} <= set(stored)


async def test_events_nobody_wants_touch_nothing(world: World, deliveries: Deliveries) -> None:
    subscription = await subscribe(world, ["candidate.created"])
    tenant_id = await tenant_of(world, subscription)
    assert await deliveries.fan_out(Event("sync.progress", tenant_id, {})) == []
    updated = candidate_updated(tenant_id, candidate_id=1, remote_id="C-1")
    assert await deliveries.fan_out(updated) == []
    stranger = candidate_created(10**9, candidate_id=1, remote_id="C-1")
    assert await deliveries.fan_out(stranger) == []


# --- one delivery ------------------------------------------------------------------------


async def test_a_delivery_is_signed_the_standard_webhooks_way(
    world: World, deliveries: Deliveries
) -> None:
    subscription = await subscribe(world, ["candidate.created"])
    world.receiver.script(subscription.path, Answer(202, body="thanks " * 300))
    delivery_id = await one_delivery(world, deliveries, subscription, remote_id="C-1")
    assert await deliveries.deliver(delivery_id) is True
    [request] = world.receiver.at(subscription.path)
    assert request.verified, "standardwebhooks could not verify the signature"
    row = await delivery(world, delivery_id)
    assert request.headers["webhook-id"] == row.message_id
    assert request.headers["x-webhook-event"] == "candidate.created"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == USER_AGENT
    assert request.payload == row.payload
    assert request.payload["data"] == {
        "candidateId": base64.b64encode(b"Candidate:1").decode(),
        "remoteId": "C-1",
    }
    assert row.status is DeliveryStatus.SUCCEEDED and row.attempt == 1
    assert row.status_code == 202 and row.duration_ms is not None
    assert row.response_excerpt == ("thanks " * 300)[:1000]
    assert row.delivered_at is not None and row.error is None
    assert row.next_attempt_at is None and row.claimed_until is None
    assert await deliveries.deliver(delivery_id) is False, "a finished delivery is not resent"
    assert len(world.receiver.at(subscription.path)) == 1


async def test_a_delivery_is_signed_the_integration_framework_way(
    world: World, deliveries: Deliveries
) -> None:
    subscription = await subscribe(
        world, ["candidate.created"], scheme=SignatureScheme.INTEGRATION_FRAMEWORK
    )
    assert len(subscription.secret) == 64 and not subscription.secret.startswith("whsec_")
    delivery_id = await one_delivery(world, deliveries, subscription, remote_id="C-7")
    assert await deliveries.deliver(delivery_id) is True
    [request] = world.receiver.at(subscription.path)
    assert request.verified, "the design's HMAC-SHA256 of the body did not match"
    row = await delivery(world, delivery_id)
    signature = request.headers["x-webhook-signature"]
    assert len(signature) == 64 and signature == signature.lower()
    assert request.headers["x-webhook-id"] == str(
        uuid.uuid5(FRAMEWORK_ID_NAMESPACE, row.message_id)
    )
    assert request.headers["x-webhook-event"] == "candidate.created"
    assert request.headers["content-type"] == "application/json"
    assert not {"webhook-id", "webhook-timestamp", "webhook-signature"} & request.headers.keys()
    assert request.payload == row.payload
    assert row.status is DeliveryStatus.SUCCEEDED


@pytest.mark.parametrize(
    ("scheme", "other_secret"),
    [
        (SignatureScheme.STANDARD_WEBHOOKS, generate_secret),
        (SignatureScheme.INTEGRATION_FRAMEWORK, generate_plain_secret),
    ],
)
async def test_a_wrong_secret_fails_verification(
    world: World, deliveries: Deliveries, scheme: SignatureScheme, other_secret: Any
) -> None:
    subscription = await subscribe(world, ["candidate.created"], scheme=scheme)
    world.receiver.expect(subscription.path, other_secret(), scheme)
    delivery_id = await one_delivery(world, deliveries, subscription)
    await deliveries.deliver(delivery_id)
    world.receiver.expect(subscription.path, subscription.secret, scheme)
    second = await one_delivery(world, deliveries, subscription, remote_id="C-2")
    await deliveries.deliver(second)
    wrong, right = world.receiver.at(subscription.path)
    assert not wrong.verified, "a signature verified under another secret"
    assert right.verified


async def test_the_other_schemes_verifier_refuses_a_delivery(
    world: World, deliveries: Deliveries
) -> None:
    """The schemes do not overlap: a framework receiver cannot be fooled by Standard
    Webhooks headers, nor the reverse, even with the very same secret string."""
    secret = generate_secret()
    framework = await subscribe(
        world, ["candidate.created"], scheme=SignatureScheme.INTEGRATION_FRAMEWORK, secret=secret
    )
    standard = await subscribe(world, ["candidate.created"], secret=secret)
    world.receiver.expect(framework.path, secret, STANDARD)
    world.receiver.expect(standard.path, secret, FRAMEWORK)
    for subscription in (framework, standard):
        await deliveries.deliver(await one_delivery(world, deliveries, subscription))
        [request] = world.receiver.at(subscription.path)
        assert not request.verified


async def test_framework_retries_keep_the_same_x_webhook_id(
    world: World, deliveries: Deliveries
) -> None:
    subscription = await subscribe(
        world,
        ["candidate.created"],
        retry_attempts=1,
        scheme=SignatureScheme.INTEGRATION_FRAMEWORK,
    )
    world.receiver.script(subscription.path, Answer(503), Answer(200))
    delivery_id = await one_delivery(world, deliveries, subscription)
    assert await deliveries.deliver(delivery_id) is False
    await until_due(world, delivery_id)
    assert await deliveries.deliver(delivery_id) is True
    first, second = world.receiver.at(subscription.path)
    assert first.headers["x-webhook-id"] == second.headers["x-webhook-id"]
    assert first.body == second.body and first.verified and second.verified


async def test_switching_the_scheme_takes_effect_on_the_next_delivery(
    world: World, deliveries: Deliveries
) -> None:
    """Through the service an admin's update goes through: the stored ``whsec_``
    secret is kept and used whole as the plain key; an attempt due after the switch,
    a retry of a message first sent the old way included, is signed the new way."""
    subscription = await subscribe(world, ["candidate.created"], retry_attempts=2)
    world.receiver.script(subscription.path, Answer(200), Answer(503), Answer(200))
    assert await deliveries.deliver(await one_delivery(world, deliveries, subscription))
    retried = await one_delivery(world, deliveries, subscription, remote_id="C-2")
    assert await deliveries.deliver(retried) is False
    await switch_scheme(world, subscription, SignatureScheme.INTEGRATION_FRAMEWORK)
    world.receiver.expect(subscription.path, subscription.secret, FRAMEWORK)
    await until_due(world, retried)
    assert await deliveries.deliver(retried) is True
    assert await deliveries.deliver(await one_delivery(world, deliveries, subscription, "C-3"))
    before, failed, after_retry, after = world.receiver.at(subscription.path)
    assert "webhook-signature" in before.headers and "x-webhook-signature" not in before.headers
    assert "webhook-signature" in failed.headers
    for request in (after_retry, after):
        assert request.verified, "not signed the integration framework way after the switch"
        assert "webhook-signature" not in request.headers
    assert after_retry.headers["x-webhook-id"] == str(
        uuid.uuid5(FRAMEWORK_ID_NAMESPACE, failed.headers["webhook-id"])
    )
    await switch_scheme(world, subscription, SignatureScheme.STANDARD_WEBHOOKS)
    world.receiver.expect(subscription.path, subscription.secret, STANDARD)
    assert await deliveries.deliver(await one_delivery(world, deliveries, subscription, "C-4"))
    assert world.receiver.at(subscription.path)[-1].verified


async def switch_scheme(world: World, subscription: Subscription, scheme: SignatureScheme) -> None:
    tenant_id = await tenant_of(world, subscription)
    actor = Actor(tenant_id=tenant_id, actor_type=ActorType.SYSTEM, actor_id=None, name="test")
    async with world.session_factory.begin() as session:
        updated = await update_subscription(
            session,
            actor,
            world.keyring,
            world.settings,
            subscription.id,
            {"signature_scheme": scheme},
        )
        assert updated.signature_scheme is scheme


async def test_5xx_is_retried_with_exponential_backoff_then_failed(
    world: World, deliveries: Deliveries
) -> None:
    subscription = await subscribe(world, ["candidate.created"], retry_attempts=3)
    world.receiver.script(subscription.path, *[Answer(503, body="down")] * 4)
    delivery_id = await one_delivery(world, deliveries, subscription)
    for attempt, delay in enumerate([BASE, 2 * BASE, 4 * BASE], start=1):
        before = utcnow()
        assert await deliveries.deliver(delivery_id) is False
        after = utcnow()
        row = await delivery(world, delivery_id)
        assert (row.status, row.attempt, row.status_code) == (
            DeliveryStatus.RETRYING,
            attempt,
            503,
        )
        assert row.next_attempt_at is not None
        assert before + timedelta(seconds=delay) <= row.next_attempt_at
        assert row.next_attempt_at <= after + timedelta(seconds=delay)
        assert await deliveries.deliver(delivery_id) is False, "not due yet: no request"
        assert len(world.receiver.at(subscription.path)) == attempt
        await until_due(world, delivery_id)
    assert await deliveries.deliver(delivery_id) is False
    row = await delivery(world, delivery_id)
    assert (row.status, row.attempt, row.error) == (DeliveryStatus.FAILED, 4, "HTTP 503")
    assert row.next_attempt_at is None and row.response_excerpt == "down"
    assert len(world.receiver.at(subscription.path)) == 4
    assert all(request.verified for request in world.receiver.at(subscription.path))
    [logged] = await gave_up(world, delivery_id)
    assert logged.level is LogLevel.ERROR and logged.source == "delivery"
    assert "after 4 attempt(s): HTTP 503" in logged.message


async def test_each_attempt_is_signed_afresh_under_the_same_id(
    world: World, deliveries: Deliveries
) -> None:
    subscription = await subscribe(world, ["candidate.created"], retry_attempts=1)
    world.receiver.script(subscription.path, Answer(500), Answer(200))
    delivery_id = await one_delivery(world, deliveries, subscription)
    await deliveries.deliver(delivery_id)
    await until_due(world, delivery_id)
    assert await deliveries.deliver(delivery_id) is True
    first, second = world.receiver.at(subscription.path)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert first.verified and second.verified


async def test_429_waits_at_least_retry_after(world: World, deliveries: Deliveries) -> None:
    subscription = await subscribe(world, ["candidate.created"])
    world.receiver.script(subscription.path, Answer(429, headers={"Retry-After": "2"}))
    delivery_id = await one_delivery(world, deliveries, subscription)
    before = utcnow()
    await deliveries.deliver(delivery_id)
    row = await delivery(world, delivery_id)
    assert row.status is DeliveryStatus.RETRYING and row.status_code == 429
    assert row.next_attempt_at is not None
    assert row.next_attempt_at >= before + timedelta(seconds=2)


def test_retry_after_as_an_http_date_and_its_cap() -> None:
    now = utcnow()
    slow = next_step(
        Reply(429, 5, retry_after=90.0), attempt=1, retry_attempts=3, base_seconds=1, now=now
    )
    huge = next_step(
        Reply(429, 5, retry_after=1e9), attempt=1, retry_attempts=3, base_seconds=1, now=now
    )
    assert slow.next_attempt_at == now + timedelta(seconds=90)
    assert huge.next_attempt_at == now + timedelta(hours=1)


async def test_a_timeout_is_retried(world: World, deliveries: Deliveries) -> None:
    subscription = await subscribe(world, ["candidate.created"], timeout_ms=200, retry_attempts=1)
    world.receiver.script(subscription.path, Answer(200, delay=5), Answer(200))
    delivery_id = await one_delivery(world, deliveries, subscription)
    assert await deliveries.deliver(delivery_id) is False
    row = await delivery(world, delivery_id)
    assert row.status is DeliveryStatus.RETRYING and row.status_code is None
    assert row.error == "no answer within 0.2 s"
    await until_due(world, delivery_id)
    assert await deliveries.deliver(delivery_id) is True


@pytest.mark.parametrize("status", [400, 401, 404, 410, 302])
async def test_other_answers_fail_at_once(
    world: World, deliveries: Deliveries, status: int
) -> None:
    subscription = await subscribe(world, ["candidate.created"], retry_attempts=5)
    moved = {"location": f"{world.base_url}/hooks/elsewhere"}
    world.receiver.script(subscription.path, Answer(status, headers=moved))
    delivery_id = await one_delivery(world, deliveries, subscription)
    assert await deliveries.deliver(delivery_id) is False
    row = await delivery(world, delivery_id)
    assert (row.status, row.attempt, row.status_code) == (DeliveryStatus.FAILED, 1, status)
    assert world.receiver.at("/hooks/elsewhere") == []
    assert len(await gave_up(world, delivery_id)) == 1


async def test_a_private_target_is_refused_at_delivery(world: World) -> None:
    strict = Deliveries(
        world.session_factory,
        world.keyring,
        EventBus(),
        Inbox("strict"),
        settings_for("sqlite://", webhook_allow_private_targets=False),
        world.http,
    )
    subscription = await subscribe(world, ["candidate.created"], retry_attempts=5)
    delivery_id = await one_delivery(world, strict, subscription)
    assert await strict.deliver(delivery_id) is False
    row = await delivery(world, delivery_id)
    assert (row.status, row.attempt) == (DeliveryStatus.FAILED, 1)
    assert "loopback address: refused" in (row.error or "")
    assert row.duration_ms is None
    assert world.receiver.at(subscription.path) == []


async def test_a_disabled_subscription_gets_nothing(world: World, deliveries: Deliveries) -> None:
    subscription = await subscribe(world, ["candidate.created"])
    delivery_id = await one_delivery(world, deliveries, subscription)
    async with world.session_factory.begin() as session:
        await session.execute(
            sa.update(WebhookSubscription)
            .where(WebhookSubscription.id == subscription.id)
            .values(is_active=False)
        )
    assert await deliveries.deliver(delivery_id) is False
    row = await delivery(world, delivery_id)
    assert row.status is DeliveryStatus.FAILED and row.error == "the subscription is disabled"
    assert world.receiver.at(subscription.path) == []


async def test_one_claim_one_request(world: World, deliveries: Deliveries) -> None:
    subscription = await subscribe(world, ["candidate.created"])
    world.receiver.script(subscription.path, Answer(200, delay=0.2))
    delivery_id = await one_delivery(world, deliveries, subscription)
    results = await asyncio.gather(*(deliveries.deliver(delivery_id) for _ in range(5)))
    assert sorted(results) == [False] * 4 + [True]
    assert len(world.receiver.at(subscription.path)) == 1


# --- sweep and run -----------------------------------------------------------------------


async def test_the_sweep_hands_on_lost_retries_and_dead_claims(
    world: World, deliveries: Deliveries
) -> None:
    subscription = await subscribe(world, ["candidate.created"])
    lost = await one_delivery(world, deliveries, subscription)
    stranded = await one_delivery(world, deliveries, subscription, remote_id="2")
    past = utcnow() - timedelta(seconds=1)
    async with world.session_factory.begin() as session:
        await session.execute(
            sa.update(WebhookDelivery)
            .where(WebhookDelivery.id == stranded)
            .values(status=DeliveryStatus.DELIVERING, attempt=1, claimed_until=past)
        )
    await asyncio.sleep(0.01)
    assert await deliveries.sweep() >= 2
    handed = await drain(deliveries.inbox)
    assert {lost, stranded} <= set(handed)
    assert await deliveries.deliver(stranded) is True
    assert (await delivery(world, stranded)).attempt == 2


async def test_run_delivers_from_the_bus_and_retries_on_time(world: World) -> None:
    bus, inbox = EventBus(), Inbox("run")
    running = Deliveries(
        world.session_factory, world.keyring, bus, inbox, world.settings, world.http
    )
    tenant_id = await new_tenant(world)
    subscription = await subscribe(world, ["job.opened"], tenant_id=tenant_id, retry_attempts=2)
    world.receiver.script(subscription.path, Answer(500), Answer(204, body=""))
    task = asyncio.create_task(running.run())
    try:
        await asyncio.sleep(0.05)
        await bus.publish(
            job_status_changed(tenant_id, job_id=5, status="open", previous_status="draft")
        )
        async with asyncio.timeout(5):
            while not (rows := await deliveries_of(world, subscription)) or (  # noqa: ASYNC110
                rows[0].status is not DeliveryStatus.SUCCEEDED
            ):
                await asyncio.sleep(0.02)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    first, second = world.receiver.at(subscription.path)
    assert second.at - first.at >= BASE * 0.9
    assert second.verified and second.payload["event"] == "job.opened"
    [row] = await deliveries_of(world, subscription)
    assert (row.status, row.attempt, row.status_code) == (DeliveryStatus.SUCCEEDED, 2, 204)


async def test_rotated_keys_still_sign(world: World) -> None:
    """``rotate-keys`` re-encrypts subscription secrets under their own context."""
    newest, oldest = ENCRYPTION_KEYS.split(",")
    subscription = await subscribe(world, ["candidate.created"])
    tenant_id = await tenant_of(world, subscription)
    async with world.session_factory.begin() as session:
        await session.execute(
            sa.update(WebhookSubscription)
            .where(WebhookSubscription.id == subscription.id)
            .values(
                secret_encrypted=Keyring.from_setting(oldest).encrypt(
                    subscription.secret.encode(), context=secret_context(tenant_id)
                )
            )
        )
    async with world.session_factory.begin() as session:
        report = await rotate_secrets(session, world.keyring)
    assert report.rotated >= 1
    rotated = Deliveries(
        world.session_factory,
        Keyring.from_setting(newest),
        EventBus(),
        Inbox("rotated"),
        world.settings,
        world.http,
    )
    delivery_id = await one_delivery(world, rotated, subscription)
    assert await rotated.deliver(delivery_id) is True
    assert world.receiver.at(subscription.path)[0].verified
