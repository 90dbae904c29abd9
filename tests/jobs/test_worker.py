"""A real arq worker in burst mode against the test Redis, each test on its own queue
under ``redis_prefix``: a key enqueued twice runs once, a failing task is retried and
then dead, the schedule is named under the prefix, ``talentgraph worker`` starts with
our settings, and a gateway with Redis enqueues into arq (retry through GraphQL)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from demo.seed import seed_demo
from gateway.cli import app as cli
from gateway.queue import JobRecords
from gateway.services.sync_requests import enqueue_integration_sync
from gateway.settings import Settings
from gateway.store.engine import SessionFactory, create_engine, create_session_factory
from gateway.store.enums import BackgroundJobStatus, SyncStatus
from gateway.store.migrate import upgrade
from gateway.store.models import Integration
from jobs import sync_tasks
from jobs.queue_arq import ArqQueue, arq_redis
from jobs.sync_api import SyncDeps, SyncMode, SyncOutcome
from jobs.sync_schedule import DueSync
from jobs.worker import (
    WorkerSettings,
    cron_due_syncs,
    run_worker,
    shutdown,
    startup,
    worker_options,
)
from resolvers.relay import to_global_id
from tests.support.gateway import ENCRYPTION_KEYS, JWT_SECRET, running_gateway
from tests.support.queue_harness import burst


@dataclass
class Store:
    url: str
    session_factory: SessionFactory
    tenant_id: int
    integration_ids: list[int]


@pytest.fixture(scope="module")
async def store(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Store]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('worker') / 'worker.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    factory = create_session_factory(engine)
    demo = await seed_demo(factory, slug="worker", jobs=2, candidates=2, applications=1, seed=2)
    async with factory() as session:
        ids = list(
            await session.scalars(
                sa.select(Integration.id)
                .where(Integration.tenant_id == demo.tenant_id)
                .order_by(Integration.id)
            )
        )
    try:
        yield Store(url, factory, demo.tenant_id, ids)
    finally:
        await engine.dispose()


@pytest.fixture
def settings(store: Store, redis_url: str, redis_prefix: str) -> Settings:
    """A queue of this test's own: ``<redis_prefix>w<random>:arq:queue``."""
    return Settings(
        database_url=store.url,
        jwt_secret=JWT_SECRET,
        encryption_keys=ENCRYPTION_KEYS,
        redis_url=redis_url,
        redis_prefix=f"{redis_prefix}w{secrets.token_hex(4)}",
        task_retry_base_seconds=0.01,
    )


@pytest.fixture
async def queue(settings: Settings, store: Store) -> AsyncIterator[ArqQueue]:
    queue = ArqQueue(arq_redis(settings), store.session_factory, settings.redis_prefix)
    yield queue
    await queue.close()


def _fake_sync(calls: list[int], *, fail: bool = False) -> Any:
    async def fake(deps: SyncDeps, tenant_id: int, integration_id: int, **_: Any) -> SyncOutcome:
        calls.append(integration_id)
        if fail:
            raise ConnectionError("ATS unreachable")
        return SyncOutcome(run_id=None, status=SyncStatus.SUCCEEDED)

    return fake


async def test_a_key_enqueued_twice_runs_once(
    settings: Settings, store: Store, queue: ArqQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(sync_tasks, "sync_integration", _fake_sync(calls))
    first, second = store.integration_ids[:2]
    one = await enqueue_integration_sync(queue, store.tenant_id, first)
    same = await enqueue_integration_sync(queue, store.tenant_id, first, mode=SyncMode.FULL)
    other = await enqueue_integration_sync(queue, store.tenant_id, second)
    assert (one.duplicate, same.duplicate, other.duplicate) == (False, True, False)
    assert same.job_record_id == one.job_record_id
    queued = await queue.redis.queued_jobs(queue_name=queue.queue_name)
    assert sorted(job.job_id or "" for job in queued) == sorted(
        f"{settings.redis_prefix}:sync:{i}" for i in (first, second)
    )

    assert await burst(settings) == {"complete": 2, "retried": 0, "failed": 0}
    assert sorted(calls) == sorted([first, second])
    records = JobRecords(store.session_factory)
    for enqueued in (one, other):
        record = await records.get(enqueued.job_record_id)
        assert record is not None
        assert (record.status, record.attempts) == (BackgroundJobStatus.SUCCEEDED, 1)
    # nothing is kept in Redis: the key is free for the next sync at once
    again = await enqueue_integration_sync(queue, store.tenant_id, first)
    assert not again.duplicate
    assert await burst(settings) == {"complete": 1, "retried": 0, "failed": 0}


async def test_a_failing_task_is_retried_then_dead(
    settings: Settings, store: Store, queue: ArqQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(sync_tasks, "sync_integration", _fake_sync(calls, fail=True))
    failing = await enqueue_integration_sync(queue, store.tenant_id, store.integration_ids[2])

    assert await burst(settings) == {"complete": 0, "retried": 4, "failed": 1}
    assert len(calls) == 5
    record = await JobRecords(store.session_factory).get(failing.job_record_id)
    assert record is not None
    assert (record.status, record.attempts, record.max_attempts) == (
        BackgroundJobStatus.DEAD,
        5,
        5,
    )
    assert record.last_error == "ConnectionError: ATS unreachable"
    assert await queue.redis.queued_jobs(queue_name=queue.queue_name) == []


async def test_the_schedule_queues_due_syncs_under_the_prefix(
    settings: Settings, store: Store, queue: ArqQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def due(session_factory: Any, now: Any = None) -> list[DueSync]:
        return [DueSync(store.tenant_id, store.integration_ids[3], SyncMode.FULL)]

    async def no_checks(*_args: Any, **_kwargs: Any) -> dict[str, int]:
        return {"checks_queued": 0, "checks_duplicate": 0}

    monkeypatch.setattr(sync_tasks, "due_syncs", due)
    monkeypatch.setattr(sync_tasks, "enqueue_due_checks", no_checks)
    options = worker_options(settings)
    prefix = settings.redis_prefix
    assert options["queue_name"] == f"{prefix}:arq:queue"
    assert sorted(job.name for job in options["cron_jobs"]) == [
        f"{prefix}:cron:due-syncs",
        f"{prefix}:cron:health",
        f"{prefix}:cron:maintenance",
        f"{prefix}:cron:recruiter-sync",
    ]
    assert {f.name for f in options["functions"]} == {
        "sync_integration",
        "sync_job",
        "recruiter_sync",
        "analyze_application",
        "analyze_applications",
        "check_requisition",
    }
    assert WorkerSettings.keep_result == 0

    ctx: dict[Any, Any] = {"settings": settings, "redis": queue.redis}
    await startup(ctx)
    try:
        none = {"checks_queued": 0, "checks_duplicate": 0, "reclaimed": 0}
        assert await cron_due_syncs(ctx) == {"queued": 1, "duplicates": 0, **none}
        assert await cron_due_syncs(ctx) == {"queued": 0, "duplicates": 1, **none}
    finally:
        await shutdown(ctx)
    queued = await queue.redis.queued_jobs(queue_name=queue.queue_name)
    assert [(job.function, job.job_id) for job in queued] == [
        ("sync_integration", f"{prefix}:sync:{store.integration_ids[3]}")
    ]
    calls: list[int] = []
    monkeypatch.setattr(sync_tasks, "sync_integration", _fake_sync(calls))
    assert await burst(settings) == {"complete": 1, "retried": 0, "failed": 0}
    assert calls == [store.integration_ids[3]]


def test_the_worker_command_runs_with_our_settings(
    tmp_path: Path, redis_url: str, redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TALENTGRAPH_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    monkeypatch.setenv("TALENTGRAPH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TALENTGRAPH_ENCRYPTION_KEYS", ENCRYPTION_KEYS)
    monkeypatch.delenv("TALENTGRAPH_REDIS_URL", raising=False)
    refused = CliRunner().invoke(cli, ["worker", "--burst"])
    assert refused.exit_code == 2
    assert "TALENTGRAPH_REDIS_URL" in refused.output

    monkeypatch.setenv("TALENTGRAPH_REDIS_URL", redis_url)
    monkeypatch.setenv("TALENTGRAPH_REDIS_PREFIX", f"{redis_prefix}cli{secrets.token_hex(4)}")
    result = CliRunner().invoke(cli, ["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "w.db").exists(), "the worker migrates first"


async def test_burst_workers_started_together_all_exit(settings: Settings) -> None:
    """Their webhook consumers are cancelled while their first Redis reads connect,
    where redis-py can lose the cancellation; every worker exits all the same (one
    used to wait on its consumers forever)."""
    for _ in range(3):
        together = [
            run_worker(
                settings.model_copy(update={"redis_prefix": f"{settings.redis_prefix}-{n}"}),
                burst=True,
                handle_signals=False,
            )
            for n in range(6)
        ]
        finished = await asyncio.wait_for(asyncio.gather(*together), 60)
        assert [worker.jobs_complete for worker in finished] == [0] * 6


RETRY = """
mutation($id: ID!) {
  backgroundJobRetry(input: {id: $id}) {
    __typename
    ... on BackgroundJobRetrySuccess { queued backgroundJob { id status attempts } }
  }
}
"""
SYNC_NOW = """
mutation($id: ID!) {
  integrationSync(input: {integrationId: $id}) {
    ... on IntegrationSyncSuccess { queued alreadyRunning backgroundJob { id status } }
  }
}
"""
JOBS = """
query {
  backgroundJobs { counts { pending succeeded dead } items { nodes { id status attempts } } }
}
"""


async def test_the_gateway_queues_into_arq_and_retries_through_graphql(
    tmp_path: Path, redis_url: str, redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With Redis configured, ``serve`` only enqueues; a worker runs the work."""
    calls: list[int] = []
    monkeypatch.setattr(sync_tasks, "sync_integration", _fake_sync(calls, fail=True))
    async with running_gateway(
        f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        redis_url=redis_url,
        redis_prefix=f"{redis_prefix}g{secrets.token_hex(4)}",
        task_retry_base_seconds=0.01,
    ) as gateway:
        assert isinstance(gateway.app.state.queue, ArqQueue)
        async with gateway.app.state.session_factory.begin() as session:
            await session.execute(sa.update(Integration).values(credentials_encrypted="sealed"))
        async with gateway.app.state.session_factory() as session:
            integration_id = await session.scalar(
                sa.select(sa.func.min(Integration.id)).where(
                    Integration.tenant_id == gateway.tenants["demo"].tenant_id
                )
            )
        variables = {"id": to_global_id("Integration", integration_id)}
        first = (await gateway.execute(SYNC_NOW, variables))["integrationSync"]
        again = (await gateway.execute(SYNC_NOW, variables))["integrationSync"]
        assert (first["queued"], again["alreadyRunning"]) == (True, True)
        assert first["backgroundJob"]["status"] == "PENDING"
        job_id = first["backgroundJob"]["id"]

        assert await burst(gateway.settings) == {"complete": 0, "retried": 4, "failed": 1}
        counts = (await gateway.execute(JOBS))["backgroundJobs"]["counts"]
        assert counts == {"pending": 0, "succeeded": 0, "dead": 1}

        monkeypatch.setattr(sync_tasks, "sync_integration", _fake_sync(calls))
        retried = (await gateway.execute(RETRY, {"id": job_id}))["backgroundJobRetry"]
        assert retried["__typename"] == "BackgroundJobRetrySuccess" and retried["queued"]
        assert retried["backgroundJob"] == {"id": job_id, "status": "PENDING", "attempts": 0}
        assert await burst(gateway.settings) == {"complete": 1, "retried": 0, "failed": 0}
        nodes = (await gateway.execute(JOBS))["backgroundJobs"]["items"]["nodes"]
        assert nodes == [{"id": job_id, "status": "SUCCEEDED", "attempts": 1}]
    assert calls == [integration_id] * 6
