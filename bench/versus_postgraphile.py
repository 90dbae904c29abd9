"""Benchmark: talentgraph beside PostGraphile 4, both over the same PostgreSQL database.

    (cd bench/postgraphile && npm ci) && .venv/bin/python bench/versus_postgraphile.py

Options: ``--seconds 10`` per measurement, ``--connections 8`` in flight, ``--rounds 3``,
``--server postgresql://postgres@127.0.0.1:5432``. With the defaults it takes about
5 minutes: a few seconds to migrate and seed, 3 rounds x 3 queries x 3 servers x 10 s,
and 3 s warm-ups.

A throwaway database ``tg_bench_vs_<pid>_<hex>`` gets the schema and the demo tenant
(50 jobs, 1,000 candidates, 2,000 applications), and is dropped at the end, always.
Three servers run over it, each one process on a loopback port:

- talentgraph ``serve`` in production settings with rate limits off and the response
  cache off (every TTL 0): *cold*, every request reads the store;
- the same with the response cache on (in memory, the defaults): *warm*;
- PostGraphile 4 (``bench/postgraphile/server.js``): read-only, simplified names.

Three query pairs, each first checked to answer the same rows (natural fields and row
ids, compared as sorted tuples): the nested read of ``bench/nested_query.py`` (50 jobs,
their applications with candidate, current stage and interviews), the same with 5
applications per job (``narrow``; with ``nested`` it gives the marginal cost of one
application: the difference of the seconds per request over the difference of the
applications), and one job's title by id. Then rounds, interleaved (cold, warm,
PostGraphile, in an order that rotates each round), each one autocannon run
(``bench/postgraphile/node_modules``) of ``--seconds`` at ``--connections``; printed:
req/s, p50 and p99 (medians over the rounds), talentgraph / PostGraphile ratios and the
cost per application. The load generator runs on the same
machine and takes a core of its own; the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from demo.seed import DemoTenant, seed_demo
from gateway.auth import issue_token
from gateway.global_ids import to_global_id
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import Role
from gateway.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
POSTGRAPHILE_DIR = ROOT / "bench" / "postgraphile"
AUTOCANNON = POSTGRAPHILE_DIR / "node_modules" / ".bin" / "autocannon"
JWT_SECRET = secrets.token_urlsafe(48)
ENCRYPTION_KEYS = "k1:" + base64.b64encode(secrets.token_bytes(32)).decode()

TG_NESTED = """
{ jobs(first: 50) { edges { node { id title applications(first: %(apps)d) { edges { node {
    id candidate { name email } currentStage { name } interviews { status }
} } } } } } }
"""
PG_NESTED = """
{ jobs(first: 50, condition: {tenantId: "%(tenant)d"}, orderBy: [CREATED_AT_DESC, ID_DESC]) {
  edges { node { id title applications(first: %(apps)d, orderBy: [CREATED_AT_DESC, ID_DESC]) {
  edges { node {
    id candidate { name email } currentStage { name } interviewsList { status }
} } } } } } }
"""
TG_JOB = '{ job(id: "%(global_id)s") { title } }'
PG_JOB = '{ job(id: "%(pk)d") { title } }'
"""talentgraph orders jobs and applications by ``createdAt`` descending (its default
sort); PostGraphile is told the same order and the tenant, which talentgraph takes
from the token."""


@dataclass
class Server:
    name: str
    url: str
    headers: dict[str, str]
    process: subprocess.Popen[bytes]


@dataclass
class QueryPair:
    name: str
    talentgraph: str
    postgraphile: str
    canonical_tg: Callable[[dict[str, Any]], Any]
    canonical_pg: Callable[[dict[str, Any]], Any]


def row_id(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().rsplit(":", 1)[1])


def canonical_nested(data: dict[str, Any], *, global_ids: bool, interviews: str) -> Any:
    """Sorted (job id, title, sorted (application id, candidate, email, stage,
    interview statuses))."""
    decode = row_id if global_ids else int
    jobs = []
    for job in (edge["node"] for edge in data["jobs"]["edges"]):
        applications = []
        for app in (edge["node"] for edge in job["applications"]["edges"]):
            stage = app["currentStage"]
            statuses = sorted(i["status"].upper() for i in app[interviews])
            applications.append(
                (
                    decode(app["id"]),
                    app["candidate"]["name"],
                    app["candidate"]["email"],
                    stage["name"] if stage else None,
                    tuple(statuses),
                )
            )
        jobs.append((decode(job["id"]), job["title"], tuple(sorted(applications))))
    return sorted(jobs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def admin_execute(server_url: str, statement: str) -> None:
    conn = await asyncpg.connect(f"{server_url}/postgres")
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def prepare_store(database_url: str) -> tuple[DemoTenant, int]:
    """Migrate, seed the demo tenant, ANALYZE; the demo and its newest job's id."""
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        demo = await seed_demo(create_session_factory(engine))
    finally:
        await engine.dispose()
    conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        await conn.execute("ANALYZE")
        job_pk = await conn.fetchval(
            "SELECT id FROM jobs WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
            demo.tenant_id,
        )
    finally:
        await conn.close()
    return demo, int(job_pk)


def start_talentgraph(
    name: str, database_url: str, folder: Path, *, cache: bool, token: str
) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "TALENTGRAPH_ENVIRONMENT": "production",
        "TALENTGRAPH_DATABASE_URL": database_url,
        "TALENTGRAPH_DATA_DIR": str(folder / name),
        "TALENTGRAPH_JWT_SECRET": JWT_SECRET,
        "TALENTGRAPH_ENCRYPTION_KEYS": ENCRYPTION_KEYS,
        "TALENTGRAPH_LOG_LEVEL": "WARNING",
        "TALENTGRAPH_RATE_LIMIT_PUBLIC_PER_MINUTE": "0",
        "TALENTGRAPH_RATE_LIMIT_USER_PER_MINUTE": "0",
        "TALENTGRAPH_RATE_LIMIT_CREDENTIALS_PER_MINUTE": "0",
        "TALENTGRAPH_HEALTH_CHECK_INTERVAL_SECONDS": "0",
        "TALENTGRAPH_SYNC_SCHEDULER_INTERVAL_SECONDS": "0",
        "TALENTGRAPH_WEBHOOK_SWEEP_INTERVAL_SECONDS": "0",
        "TALENTGRAPH_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    if not cache:
        for kind in ("JOB_LIST", "JOB_DETAIL", "PIPELINE"):
            env[f"TALENTGRAPH_CACHE_TTL_{kind}"] = "0"
    env.pop("TALENTGRAPH_REDIS_URL", None)
    command = [str(Path(sys.executable).with_name("talentgraph")), "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    log = (folder / f"{name}.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    return Server(name, f"http://127.0.0.1:{port}/graphql", headers, process)


def start_postgraphile(database_url: str, folder: Path) -> Server:
    port = free_port()
    node = shutil.which("node") or "node"
    log = (folder / "postgraphile.log").open("wb")
    process = subprocess.Popen(
        [node, str(POSTGRAPHILE_DIR / "server.js"), database_url, str(port)],
        env={**os.environ, "NODE_ENV": "production"},
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=POSTGRAPHILE_DIR,
    )
    headers = {"content-type": "application/json"}
    return Server("postgraphile", f"http://127.0.0.1:{port}/graphql", headers, process)


async def wait_ready(server: Server, folder: Path) -> None:
    deadline = time.monotonic() + 90
    async with httpx.AsyncClient(timeout=5) as http:
        while True:
            try:
                response = await http.post(
                    server.url, json={"query": "{ __typename }"}, headers=server.headers
                )
                if response.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if server.process.poll() is not None or time.monotonic() > deadline:
                log = (folder / f"{server.name}.log").read_text(errors="replace")
                raise RuntimeError(f"{server.name} did not start:\n{log[-4000:]}")
            await asyncio.sleep(0.2)


async def answer(server: Server, query: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=60) as http:
        response = await http.post(server.url, json={"query": query}, headers=server.headers)
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"{server.name}: {response.status_code} {body}")
    return body["data"]  # type: ignore[no-any-return]


APPLICATIONS: dict[str, int] = {}
"""Applications each nested query answers, from the rows checked."""


async def check_same_rows(pair: QueryPair, servers: list[Server]) -> str:
    """Every server's answer in canonical form must be the same; a short summary."""
    forms = {}
    for server in servers:
        if server.name == "postgraphile":
            forms[server.name] = pair.canonical_pg(await answer(server, pair.postgraphile))
        else:
            forms[server.name] = pair.canonical_tg(await answer(server, pair.talentgraph))
    first = next(iter(forms.values()))
    for name, form in forms.items():
        if form != first:
            raise RuntimeError(f"{pair.name}: {name} answers other rows than {servers[0].name}")
    if pair.name in ("nested", "narrow"):
        APPLICATIONS[pair.name] = sum(len(job[2]) for job in first)
        return f"{len(first)} jobs, {APPLICATIONS[pair.name]} applications"
    return f"title {first!r}"


def autocannon(server: Server, query: str, seconds: float, connections: int) -> dict[str, Any]:
    command = [str(AUTOCANNON), "--json", "-c", str(connections), "-d", str(seconds)]
    command += ["-m", "POST", "-b", json.dumps({"query": query})]
    for key, value in server.headers.items():
        command += ["-H", f"{key}={value}"]
    result = subprocess.run(
        [*command, server.url], capture_output=True, check=True, timeout=seconds + 60
    )
    report: dict[str, Any] = json.loads(result.stdout)
    failed = report["errors"] + report["timeouts"] + report["non2xx"]
    if failed:
        raise RuntimeError(f"{server.name}: {failed} failed requests under load: {report}")
    return {
        "rps": report["requests"]["total"] / report["duration"],
        "p50": report["latency"]["p50"],
        "p99": report["latency"]["p99"],
    }


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def measure(
    pairs: list[QueryPair], servers: list[Server], args: argparse.Namespace
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Interleaved rounds; per (query, server) the runs in round order."""
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for pair in pairs:
        for server in servers:
            query = pair.postgraphile if server.name == "postgraphile" else pair.talentgraph
            autocannon(server, query, args.warmup, args.connections)
    for round_number in range(args.rounds):
        shift = round_number % len(servers)
        order = servers[shift:] + servers[:shift]
        for pair in pairs:
            for server in order:
                query = pair.postgraphile if server.name == "postgraphile" else pair.talentgraph
                run = autocannon(server, query, args.seconds, args.connections)
                runs.setdefault((pair.name, server.name), []).append(run)
                print(
                    f"  round {round_number + 1} {pair.name:6} {server.name:16} "
                    f"{run['rps']:8.1f} req/s  p50 {run['p50']:7.1f} ms  "
                    f"p99 {run['p99']:7.1f} ms  (load {load_average()})",
                    flush=True,
                )
    return runs


def report(
    pairs: list[QueryPair],
    servers: list[Server],
    runs: dict[tuple[str, str], list[dict[str, Any]]],
) -> None:
    print("\nmedians over the rounds:")
    print(f"{'query':8}{'server':18}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'rps/PG':>9}")
    for pair in pairs:
        medians = {
            server.name: {
                key: statistics.median(run[key] for run in runs[(pair.name, server.name)])
                for key in ("rps", "p50", "p99")
            }
            for server in servers
        }
        peer = medians["postgraphile"]
        for name, values in medians.items():
            print(
                f"{pair.name:8}{name:18}{values['rps']:10.1f}{values['p50']:10.1f}"
                f"{values['p99']:10.1f}{values['rps'] / peer['rps']:9.2f}"
            )
    extra = APPLICATIONS["nested"] - APPLICATIONS["narrow"]
    print(f"\ncost per application (nested minus narrow, {extra} applications more):")
    for server in servers:
        wide, narrow = (
            statistics.median(run["rps"] for run in runs[(name, server.name)])
            for name in ("nested", "narrow")
        )
        per_application = (1 / wide - 1 / narrow) / extra * 1000
        print(f"  {server.name:18}{per_application:8.4f} ms of server time")


@contextmanager
def running(servers: list[Server]) -> Iterator[list[Server]]:
    try:
        yield servers
    finally:
        for server in servers:
            if server.process.poll() is None:
                server.process.terminate()
        for server in servers:
            try:
                server.process.wait(15)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait(5)


async def bench(args: argparse.Namespace, database: str, folder: Path) -> None:
    sqlalchemy_url = f"{args.server.replace('postgresql://', 'postgresql+asyncpg://')}/{database}"
    started = time.monotonic()
    demo, job_pk = await prepare_store(sqlalchemy_url)
    print(f"migrated and seeded {database} in {time.monotonic() - started:.1f} s", flush=True)
    token = issue_token(
        JWT_SECRET,
        tenant_id=demo.tenant_id,
        tenant_slug="demo",
        user_id=demo.admin_user_id,
        role=Role.ADMIN,
    )
    pairs = [
        QueryPair(
            name,
            TG_NESTED % {"apps": apps},
            PG_NESTED % {"tenant": demo.tenant_id, "apps": apps},
            lambda data: canonical_nested(data, global_ids=True, interviews="interviews"),
            lambda data: canonical_nested(data, global_ids=False, interviews="interviewsList"),
        )
        for name, apps in (("nested", 50), ("narrow", 5))
    ] + [
        QueryPair(
            "job",
            TG_JOB % {"global_id": to_global_id("Job", job_pk)},
            PG_JOB % {"pk": job_pk},
            lambda data: data["job"]["title"],
            lambda data: data["job"]["title"],
        ),
    ]
    servers = [
        start_talentgraph("tg-cold", sqlalchemy_url, folder, cache=False, token=token),
        start_talentgraph("tg-warm", sqlalchemy_url, folder, cache=True, token=token),
        start_postgraphile(f"{args.server}/{database}", folder),
    ]
    with running(servers):
        for server in servers:
            await wait_ready(server, folder)
        for pair in pairs:
            print(f"same rows, {pair.name}: {await check_same_rows(pair, servers)}", flush=True)
        print(f"load average before: {load_average()}", flush=True)
        runs = await asyncio.to_thread(measure, pairs, servers, args)
        print(f"load average after: {load_average()}")
        for pair in pairs:
            print(f"same rows after, {pair.name}: {await check_same_rows(pair, servers)}")
        report(pairs, servers, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    if not AUTOCANNON.exists():
        sys.exit(f"{AUTOCANNON} is missing: run `npm ci` in {POSTGRAPHILE_DIR}")
    database = f"tg_bench_vs_{os.getpid()}_{secrets.token_hex(3)}"
    print(
        f"{time.strftime('%Y-%m-%d %H:%M:%S')}  {os.cpu_count()} cores  "
        f"load average {load_average()}  {args.rounds} rounds x {args.seconds:g} s "
        f"at {args.connections} connections"
    )
    asyncio.run(admin_execute(args.server, f'CREATE DATABASE "{database}"'))
    try:
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(bench(args, database, Path(folder)))
    finally:
        asyncio.run(
            admin_execute(args.server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        )
        print(f"dropped {database}")


if __name__ == "__main__":
    main()
