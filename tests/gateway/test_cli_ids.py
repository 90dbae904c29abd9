"""Ids on the command line: ``talentgraph sync`` takes the global id the API shows or
the database id, runs a real sync for either, and refuses another type's id or garbage
with a usage message and status 2, never a traceback. The CLI runs as its own process
against a migrated SQLite store; the Recruiterflow fake serves on a real port."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from gateway.cli import app
from gateway.crypto import Keyring, credentials_context
from gateway.global_ids import to_global_id
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import IntegrationStatus, Provider, SyncStatus
from gateway.store.migrate import upgrade
from gateway.store.models import Integration, Job, SyncRun, Tenant
from tests.support.gateway import ENCRYPTION_KEYS
from tests.support.processes import served_recruiterflow


@dataclass
class Store:
    url: str
    env: dict[str, str]
    integration_id: int
    jobs: int

    async def stored_jobs(self) -> int:
        engine = create_engine(self.url)
        try:
            async with engine.connect() as connection:
                count = await connection.scalar(
                    sa.select(sa.func.count())
                    .select_from(Job)
                    .where(Job.integration_id == self.integration_id)
                )
                return int(count or 0)
        finally:
            await engine.dispose()

    async def runs(self) -> list[tuple[int, SyncStatus, str]]:
        engine = create_engine(self.url)
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(
                    sa.select(SyncRun.integration_id, SyncRun.status, SyncRun.trigger).order_by(
                        SyncRun.id
                    )
                )
                return [(row[0], SyncStatus(row[1]), row[2]) for row in rows]
        finally:
            await engine.dispose()


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str


async def talentgraph(store: Store, *args: str) -> Ran:
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("talentgraph")),
        *args,
        env=store.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return Ran(process.returncode, stdout.decode(), stderr.decode())


def talentgraph_in_process(store: Store, *args: str) -> Ran:
    """The same command line through the CLI's own app in this process: for refusals of
    the arguments, which come before any work (a process each would cost seconds)."""
    result = CliRunner().invoke(app, list(args), env=store.env)
    return Ran(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TALENTGRAPH_")},
        "TALENTGRAPH_DATABASE_URL": url,
        "TALENTGRAPH_DATA_DIR": str(tmp_path / "data"),
        "TALENTGRAPH_ENCRYPTION_KEYS": ENCRYPTION_KEYS,
        "TALENTGRAPH_CONNECTOR_ALLOW_PRIVATE_TARGETS": "true",
        "TALENTGRAPH_AI_AUTO_ANALYZE": "false",
        "TALENTGRAPH_LOG_LEVEL": "WARNING",
        "COLUMNS": "200",
    }
    async with served_recruiterflow(jobs=3, candidates=6, applications=6) as (fake, port):
        engine = create_engine(url)
        try:
            await upgrade(engine)
            async with create_session_factory(engine).begin() as session:
                tenant = Tenant(slug="acme", name="Acme")
                session.add(tenant)
                await session.flush()
                integration = Integration(
                    tenant_id=tenant.id,
                    provider=Provider.RECRUITERFLOW,
                    name="RF",
                    status=IntegrationStatus.ACTIVE,
                    config={"baseUrl": f"http://127.0.0.1:{port}", "rateLimitPerSecond": 10_000},
                    credentials_encrypted=Keyring.from_setting(ENCRYPTION_KEYS).encrypt_json(
                        {"apiKey": fake.api_key}, context=credentials_context(tenant.id)
                    ),
                )
                session.add(integration)
                await session.flush()
                integration_id = integration.id
        finally:
            await engine.dispose()
        yield Store(url, env, integration_id, jobs=3)


def refused(ran: Ran) -> str:
    """The usage message of a refused invocation, after checking how it was refused."""
    assert ran.code == 2, (ran.stdout, ran.stderr)
    assert "Traceback" not in ran.stderr + ran.stdout
    assert "Invalid value for" in ran.stderr
    return " ".join(ran.stderr.replace("│", " ").split())


async def test_sync_takes_the_global_id_the_api_shows_and_the_database_id(store: Store) -> None:
    global_id = to_global_id("Integration", store.integration_id)

    by_global_id = await talentgraph(store, "sync", global_id, "--full")
    assert by_global_id.code == 0, (by_global_id.stdout, by_global_id.stderr)
    assert "succeeded" in by_global_id.stdout
    assert await store.stored_jobs() == store.jobs

    by_pk = await talentgraph(store, "sync", str(store.integration_id))
    assert by_pk.code == 0, (by_pk.stdout, by_pk.stderr)
    assert "succeeded" in by_pk.stdout

    assert await store.runs() == [
        (store.integration_id, SyncStatus.SUCCEEDED, "cli"),
        (store.integration_id, SyncStatus.SUCCEEDED, "cli"),
    ]


async def test_an_id_of_another_type_is_refused_naming_the_expected_type(store: Store) -> None:
    """A Job id whose number is the integration's must not sync the integration."""
    job_id = to_global_id("Job", store.integration_id)
    message = refused(await talentgraph(store, "sync", job_id))
    assert f"{job_id} is the id of a Job, not of an Integration" in message
    assert await store.runs() == []


@pytest.mark.parametrize(
    "garbage",
    [
        "abc",
        "0",
        "+1",
        "1.0",
        "99999999999999999999",
        "SW50ZWdyYXRpb246MQ",  # Integration:1 without its padding
        "SW50ZWdyYXRpb246MDE=",  # Integration:01
        "SW50ZWdyYXRpb24=",  # Integration, no number
        "",
    ],
)
async def test_garbage_is_refused_with_a_usage_message(store: Store, garbage: str) -> None:
    message = refused(talentgraph_in_process(store, "sync", garbage))
    assert "is not an Integration id" in message
    assert "SW50ZWdyYXRpb246Mw==" in message  # shows what an id looks like
    assert await store.runs() == []


async def test_an_unknown_integration_is_named_as_the_api_shows_it(store: Store) -> None:
    missing = store.integration_id + 41
    message = refused(await talentgraph(store, "sync", to_global_id("Integration", missing)))
    assert f"no integration {to_global_id('Integration', missing)} (database id {missing})" in (
        message
    )
    assert await store.runs() == []
