"""A whole deployment for fault tests: a private PostgreSQL and a private Redis that a
test stops and starts, ``talentgraph serve`` and ``talentgraph worker`` as real
processes, and the Recruiterflow fake on a real port for them to sync from.

    async def test_row(stack: Stack) -> None:            # `stack`: tests/faults/conftest.py
        integration_id = await stack.new_integration("row 3")
        await stack.sync_mutation(ROW, integration_id)   # integrationSync, over real HTTP
        stack.kill_worker()                              # SIGKILL; stack.start_worker()
        stack.redis.halt(); stack.redis.resume()         # stack.postgres.down() / .up()
        records = await eventually(ROW, "the job ends", 20, probe, stack=stack)
        await stack.assert_everything_synced_once(ROW, integration_id)

Leases are short (``TALENTGRAPH_JOB_LEASE_SECONDS=3``, the least allowed) and retries
quick, so what a deployment does in minutes happens here in seconds. The schedule has
nothing due: every integration starts with a full sync that succeeded a moment ago, so
every sync a test sees is the one it queued.

``TALENTGRAPH_FAULTS_AS_FILED=1`` runs the rows at the lengths the outage report
(issue 13) ran them: Redis and PostgreSQL down 30 s, the source answering 500 for
25 s, traffic of one request of each kind a second, and task retries at the production
base (10 s doubling), so a source outage is lived through by the retry budget a
deployment has (about 4 minutes).

`eventually` is the one way to wait: a bounded poll that fails naming the row, what did
not happen, what was last seen, and the tail of every process's log.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import os
import signal
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import orjson
import pytest
import redis
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from demo.sandbox.recruiterflow import FakeRecruiterflow
from demo.seed import DemoTenant
from gateway.auth import issue_token
from gateway.crypto import Keyring, credentials_context, webhook_secret_context
from gateway.services.activities import CONTACTED, SOURCE_ACTIVITY
from gateway.store.base import utcnow
from gateway.store.enums import IntegrationStatus, Role, SyncKind, SyncStatus
from gateway.store.models import (
    Activity,
    Application,
    BackgroundJob,
    Candidate,
    Integration,
    Job,
    SyncRun,
    WebhookEvent,
)
from resolvers.relay import to_global_id
from tests.support.gateway import ENCRYPTION_KEYS, JWT_SECRET, migrate_and_seed
from tests.support.processes import process_env, served_recruiterflow, tail, talentgraph
from tests.support.restartable_redis import RestartableRedis
from tests.support.services import (
    ServiceUnavailable,
    ThrowawayPostgres,
    async_database_url,
    is_ci,
    unavailable,
)
from tests.support.serving import free_port

T = TypeVar("T")

AS_FILED = os.environ.get("TALENTGRAPH_FAULTS_AS_FILED", "") not in ("", "0")
LEASE_SECONDS = 3
RETRY_BASE_SECONDS = 10.0 if AS_FILED else 0.5
OUTAGE_SECONDS = 30.0 if AS_FILED else 4.0
"""How long Redis or PostgreSQL stays down in the rows that stop them."""
SOURCE_OUTAGE_SECONDS = 25.0 if AS_FILED else 0.0
"""How long the source answers 500 at least (and until the run has been cut short)."""
TRAFFIC_INTERVAL_SECONDS = 1.0 if AS_FILED else 0.2
"""The pause between rounds of requests during an outage."""
RECOVERY_SECONDS = 30.0
"""Once a fault ends, the system is back to normal within this."""
TEST_TIMEOUT_SECONDS = 420 if AS_FILED else 240
"""Per row, instead of the suite's 120 s: a row's own bounded waits add up to more."""
WEBHOOK_LEASE_SECONDS = 6.0
"""How long a claimed inbound event or outbound delivery is held (120 s by default)."""
WEBHOOK_SECRET = "faults-webhook-secret-0451"
SEED = {"jobs": 20, "candidates": 300, "applications": 600}
"""Enough for a full sync to commit several batches (of 200) per phase and take a few
seconds once the fake answers with some latency."""
RESUME_EVERY = 40
"""One candidate in this many keeps a resume file: reading 400 resumes would make the
resume step, which these tests are not about, most of every sync's time."""
REDIS_PREFIX = "tgfaults"
RANK_FIELD = "Priority Rank"
"""The job custom field the demo tenant writes its ranks back to; the fake gets one."""


class DurableRedis(RestartableRedis):
    """A `RestartableRedis` that keeps its keys across ``halt``/``resume``, as a
    production Redis with snapshots does: what was cached before an outage is still
    there after it, so a test can tell a stale answer from a fresh one."""

    def halt(self) -> None:
        client = redis.Redis.from_url(self.url, socket_timeout=5)
        try:
            client.save()
        finally:
            client.close()
        super().halt()


@dataclass
class Stack:
    postgres: ThrowawayPostgres
    redis: DurableRedis
    fake: FakeRecruiterflow
    fake_port: int
    database_url: str
    env: dict[str, str]
    logs: Path
    port: int
    http: httpx.AsyncClient
    engine: AsyncEngine
    tenant: DemoTenant
    keyring: Keyring
    serve: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    # processes

    @property
    def worker(self) -> subprocess.Popen[bytes]:
        assert self.workers, "no worker was started"
        return self.workers[-1]

    def start_worker(self) -> subprocess.Popen[bytes]:
        started = talentgraph(["worker"], self.env, self.logs / "worker.log")
        self.workers.append(started)
        return started

    def kill_worker(self) -> None:
        """SIGKILL: no shutdown hook runs, the lease and the lock are simply left."""
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait(timeout=10)

    def worker_alive(self) -> bool:
        return self.worker.poll() is None

    def log_tails(self) -> str:
        parts = []
        for name in ("serve.log", "worker.log"):
            path = self.logs / name
            if path.exists():
                parts.append(f"--- {name} (tail) ---\n{tail(path)}")
        return "\n".join(parts)

    # HTTP

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def token(self) -> str:
        """The demo tenant's admin."""
        return issue_token(
            JWT_SECRET,
            tenant_id=self.tenant.tenant_id,
            tenant_slug="demo",
            user_id=self.tenant.admin_user_id,
            role=Role.ADMIN,
        )

    async def graphql(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        return await self.http.post(
            f"{self.base}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {self.token()}"},
        )

    async def data(self, row: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        """The ``data`` of a request that must be answered 200 without errors."""
        response = await self.graphql(query, variables)
        assert response.status_code == 200 and not response.json().get("errors"), (
            f"[{row}] {query.strip().splitlines()[0][:60]!r} answered {response.status_code}: "
            f"{response.text[:500]}\n{self.log_tails()}"
        )
        return response.json()["data"]

    async def webhook(self, integration_id: int, job_id: int) -> httpx.Response:
        """A signed ``job.updated`` delivery for the fake's ``job_id``."""
        body = orjson.dumps(
            {"id": uuid.uuid4().hex, "event": "job.updated", "data": {"job_id": job_id}}
        )
        signature = hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
        return await self.http.post(
            f"{self.base}/webhooks/recruiterflow/{integration_id}",
            content=body,
            headers={"x-recruiterflow-signature": signature, "content-type": "application/json"},
        )

    async def ready(self) -> bool | None:
        """True once ``/readyz`` answers 200; None before (a probe for `eventually`)."""
        with contextlib.suppress(httpx.TransportError):
            if (await self.http.get(f"{self.base}/readyz")).status_code == 200:
                return True
        return None

    # the store, read directly (pre-pinged connections: the server may have restarted)

    async def scalar(self, statement: Any) -> Any:
        async with self.engine.connect() as connection:
            return (await connection.execute(statement)).scalar()

    async def row(self, model: Any, ident: int) -> Any:
        async with self.engine.connect() as connection:
            return (await connection.execute(sa.select(model).where(model.id == ident))).first()

    async def rows(self, statement: Any) -> list[Any]:
        async with self.engine.connect() as connection:
            return list((await connection.execute(statement)).all())

    async def new_integration(self, name: str) -> int:
        """An active Recruiterflow integration on the fake, with a webhook secret, whose
        last full sync (a placeholder run) succeeded just now: nothing is due for it."""
        tenant_id = self.tenant.tenant_id
        now = utcnow()
        async with self.engine.begin() as connection:
            integration_id = (
                await connection.execute(
                    sa.insert(Integration)
                    .values(
                        tenant_id=tenant_id,
                        provider="recruiterflow",
                        name=name,
                        status=IntegrationStatus.ACTIVE,
                        config={
                            "baseUrl": f"http://127.0.0.1:{self.fake_port}",
                            "rateLimitPerSecond": 10_000,
                        },
                        credentials_encrypted=self.keyring.encrypt_json(
                            {"apiKey": self.fake.api_key}, context=credentials_context(tenant_id)
                        ),
                        webhook_secret_encrypted=self.keyring.encrypt(
                            WEBHOOK_SECRET.encode(), context=webhook_secret_context(tenant_id)
                        ),
                        last_sync_at=now,
                    )
                    .returning(Integration.id)
                )
            ).scalar_one()
            await connection.execute(
                sa.insert(SyncRun).values(
                    tenant_id=tenant_id,
                    integration_id=integration_id,
                    kind=SyncKind.FULL,
                    status=SyncStatus.SUCCEEDED,
                    trigger="placeholder",
                    started_at=now,
                    finished_at=now,
                    heartbeat_at=now,
                    counts={},
                    checkpoint={},
                )
            )
        return int(integration_id)

    async def sync_runs(self, integration_id: int) -> list[Any]:
        """The integration's real runs (not the placeholder), oldest first."""
        return await self.rows(
            sa.select(SyncRun)
            .where(SyncRun.integration_id == integration_id, SyncRun.trigger != "placeholder")
            .order_by(SyncRun.id)
        )

    async def job_records(self, integration_id: int, *, key: str | None = None) -> list[Any]:
        """The background job records of the integration's sync (or of ``key``)."""
        return await self.rows(
            sa.select(BackgroundJob)
            .where(BackgroundJob.job_key == (key or f"sync:{integration_id}"))
            .order_by(BackgroundJob.id)
        )

    async def integration(self, integration_id: int) -> Any:
        return await self.row(Integration, integration_id)

    async def webhook_status(self, event_id: int) -> str | None:
        status = await self.scalar(
            sa.select(WebhookEvent.status).where(WebhookEvent.id == event_id)
        )
        return None if status is None else str(status)

    async def synced(self, integration_id: int) -> dict[str, tuple[int, int]]:
        """Per entity: (rows, distinct remote ids) of the integration in the store."""
        found = {}
        for name, model in (
            ("jobs", Job),
            ("candidates", Candidate),
            ("applications", Application),
        ):
            rows, distinct = (
                await self.rows(
                    sa.select(sa.func.count(), sa.func.count(sa.distinct(model.remote_id))).where(
                        model.integration_id == integration_id
                    )
                )
            )[0]
            found[name] = (int(rows), int(distinct))
        return found

    async def source_activities(self, integration_id: int) -> int:
        """What the source's activity logs became on the timelines of the integration's
        candidates."""
        return int(
            await self.scalar(
                sa.select(sa.func.count())
                .select_from(Activity)
                .join(Candidate, Candidate.id == Activity.candidate_id)
                .where(
                    Candidate.integration_id == integration_id,
                    Activity.action.in_((SOURCE_ACTIVITY, CONTACTED)),
                )
            )
        )

    def expected_activities(self) -> int:
        """What ``source_activities`` shows once the fake's activity logs are all read."""
        return sum(len(logged) for logged in self.fake.activities.values())

    async def assert_everything_synced_once(self, row: str, integration_id: int) -> None:
        """Every record of the fake, and every entry of its activity logs, in the store
        exactly once for the integration."""
        assert await self.synced(integration_id) == self.expected(), (
            f"[{row}] every record of the source in the store exactly once (rows, distinct "
            f"ids): {await self.synced(integration_id)} != {self.expected()}"
        )
        activities = await self.source_activities(integration_id)
        assert activities == self.expected_activities(), (
            f"[{row}] every activity of the source's logs on the candidates' timelines "
            f"exactly once: {activities} stored, {self.expected_activities()} at the source"
        )

    def expected(self) -> dict[str, tuple[int, int]]:
        """What ``synced`` shows once every record of the fake is in the store once."""
        return {
            name: (len(records), len(records))
            for name, records in (
                ("jobs", self.fake.jobs),
                ("candidates", self.fake.candidates),
                ("applications", self.fake.applications),
            )
        }

    async def sync_mutation(self, row: str, integration_id: int) -> dict[str, Any]:
        data = await self.data(
            row, INTEGRATION_SYNC, {"id": to_global_id("Integration", integration_id)}
        )
        answer: dict[str, Any] = data["integrationSync"]
        assert answer["__typename"] == "IntegrationSyncSuccess", f"[{row}] {answer}"
        return answer


def in_applications(run: Any) -> bool:
    """The run is running and has committed every candidate: its applications phase,
    the slow one (a request per candidate), is under way."""
    completed = (run.checkpoint or {}).get("completed", [])
    return run.status is SyncStatus.RUNNING and "candidates" in completed


INTEGRATION_SYNC = """
mutation ($id: ID!) {
  integrationSync(input: {integrationId: $id, mode: FULL}) {
    __typename
    ... on IntegrationSyncSuccess { queued alreadyRunning backgroundJob { id status attempts } }
  }
}
"""


async def eventually(
    row: str,
    what: str,
    within: float,
    probe: Callable[[], Awaitable[T | None]],
    *,
    stack: Stack | None = None,
    every: float = 0.1,
) -> T:
    """The first value of ``probe()`` that is not None, polled for ``within`` seconds. A
    probe that raises counts as "not yet" (the store may be down), unless it fails an
    assertion: that fails the test at once. On timeout the test fails naming ``row``,
    ``what`` and the last value or error seen."""
    deadline = time.monotonic() + within
    last: object = "nothing"
    while True:
        try:
            found = await probe()
        except AssertionError:
            raise
        except Exception as exc:
            last = f"{type(exc).__name__}: {exc}"
        else:
            if found is not None:
                return found
            last = "None"
        if time.monotonic() > deadline:
            logs = stack.log_tails() if stack is not None else ""
            pytest.fail(f"[{row}] {what}: not within {within:g} s; last seen: {last}\n{logs}")
        await asyncio.sleep(every)


def recovered(row: str, what: str, since: float) -> None:
    """Print how long after the fault ended ``what`` was seen (``pytest -rP`` shows it)."""
    print(f"[{row}] {what}: {time.monotonic() - since:.1f} s after the fault ended")


async def _wait_ready(stack: Stack, within: float = 60) -> None:
    await eventually(
        "setup",
        "serve answers /readyz 200",
        within,
        stack.ready,
        stack=stack,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@contextlib.asynccontextmanager
async def running_stack(logs: Path) -> AsyncIterator[Stack]:
    """Start everything (process logs in the existing folder ``logs``); stop everything
    at the end, whatever happened in between."""
    async with contextlib.AsyncExitStack() as cleanup:
        try:
            postgres = ThrowawayPostgres.start()
            cleanup.callback(postgres.stop)
            durable = DurableRedis.start()
            cleanup.callback(durable.stop)
        except ServiceUnavailable as exc:
            unavailable(str(exc), ci=is_ci(os.environ))
        assert isinstance(durable, DurableRedis)
        fake, fake_port = await cleanup.enter_async_context(served_recruiterflow(**SEED))
        fake.job_custom_fields.append({"id": 72, "name": RANK_FIELD, "type": "number"})
        for n, candidate in enumerate(fake.candidates.values()):
            if n % RESUME_EVERY:
                candidate["files"] = []
        database_url = async_database_url(postgres.url, "postgres")
        tenants = await migrate_and_seed(database_url)
        env = process_env(
            database_url,
            durable.url,
            REDIS_PREFIX,
            job_lease_seconds=LEASE_SECONDS,
            webhook_lease_seconds=WEBHOOK_LEASE_SECONDS,
            webhook_allow_private_targets="true",
            task_retry_base_seconds=RETRY_BASE_SECONDS,
            webhook_handoff_grace_seconds=1.0,
            webhook_sweep_interval_seconds=0.5,
            outbox_grace_seconds=1.0,
            ai_auto_analyze="false",
            log_level="INFO",
        )
        engine = create_async_engine(
            database_url, pool_size=2, pool_pre_ping=True, connect_args={"timeout": 3}
        )
        cleanup.push_async_callback(engine.dispose)
        http = await cleanup.enter_async_context(httpx.AsyncClient(timeout=20))
        stack = Stack(
            postgres=postgres,
            redis=durable,
            fake=fake,
            fake_port=fake_port,
            database_url=database_url,
            env=env,
            logs=logs,
            port=free_port(),
            http=http,
            engine=engine,
            tenant=tenants["demo"],
            keyring=Keyring.from_setting(ENCRYPTION_KEYS),
        )

        def stop_processes() -> None:
            for process in [*stack.workers, *([stack.serve] if stack.serve else [])]:
                _stop(process)

        cleanup.callback(stop_processes)
        stack.serve = talentgraph(["serve", "--port", str(stack.port)], env, logs / "serve.log")
        stack.start_worker()
        await _wait_ready(stack)
        yield stack


async def healthy(stack: Stack) -> Stack:
    """The stack as every row starts from: both servers up, serve ready, a worker alive
    and the fake answering promptly without faults."""
    stack.fake.faults.reset()
    if stack.redis.process is None:
        stack.redis.resume()
    if not (stack.postgres.data / "postmaster.pid").exists():
        stack.postgres.up()
    if not stack.worker_alive():
        stack.start_worker()
    await _wait_ready(stack)
    return stack


@dataclass(frozen=True, slots=True)
class Snapshot:
    """How a sync looked at one moment: its runs, its job records, the integration."""

    runs: tuple[tuple[int, str, bool], ...]
    """(id, status, resumable) per run."""
    records: tuple[tuple[int, str, int, bool], ...]
    """(id, status, attempts, retry scheduled) per background job record."""
    last_error: str | None


async def snapshot(stack: Stack, integration_id: int) -> Snapshot:
    runs = await stack.sync_runs(integration_id)
    records = await stack.job_records(integration_id)
    integration = await stack.integration(integration_id)
    return Snapshot(
        runs=tuple(
            (r.id, str(r.status), bool((r.error_details or {}).get("resumable"))) for r in runs
        ),
        records=tuple(
            (r.id, str(r.status), r.attempts, r.scheduled_at is not None) for r in records
        ),
        last_error=integration.last_error,
    )


@contextlib.asynccontextmanager
async def watching(stack: Stack, integration_id: int) -> AsyncIterator[list[Snapshot]]:
    """Every distinct `Snapshot` of the integration's sync while the block runs, polled
    every 50 ms: states that last a moment (a job waiting half a second for its retry)
    are seen too."""
    seen: list[Snapshot] = []

    async def poll() -> None:
        while True:
            with contextlib.suppress(Exception):
                now = await snapshot(stack, integration_id)
                if not seen or seen[-1] != now:
                    seen.append(now)
            await asyncio.sleep(0.05)

    poller = asyncio.create_task(poll(), name=f"watch:{integration_id}")
    try:
        yield seen
    finally:
        poller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poller
