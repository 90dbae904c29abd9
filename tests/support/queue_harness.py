"""Both task queues behind one fixture: ``harness`` is the in-process queue or the arq
one (drained by a real worker in burst mode against the test Redis), over a SQLite
store with two demo tenants; ``fake_sync`` replaces the sync engine through
``jobs.sync_tasks``' names for it. Registered for ``tests/jobs`` by its ``conftest.py``."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from arq.connections import ArqRedis

from demo.seed import seed_demo
from gateway.cache import ResponseCache
from gateway.locks import LocalLocks
from gateway.pubsub import EventBus
from gateway.queue import JobRecords, TaskQueue
from gateway.settings import Settings
from gateway.store.engine import SessionFactory, create_engine, create_session_factory
from gateway.store.enums import SyncStatus
from gateway.store.migrate import upgrade
from gateway.store.models import (
    BackgroundJob,
    Integration,
    Job,
)
from jobs import sync_tasks
from jobs.queue_arq import ArqQueue, arq_redis
from jobs.queue_local import InProcessQueue
from jobs.sync_api import SyncDeps, SyncMode, SyncOutcome
from jobs.task_context import TaskContext
from jobs.worker import create_worker
from tests.support.gateway import ENCRYPTION_KEYS, JWT_SECRET

Counts = dict[str, int]


@dataclass
class World:
    url: str
    session_factory: SessionFactory
    tenant_id: int
    other_tenant_id: int
    integration_ids: list[int]
    job_ids: list[int]
    deps: SyncDeps


@pytest.fixture(scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    path: Path = tmp_path_factory.mktemp("queue") / "queue.db"
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(url)
    await upgrade(engine)
    factory = create_session_factory(engine)
    sizes = {"jobs": 4, "candidates": 4, "applications": 2}
    demo = await seed_demo(factory, slug="queue", seed=3, **sizes)
    other = await seed_demo(factory, slug="elsewhere", seed=5, **sizes)
    async with factory() as session:
        integration_ids = list(
            await session.scalars(
                sa.select(Integration.id)
                .where(Integration.tenant_id == demo.tenant_id)
                .order_by(Integration.id)
            )
        )
        job_ids = list(
            await session.scalars(
                sa.select(Job.id)
                .where(Job.tenant_id == demo.tenant_id, Job.integration_id.is_not(None))
                .order_by(Job.id)
            )
        )
    settings = queue_settings(url)
    http = httpx.AsyncClient()
    cache = ResponseCache(settings)
    deps = SyncDeps(factory, settings.keyring(), http, EventBus(), cache, LocalLocks())
    try:
        yield World(url, factory, demo.tenant_id, other.tenant_id, integration_ids, job_ids, deps)
    finally:
        await http.aclose()
        await cache.close()
        await engine.dispose()


def queue_settings(url: str, **overrides: Any) -> Settings:
    return Settings(
        **{
            "database_url": url,
            "jwt_secret": JWT_SECRET,
            "encryption_keys": ENCRYPTION_KEYS,
            "task_retry_base_seconds": 0.01,
            **overrides,
        }
    )


@dataclass
class Harness:
    """One queue and how to run what it holds to the end."""

    kind: str
    queue: TaskQueue
    run: Callable[[], Awaitable[Counts]]
    """Runs everything queued (retries included); arq's worker counts, or {} in process."""
    records: JobRecords
    world: World
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


@dataclass(frozen=True)
class Kind:
    name: str
    redis_url: str = ""
    redis_prefix: str = ""


@pytest.fixture(params=["in_process", "arq"])
def kind(request: pytest.FixtureRequest) -> Kind:
    """Which queue; for arq, the test Redis (skipped like ``redis_url`` when there is none)."""
    if request.param == "in_process":
        return Kind("in_process")
    return Kind(
        "arq", request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
    )


@pytest.fixture
async def harness(kind: Kind, world: World) -> AsyncIterator[Harness]:
    records = JobRecords(world.session_factory)
    if kind.name == "in_process":
        queue = InProcessQueue(TaskContext(world.deps, queue_settings(world.url)))

        async def drain() -> Counts:
            await queue.drain()
            return {}

        yield Harness("in_process", queue, drain, records, world)
        await queue.close()
        return

    prefix = f"{kind.redis_prefix}q{secrets.token_hex(4)}"
    settings = queue_settings(world.url, redis_url=kind.redis_url, redis_prefix=prefix)
    redis: ArqRedis = arq_redis(settings)
    arq_queue = ArqQueue(redis, world.session_factory, prefix)

    yield Harness("arq", arq_queue, lambda: burst(settings), records, world)
    await arq_queue.close()


async def burst(settings: Settings, **overrides: Any) -> Counts:
    """Run an arq worker until its queue is empty; what it counted. ``overrides`` as
    ``arq.Worker`` takes them (``max_jobs=1``: one job at a time, in the queue's order)."""
    worker = create_worker(
        settings,
        **{
            "burst": True,
            "handle_signals": False,
            "cron_jobs": [],
            "poll_delay": 0.01,
            **overrides,
        },
    )
    try:
        await worker.async_run()
    finally:
        await worker.close()
    return {
        "complete": worker.jobs_complete,
        "retried": worker.jobs_retried,
        "failed": worker.jobs_failed,
    }


class FakeSync:
    """Stands in for ``jobs.sync.sync_integration``: records calls, can hold them at a
    gate, fails the first ``failures`` calls (all of them for -1), or returns ``outcome``."""

    def __init__(self, *, failures: int = 0, outcome: SyncOutcome | None = None) -> None:
        self.calls: list[tuple[int, int, SyncMode, str]] = []
        self.failures = failures
        self.outcome = outcome or SyncOutcome(run_id=None, status=SyncStatus.SUCCEEDED)
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(
        self,
        deps: SyncDeps,
        tenant_id: int,
        integration_id: int,
        *,
        mode: SyncMode = SyncMode.INCREMENTAL,
        trigger: str = "manual",
        progress: Any = None,
    ) -> SyncOutcome:
        self.calls.append((tenant_id, integration_id, mode, trigger))
        await self.gate.wait()
        if self.failures < 0 or len(self.calls) <= self.failures:
            raise RuntimeError(f"boom {len(self.calls)}")
        return self.outcome


@pytest.fixture
def fake_sync(monkeypatch: pytest.MonkeyPatch) -> FakeSync:
    fake = FakeSync()
    monkeypatch.setattr(sync_tasks, "sync_integration", fake)
    return fake


async def stored_record(harness: Harness, record_id: int) -> BackgroundJob:
    record = await harness.records.get(record_id)
    assert record is not None
    return record
