"""Benchmark: what one small request costs the gateway, beyond the work it asks for.

    python bench/request_overhead.py [--rounds 400] [--database-url URL]
        [--save before.json] [--compare before.json]

Runs the gateway in process (ASGI, no sockets) over a seeded store and times, per
request (median and p90 milliseconds):

- ``cache_hit``: one job's title by id, answered from the response cache;
- ``uncached``: the same query with the response cache off (TTL 0), so it is read,
  checked, validated and executed every time; the token's user is still looked up.

``--save`` writes the numbers as JSON; ``--compare`` reads numbers saved by an earlier
run (another version of the code) and prints earlier/now ratios. The default store is
a temporary SQLite file; pass a PostgreSQL URL to measure against a real server.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from demo.seed import seed_demo
from gateway.app import create_app
from gateway.auth import issue_token
from gateway.settings import Settings
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import Role
from gateway.store.migrate import upgrade

QUERY = "query JobTitle($id: ID!) { job(id: $id) { title } }"
FIRST_JOB = "{ jobs(first: 1) { edges { node { id } } } }"
SECRET = "bench-secret-" + "x" * 40
KEYS = "b1:" + base64.b64encode(b"b" * 32).decode()


async def timed(request: Callable[[], Awaitable[None]], rounds: int) -> dict[str, float]:
    for _ in range(min(rounds, 50)):
        await request()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        await request()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": statistics.median(samples),
        "p90_ms": samples[int(len(samples) * 0.9)],
    }


async def measure(database_url: str, rounds: int, **overrides: Any) -> dict[str, float]:
    engine = create_engine(database_url)
    await upgrade(engine)
    demo = await seed_demo(create_session_factory(engine), slug="bench")
    await engine.dispose()
    settings = Settings(
        database_url=database_url,
        jwt_secret=SECRET,
        environment="production",
        encryption_keys=KEYS,
        graphiql=False,
        rate_limit_user_per_minute=0,
        health_check_interval_seconds=0,
        sync_scheduler_interval_seconds=0,
        **overrides,
    )
    token = issue_token(
        SECRET,
        tenant_id=demo.tenant_id,
        tenant_slug="bench",
        user_id=demo.admin_user_id,
        role=Role.ADMIN,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            headers = {"authorization": f"Bearer {token}"}
            first = await client.post("/graphql", json={"query": FIRST_JOB}, headers=headers)
            job_id = first.json()["data"]["jobs"]["edges"][0]["node"]["id"]
            body = {"query": QUERY, "variables": {"id": job_id}}

            async def request() -> None:
                response = await client.post("/graphql", json=body, headers=headers)
                assert response.status_code == 200 and b"errors" not in response.content

            return await timed(request, rounds)


async def run(database_url: str, rounds: int) -> dict[str, dict[str, float]]:
    return {
        "cache_hit": await measure(database_url, rounds),
        "uncached": await measure(database_url, rounds, cache_ttl_job_detail=0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--database-url")
    parser.add_argument("--save", type=Path)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{os.path.join(scratch, 'bench.db')}"
        results = asyncio.run(run(url, args.rounds))
    earlier = json.loads(args.compare.read_text()) if args.compare else None
    for name, numbers in results.items():
        line = f"{name:10} median {numbers['median_ms']:.2f} ms  p90 {numbers['p90_ms']:.2f} ms"
        if earlier is not None:
            ratio = earlier[name]["median_ms"] / numbers["median_ms"]
            line += f"  (earlier median {earlier[name]['median_ms']:.2f} ms: {ratio:.2f}x)"
        print(line)
    if args.save:
        args.save.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
