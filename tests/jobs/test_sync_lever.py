"""Lever synced into the store: a full sync takes every posting, contact (with resume),
opportunity, interview and user of the Lever fake; an incremental sync afterwards asks
Lever only for the opportunities changed since (``updated_at_start``, epoch ms) and
brings a stage move and an archiving made in Lever into the store."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import sqlalchemy as sa

from gateway.cache import ResponseCache
from gateway.crypto import Keyring, credentials_context
from gateway.locks import LocalLocks
from gateway.pubsub import EventBus
from gateway.settings import Settings
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import ApplicationStatus, IntegrationStatus, SyncStatus
from gateway.store.migrate import upgrade
from gateway.store.models import (
    Application,
    Candidate,
    Integration,
    Interview,
    Job,
    PipelineStage,
    Tenant,
)
from jobs.sync import sync_integration
from jobs.sync_api import SyncDeps, SyncMode
from tests.connectors.harness.lever import make_harness
from tests.support.gateway import ENCRYPTION_KEYS
from tests.support.services import Backend

_slugs = itertools.count()


async def no_sleep(_seconds: float) -> None:
    return None


class Recorder:
    """The fake's app, keeping each request's path and query."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[tuple[str, str]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.seen.append((scope["path"], scope["query_string"].decode()))
        await self.app(scope, receive, send)


async def test_a_full_then_an_incremental_sync_of_lever(backend: Backend) -> None:
    harness = make_harness()
    harness.seed(jobs=3, candidates=5, applications=8)
    fake = harness.fake
    engine = create_engine(backend.url)
    await upgrade(engine)
    factory = create_session_factory(engine)
    keyring = Keyring.from_setting(ENCRYPTION_KEYS)
    async with factory.begin() as session:
        tenant = Tenant(slug=f"lever-{next(_slugs)}", name="Lever")
        session.add(tenant)
        await session.flush()
        integration = Integration(
            tenant_id=tenant.id,
            provider="lever",
            name="Lever",
            status=IntegrationStatus.ACTIVE,
            config={"pageSize": 3, "rateLimitPerSecond": 10_000},
            credentials_encrypted=keyring.encrypt_json(
                dict(harness.good_credentials), context=credentials_context(tenant.id)
            ),
        )
        session.add(integration)
        await session.flush()
        tenant_id, integration_id = tenant.id, integration.id
    cache = ResponseCache(Settings(encryption_keys=ENCRYPTION_KEYS))
    recorder = Recorder(harness.app)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=recorder)) as client:
            deps = SyncDeps(factory, keyring, client, EventBus(), cache, LocalLocks(), no_sleep)
            full = await sync_integration(deps, tenant_id, integration_id, mode=SyncMode.FULL)
            assert full.status is SyncStatus.SUCCEEDED, full.error

            active = [o for o, r in fake.opportunities.items() if not r["archived"]]
            application_id, rejected_id = active[0], active[-1]
            mover = fake.user_ids[1]
            fake.move(application_id, "offer", mover)
            fake.archive(rejected_id, "c0d3e8f2-63b4-4b0f-a0e4-1f5e2c9d2e11", mover)
            fake.touch_posting(fake.posting_of(fake.opportunities[application_id]))
            recorder.seen.clear()
            incremental = await sync_integration(
                deps, tenant_id, integration_id, mode=SyncMode.INCREMENTAL
            )
            assert incremental.status is SyncStatus.SUCCEEDED, incremental.error

        async with engine.connect() as conn:

            async def count(model: Any) -> int:
                query = sa.select(sa.func.count()).select_from(model)
                return int(
                    await conn.scalar(query.where(model.integration_id == integration_id)) or 0
                )

            assert await count(Job) == 3
            assert await count(Candidate) == 5
            assert await count(Application) == 8
            assert await count(Interview) == sum(map(len, fake.interviews.values()))
            resumes = await conn.scalar(
                sa.select(sa.func.count())
                .select_from(Candidate)
                .where(
                    Candidate.integration_id == integration_id, Candidate.resume_url.is_not(None)
                )
            )
            assert resumes == 5
            rows = await conn.execute(
                sa.select(Application.remote_id, Application.status, PipelineStage.name)
                .join(PipelineStage, PipelineStage.id == Application.current_stage_id, isouter=True)
                .where(Application.integration_id == integration_id)
            )
            now = {remote_id: (status, stage) for remote_id, status, stage in rows}
    finally:
        await cache.close()
        await engine.dispose()

    assert now[application_id] == (ApplicationStatus.ACTIVE, "Offer")
    assert now[rejected_id][0] is ApplicationStatus.REJECTED
    firsts = [
        query
        for path, query in recorder.seen
        if path == "/v1/opportunities" and "offset" not in query
    ]
    assert firsts, "opportunities were not read"
    assert all("updated_at_start=" in query for query in firsts), firsts
