"""Benchmark: a stage change arriving by webhook, to 1,000 WebSocket subscribers.

    python bench/ws_fanout.py [--subscribers 1000] [--rounds 20] [--clients 4]
                              [--with-node] [--no-compression]
                              [--database-url URL] [--redis-url URL]

Two ``talentgraph serve`` processes and one ``talentgraph worker`` share PostgreSQL and
Redis; the Recruiterflow fake (``bench/recruiterflow_fake.py``) serves from its own
process on a loopback port, and the integration is fully synced from it first. Load
generator processes (``--clients``) open the subscribers, split evenly across the two
gateways, each a graphql-transport-ws socket (the ``websockets`` library) of a
recruiter of its own (rate limits and access checks are per user) subscribed to
``pipelineUpdates`` of one requisition.

Each round moves an application to another stage in the fake, then posts the signed
``candidate.stage_changed`` webhook to one of the gateways (alternately), timing from
just before the POST. The gateway stores and hands the delivery off; the worker
refetches the application from the fake, writes it, and publishes the move over
Redis; both gateways push it to their subscribers. Every subscriber notes when its
``MOVED`` arrived (``time.monotonic``, one clock for every process on the machine).

Prints the latency of each delivery over all rounds (p50, p99, max), the time until
every subscriber of a round had it (median and worst round), and the webhook's own
202 time. ``--with-node`` also selects ``application { ... }``, one read of the store
per subscriber and update; ``--no-compression`` turns off permessage-deflate (browsers
offer it, so it is on by default). Without ``--database-url`` a throwaway database
``tg_bench_ws_<pid>`` is created on postgresql://postgres@127.0.0.1:5432 and dropped at
the end; the Redis keys live under a throwaway prefix, deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import hmac
import multiprocessing
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
import redis
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from gateway.auth import issue_token
from gateway.crypto import Keyring, credentials_context, webhook_secret_context
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import IntegrationStatus, Role
from gateway.store.migrate import upgrade
from gateway.store.models import Application, Integration, Tenant, User

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
ENCRYPTION_KEYS = "bench:" + base64.b64encode(b"w" * 32).decode()
JWT_SECRET = "bench-ws-" + "j" * 40
SECRET = "bench-ws-webhook-secret-2b7e"
API_KEY = "bench-ws-rf-key"
SEED = "4,40,80"
STAGES = ("Client Interview", "Offer")
"""A round moves the application to one, the next round back to the other."""

QUERY = """subscription($jobId: ID!) {
  pipelineUpdates(jobId: $jobId, kinds: [MOVED, REJECTED, HIRED]) {
    kind stage previousStage status at applicationId%s
  }
}"""
NODE = " application { id status stageEnteredAt currentStage { name } }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# the load generator (client processes)


@dataclass(frozen=True)
class ClientPlan:
    ports: tuple[int, int]
    first: int
    """Index of this process's first subscriber: subscriber i connects to ports[i % 2]."""
    count: int
    tokens: tuple[str, ...]
    """One per subscriber: each is a user of its own (rate limits count per user)."""
    job_id: str
    with_node: bool
    compression: bool


async def _client(plan: ClientPlan, pipe: Connection) -> None:
    from websockets.asyncio.client import ClientConnection, connect
    from websockets.typing import Subprotocol

    loop = asyncio.get_running_loop()
    query = QUERY % (NODE if plan.with_node else "")
    subscribe = orjson.dumps(
        {
            "type": "subscribe",
            "id": "1",
            "payload": {"query": query, "variables": {"jobId": plan.job_id}},
        }
    )
    expected: list[str | None] = [None]
    arrived: list[float | None] = [None] * plan.count
    all_in = asyncio.Event()
    errors: list[str] = []

    async def open_one(n: int, gate: asyncio.Semaphore) -> ClientConnection:
        async with gate:
            port = plan.ports[(plan.first + n) % 2]
            ws = await connect(
                f"ws://127.0.0.1:{port}/graphql",
                subprotocols=[Subprotocol("graphql-transport-ws")],
                compression="deflate" if plan.compression else None,
                open_timeout=60,
                ping_interval=None,
            )
            init = {"type": "connection_init", "payload": {"authorization": plan.tokens[n]}}
            await ws.send(orjson.dumps(init).decode())
            ack = orjson.loads(await ws.recv())
            if ack.get("type") != "connection_ack":
                raise RuntimeError(f"not acknowledged: {ack}")
            await ws.send(subscribe.decode())
            return ws

    async def read(n: int, ws: ClientConnection) -> None:
        async for frame in ws:
            now = loop.time()
            message = orjson.loads(frame)
            if message.get("type") != "next":
                errors.append(str(message)[:300])
                continue
            update = message["payload"]["data"]["pipelineUpdates"]
            if update["stage"] == expected[0] and arrived[n] is None:
                arrived[n] = now
                if all(t is not None for t in arrived):
                    all_in.set()

    gate = asyncio.Semaphore(20)
    sockets = await asyncio.gather(*(open_one(n, gate) for n in range(plan.count)))
    readers = [asyncio.create_task(read(n, ws)) for n, ws in enumerate(sockets)]
    pipe.send(("ready", plan.count))
    while True:
        command = await loop.run_in_executor(None, pipe.recv)
        if command[0] == "stop":
            break
        _, stage, timeout = command
        expected[0] = stage
        arrived[:] = [None] * plan.count
        all_in.clear()
        pipe.send(("armed",))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_in.wait(), timeout)
        got = [t for t in arrived if t is not None]
        pipe.send(("round", got, plan.count - len(got), errors[:3]))
        errors.clear()
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


def client_process(plan: ClientPlan, pipe: Connection) -> None:
    """``loop.time()`` is ``time.monotonic()``: the driver's clock, in every process."""
    asyncio.run(_client(plan, pipe))


# the system under test


def environment(database_url: str, redis_url: str, prefix: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "TALENTGRAPH_DATABASE_URL": database_url,
        "TALENTGRAPH_REDIS_URL": redis_url,
        "TALENTGRAPH_REDIS_PREFIX": prefix,
        "TALENTGRAPH_ENCRYPTION_KEYS": ENCRYPTION_KEYS,
        "TALENTGRAPH_JWT_SECRET": JWT_SECRET,
        "TALENTGRAPH_ENVIRONMENT": "production",
        "TALENTGRAPH_LOG_LEVEL": "WARNING",
        "TALENTGRAPH_HEALTH_CHECK_INTERVAL_SECONDS": "0",
        "TALENTGRAPH_SYNC_SCHEDULER_INTERVAL_SECONDS": "0",
    }


def talentgraph(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(Path(sys.executable).with_name("talentgraph")), *args], env=env)


def wait_for(url: str, process: subprocess.Popen[bytes], what: str, **kwargs: Any) -> None:
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2, **kwargs).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.2)


def start_fake(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "bench.recruiterflow_fake:app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
        "--no-access-log", "--lifespan", "off",
    ]  # fmt: skip
    fake_env = {**env, "BENCH_RF_SEED": SEED, "BENCH_RF_API_KEY": API_KEY}
    process = subprocess.Popen(command, cwd=ROOT, env=fake_env)
    url = f"http://127.0.0.1:{port}/api/external/job/list"
    wait_for(url, process, "the fake", headers={"RF-Api-Key": API_KEY})
    return process, port


async def prepare(database_url: str, fake_port: int, users: int) -> tuple[int, list[int], int]:
    """Tenant, recruiters and integration: (tenant id, recruiter ids, integration id)."""
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        keyring = Keyring.from_setting(ENCRYPTION_KEYS)
        async with create_session_factory(engine).begin() as session:
            tenant = Tenant(slug=f"bench-{uuid.uuid4().hex[:6]}", name="Bench")
            session.add(tenant)
            await session.flush()
            recruiters = [
                User(
                    tenant_id=tenant.id, email=f"r{n}@bench.test", name=f"R{n}", role=Role.RECRUITER
                )
                for n in range(users)
            ]
            integration = Integration(
                tenant_id=tenant.id,
                provider="recruiterflow",
                name="RF",
                status=IntegrationStatus.ACTIVE,
                config={"baseUrl": f"http://127.0.0.1:{fake_port}", "rateLimitPerSecond": 10_000},
                credentials_encrypted=keyring.encrypt_json(
                    {"apiKey": API_KEY}, context=credentials_context(tenant.id)
                ),
                webhook_secret_encrypted=keyring.encrypt(
                    SECRET.encode(), context=webhook_secret_context(tenant.id)
                ),
            )
            session.add_all([*recruiters, integration])
            await session.flush()
            return tenant.id, [user.id for user in recruiters], integration.id
    finally:
        await engine.dispose()


async def target(database_url: str, integration_id: int) -> tuple[int, int, int]:
    """An application to move: (job id, remote candidate id, remote job id)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(Application.job_id, Application.remote_id)
                    .where(Application.integration_id == integration_id)
                    .order_by(Application.id)
                    .limit(1)
                )
            ).one()
    finally:
        await engine.dispose()
    candidate, _, job = str(row.remote_id).partition(":")
    return int(row.job_id), int(candidate), int(job)


def signed_webhook(candidate: int, job: int, stage: str) -> tuple[bytes, dict[str, str]]:
    body = orjson.dumps(
        {
            "id": uuid.uuid4().hex,
            "event": "candidate.stage_changed",
            "data": {"job_id": job, "candidate_id": candidate, "stage": stage},
        }
    )
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-Recruiterflow-Signature": signature, "Content-Type": "application/json"}


def subscribers_live(ports: tuple[int, int]) -> int:
    total = 0
    for port in ports:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        for line in text.splitlines():
            if line.startswith("talentgraph_event_bus_subscribers "):
                total += int(float(line.split()[1]))
    return total


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``)."""
    if pid is None:
        return 0.0
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(len(ordered) * fraction + 0.5) - 1))]


async def run(args: argparse.Namespace, database_url: str, prefix: str) -> None:
    env = environment(database_url, args.redis_url, prefix)
    fake, fake_port = start_fake(env)
    started: list[subprocess.Popen[bytes]] = [fake]
    clients: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
    try:
        tenant_id, user_ids, integration_id = await prepare(
            database_url, fake_port, args.subscribers
        )
        sync = talentgraph("sync", str(integration_id), "--full", env=env)
        if sync.wait(300) != 0:
            raise RuntimeError("the initial sync failed")
        job_id, candidate_rf, job_rf = await target(database_url, integration_id)
        ports = (free_port(), free_port())
        for port in ports:
            started.append(talentgraph("serve", "--port", str(port), env=env))
        started.append(talentgraph("worker", env=env))
        for port, process in zip(ports, started[1:3], strict=True):
            wait_for(f"http://127.0.0.1:{port}/readyz", process, "a gateway")

        tokens = [
            "Bearer "
            + issue_token(
                JWT_SECRET,
                tenant_id=tenant_id,
                tenant_slug="bench",
                user_id=user_id,
                role=Role.RECRUITER,
            )
            for user_id in user_ids
        ]
        from resolvers.relay import to_global_id

        context = multiprocessing.get_context("spawn")
        share, first = args.subscribers // args.clients, 0
        opened = time.monotonic()
        for n in range(args.clients):
            count = share if n < args.clients - 1 else args.subscribers - first
            plan = ClientPlan(
                ports,
                first,
                count,
                tuple(tokens[first : first + count]),
                to_global_id("Job", job_id),
                args.with_node,
                not args.no_compression,
            )
            mine, theirs = context.Pipe()
            child = context.Process(target=client_process, args=(plan, theirs), daemon=True)
            child.start()
            clients.append((child, mine))
            first += count
        for _, pipe in clients:
            assert pipe.recv()[0] == "ready"
        deadline = time.monotonic() + 60
        while (live := await asyncio.to_thread(subscribers_live, ports)) < args.subscribers:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {live} subscriptions went live")
            await asyncio.sleep(0.1)
        print(f"{args.subscribers} subscribers live in {time.monotonic() - opened:.1f} s")

        watched = {
            "gateway A": started[1].pid,
            "gateway B": started[2].pid,
            "worker": started[3].pid,
            "fake": started[0].pid,
            **{f"client {n}": child.pid for n, (child, _) in enumerate(clients)},
        }
        cpu_before: dict[str, float] = {}
        latencies: list[float] = []
        complete: list[float] = []
        acks: list[float] = []
        missing = 0
        async with httpx.AsyncClient(timeout=30) as http:
            for n in range(args.rounds + 1):
                stage = STAGES[n % 2]
                for _, pipe in clients:
                    pipe.send(("expect", stage, args.timeout))
                for _, pipe in clients:
                    assert pipe.recv()[0] == "armed"
                moved = await http.post(
                    f"http://127.0.0.1:{fake_port}/api/external/candidate/move-to-stage",
                    json={"id": candidate_rf, "job_id": job_rf, "stage": {"name": stage}},
                    headers={"RF-Api-Key": API_KEY},
                )
                moved.raise_for_status()
                body, headers = signed_webhook(candidate_rf, job_rf, stage)
                url = f"http://127.0.0.1:{ports[n % 2]}/webhooks/recruiterflow/{integration_id}"
                sent = time.monotonic()
                response = await http.post(url, content=body, headers=headers)
                acked = time.monotonic() - sent
                if response.status_code != 202:
                    raise RuntimeError(f"webhook answered {response.status_code}")
                arrivals: list[float] = []
                lost = 0
                for _, pipe in clients:
                    kind, got, absent, errors = await asyncio.to_thread(pipe.recv)
                    assert kind == "round"
                    arrivals += got
                    lost += absent
                    if errors:
                        print("client errors:", errors)
                if n == 0:  # warm-up: first use of every connection pool and code path
                    cpu_before = {name: cpu_seconds(pid) for name, pid in watched.items()}
                    continue
                if args.verbose and arrivals:
                    these = sorted(t - sent for t in arrivals)
                    print(
                        f"round {n:>3} via :{ports[n % 2]}  first {these[0] * 1000:6.1f} ms  "
                        f"p50 {statistics.median(these) * 1000:6.1f} ms  "
                        f"last {these[-1] * 1000:6.1f} ms"
                    )
                latencies += [t - sent for t in arrivals]
                missing += lost
                acks.append(acked)
                if arrivals:
                    complete.append(max(arrivals) - sent)
                await asyncio.sleep(args.pause)

        print(
            f"two gateway processes + one worker; {args.subscribers} subscribers from "
            f"{args.clients} client processes; {args.rounds} rounds; "
            f"compression {'off' if args.no_compression else 'on'}; "
            f"{'with' if args.with_node else 'without'} the application node; "
            f"{os.cpu_count()} cores ({platform.processor() or platform.machine()})"
        )
        ms = 1000.0
        print(
            f"per delivery: {len(latencies)} received, {missing} missing; "
            f"p50 {statistics.median(latencies) * ms:.1f} ms  "
            f"p99 {percentile(latencies, 0.99) * ms:.1f} ms  max {max(latencies) * ms:.1f} ms"
        )
        print(
            f"every subscriber of a round: median {statistics.median(complete) * ms:.1f} ms  "
            f"worst {max(complete) * ms:.1f} ms"
        )
        print(
            f"webhook 202: median {statistics.median(acks) * ms:.1f} ms  "
            f"max {max(acks) * ms:.1f} ms"
        )
        spent = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in watched.items()}
        clients_cpu = sum(v for k, v in spent.items() if k.startswith("client"))
        print(
            "CPU per round (incl. the pause): "
            + "  ".join(
                f"{name} {value / args.rounds * ms:.0f} ms"
                for name, value in spent.items()
                if not name.startswith("client")
            )
            + f"  clients {clients_cpu / args.rounds * ms:.0f} ms"
        )
    finally:
        for _, pipe in clients:
            with contextlib.suppress(OSError):
                pipe.send(("stop",))
        for stopping, _ in clients:
            stopping.join(10)
            if stopping.is_alive():
                stopping.kill()
        for process in reversed(started):
            process.send_signal(signal.SIGINT)
        for process in reversed(started):
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


async def main_async(args: argparse.Namespace) -> None:
    throwaway = None
    database_url = args.database_url
    if database_url is None:
        throwaway = f"tg_bench_ws_{os.getpid()}"
        connection = await asyncpg.connect(SERVER)
        await connection.execute(f'CREATE DATABASE "{throwaway}"')
        await connection.close()
        database_url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{throwaway}"
    prefix = f"tgbenchws{os.getpid()}"
    try:
        await run(args, database_url, prefix)
    finally:
        client = redis.Redis.from_url(args.redis_url)
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        if throwaway is not None:
            url = make_url(SERVER).render_as_string(hide_password=False)
            connection = await asyncpg.connect(url)
            await connection.execute(f'DROP DATABASE IF EXISTS "{throwaway}" WITH (FORCE)')
            await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=4, help="load generator processes")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between rounds")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait per round")
    parser.add_argument("--with-node", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="print every round")
    parser.add_argument("--no-compression", action="store_true")
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
