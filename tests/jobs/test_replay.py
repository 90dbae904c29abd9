"""Full syncs against vendor responses replayed over real HTTP (``tests/support/replay.py``):
documentation examples and their real-world variations (numbers as strings, objects as
strings, nulls, missing keys, a last page served twice). Every run completes: each
record is stored or listed as a failure with its reason, never an aborted sync.

More recordings (real traffic kept elsewhere) run here too: ``TALENTGRAPH_RECORDINGS``.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from connectors.registry import PACKAGES
from gateway.cache import ResponseCache
from gateway.crypto import Keyring, credentials_context
from gateway.locks import LocalLocks
from gateway.pubsub import EventBus
from gateway.settings import Settings
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import IntegrationStatus, SyncStatus
from gateway.store.migrate import upgrade
from gateway.store.models import (
    Application,
    Candidate,
    Integration,
    Interview,
    Job,
    OnboardingTask,
    SyncRun,
    Tenant,
)
from jobs.sync import sync_integration
from jobs.sync_api import SyncDeps, SyncMode
from tests.support.gateway import ENCRYPTION_KEYS
from tests.support.replay import Recording, recording_paths, replaying
from tests.support.services import Backend

_slugs = itertools.count()
PATHS = list(recording_paths())
MODELS: dict[str, Any] = {
    "jobs": Job,
    "candidates": Candidate,
    "applications": Application,
    "interviews": Interview,
    "onboarding_tasks": OnboardingTask,
}


async def no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture(scope="module")
async def store(backend: Backend) -> AsyncIterator[Any]:
    engine = create_engine(backend.url)
    await upgrade(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


def test_there_are_recordings_of_every_provider() -> None:
    providers = {Recording.load(path).provider for path in PATHS}
    assert set(PACKAGES) <= providers, set(PACKAGES) - providers


@pytest.mark.parametrize("path", PATHS, ids=[f"{p.parent.name}/{p.stem}" for p in PATHS])
async def test_a_full_sync_of_a_recording_completes(path: Path, store: Any) -> None:
    recording = Recording.load(path)
    keyring = Keyring.from_setting(ENCRYPTION_KEYS)
    factory = create_session_factory(store)
    cache = ResponseCache(Settings(encryption_keys=ENCRYPTION_KEYS))
    async with replaying(recording) as (replayer, origin):
        credentials, config = recording.resolved(origin)
        async with factory.begin() as session:
            tenant = Tenant(slug=f"replay-{next(_slugs)}", name="Replay")
            session.add(tenant)
            await session.flush()
            integration = Integration(
                tenant_id=tenant.id,
                provider=recording.provider,
                name=f"{recording.provider} replay",
                status=IntegrationStatus.ACTIVE,
                config={"rateLimitPerSecond": 10_000, **config},
                credentials_encrypted=keyring.encrypt_json(
                    credentials, context=credentials_context(tenant.id)
                ),
            )
            session.add(integration)
            await session.flush()
            tenant_id, integration_id = tenant.id, integration.id
        async with httpx.AsyncClient(timeout=10) as client:
            deps = SyncDeps(factory, keyring, client, EventBus(), cache, LocalLocks(), no_sleep)
            outcome = await sync_integration(deps, tenant_id, integration_id, mode=SyncMode.FULL)
            again = await sync_integration(deps, tenant_id, integration_id, mode=SyncMode.FULL)
    await cache.close()
    served = "\n".join(replayer.requests[-20:])
    assert outcome.status in (SyncStatus.SUCCEEDED, SyncStatus.PARTIALLY_FAILED), (
        f"{outcome.status}: {outcome.error}\nrequests:\n{served}"
    )
    assert again.status == outcome.status, again.error
    async with factory() as session:
        run = await session.get(SyncRun, outcome.run_id)
        assert run is not None
        listed = (run.error_details or {}).get("records", [])
        for failure in listed:
            assert failure["entity"] and failure["reason"], failure
        for entity, expected in recording.expect.items():
            counts = (outcome.counts or {}).get(entity, {})
            if "stored" in expected:
                model = MODELS[entity]
                stored = await session.scalar(
                    sa.select(sa.func.count())
                    .select_from(model)
                    .where(model.integration_id == integration_id)
                )
                assert stored == expected["stored"], (entity, stored, counts, listed)
            if "failed" in expected:
                assert counts.get("failed", 0) == expected["failed"], (entity, counts, listed)
                named = [f for f in listed if f["entity"] == entity]
                assert len(named) == expected["failed"], (entity, named)
    if outcome.status is SyncStatus.PARTIALLY_FAILED:
        assert listed, f"a partial run lists what failed: {outcome.error}"
