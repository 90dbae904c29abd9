"""Ashby synced into the store: a full sync takes every job, candidate (with its
resume, from ``file.info``), application with its stage history, interview schedule and
user of the fake; an incremental sync afterwards (Ashby filters lists on nothing but
creation, so the connector keeps what was updated since) writes only what changed and
brings a stage move and an archive made in Ashby into the store."""

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
    StageTransition,
    Tenant,
)
from jobs.sync import sync_integration
from jobs.sync_api import SyncDeps, SyncMode
from tests.connectors.harness.ashby import make_harness
from tests.support.gateway import ENCRYPTION_KEYS
from tests.support.services import Backend

_slugs = itertools.count()


async def no_sleep(_seconds: float) -> None:
    return None


class Recorder:
    """The fake's app, keeping each request's path and JSON body."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.seen.append(scope["path"])
        await self.app(scope, receive, send)


def _stage(fake: Any, application_id: str, title: str) -> str:
    plan = fake.applications[application_id]["currentInterviewStage"]["interviewPlanId"]
    return next(s["id"] for s in fake.plan_stages(plan) if s["title"] == title)


async def test_a_full_then_an_incremental_sync_of_ashby(backend: Backend) -> None:
    harness = make_harness()
    harness.seed(jobs=3, candidates=5, applications=8)
    fake = harness.fake
    engine = create_engine(backend.url)
    await upgrade(engine)
    factory = create_session_factory(engine)
    keyring = Keyring.from_setting(ENCRYPTION_KEYS)
    async with factory.begin() as session:
        tenant = Tenant(slug=f"ashby-{next(_slugs)}", name="Ashby")
        session.add(tenant)
        await session.flush()
        integration = Integration(
            tenant_id=tenant.id,
            provider="ashby",
            name="Ashby",
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
            assert "/application.list" in recorder.seen and "/file.info" in recorder.seen

            moved_id = sorted(fake.applications)[0]
            fake.change_stage(moved_id, _stage(fake, moved_id, "Offer"), None)
            archived_id = sorted(fake.applications)[-1]
            reason = next(iter(fake.archive_reasons))
            fake.change_stage(archived_id, _stage(fake, archived_id, "Archived"), reason)
            fake.touch_job(fake.applications[moved_id]["job"]["id"])
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
            assert await count(Interview) == len(fake.schedules)
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
            history = await conn.scalar(
                sa.select(sa.func.count())
                .select_from(StageTransition)
                .join(Application, Application.id == StageTransition.application_id)
                .where(Application.remote_id == moved_id)
            )
    finally:
        await cache.close()
        await engine.dispose()

    assert now[moved_id] == (ApplicationStatus.ACTIVE, "Offer")
    assert now[archived_id][0] is ApplicationStatus.REJECTED
    assert history == len(fake.applications[moved_id]["applicationHistory"])
    written = {
        entity: sum(
            incremental.counts.get(entity, {}).get(kind, 0)
            for kind in ("created", "updated", "unchanged")
        )
        for entity in ("jobs", "applications", "candidates")
    }
    assert written == {"jobs": 1, "applications": 2, "candidates": 0}, incremental.counts
