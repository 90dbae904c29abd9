"""Benchmark: verified, durably stored webhook deliveries per second on one gateway.

    python bench/webhook_ingress.py [--requests 5000] [--concurrency 8] [--clients 1]
                                    [--database-url URL] [--redis-url URL]

One ``talentgraph serve`` process (uvicorn, PostgreSQL, Redis for the hand-off) runs on
a loopback port. Load generator processes (``--clients``, each with ``--concurrency``
requests in flight over keep-alive connections) send Recruiterflow deliveries, each
with a fresh delivery id and a valid HMAC signature, and time every request from
send to its 202. Without ``--database-url`` a throwaway database
``tg_bench_ingress_<pid>`` is created on postgresql://postgres@127.0.0.1:5432 and
dropped at the end; the Redis keys live under a throwaway prefix, deleted at the end.
No worker runs: the events stay stored and handed off, which is what is measured.

Prints, for the timed phase: deliveries per second, p50/p99/max latency, and the
check that the database holds exactly one event per 202 (each acknowledged delivery
stored once). For the ratio in the same run, ``/healthz`` (no store, no signature) is
driven the same way first: webhook throughput / healthz throughput says how much of
the budget the verify-store-hand-off path takes beyond HTTP itself.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
import redis
from sqlalchemy.engine import make_url

from gateway.crypto import Keyring, credentials_context, webhook_secret_context
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import IntegrationStatus
from gateway.store.migrate import upgrade
from gateway.store.models import Integration, Tenant

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
ENCRYPTION_KEYS = "bench:" + base64.b64encode(b"b" * 32).decode()
SECRET = "bench-webhook-secret-5f1c"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def prepare(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        keyring = Keyring.from_setting(ENCRYPTION_KEYS)
        async with create_session_factory(engine).begin() as session:
            tenant = Tenant(slug=f"bench-{uuid.uuid4().hex[:6]}", name="Bench")
            session.add(tenant)
            await session.flush()
            integration = Integration(
                tenant_id=tenant.id,
                provider="recruiterflow",
                name="RF",
                status=IntegrationStatus.ACTIVE,
                credentials_encrypted=keyring.encrypt_json(
                    {"apiKey": "unused"}, context=credentials_context(tenant.id)
                ),
                webhook_secret_encrypted=keyring.encrypt(
                    SECRET.encode(), context=webhook_secret_context(tenant.id)
                ),
            )
            session.add(integration)
            await session.flush()
            return integration.id
    finally:
        await engine.dispose()


def signed(job_id: int) -> tuple[bytes, dict[str, str]]:
    body = orjson.dumps(
        {
            "id": uuid.uuid4().hex,
            "event": "job.updated",
            "created_at": "2026-11-21T09:00:00Z",
            "data": {"job_id": job_id},
        }
    )
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-Recruiterflow-Signature": signature, "Content-Type": "application/json"}


class Connection:
    """A minimal HTTP/1.1 keep-alive client: httpx costs the load generator ~1 ms of CPU
    per request, more than the route under test, so it would measure itself."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def request(self, head: bytes, body: bytes) -> int:
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length:
            await self.reader.readexactly(length)
        return int(status_line.split()[1])

    def close(self) -> None:
        self.writer.close()


def request_bytes(path: str, body: bytes | None, headers: dict[str, str]) -> bytes:
    method = "POST" if body is not None else "GET"
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def drive(
    port: int, path: str, requests: int, concurrency: int, webhook: bool
) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    prepared: list[tuple[bytes, bytes]] = []
    for n in range(requests):
        if webhook:
            body, headers = signed(n)
            prepared.append((request_bytes(path, body, headers), body))
        else:
            prepared.append((request_bytes(path, None, {}), b""))
    next_index = 0

    async def one_worker() -> None:
        nonlocal next_index
        connection = await Connection.open(port)
        try:
            while next_index < requests:
                head, body = prepared[next_index]
                next_index += 1
                started = time.perf_counter()
                status = await connection.request(head, body)
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*[one_worker() for _ in range(concurrency)])
    elapsed = time.perf_counter() - started
    return {"latencies": latencies, "statuses": statuses, "elapsed": elapsed}


def client_process(args: tuple[int, str, int, int, bool], queue: Any) -> None:
    queue.put(asyncio.run(drive(*args)))


def run_clients(
    port: int, path: str, total: int, clients: int, concurrency: int, webhook: bool
) -> dict[str, Any]:
    queue: Any = multiprocessing.get_context("spawn").Queue()
    share = total // clients
    processes = [
        multiprocessing.get_context("spawn").Process(
            target=client_process, args=((port, path, share, concurrency, webhook), queue)
        )
        for _ in range(clients)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    results = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    wall = max(r["elapsed"] for r in results)
    latencies = sorted(x for r in results for x in r["latencies"])
    statuses: dict[int, int] = {}
    for r in results:
        for code, n in r["statuses"].items():
            statuses[code] = statuses.get(code, 0) + n
    del started
    return {
        "count": len(latencies),
        "per_second": len(latencies) / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "max_ms": latencies[-1] * 1000,
        "statuses": statuses,
    }


def start_gateway(
    database_url: str, redis_url: str, prefix: str, port: int
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TALENTGRAPH_DATABASE_URL": database_url,
        "TALENTGRAPH_REDIS_URL": redis_url,
        "TALENTGRAPH_REDIS_PREFIX": prefix,
        "TALENTGRAPH_ENCRYPTION_KEYS": ENCRYPTION_KEYS,
        "TALENTGRAPH_JWT_SECRET": "bench-" + "j" * 40,
        "TALENTGRAPH_ENVIRONMENT": "production",
        "TALENTGRAPH_LOG_LEVEL": "WARNING",
        "TALENTGRAPH_HEALTH_CHECK_INTERVAL_SECONDS": "0",
    }
    command = [str(Path(sys.executable).with_name("talentgraph")), "serve", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the gateway exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("the gateway did not become ready")
        time.sleep(0.2)


async def stored_events(database_url: str) -> tuple[int, int]:
    url = make_url(database_url).set(drivername="postgresql")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        row = await connection.fetchrow(
            "SELECT count(*) AS n, count(DISTINCT delivery_id) AS d FROM webhook_events"
        )
        return int(row["n"]), int(row["d"])
    finally:
        await connection.close()


def report(name: str, result: dict[str, Any]) -> None:
    print(
        f"{name:<9} {result['count']:>6} requests  {result['per_second']:>7.0f}/s  "
        f"p50 {result['p50_ms']:6.1f} ms  p99 {result['p99_ms']:6.1f} ms  "
        f"max {result['max_ms']:6.1f} ms  statuses {result['statuses']}"
    )


async def main_async(args: argparse.Namespace) -> None:
    throwaway = None
    database_url = args.database_url
    if database_url is None:
        throwaway = f"tg_bench_ingress_{os.getpid()}"
        connection = await asyncpg.connect(SERVER)
        await connection.execute(f'CREATE DATABASE "{throwaway}"')
        await connection.close()
        database_url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{throwaway}"
    prefix = f"tgbench{os.getpid()}"
    try:
        integration_id = await prepare(database_url)
        port = free_port()
        gateway = start_gateway(database_url, args.redis_url, prefix, port)
        try:
            hook = f"/webhooks/recruiterflow/{integration_id}"
            load = (args.clients, args.concurrency)
            run_clients(port, hook, min(500, args.requests), *load, True)
            before, _ = await stored_events(database_url)
            health = run_clients(port, "/healthz", args.requests, *load, False)
            timed = run_clients(port, hook, args.requests, *load, True)
            after, distinct = await stored_events(database_url)
        finally:
            gateway.send_signal(signal.SIGINT)
            try:
                gateway.wait(15)
            except subprocess.TimeoutExpired:
                gateway.kill()
        print(
            f"one gateway process; {args.clients} client process(es) x {args.concurrency} "
            f"in flight; {os.cpu_count()} cores"
        )
        report("healthz", health)
        report("webhooks", timed)
        accepted = timed["statuses"].get(202, 0)
        print(
            f"stored by the timed phase: {after - before} events for {accepted} acknowledged "
            f"({distinct} distinct delivery ids in all {after})"
        )
        print(f"webhook/healthz throughput: {timed['per_second'] / health['per_second']:.2f}")
    finally:
        client = redis.Redis.from_url(args.redis_url)
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        if throwaway is not None:
            connection = await asyncpg.connect(SERVER)
            await connection.execute(f'DROP DATABASE IF EXISTS "{throwaway}" WITH (FORCE)')
            await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
