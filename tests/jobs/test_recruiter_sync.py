"""The daily recruiter sync, on SQLite and PostgreSQL, against the BPOC fake: the
schedule queues one run per active integration that lists users, a run links by email
and creates nobody, a source failure a retry can fix is retried, and the schedule is
registered in the worker's cron and in the embedded runner."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from demo.sandbox.bpoc import MAIN_AGENCY_ID, MAIN_API_KEY, BpocFake
from gateway.cache import ResponseCache
from gateway.crypto import Keyring, credentials_context
from gateway.locks import LocalLocks
from gateway.pubsub import EventBus
from gateway.queue import Enqueued
from gateway.settings import Settings
from gateway.store.engine import SessionFactory, create_engine, create_session_factory
from gateway.store.enums import ActorType, BackgroundJobStatus, IntegrationStatus, Role
from gateway.store.migrate import upgrade
from gateway.store.models import Activity, Integration, RecruiterLink, Tenant, User
from jobs.queue_local import InProcessQueue
from jobs.recruiter_tasks import RECRUITER_SYNC, enqueue_recruiter_syncs, recruiter_sync_task
from jobs.sync_api import SyncDeps
from jobs.task_context import TaskContext, TaskError
from jobs.worker import cron_jobs
from tests.support.gateway import ENCRYPTION_KEYS, running_gateway
from tests.support.services import Backend

_slugs = itertools.count()
MATCHED_ID = "6b0f3c1e-2a4d-4e8f-9a1b-3c5d7e9f1a2b"


async def no_sleep(_seconds: float) -> None:
    return None


@dataclass
class RecordingQueue:
    queued: list[tuple[str, str, int, dict[str, Any]]] = field(default_factory=list)

    async def enqueue(
        self, task: str, *, key: str, tenant_id: int, payload: dict[str, Any]
    ) -> Enqueued:
        duplicate = any(k == key for _, k, _, _ in self.queued)
        if not duplicate:
            self.queued.append((task, key, tenant_id, payload))
        return Enqueued(len(self.queued), duplicate=duplicate)

    async def retry(self, job_record_id: int, *, tenant_id: int) -> Enqueued:
        raise NotImplementedError

    async def close(self) -> None:
        return None


@dataclass
class World:
    ctx: TaskContext
    fake: BpocFake
    tenant_id: int
    users: dict[str, int]
    integrations: dict[str, int]

    @property
    def session_factory(self) -> SessionFactory:
        return self.ctx.session_factory

    async def links(self, integration_id: int) -> dict[int, str]:
        async with self.session_factory() as session:
            rows = await session.execute(
                sa.select(RecruiterLink.user_id, RecruiterLink.remote_id).where(
                    RecruiterLink.integration_id == integration_id
                )
            )
            return {row.user_id: row.remote_id for row in rows}


@pytest.fixture
async def world(backend: Backend) -> AsyncIterator[World]:
    fake = BpocFake()
    engine = create_engine(backend.url)
    await upgrade(engine)
    keyring = Keyring.from_setting(ENCRYPTION_KEYS)
    factory = create_session_factory(engine)
    async with factory.begin() as session:
        tenant = Tenant(slug=f"recruiters-{next(_slugs)}-{backend.name}", name="Recruiters")
        session.add(tenant)
        await session.flush()
        people = {
            "matched": User(
                tenant_id=tenant.id,
                email="ana.cruz@agency.ph",
                name="Ana Cruz",
                role=Role.RECRUITER,
            ),
            "unknown": User(
                tenant_id=tenant.id, email="ben.uy@agency.ph", name="Ben Uy", role=Role.ADMIN
            ),
        }
        session.add_all(people.values())

        def integration(provider: str, name: str, **overrides: Any) -> Integration:
            fields: dict[str, Any] = {
                "status": IntegrationStatus.ACTIVE,
                "config": {"rateLimitPerSecond": 10_000},
                "credentials_encrypted": keyring.encrypt_json(
                    {"apiKey": MAIN_API_KEY}, context=credentials_context(tenant.id)
                ),
                **overrides,
            }
            return Integration(tenant_id=tenant.id, provider=provider, name=name, **fields)

        integrations = {
            "bpoc": integration("bpoc", "BPOC"),
            "recruiterflow": integration("recruiterflow", "RF"),
            "jobvite": integration("jobvite", "Jobvite"),
            "disabled": integration("bpoc", "Old BPOC", status=IntegrationStatus.INACTIVE),
            "no-credentials": integration("bpoc", "New BPOC", credentials_encrypted=None),
        }
        session.add_all(integrations.values())
        await session.flush()
        ids = (
            tenant.id,
            {key: user.id for key, user in people.items()},
            {key: row.id for key, row in integrations.items()},
        )
    fake.recruiters[MATCHED_ID] = {
        "id": MATCHED_ID,
        "agencyId": MAIN_AGENCY_ID,
        "email": "Ana.Cruz@Agency.PH",
        "firstName": "Ana",
        "lastName": "Cruz",
        "role": "recruiter",
        "isActive": True,
    }
    settings = Settings(encryption_keys=ENCRYPTION_KEYS, task_retry_base_seconds=0.01)
    cache = ResponseCache(settings)
    client = httpx.AsyncClient(mounts={"https://bpoc.io": httpx.ASGITransport(app=fake.app)})
    deps = SyncDeps(factory, keyring, client, EventBus(), cache, LocalLocks(), no_sleep)
    try:
        yield World(TaskContext(deps, settings), fake, *ids)
    finally:
        await client.aclose()
        await cache.close()
        await engine.dispose()


async def test_the_schedule_queues_integrations_that_list_users(world: World) -> None:
    queue = RecordingQueue()
    first = await enqueue_recruiter_syncs(world.session_factory, queue)
    mine = [entry for entry in queue.queued if entry[2] == world.tenant_id]
    assert sorted((task, key) for task, key, _, _ in mine) == sorted(
        (RECRUITER_SYNC, f"recruiter-sync:{world.integrations[name]}")
        for name in ("bpoc", "recruiterflow")
    )
    assert all(payload["create_missing"] is False for *_, payload in mine)
    again = await enqueue_recruiter_syncs(world.session_factory, queue)
    assert again == {"queued": 0, "duplicates": first["queued"]}


async def test_a_scheduled_run_links_by_email_and_creates_nobody(world: World) -> None:
    queue = InProcessQueue(world.ctx)
    try:
        integration_id = world.integrations["bpoc"]
        enqueued = await queue.enqueue(
            RECRUITER_SYNC,
            key=f"recruiter-sync:{integration_id}",
            tenant_id=world.tenant_id,
            payload={"integration_id": integration_id, "create_missing": False},
        )
        await queue.drain()
    finally:
        await queue.close()
    record = await world.ctx.records.get(enqueued.job_record_id)
    assert record is not None and record.status is BackgroundJobStatus.SUCCEEDED, record
    assert await world.links(integration_id) == {world.users["matched"]: MATCHED_ID}
    assert not [w for w in world.fake.writes if w.path == "/recruiters/create"]
    async with world.session_factory() as session:
        entries = list(
            await session.scalars(sa.select(Activity).where(Activity.tenant_id == world.tenant_id))
        )
    assert {a.action for a in entries} == {"recruiter.linked", "recruiter.synced"}
    assert {a.actor_type for a in entries} == {ActorType.SYSTEM}
    summary = next(a for a in entries if a.action == "recruiter.synced")
    assert summary.details["unmatched"] == ["ben.uy@agency.ph"]

    report = await recruiter_sync_task(world.ctx, world.tenant_id, integration_id)
    assert (report.matched, report.kept, report.created) == (0, 1, 0)
    async with world.session_factory() as session:
        count = await session.scalar(
            sa.select(sa.func.count())
            .select_from(Activity)
            .where(Activity.tenant_id == world.tenant_id)
        )
    assert count == len(entries), "a run that changes nothing records nothing"


async def test_a_failure_a_retry_can_fix_is_retried(world: World) -> None:
    world.fake.faults.server_errors(times=50)
    try:
        with pytest.raises(TaskError):
            await recruiter_sync_task(world.ctx, world.tenant_id, world.integrations["bpoc"])
    finally:
        world.fake.faults.reset()
    assert await world.links(world.integrations["bpoc"]) == {}


def test_the_worker_runs_the_recruiter_sync_daily() -> None:
    [job] = [job for job in cron_jobs("tg") if job.name == "tg:cron:recruiter-sync"]
    assert isinstance(job.hour, int) and isinstance(job.minute, int)
    assert job.day is None and job.weekday is None and job.month is None


async def test_the_embedded_schedule_runs_the_recruiter_sync(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('embedded') / 'embedded.db'}"
    async with running_gateway(url, sync_scheduler_interval_seconds=3600):
        names = {task.get_name() for task in asyncio.all_tasks()}
    assert "periodic:recruiter-sync" in names
