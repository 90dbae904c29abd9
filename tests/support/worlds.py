"""Worlds many test modules build: a store with a synced Recruiterflow fake for the sync
engine, and a running gateway whose HTTP client routes to sandbox fakes.

    async with gateway_world(backend, {"https://bpoc.io": fake.app}) as world:
        integration_id = await world.add_integration("bpoc", "BPOC writes", {"apiKey": key})
        await world.link(world.demo.admin_user_id, integration_id, ADMIN_ID)
        result = await world.mutate(DOCUMENT, "jobCreate", {...})          # as the admin
        result = await world.mutate(DOCUMENT, "jobCreate", {...}, user=recruiter_id)

    from tests.support.worlds import SyncWorld, full, sync_world  # the ``world`` fixture
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp

from demo.sandbox.recruiterflow import FakeRecruiterflow
from demo.seed import DemoTenant
from gateway.auth import issue_token
from gateway.cache import ResponseCache
from gateway.crypto import Keyring, credentials_context, webhook_secret_context
from gateway.locks import LocalLocks
from gateway.pubsub import Event, EventBus
from gateway.settings import Settings
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import IntegrationStatus, Role
from gateway.store.migrate import upgrade
from gateway.store.models import Activity, Integration, RecruiterLink, Tenant, User
from jobs.sync import sync_integration
from jobs.sync_api import SyncDeps, SyncMode
from tests.support.gateway import ENCRYPTION_KEYS, JWT_SECRET, Gateway, running_gateway
from tests.support.integrations import add_recruiterflow
from tests.support.services import Backend

JOBS, CANDIDATES, APPLICATIONS = 9, 12, 20
"""What the sync world's Recruiterflow fake holds."""
_keys = itertools.count()
_slugs = itertools.count()


def new_key(prefix: str = "key") -> str:
    """An idempotency key no other test of the run uses."""
    return f"{prefix}-{next(_keys)}"


async def no_sleep(_seconds: float) -> None:
    return None


class RecordingBus(EventBus):
    """A bus that keeps what is published instead of handing it on."""

    def __init__(self, sink: list[Event]) -> None:
        super().__init__()
        self.sink = sink

    async def publish(self, event: Event) -> None:
        self.sink.append(event)


@dataclass
class SyncWorld:
    """A tenant with one Recruiterflow integration, the sync engine's dependencies over its
    store, the events it published and every SQL statement it ran."""

    deps: SyncDeps
    engine: AsyncEngine
    fake: FakeRecruiterflow
    tenant_id: int
    integration_id: int
    events: list[Event]
    statements: list[str]


@asynccontextmanager
async def recruiterflow_sync(
    backend: Backend,
    fake: FakeRecruiterflow,
    *,
    slug: str,
    client: httpx.AsyncClient,
    config: dict[str, Any],
) -> AsyncIterator[SyncWorld]:
    """A migrated store of a fresh tenant whose integration calls ``fake`` through
    ``client``; the client is closed with the world."""
    engine = create_engine(backend.url)
    cache = ResponseCache(Settings(encryption_keys=ENCRYPTION_KEYS))
    try:
        await upgrade(engine)
        keyring = Keyring.from_setting(ENCRYPTION_KEYS)
        factory = create_session_factory(engine)
        async with factory.begin() as session:
            tenant = Tenant(slug=f"{slug}-{next(_slugs)}-{backend.name}", name=slug.title())
            session.add(tenant)
            await session.flush()
            integration_id = await add_recruiterflow(
                session, keyring, tenant.id, api_key=fake.api_key, config=config
            )
            tenant_id = tenant.id
        statements: list[str] = []
        event.listen(
            engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2])
        )
        events: list[Event] = []
        deps = SyncDeps(
            factory, keyring, client, RecordingBus(events), cache, LocalLocks(), no_sleep
        )
        yield SyncWorld(deps, engine, fake, tenant_id, integration_id, events, statements)
    finally:
        await client.aclose()
        await cache.close()
        await engine.dispose()


@pytest.fixture(name="world")
async def sync_world(backend: Backend) -> AsyncIterator[SyncWorld]:
    """The ``world`` of the sync tests: the fake holds ``JOBS``, ``CANDIDATES`` and
    ``APPLICATIONS`` and is read four records a page."""
    fake = FakeRecruiterflow()
    fake.seed(jobs=JOBS, candidates=CANDIDATES, applications=APPLICATIONS)
    client = httpx.AsyncClient(
        mounts={"https://api.recruiterflow.com": httpx.ASGITransport(app=fake.app)}
    )
    async with recruiterflow_sync(
        backend, fake, slug="sync", client=client, config={"pageSize": 4}
    ) as world:
        yield world


async def full(world: SyncWorld, **kwargs: Any) -> Any:
    return await sync_integration(
        world.deps, world.tenant_id, world.integration_id, mode=SyncMode.FULL, **kwargs
    )


async def count(world: SyncWorld, model: Any, *conditions: Any) -> int:
    async with world.deps.session_factory() as session:
        return int(
            await session.scalar(
                sa.select(sa.func.count())
                .select_from(model)
                .where(model.tenant_id == world.tenant_id, *conditions)
            )
            or 0
        )


@dataclass
class GatewayWorld:
    """The demo tenant of a running gateway, the events it published, and callers by user."""

    gateway: Gateway
    events: list[Event]

    @property
    def demo(self) -> DemoTenant:
        return self.gateway.tenants["demo"]

    @property
    def tenant_id(self) -> int:
        return self.demo.tenant_id

    async def scalar(self, query: Any) -> Any:
        async with self.gateway.app.state.session_factory() as session:
            return await session.scalar(query)

    async def rows(self, query: Any) -> list[Any]:
        async with self.gateway.app.state.session_factory() as session:
            return list((await session.execute(query)).all())

    async def count(self, model: Any, *where: Any) -> int:
        return int(await self.scalar(sa.select(sa.func.count()).select_from(model).where(*where)))

    async def activities(self, action: str) -> int:
        return await self.count(
            Activity, Activity.tenant_id == self.tenant_id, Activity.action == action
        )

    async def add_integration(
        self,
        provider: str,
        name: str,
        credentials: Mapping[str, str],
        config: Mapping[str, Any] | None = None,
        *,
        webhook_secret: str | None = None,
    ) -> int:
        state = self.gateway.app.state
        keyring: Keyring = state.keyring
        sealed_secret = (
            keyring.encrypt(webhook_secret.encode(), context=webhook_secret_context(self.tenant_id))
            if webhook_secret is not None
            else None
        )
        async with state.session_factory.begin() as session:
            integration = Integration(
                tenant_id=self.tenant_id,
                provider=provider,
                name=name,
                status=IntegrationStatus.ACTIVE,
                config={"rateLimitPerSecond": 10_000, **(config or {})},
                credentials_encrypted=keyring.encrypt_json(
                    dict(credentials), context=credentials_context(self.tenant_id)
                ),
                webhook_secret_encrypted=sealed_secret,
            )
            session.add(integration)
            await session.flush()
            return integration.id

    async def sync(self, integration_id: int) -> None:
        """A full sync, then what it queued in process (the new applications' analyses)
        run to the end: an analysis finishing later records an activity under a test's
        counts (``test_writeback`` saw two activities for one move)."""
        state = self.gateway.app.state
        await sync_integration(state.sync_deps, self.tenant_id, integration_id, mode=SyncMode.FULL)
        drain = getattr(state.runtime.queue, "drain", None)
        if drain is not None:
            await drain()

    async def link(self, user_id: int, integration_id: int, remote_id: str) -> None:
        async with self.gateway.app.state.session_factory.begin() as session:
            session.add(
                RecruiterLink(
                    tenant_id=self.tenant_id,
                    user_id=user_id,
                    integration_id=integration_id,
                    remote_id=remote_id,
                )
            )

    async def integration_of(self, provider: str, tenant: str = "demo") -> int:
        """The seeded (fake-less) integration of a provider: for refusals before any request."""
        found = await self.scalar(
            sa.select(Integration.id)
            .where(
                Integration.tenant_id == self.gateway.tenants[tenant].tenant_id,
                Integration.provider == provider,
            )
            .order_by(Integration.id)
            .limit(1)
        )
        assert found is not None, f"the {tenant} tenant has a {provider} integration"
        return int(found)

    async def post(self, document: str, variables: dict[str, Any], user: int | None) -> Any:
        if user is None:
            return await self.gateway.post(document, variables)
        role = await self.scalar(sa.select(User.role).where(User.id == user))
        token = issue_token(
            JWT_SECRET, tenant_id=self.tenant_id, tenant_slug="demo", user_id=user, role=role
        )
        return await self.gateway.post(
            document, variables, role=None, headers={"authorization": f"Bearer {token}"}
        )

    async def mutate(
        self,
        document: str,
        field: str,
        input: dict[str, Any],
        *,
        user: int | None = None,
        role: Role | None = None,
    ) -> dict[str, Any]:
        """``data[field]`` of a mutation that must not fail at the top level; as the demo
        admin, or ``user`` (any demo user), or the demo user of ``role``."""
        variables = {"input": input}
        if role is not None:
            response = await self.gateway.post(document, variables, role=role)
        else:
            response = await self.post(document, variables, user)
        assert response.status_code == 200, response.text
        body = response.json()
        if body.get("errors"):
            pytest.fail(f"unexpected GraphQL errors: {body['errors']}")
        result: dict[str, Any] = body["data"][field]
        return result

    def published(self, since: int, event_type: str) -> list[Event]:
        return [e for e in self.events[since:] if e.type == event_type]

    async def settle(self) -> None:
        """Let the bus hand published events to the listener."""
        for _ in range(3):
            await asyncio.sleep(0)


@asynccontextmanager
async def gateway_world(
    backend: Backend, fakes: Mapping[str, ASGIApp], **settings: Any
) -> AsyncIterator[GatewayWorld]:
    """A gateway (``settings`` overriding its defaults) whose outgoing requests to each
    base URL go to that fake, listening to the demo tenant's events."""
    client = httpx.AsyncClient(
        mounts={url: httpx.ASGITransport(app=app) for url, app in fakes.items()}
    )
    try:
        async with running_gateway(backend.url, http_client=client, **settings) as gateway:
            events: list[Event] = []
            tenant_id = gateway.tenants["demo"].tenant_id

            async def listen() -> None:
                async for event in gateway.app.state.bus.subscribe(tenant_id):
                    events.append(event)

            listener = asyncio.create_task(listen())
            await asyncio.sleep(0)
            try:
                yield GatewayWorld(gateway, events)
            finally:
                listener.cancel()
    finally:
        await client.aclose()
