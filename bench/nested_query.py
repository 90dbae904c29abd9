"""Benchmark: the foundation's nested query on demo-size data, three ways in one run.

    python bench/nested_query.py [--rounds 20] [--database-url URL]

(a) the gateway over HTTP (ASGI, in process) with a cold response cache,
(b) the same with a warm cache,
(c) Strawberry executing the same query over the same objects already in memory:
    the execution floor, with no SQL and no cache.
Prints median milliseconds for each and the ratios a/c and a/b.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import strawberry

from demo.seed import seed_demo
from gateway.app import create_app
from gateway.auth import issue_token
from gateway.settings import Settings
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import Role
from gateway.store.migrate import upgrade

QUERY = """
{ jobs(first: 50) { edges { node { applications(first: 50) { edges { node {
    candidate { name email } currentStage { name } interviews { status }
} } } } } } }
"""


@strawberry.type(name="Candidate")
class MemCandidate:
    name: str
    email: str | None


@strawberry.type(name="Stage")
class MemStage:
    name: str


@strawberry.type(name="Interview")
class MemInterview:
    status: str


@strawberry.type(name="Application")
class MemApplication:
    candidate: MemCandidate
    current_stage: MemStage | None
    interviews: list[MemInterview]


@strawberry.type(name="ApplicationEdge")
class MemApplicationEdge:
    node: MemApplication


@strawberry.type(name="ApplicationConnection")
class MemApplicationConnection:
    edges: list[MemApplicationEdge]


@strawberry.type(name="Job")
class MemJob:
    connection: strawberry.Private[MemApplicationConnection]

    @strawberry.field
    def applications(self, first: int | None = None) -> MemApplicationConnection:
        return self.connection


@strawberry.type(name="JobEdge")
class MemJobEdge:
    node: MemJob


@strawberry.type(name="JobConnection")
class MemJobConnection:
    edges: list[MemJobEdge]


@dataclass
class MemoryRoot:
    connection: MemJobConnection | None = None
    store: dict[str, Any] = field(default_factory=dict)


MEMORY = MemoryRoot()


@strawberry.type
class MemQuery:
    @strawberry.field
    def jobs(self, first: int | None = None) -> MemJobConnection:
        assert MEMORY.connection is not None
        return MEMORY.connection


def memory_objects(data: dict[str, Any]) -> MemJobConnection:
    """The gateway's answer turned into plain objects: the same tree, in memory."""
    jobs = []
    for job_edge in data["jobs"]["edges"]:
        edges = []
        for app_edge in job_edge["node"]["applications"]["edges"]:
            node = app_edge["node"]
            stage = node["currentStage"]
            edges.append(
                MemApplicationEdge(
                    node=MemApplication(
                        candidate=MemCandidate(**node["candidate"]),
                        current_stage=MemStage(**stage) if stage else None,
                        interviews=[MemInterview(**i) for i in node["interviews"]],
                    )
                )
            )
        jobs.append(MemJobEdge(node=MemJob(connection=MemApplicationConnection(edges=edges))))
    return MemJobConnection(edges=jobs)


async def timed(fn: Any, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def run(database_url: str, rounds: int) -> dict[str, float]:
    engine = create_engine(database_url)
    await upgrade(engine)
    demo = await seed_demo(create_session_factory(engine))
    await engine.dispose()

    settings = Settings(database_url=database_url, jwt_secret="bench-secret" * 4)
    token = issue_token(
        settings.resolved_jwt_secret(),
        tenant_id=demo.tenant_id,
        tenant_slug="demo",
        user_id=demo.admin_user_id,
        role=Role.ADMIN,
    )
    headers = {"authorization": f"Bearer {token}"}
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def gateway() -> dict[str, Any]:
                response = await client.post("/graphql", json={"query": QUERY}, headers=headers)
                response.raise_for_status()
                body = response.json()
                assert "errors" not in body, body
                return body["data"]  # type: ignore[no-any-return]

            async def cold() -> None:
                await app.state.cache.invalidate(demo.tenant_id)
                await gateway()

            data = await gateway()
            applications = sum(
                len(edge["node"]["applications"]["edges"]) for edge in data["jobs"]["edges"]
            )
            await timed(cold, 3)
            cold_ms = await timed(cold, rounds)
            await gateway()
            warm_ms = await timed(gateway, rounds)

    MEMORY.connection = memory_objects(data)
    floor_schema = strawberry.Schema(query=MemQuery)

    async def floor() -> None:
        result = await floor_schema.execute(QUERY)
        assert result.errors is None

    await timed(floor, 3)
    floor_ms = await timed(floor, rounds)
    results = {
        "applications": applications,
        "cold_ms": statistics.median(cold_ms),
        "warm_ms": statistics.median(warm_ms),
        "floor_ms": statistics.median(floor_ms),
    }
    results["cold_over_floor"] = results["cold_ms"] / results["floor_ms"]
    results["cold_over_warm"] = results["cold_ms"] / results["warm_ms"]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        results = asyncio.run(run(url, args.rounds))
    backend = url.split(":")[0]
    print(
        f"backend: {backend}  rounds: {args.rounds}  "
        f"applications in answer: {results['applications']}"
    )
    print(f"(a) gateway, cold cache : {results['cold_ms']:8.1f} ms  (median)")
    print(f"(b) gateway, warm cache : {results['warm_ms']:8.1f} ms")
    print(f"(c) strawberry in memory: {results['floor_ms']:8.1f} ms  (execution floor)")
    print(
        f"a/c = {results['cold_over_floor']:.2f}  (aim <= 2)   "
        f"a/b = {results['cold_over_warm']:.1f}  (aim >= 5)"
    )


if __name__ == "__main__":
    main()
