"""What the write-back tests share: a gateway whose HTTP client routes to sandbox fakes,
integrations of the demo tenant pointed at them, recruiter links, callers by user, and
the bus events a write published.

    async with writeback_world(backend, {"https://bpoc.io": fake.app}) as world:
        integration_id = await world.add_integration("bpoc", "BPOC writes", {"apiKey": key})
        await world.link(world.demo.admin_user_id, integration_id, ADMIN_ID)
        result = await world.mutate(DOCUMENT, "jobCreate", {...})          # as the admin
        result = await world.mutate(DOCUMENT, "jobCreate", {...}, user=recruiter_id)
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
from starlette.types import ASGIApp

from demo.seed import DemoTenant
from gateway.auth import issue_token
from gateway.crypto import credentials_context
from gateway.pubsub import Event
from gateway.store.enums import IntegrationStatus, Role
from gateway.store.models import Activity, Integration, RecruiterLink, User
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from tests.support.gateway import JWT_SECRET, Gateway, running_gateway
from tests.support.services import Backend

_keys = itertools.count()


def new_key(prefix: str = "key") -> str:
    return f"{prefix}-{next(_keys)}"


@dataclass
class World:
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
    ) -> int:
        state = self.gateway.app.state
        async with state.session_factory.begin() as session:
            integration = Integration(
                tenant_id=self.tenant_id,
                provider=provider,
                name=name,
                status=IntegrationStatus.ACTIVE,
                config={"rateLimitPerSecond": 10_000, **(config or {})},
                credentials_encrypted=state.keyring.encrypt_json(
                    dict(credentials), context=credentials_context(self.tenant_id)
                ),
            )
            session.add(integration)
            await session.flush()
            return integration.id

    async def sync(self, integration_id: int) -> None:
        state = self.gateway.app.state
        await sync_integration(state.sync_deps, self.tenant_id, integration_id, mode=SyncMode.FULL)

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
async def writeback_world(backend: Backend, fakes: Mapping[str, ASGIApp]) -> AsyncIterator[World]:
    """A gateway whose outgoing requests to each base URL go to that fake."""
    client = httpx.AsyncClient(
        mounts={url: httpx.ASGITransport(app=app) for url, app in fakes.items()}
    )
    try:
        async with running_gateway(backend.url, http_client=client) as gateway:
            events: list[Event] = []
            tenant_id = gateway.tenants["demo"].tenant_id

            async def listen() -> None:
                async for event in gateway.app.state.bus.subscribe(tenant_id):
                    events.append(event)

            listener = asyncio.create_task(listen())
            await asyncio.sleep(0)
            try:
                yield World(gateway, events)
            finally:
                listener.cancel()
    finally:
        await client.aclose()
