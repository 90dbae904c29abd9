"""Benchmark: a full Recruiterflow sync into PostgreSQL, then a re-sync with nothing changed.

    python bench/sync.py [--jobs 200] [--candidates 10000] [--applications 20000]
                         [--page-size 100] [--concurrency 4] [--latency-ms 0]
                         [--database-url URL] [--profile FILE]

The Recruiterflow fake (``demo/sandbox/recruiterflow/``), seeded deterministically,
is served by uvicorn from a separate process on a loopback port; the sync talks real
HTTP to it. Without ``--database-url`` a throwaway database ``tg_bench_sync_<pid>`` is
created on postgresql://postgres@127.0.0.1:5432 and dropped at the end.

Prints records per second for the full sync, counting the rows it stores: jobs,
candidates, applications and stage transitions (and, separately, without the
transitions), with the time of each phase; then the time of the no-change re-sync, the
ratio of the two times, and what the re-sync wrote to the synced tables, three ways:
rows whose version (PostgreSQL ``xmin``) changed, appeared or vanished; INSERT/UPDATE/
DELETE statements on those tables seen by a ``before_cursor_execute`` listener; and the
created/updated/deleted counts of the run. The aim for all three is 0.

Only the two ``sync_integration`` calls are timed; seeding, migrations and the checks
are not. ``--concurrency`` is the connector's ``concurrency`` (candidates whose stage
movements are read at once); ``--latency-ms`` makes the fake answer that much later,
as a distant API would.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

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
    Job,
    StageTransition,
    Tenant,
)
from jobs.sync import sync_integration
from jobs.sync_api import SyncDeps, SyncMode, SyncOutcome, SyncProgress

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
API_KEY = "bench-rf-key-0b7e4d"
ENCRYPTION_KEYS = "bench:" + base64.b64encode(b"b" * 32).decode()
SYNCED_TABLES = ("jobs", "candidates", "applications", "stage_transitions", "pipeline_stages")
WRITES = ("INSERT", "UPDATE", "DELETE")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fake_server(args: argparse.Namespace) -> Iterator[int]:
    """uvicorn serving the seeded fake in a child process; yields its port."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "BENCH_RF_SEED": f"{args.jobs},{args.candidates},{args.applications}",
        "BENCH_RF_API_KEY": API_KEY,
        "BENCH_RF_LATENCY_MS": str(args.latency_ms),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "bench.recruiterflow_fake:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        "--lifespan",
        "off",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the fake server exited with {process.returncode}")
            try:
                answer = httpx.post(
                    f"http://127.0.0.1:{port}/api/external/info",
                    headers={"RF-Api-Key": API_KEY},
                    timeout=2,
                )
                if answer.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the fake server did not start")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def create_database(name: str) -> str:
    connection = await asyncpg.connect(SERVER)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return (
        make_url(SERVER)
        .set(drivername="postgresql+asyncpg", database=name)
        .render_as_string(hide_password=False)
    )


async def drop_database(name: str) -> None:
    connection = await asyncpg.connect(SERVER)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@dataclass
class WriteCounter:
    """INSERT/UPDATE/DELETE statements on the synced tables, while ``on``."""

    on: bool = False
    statements: list[str] = field(default_factory=list)

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not self.on or not statement.lstrip().upper().startswith(WRITES):
            return
        head = statement.split("SET")[0]
        if any(
            f" {table}" in head or f"INTO {table}" in statement or f"FROM {table}" in statement
            for table in SYNCED_TABLES
        ):
            self.statements.append(statement)


async def row_versions(engine: AsyncEngine, integration_id: int) -> set[tuple[str, int, str]]:
    """``(table, id, xmin)`` of every synced row of the integration: an INSERT adds one,
    an UPDATE changes its ``xmin``, a DELETE takes it away. Empty unless PostgreSQL."""
    if engine.dialect.name != "postgresql":
        return set()
    versions: set[tuple[str, int, str]] = set()
    async with engine.connect() as connection:
        for table in SYNCED_TABLES:
            rows = await connection.execute(
                sa.text(f"SELECT id, xmin::text FROM {table} WHERE integration_id = :i"),
                {"i": integration_id},
            )
            versions |= {(table, row[0], row[1]) for row in rows}
    return versions


async def setup(
    engine: AsyncEngine, keyring: Keyring, port: int, args: argparse.Namespace
) -> tuple[int, int]:
    await upgrade(engine)
    async with create_session_factory(engine).begin() as session:
        tenant = Tenant(slug=f"bench-sync-{os.getpid()}", name="Bench sync")
        session.add(tenant)
        await session.flush()
        integration = Integration(
            tenant_id=tenant.id,
            provider="recruiterflow",
            name="RF bench",
            status=IntegrationStatus.ACTIVE,
            config={
                "pageSize": args.page_size,
                "concurrency": args.concurrency,
                "rateLimitPerSecond": 1_000_000,
                "baseUrl": f"http://127.0.0.1:{port}",
            },
            credentials_encrypted=keyring.encrypt_json(
                {"apiKey": API_KEY}, context=credentials_context(tenant.id)
            ),
        )
        session.add(integration)
        await session.flush()
        return tenant.id, integration.id


async def stored(engine: AsyncEngine, integration_id: int) -> dict[str, int]:
    counts = {}
    async with engine.connect() as connection:
        for name, model in (
            ("jobs", Job),
            ("candidates", Candidate),
            ("applications", Application),
            ("stage_transitions", StageTransition),
        ):
            counts[name] = int(
                await connection.scalar(
                    sa.select(sa.func.count())
                    .select_from(model)
                    .where(model.integration_id == integration_id)
                )
                or 0
            )
    return counts


def check(outcome: SyncOutcome, what: str) -> None:
    if outcome.status is not SyncStatus.SUCCEEDED:
        raise RuntimeError(f"{what} did not succeed: {outcome.status} {outcome.error}")


async def run(url: str, port: int, args: argparse.Namespace) -> dict[str, Any]:
    engine = create_engine(url)
    keyring = Keyring.from_setting(ENCRYPTION_KEYS)
    tenant_id, integration_id = await setup(engine, keyring, port, args)
    profile = args.profile
    counter = WriteCounter()
    event.listen(engine.sync_engine, "before_cursor_execute", counter)
    cache = ResponseCache(Settings(encryption_keys=ENCRYPTION_KEYS))
    client = httpx.AsyncClient(timeout=60)
    deps = SyncDeps(
        create_session_factory(engine), keyring, client, EventBus(), cache, LocalLocks()
    )
    try:
        phases: list[dict[str, float]] = []

        async def full() -> tuple[SyncOutcome, float]:
            started = time.perf_counter()
            last: dict[str, float] = {}
            phases.append(last)

            def progress(report: SyncProgress) -> None:
                last[report.phase] = time.perf_counter() - started

            outcome = await sync_integration(
                deps, tenant_id, integration_id, mode=SyncMode.FULL, progress=progress
            )
            return outcome, time.perf_counter() - started

        if profile:
            from pyinstrument import Profiler

            profiler = Profiler(async_mode="enabled")
            profiler.start()
        first, first_s = await full()
        if profile:
            profiler.stop()
            text = profiler.output_text(unicode=True, show_all=False)
            await asyncio.to_thread(Path(profile).write_text, text)
        check(first, "the full sync")
        rows = await stored(engine, integration_id)
        before = await row_versions(engine, integration_id)
        counter.on = True
        second, second_s = await full()
        counter.on = False
        after = await row_versions(engine, integration_id)
        check(second, "the re-sync")
    finally:
        await client.aclose()
        await cache.close()
        await engine.dispose()
    written = {
        model: sum(c.get(k, 0) for k in ("created", "updated", "deleted"))
        for model, c in second.counts.items()
    }
    return {
        "rows": rows,
        "first_s": first_s,
        "second_s": second_s,
        "counts": first.counts,
        "resync_counts": second.counts,
        "resync_written_counts": written,
        "resync_write_statements": len(counter.statements),
        "resync_rewritten": rewritten(before, after) if before else None,
        "first_statements": counter.statements[:3],
        "phases": [phase_times(p) for p in phases],
    }


def rewritten(before: set[tuple[str, int, str]], after: set[tuple[str, int, str]]) -> int:
    """Rows inserted or updated (a version not there before) plus rows deleted."""
    gone = {v[:2] for v in before} - {v[:2] for v in after}
    return len(after - before) + len(gone)


def phase_times(last: dict[str, float]) -> dict[str, float]:
    """Seconds per phase, from when each phase reported its last batch."""
    times, previous = {}, 0.0
    for phase, at in last.items():
        times[phase], previous = at - previous, at
    return times


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Database and server up (untimed), the two syncs, both down again."""
    name = None
    url = args.database_url
    if not url:
        name = f"tg_bench_sync_{os.getpid()}"
        url = asyncio.run(create_database(name))
    try:
        with fake_server(args) as port:
            return asyncio.run(run(url, port, args))
    finally:
        if name:
            asyncio.run(drop_database(name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument(
        "--concurrency", type=int, default=4, help="candidates read at once (connector config)"
    )
    parser.add_argument(
        "--latency-ms", type=float, default=0, help="delay every answer of the fake by this"
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--profile", help="write a pyinstrument profile of the full sync here")
    args = parser.parse_args()
    # Killed by a timeout: still stop the fake server and drop the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = measure(args)
    rows = results["rows"]
    records = sum(rows.values())
    entities = records - rows["stage_transitions"]
    first_s, second_s = results["first_s"], results["second_s"]
    print(
        f"seeded: {args.jobs} jobs, {args.candidates} candidates, {args.applications} "
        f"applications; page size {args.page_size}, concurrency {args.concurrency}, "
        f"added latency {args.latency_ms:g} ms"
    )
    print(
        "stored: "
        + ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in rows.items())
        + f"  = {records:,} records"
    )
    print(
        f"full sync    : {first_s:7.2f} s  {records / first_s:8.0f} records/s "
        f"(jobs+candidates+applications+stage transitions; aim >= 2000)  "
        f"{entities / first_s:6.0f}/s without transitions"
    )
    print(f"no-change re-sync: {second_s:7.2f} s  re-sync/full = {second_s / first_s:.2f}")
    for label, times in zip(("full", "re-sync"), results["phases"], strict=True):
        print(f"  {label} by phase: " + ", ".join(f"{k} {v:.2f} s" for k, v in times.items()))
    changed = results["resync_rewritten"]
    print(
        f"rows the re-sync rewrote: {'n/a' if changed is None else changed} "
        f"(row versions by xmin in {', '.join(SYNCED_TABLES)}); "
        f"INSERT/UPDATE/DELETE statements on them: {results['resync_write_statements']}; "
        f"created/updated/deleted by its counts: {results['resync_written_counts']}  (aim: all 0)"
    )
    if results["first_statements"]:
        print("first rewrites:", *results["first_statements"], sep="\n  ")


if __name__ == "__main__":
    main()
