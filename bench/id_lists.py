"""Benchmark: a loader's statement over 2,000 ids on PostgreSQL, ``IN`` against ``ANY``.

    python bench/id_lists.py [--rounds 300] [--server-url postgresql://HOST:5432/postgres]

Creates a database of its own on the server (dropped at the end) holding 10,000
candidates of one tenant, analyzed as autovacuum would do it (without statistics,
PostgreSQL's generic plan, used from a prepared statement's sixth execution on, scans
the tenant's rows and checks each against the whole list, for IN and ANY alike). Then
times the candidate prefetch of a page of applications: build the statement, compile it
through SQLAlchemy's statement cache (as the gateway does), execute it, fetch the rows.
``IN`` is ``column.in_(ids)``, one bind parameter per id; ``ANY`` is ``in_ids``, one
array parameter. Two batch shapes: every batch the same length, and lengths that vary
from batch to batch as they do between requests (a new statement text for ``IN`` each
time, so asyncpg prepares it again). Also times compiling alone, with no cache. Prints
medians and p90s in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from gateway.store.base import Base, table_of
from gateway.store.models import Candidate, Tenant
from resolvers.dataloaders import light_columns, tenant_rows_in

CANDIDATES = 10_000
BATCH = 2_000
TENANT_ID = 1

Build = Callable[[list[int]], sa.Select[Any]]


def with_in(ids: list[int]) -> sa.Select[Any]:
    c = table_of(Candidate).c
    return sa.select(*light_columns(table_of(Candidate))).where(
        c.tenant_id == TENANT_ID, c.id.in_(set(ids))
    )


def with_any(ids: list[int]) -> sa.Select[Any]:
    return tenant_rows_in(table_of(Candidate), TENANT_ID, "id", ids)


async def seed(conn: AsyncConnection) -> None:
    await conn.run_sync(Base.metadata.create_all)
    await conn.execute(sa.insert(table_of(Tenant)), [{"slug": "bench", "name": "Bench"}])
    await conn.execute(
        sa.insert(table_of(Candidate)),
        [
            {"tenant_id": TENANT_ID, "name": f"Candidate {i}", "email": f"c{i}@example.test"}
            for i in range(CANDIDATES)
        ],
    )
    await conn.exec_driver_sql("ANALYZE candidates")


def batches(rounds: int, varying: bool, rng: random.Random) -> list[list[int]]:
    def size() -> int:
        return rng.randint(BATCH - 100, BATCH + 100) if varying else BATCH

    return [rng.sample(range(1, CANDIDATES + 1), size()) for _ in range(rounds)]


async def time_executions(conn: AsyncConnection, build: Build, ids: list[list[int]]) -> list[float]:
    timings = []
    for batch in ids:
        started = time.perf_counter()
        rows = (await conn.execute(build(batch))).all()
        timings.append((time.perf_counter() - started) * 1000)
        assert len(rows) == len(set(batch))
    return timings


def time_compiles(build: Build, ids: list[list[int]], dialect: Dialect) -> list[float]:
    timings = []
    for batch in ids:
        started = time.perf_counter()
        build(batch).compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def summary(timings: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(timings),
        "p90": statistics.quantiles(timings, n=10)[-1],
    }


async def measure(database_url: str, rounds: int) -> dict[str, dict[str, float]]:
    engine = create_async_engine(database_url)
    rng = random.Random(7)
    results: dict[str, dict[str, float]] = {}
    try:
        async with engine.begin() as conn:
            await seed(conn)
        for shape, varying in (("same length", False), ("varying length", True)):
            for name, build in (("IN", with_in), ("ANY", with_any)):
                ids = batches(rounds, varying, rng)
                async with engine.connect() as conn:
                    await time_executions(conn, build, ids[:20])
                    results[f"{shape}: execute {name}"] = summary(
                        await time_executions(conn, build, ids)
                    )
        for name, build in (("IN", with_in), ("ANY", with_any)):
            ids = batches(min(rounds, 100), False, rng)
            timings = time_compiles(build, ids, engine.dialect)
            results[f"compile alone (no cache) {name}"] = summary(timings)
    finally:
        await engine.dispose()
    return results


async def run(server_url: str, rounds: int) -> dict[str, dict[str, float]]:
    url = make_url(server_url)
    name = f"talentgraph_bench_id_lists_{os.getpid()}"
    admin = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(False))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            database_url = url.set(drivername="postgresql+asyncpg", database=name)
            return await measure(database_url.render_as_string(False), rounds)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument(
        "--server-url",
        default=os.environ.get(
            "BENCH_POSTGRES_SERVER_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    results = asyncio.run(run(args.server_url, args.rounds))
    print(f"{'what':<40} {'median ms':>10} {'p90 ms':>10}")
    for what, numbers in results.items():
        print(f"{what:<40} {numbers['median']:>10.2f} {numbers['p90']:>10.2f}")


if __name__ == "__main__":
    main()
