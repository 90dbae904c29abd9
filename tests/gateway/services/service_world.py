"""What the direct service tests share: the seeded gateway's store, bus and write
dependencies seen from the service layer, callers of each tenant, the events the bus
carried for every tenant, and vendor fakes served over real HTTP with an integration of
the demo tenant pointed at them.

    async with listening(gateway) as world:
        principal = world.principal("demo")
        async with vendor_integration(world, "recruiterflow", fake.app, ...) as integration_id:
            ...
        world.published(since, "application.stage_changed")
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from starlette.types import ASGIApp

from demo.sandbox.bpoc import ADMIN_ID, MAIN_API_KEY, RECRUITER_ID, BpocFake
from gateway.auth import Principal
from gateway.crypto import credentials_context
from gateway.pubsub import Event
from gateway.runtime import Runtime
from gateway.services.activities import Actor
from gateway.services.writeback import WriteDeps
from gateway.store.engine import SessionFactory
from gateway.store.enums import IntegrationStatus, Role
from gateway.store.models import Activity, Integration, RecruiterLink, User
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from tests.support.gateway import Gateway
from tests.support.serving import served_on_loopback


@dataclass
class World:
    gateway: Gateway
    events: list[Event]
    """Every event the bus carried since ``listening`` began, of every tenant."""

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.gateway.app.state.runtime
        return runtime

    @property
    def session_factory(self) -> SessionFactory:
        return self.runtime.session_factory

    @property
    def write_deps(self) -> WriteDeps:
        return self.runtime.write_deps

    def tenant_id(self, tenant: str = "demo") -> int:
        return self.gateway.tenants[tenant].tenant_id

    def principal(
        self, tenant: str = "demo", role: Role = Role.ADMIN, user_id: int | None = None
    ) -> Principal:
        demo = self.gateway.tenants[tenant]
        chosen = (
            user_id
            or {
                Role.ADMIN: demo.admin_user_id,
                Role.RECRUITER: demo.recruiter_user_ids[0],
                Role.READONLY: demo.readonly_user_id,
            }[role]
        )
        return Principal(demo.tenant_id, tenant, chosen, role, name=f"{tenant} {role.value}")

    def actor(self, tenant: str = "demo") -> Actor:
        return Actor.from_principal(self.principal(tenant))

    async def scalar(self, query: Any) -> Any:
        async with self.session_factory() as session:
            return await session.scalar(query)

    async def rows(self, query: Any) -> list[Any]:
        async with self.session_factory() as session:
            return list((await session.execute(query)).all())

    async def get(self, model: Any, pk: int) -> Any:
        async with self.session_factory() as session:
            found = await session.get(model, pk)
        assert found is not None, f"no {model.__name__} {pk}"
        return found

    async def count(self, model: Any, *where: Any) -> int:
        return int(await self.scalar(sa.select(sa.func.count()).select_from(model).where(*where)))

    async def activities(self, action: str, tenant: str = "demo") -> int:
        return await self.count(
            Activity, Activity.tenant_id == self.tenant_id(tenant), Activity.action == action
        )

    async def published(self, since: int, event_type: str | None = None) -> list[Event]:
        """Events carried since the ``since``-th, after giving the bus a moment to deliver."""
        await asyncio.sleep(0.05)
        return [e for e in self.events[since:] if event_type is None or e.type == event_type]


@asynccontextmanager
async def listening(gateway: Gateway) -> AsyncIterator[World]:
    events: list[Event] = []

    async def listen() -> None:
        async for event in gateway.app.state.runtime.bus.subscribe_all():
            events.append(event)

    task = asyncio.create_task(listen())
    await asyncio.sleep(0.01)
    try:
        yield World(gateway, events)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def add_integration(
    world: World,
    provider: str,
    *,
    credentials: Mapping[str, str],
    config: Mapping[str, Any],
    tenant: str = "demo",
) -> int:
    tenant_id = world.tenant_id(tenant)
    async with world.session_factory.begin() as session:
        integration = Integration(
            tenant_id=tenant_id,
            provider=provider,
            name=f"{provider} for {tenant}",
            status=IntegrationStatus.ACTIVE,
            config={"rateLimitPerSecond": 10_000, **config},
            credentials_encrypted=world.runtime.keyring.encrypt_json(
                dict(credentials), context=credentials_context(tenant_id)
            ),
        )
        session.add(integration)
        await session.flush()
        return integration.id


async def link_recruiter(world: World, user_id: int, integration_id: int, remote_id: str) -> None:
    async with world.session_factory.begin() as session:
        user = await session.get(User, user_id)
        assert user is not None
        session.add(
            RecruiterLink(
                tenant_id=user.tenant_id,
                user_id=user_id,
                integration_id=integration_id,
                remote_id=remote_id,
            )
        )


@asynccontextmanager
async def vendor_integration(
    world: World,
    provider: str,
    app: ASGIApp,
    *,
    credentials: Mapping[str, str],
    links: Mapping[int, str],
    api_path: str = "",
) -> AsyncIterator[int]:
    """A demo-tenant integration of ``provider`` whose base URL is ``app`` served on
    loopback, its users linked (user id -> remote id), fully synced; its id."""
    async with served_on_loopback(app) as loopback:
        integration_id = await add_integration(
            world, provider, credentials=credentials, config={"baseUrl": loopback.url + api_path}
        )
        for user_id, remote_id in links.items():
            await link_recruiter(world, user_id, integration_id, remote_id)
        outcome = await sync_integration(
            world.gateway.app.state.sync_deps,
            world.tenant_id(),
            integration_id,
            mode=SyncMode.FULL,
        )
        assert outcome.counts.get("applications", {}).get("created"), outcome
        yield integration_id


@dataclass
class Agency:
    """A BPOC agency served by its fake, synced into the demo tenant."""

    world: World
    fake: BpocFake
    integration_id: int


@asynccontextmanager
async def bpoc_agency(
    gateway: Gateway, *, jobs: int, candidates: int, applications: int
) -> AsyncIterator[Agency]:
    """The BPOC fake seeded with that many records, the demo admin and first recruiter
    linked to its admin and recruiter, fully synced, with every bus event recorded."""
    fake = BpocFake()
    fake.seed(jobs=jobs, candidates=candidates, applications=applications)
    demo = gateway.tenants["demo"]
    async with (
        listening(gateway) as world,
        vendor_integration(
            world,
            "bpoc",
            fake.app,
            credentials={"apiKey": MAIN_API_KEY},
            links={demo.admin_user_id: ADMIN_ID, demo.recruiter_user_ids[0]: RECRUITER_ID},
            api_path="/api/v1",
        ) as integration_id,
    ):
        yield Agency(world, fake, integration_id)
