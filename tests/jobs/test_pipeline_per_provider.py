"""Every provider's fake, synced in full, gives pipelines people can read: each stage
once and in the source's order, history that ends where the application is now, so
no stage shows more stale applications than it holds."""

from __future__ import annotations

import importlib
import itertools
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from connectors.registry import PACKAGES
from gateway.cache import ResponseCache
from gateway.crypto import Keyring, credentials_context
from gateway.locks import LocalLocks
from gateway.pubsub import EventBus
from gateway.services.pipeline import compute_metrics, load_pipeline_facts
from gateway.settings import Settings
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import ApplicationStatus, IntegrationStatus, SyncStatus
from gateway.store.migrate import upgrade
from gateway.store.models import (
    Application,
    Integration,
    Job,
    PipelineStage,
    StageTransition,
    Tenant,
)
from jobs.sync import sync_integration
from jobs.sync_api import SyncDeps, SyncMode
from tests.connectors.harness.base import ProviderHarness
from tests.support.gateway import ENCRYPTION_KEYS
from tests.support.services import Backend

_slugs = itertools.count()


async def no_sleep(_seconds: float) -> None:
    return None


def _config(harness: Any) -> dict[str, Any]:
    config = getattr(harness, "config", None)
    return dict(config(5)) if callable(config) else {"pageSize": 5}


@pytest.mark.parametrize("provider", list(PACKAGES))
async def test_pipelines_are_ordered_unique_and_agree_with_current_stages(
    provider: str, backend: Backend
) -> None:
    harness: ProviderHarness = importlib.import_module(
        f"tests.connectors.harness.{provider}"
    ).make_harness()
    harness.seed(jobs=4, candidates=14, applications=24)
    engine = create_engine(backend.url)
    await upgrade(engine)
    factory = create_session_factory(engine)
    keyring = Keyring.from_setting(ENCRYPTION_KEYS)
    async with factory.begin() as session:
        tenant = Tenant(slug=f"pipeline-{provider}-{next(_slugs)}", name="Pipelines")
        session.add(tenant)
        await session.flush()
        integration = Integration(
            tenant_id=tenant.id,
            provider=provider,
            name=provider,
            status=IntegrationStatus.ACTIVE,
            config={**_config(harness), "rateLimitPerSecond": 10_000},
            credentials_encrypted=keyring.encrypt_json(
                dict(harness.good_credentials), context=credentials_context(tenant.id)
            ),
        )
        session.add(integration)
        await session.flush()
        tenant_id, integration_id = tenant.id, integration.id
    cache = ResponseCache(Settings(encryption_keys=ENCRYPTION_KEYS))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=harness.app)) as client:
            deps = SyncDeps(factory, keyring, client, EventBus(), cache, LocalLocks(), no_sleep)
            outcome = await sync_integration(deps, tenant_id, integration_id, mode=SyncMode.FULL)
        assert outcome.status is SyncStatus.SUCCEEDED, outcome.error
        async with engine.connect() as conn:
            jobs = list(
                (await conn.execute(sa.select(Job.id).where(Job.tenant_id == tenant_id))).scalars()
            )
            facts = await load_pipeline_facts(conn, tenant_id, jobs)
            positions = dict(
                (
                    await conn.execute(
                        sa.select(PipelineStage.name, PipelineStage.position).where(
                            PipelineStage.integration_id == integration_id
                        )
                    )
                ).all()
            )
            current = dict(
                (
                    await conn.execute(
                        sa.select(Application.id, PipelineStage.name)
                        .join(PipelineStage, PipelineStage.id == Application.current_stage_id)
                        .where(
                            Application.integration_id == integration_id,
                            Application.status == ApplicationStatus.ACTIVE,
                        )
                    )
                ).all()
            )
            open_stays: dict[int, list[str]] = defaultdict(list)
            rows = await conn.execute(
                sa.select(StageTransition.application_id, StageTransition.to_stage_name)
                .where(
                    StageTransition.integration_id == integration_id,
                    StageTransition.left_at.is_(None),
                )
                .order_by(StageTransition.entered_at, StageTransition.id)
            )
            for application_id, name in rows:
                open_stays[application_id].append(name)
    finally:
        await cache.close()
        await engine.dispose()

    for application_id, stage in current.items():
        assert open_stays.get(application_id, [])[-1:] == [stage], (
            f"{provider}: application {application_id} is in {stage!r}, "
            f"its open stays say {open_stays.get(application_id)}"
        )
    as_of = datetime.now(UTC)
    for job_id, job_facts in facts.items():
        metrics = compute_metrics(job_facts, as_of=as_of, stale_after_days=1)
        names = [m.stage.name for m in metrics.stages]
        assert len(names) == len(set(names)), f"{provider} job {job_id}: {names}"
        order = [positions.get(name, 10**9) for name in names]
        placed = list(zip(names, order, strict=True))
        assert order == sorted(order), f"{provider} job {job_id}: {placed}"
        for stage in metrics.stages:
            assert stage.stale_count <= stage.current_count, (
                f"{provider} job {job_id} {stage.stage.name}: "
                f"{stage.stale_count} stale of {stage.current_count}"
            )
