"""Alerts on webhook failures, on SQLite and PostgreSQL, through the real processing and
delivery paths: inbound events whose bodies name no event end failed at once, outbound
deliveries to a loopback URL are refused and fail at once.

With a threshold of 3 in a 60-minute window: 3 failures raise nothing; the 4th raises
exactly one alert (an ERROR line of source ``alerts`` and one bus event, which fans out
to the subscriptions that chose it); more failures in the window raise nothing more;
once the window has passed (the stored times moved back an hour) the next burst past
the threshold raises one again. Another tenant's failures count apart. Two processes
checking at once raise one alert. A subscription's own alert is never delivered to it.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from gateway.events import candidate_created, webhook_subscription_failures
from gateway.global_ids import to_global_id
from gateway.inbox import Inbox
from gateway.outbox import Outbox
from gateway.pubsub import Event
from gateway.services.failure_alerts import FailureAlerts
from gateway.services.webhook_subscriptions import secret_context
from gateway.settings import Settings
from gateway.store.base import utcnow
from gateway.store.enums import DeliveryStatus, LogLevel, Provider, WebhookEventStatus
from gateway.store.models import (
    Integration,
    OperationalLog,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from gateway.webhook_signature import generate_secret
from jobs.deliver import Deliveries
from jobs.ingest import Ingestor
from tests.support.gateway import Gateway, running_gateway
from tests.support.integrations import add_recruiterflow
from tests.support.services import Backend
from tests.support.worlds import RecordingBus

THRESHOLD = 3
WINDOW = 60
REFUSED_URL = "http://127.0.0.1:9/hook"
"""Loopback: refused before any request (private targets are not allowed here)."""
_n = itertools.count(1)


@dataclass
class World:
    gateway: Gateway
    published: list[Event]
    deliveries: Deliveries
    ingestor: Ingestor

    @property
    def settings(self) -> Settings:
        return self.gateway.settings

    def tenant(self, slug: str) -> int:
        return self.gateway.tenants[slug].tenant_id

    def alerts(self, kind: str) -> list[Event]:
        return [event for event in self.published if event.type == kind]


@pytest.fixture(scope="module")
async def world(backend: Backend) -> AsyncIterator[World]:
    async with (
        running_gateway(
            backend.url,
            webhook_failure_alert_threshold=THRESHOLD,
            webhook_failure_alert_window_minutes=WINDOW,
            webhook_handoff_grace_seconds=0,
        ) as gateway,
        httpx.AsyncClient() as http,
    ):
        state = gateway.app.state
        published: list[Event] = []
        bus = RecordingBus(published)
        deliveries = Deliveries(
            state.session_factory,
            gateway.settings.keyring(),
            bus,
            Inbox("alerts"),
            gateway.settings,
            http,
        )
        deps = replace(state.sync_deps, bus=bus)
        ingestor = Ingestor(deps, gateway.settings, Inbox("alerts-in"), state.queue)
        yield World(gateway, published, deliveries, ingestor)


# --- helpers -----------------------------------------------------------------------------


async def subscribe(world: World, tenant_id: int, events: list[str]) -> int:
    keyring = world.settings.keyring()
    async with world.gateway.app.state.session_factory.begin() as session:
        row = WebhookSubscription(
            tenant_id=tenant_id,
            name=f"sub-{next(_n)}",
            url=REFUSED_URL,
            events=events,
            secret_encrypted=keyring.encrypt(
                generate_secret().encode(), context=secret_context(tenant_id)
            ),
            retry_attempts=0,
        )
        session.add(row)
        await session.flush()
        return row.id


async def fail_deliveries(world: World, tenant_id: int, how_many: int) -> None:
    """``how_many`` deliveries fanned out and given up on (every subscription of the
    tenant that wants ``candidate.created`` gets one per event)."""
    for _ in range(how_many):
        n = next(_n)
        ids = await world.deliveries.fan_out(
            candidate_created(tenant_id, candidate_id=n, remote_id=f"C-{n}")
        )
        for delivery_id in ids:
            assert await world.deliveries.deliver(delivery_id) is False
    await world.deliveries.inbox.take(limit=10_000, timeout=0.01)


async def alert_lines(world: World, key: str, subject_id: int) -> list[OperationalLog]:
    async with world.gateway.app.state.session_factory() as session:
        rows = await session.scalars(
            sa.select(OperationalLog)
            .where(OperationalLog.source == "alerts")
            .order_by(OperationalLog.id)
        )
        return [row for row in rows if row.extra.get(key) == subject_id]


async def age(world: World, model: Any, marker: str, stamp: Any, *where: Any) -> None:
    """Set the failures' times and the alert markers a window and a minute ago: as if the
    window had passed."""
    then = utcnow() - timedelta(minutes=WINDOW + 1)
    async with world.gateway.app.state.session_factory.begin() as session:
        await session.execute(sa.update(stamp.class_).where(*where).values({stamp.key: then}))
        column = getattr(model, marker)
        await session.execute(sa.update(model).where(column.is_not(None)).values({marker: then}))


async def add_integration(world: World, tenant_id: int) -> int:
    state = world.gateway.app.state
    async with state.session_factory.begin() as session:
        return await add_recruiterflow(
            session,
            world.settings.keyring(),
            tenant_id,
            api_key="key",
            config={"baseUrl": "http://127.0.0.1:9"},
            name=f"RF {next(_n)}",
        )


async def fail_events(world: World, tenant_id: int, integration_id: int, how_many: int) -> None:
    """``how_many`` inbound events whose bodies name no event, processed: each ends
    failed at its first attempt (no retry can help)."""
    for _ in range(how_many):
        body = f'{{"id": "{next(_n)}", "data": {{}}}}'.encode()
        async with world.gateway.app.state.session_factory.begin() as session:
            event = WebhookEvent(
                tenant_id=tenant_id,
                integration_id=integration_id,
                provider=Provider.RECRUITERFLOW,
                body_sha256=hashlib.sha256(body).hexdigest(),
                headers={},
                body=body,
                status=WebhookEventStatus.RECEIVED,
            )
            session.add(event)
            await session.flush()
            event_id = event.id
        assert await world.ingestor.process(event_id) is WebhookEventStatus.FAILED


# --- outbound ----------------------------------------------------------------------------


async def test_failed_deliveries_alert_once_per_window_past_the_threshold(world: World) -> None:
    tenant_id = world.tenant("demo")
    failing = await subscribe(
        world, tenant_id, ["candidate.created", "webhook_subscription.failures"]
    )
    watcher = await subscribe(world, tenant_id, ["webhook_subscription.failures"])
    other = await subscribe(world, world.tenant("other"), ["candidate.created"])
    kind = "webhook_subscription.failures"

    await fail_deliveries(world, tenant_id, THRESHOLD)
    await fail_deliveries(world, world.tenant("other"), THRESHOLD)
    assert await alert_lines(world, "subscriptionId", failing) == []
    assert world.alerts(kind) == []

    await fail_deliveries(world, tenant_id, 1)
    [line] = await alert_lines(world, "subscriptionId", failing)
    assert line.level is LogLevel.ERROR
    assert line.tenant_id == tenant_id
    assert line.extra == {
        "subscriptionId": failing,
        "failures": THRESHOLD + 1,
        "threshold": THRESHOLD,
        "windowMinutes": WINDOW,
    }
    [alert] = world.alerts(kind)
    assert (alert.tenant_id, alert.data["subscriptionId"]) == (tenant_id, failing)

    ids = await world.deliveries.fan_out(alert)
    async with world.gateway.app.state.session_factory() as session:
        rows = list(
            await session.scalars(sa.select(WebhookDelivery).where(WebhookDelivery.id.in_(ids)))
        )
    assert [(row.subscription_id, row.event) for row in rows] == [(watcher, kind)]
    assert rows[0].payload["data"]["subscriptionId"] == to_global_id("WebhookSubscription", failing)
    await world.deliveries.inbox.take(limit=10_000, timeout=0.01)

    await fail_deliveries(world, tenant_id, THRESHOLD + 2)
    assert len(await alert_lines(world, "subscriptionId", failing)) == 1
    assert len(world.alerts(kind)) == 1

    await age(
        world,
        WebhookSubscription,
        "failures_alerted_at",
        WebhookDelivery.failed_at,
        WebhookDelivery.failed_at.is_not(None),
    )
    await fail_deliveries(world, tenant_id, THRESHOLD)
    assert len(await alert_lines(world, "subscriptionId", failing)) == 1
    await fail_deliveries(world, tenant_id, 1)
    lines = await alert_lines(world, "subscriptionId", failing)
    assert [line.extra["failures"] for line in lines] == [THRESHOLD + 1, THRESHOLD + 1]
    assert [a.data["subscriptionId"] for a in world.alerts(kind)] == [failing, failing]

    assert await alert_lines(world, "subscriptionId", other) == []
    assert await alert_lines(world, "subscriptionId", watcher) == []


async def test_failed_alert_deliveries_are_not_counted(world: World) -> None:
    """Alerts delivered to a failing endpoint fail there without raising alerts."""
    tenant_id = world.tenant("other")
    sink = await subscribe(world, tenant_id, ["webhook_subscription.failures"])
    for _ in range(THRESHOLD + 2):
        alert = webhook_subscription_failures(
            tenant_id, subscription_id=0, failures=9, threshold=THRESHOLD, window_minutes=WINDOW
        )
        ids = await world.deliveries.fan_out(alert)
        for delivery_id in ids:
            await world.deliveries.deliver(delivery_id)
    async with world.gateway.app.state.session_factory() as session:
        failed = await session.scalar(
            sa.select(sa.func.count()).where(
                WebhookDelivery.subscription_id == sink,
                WebhookDelivery.status == DeliveryStatus.FAILED,
            )
        )
    assert failed == THRESHOLD + 2
    assert await alert_lines(world, "subscriptionId", sink) == []


async def test_two_processes_checking_at_once_raise_one_alert(world: World) -> None:
    tenant_id = world.tenant("demo")
    quiet = world.settings.model_copy(update={"webhook_failure_alert_threshold": 1000})
    silent = Deliveries(
        world.gateway.app.state.session_factory,
        world.settings.keyring(),
        RecordingBus([]),
        Inbox("silent"),
        quiet,
        world.deliveries.http,
    )
    subscription = await subscribe(world, tenant_id, ["candidate.created"])
    # the other subscriptions of the tenant are disabled meanwhile: only this one fails
    async with world.gateway.app.state.session_factory.begin() as session:
        await session.execute(
            sa.update(WebhookSubscription)
            .where(
                WebhookSubscription.tenant_id == tenant_id,
                WebhookSubscription.id != subscription,
            )
            .values(is_active=False)
        )
    for _ in range(THRESHOLD + 1):
        n = next(_n)
        for delivery_id in await silent.fan_out(
            candidate_created(tenant_id, candidate_id=n, remote_id=f"C-{n}")
        ):
            await silent.deliver(delivery_id)
    assert await alert_lines(world, "subscriptionId", subscription) == []

    factory = world.gateway.app.state.session_factory
    processes = [
        FailureAlerts(factory, Outbox(factory, RecordingBus([])), world.settings) for _ in range(4)
    ]
    raised = await asyncio.gather(
        *(p.outbound(tenant_id, subscription_id=subscription) for p in processes)
    )
    assert sum(event is not None for event in raised) == 1
    assert len(await alert_lines(world, "subscriptionId", subscription)) == 1


# --- inbound -----------------------------------------------------------------------------


async def test_failed_inbound_events_alert_once_per_window_past_the_threshold(
    world: World,
) -> None:
    tenant_id = world.tenant("demo")
    integration_id = await add_integration(world, tenant_id)
    elsewhere = await add_integration(world, world.tenant("other"))
    kind = "integration.webhook_failures"

    await fail_events(world, tenant_id, integration_id, THRESHOLD)
    await fail_events(world, world.tenant("other"), elsewhere, THRESHOLD)
    assert await alert_lines(world, "integrationId", integration_id) == []
    assert world.alerts(kind) == []

    await fail_events(world, tenant_id, integration_id, 1)
    [line] = await alert_lines(world, "integrationId", integration_id)
    assert (line.level, line.tenant_id) == (LogLevel.ERROR, tenant_id)
    assert line.extra == {
        "integrationId": integration_id,
        "failures": THRESHOLD + 1,
        "threshold": THRESHOLD,
        "windowMinutes": WINDOW,
    }
    [alert] = world.alerts(kind)
    assert alert.data == {
        "integrationId": integration_id,
        "failures": THRESHOLD + 1,
        "threshold": THRESHOLD,
        "windowMinutes": WINDOW,
    }
    watcher = await subscribe(world, tenant_id, [kind])
    ids = await world.deliveries.fan_out(alert)
    async with world.gateway.app.state.session_factory() as session:
        rows = list(
            await session.scalars(sa.select(WebhookDelivery).where(WebhookDelivery.id.in_(ids)))
        )
    assert [(row.subscription_id, row.event) for row in rows] == [(watcher, kind)]
    assert rows[0].payload["data"]["integrationId"] == to_global_id("Integration", integration_id)
    await world.deliveries.inbox.take(limit=10_000, timeout=0.01)

    await fail_events(world, tenant_id, integration_id, THRESHOLD + 2)
    assert len(await alert_lines(world, "integrationId", integration_id)) == 1
    assert len(world.alerts(kind)) == 1

    await age(
        world,
        Integration,
        "webhook_failures_alerted_at",
        WebhookEvent.processed_at,
        WebhookEvent.processed_at.is_not(None),
    )
    await fail_events(world, tenant_id, integration_id, THRESHOLD)
    assert len(await alert_lines(world, "integrationId", integration_id)) == 1
    await fail_events(world, tenant_id, integration_id, 1)
    assert len(await alert_lines(world, "integrationId", integration_id)) == 2
    assert [a.data["integrationId"] for a in world.alerts(kind)] == [
        integration_id,
        integration_id,
    ]
    assert await alert_lines(world, "integrationId", elsewhere) == []
