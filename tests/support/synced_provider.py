"""A provider's fake synced into a fresh store by the sync engine, for the per-provider
sync tests: the requests the connector made and what the store holds afterwards.

    async with provider_sync(backend, harness, config={"pageSize": 3}) as world:
        await world.sync(SyncMode.FULL)
        assert await world.count(Job) == 3
        world.seen.clear()
        await world.sync(SyncMode.INCREMENTAL)
        assert ("/v3/jobs", "updated_at=...") in world.seen
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.cache import ResponseCache
from gateway.crypto import Keyring, credentials_context
from gateway.locks import LocalLocks
from gateway.pubsub import EventBus
from gateway.settings import Settings
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import ApplicationStatus, IntegrationStatus, SyncStatus
from gateway.store.migrate import upgrade
from gateway.store.models import Application, Candidate, Integration, PipelineStage, Tenant
from jobs.sync import sync_integration
from jobs.sync_api import SyncDeps, SyncMode, SyncOutcome
from tests.connectors.harness.base import ProviderHarness
from tests.support.gateway import ENCRYPTION_KEYS
from tests.support.services import Backend
from tests.support.worlds import new_key, no_sleep


class Recorder:
    """The fake's app, keeping each request's path and query, and each body by path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.seen: list[tuple[str, str]] = []
        self.bodies: list[tuple[str, bytes]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        self.seen.append((path, scope["query_string"].decode()))
        chunks: list[bytes] = []

        async def kept() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    self.bodies.append((path, b"".join(chunks)))
            return message

        await self.app(scope, kept, send)


@dataclass
class ProviderSync:
    """One integration of the provider in a fresh tenant, and the sync engine over it."""

    deps: SyncDeps
    engine: AsyncEngine
    tenant_id: int
    integration_id: int
    seen: list[tuple[str, str]]
    """Every request the connector made, as (path, query)."""
    bodies: list[tuple[str, bytes]]
    """The body of each request the fake read, as (path, body)."""

    async def sync(self, mode: SyncMode) -> SyncOutcome:
        """A sync that must succeed."""
        outcome = await sync_integration(self.deps, self.tenant_id, self.integration_id, mode=mode)
        assert outcome.status is SyncStatus.SUCCEEDED, outcome.error
        return outcome

    async def count(self, model: Any, *where: Any) -> int:
        """How many rows of ``model`` the integration has (that also match ``where``)."""
        query = sa.select(sa.func.count()).select_from(model)
        query = query.where(model.integration_id == self.integration_id, *where)
        async with self.engine.connect() as conn:
            return int(await conn.scalar(query) or 0)

    async def resumes(self) -> int:
        return await self.count(Candidate, Candidate.resume_url.is_not(None))

    async def applications(self) -> dict[str, tuple[ApplicationStatus, str | None]]:
        """Each application's status and current stage, by remote id."""
        query = (
            sa.select(Application.remote_id, Application.status, PipelineStage.name)
            .join(PipelineStage, PipelineStage.id == Application.current_stage_id, isouter=True)
            .where(Application.integration_id == self.integration_id)
        )
        async with self.engine.connect() as conn:
            rows = await conn.execute(query)
            return {remote_id: (status, stage) for remote_id, status, stage in rows}


@asynccontextmanager
async def provider_sync(
    backend: Backend, harness: ProviderHarness, *, config: Mapping[str, Any]
) -> AsyncIterator[ProviderSync]:
    """A migrated store of a fresh tenant whose integration of ``harness.provider`` (with
    ``config``, not rate-limited) calls the harness's fake."""
    engine = create_engine(backend.url)
    cache = ResponseCache(Settings(encryption_keys=ENCRYPTION_KEYS))
    recorder = Recorder(harness.app)
    try:
        await upgrade(engine)
        factory = create_session_factory(engine)
        keyring = Keyring.from_setting(ENCRYPTION_KEYS)
        name = harness.provider.title()
        async with factory.begin() as session:
            tenant = Tenant(slug=new_key(harness.provider), name=name)
            session.add(tenant)
            await session.flush()
            integration = Integration(
                tenant_id=tenant.id,
                provider=harness.provider,
                name=name,
                status=IntegrationStatus.ACTIVE,
                config={**config, "rateLimitPerSecond": 10_000},
                credentials_encrypted=keyring.encrypt_json(
                    dict(harness.good_credentials), context=credentials_context(tenant.id)
                ),
            )
            session.add(integration)
            await session.flush()
            tenant_id, integration_id = tenant.id, integration.id
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=recorder)) as client:
            deps = SyncDeps(factory, keyring, client, EventBus(), cache, LocalLocks(), no_sleep)
            yield ProviderSync(
                deps, engine, tenant_id, integration_id, recorder.seen, recorder.bodies
            )
    finally:
        await cache.close()
        await engine.dispose()
