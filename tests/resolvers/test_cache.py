"""The response cache: hits for repeated reads, tenant- and user-scoped keys, no stale
read after a mutation, in memory and on Redis shared by two gateway processes' apps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from gateway.store.enums import Role
from tests.support.gateway import Gateway, running_gateway

JOBS = """
query Jobs {
  jobs(first: 3, sort: {field: TITLE, direction: ASC}) { edges { node { id isActive } } }
}
"""
JOB_UPDATE = """
mutation($id: ID!, $active: Boolean!) {
  jobUpdate(input: {id: $id, isActive: $active}) { __typename }
}
"""
NOT_CACHED = "{ candidates(first: 1) { totalCount } }"


async def fetch(
    gateway: Gateway, *, tenant: str = "demo", role: Role = Role.ADMIN
) -> tuple[str, dict]:
    response = await gateway.post(JOBS, tenant=tenant, role=role)
    assert response.status_code == 200
    return response.headers.get("x-cache", ""), response.json()


async def test_repeated_read_is_a_hit_and_mutation_invalidates(gateway: Gateway) -> None:
    await gateway.app.state.cache.invalidate(gateway.tenants["demo"].tenant_id)
    first_status, first = await fetch(gateway)
    second_status, second = await fetch(gateway)
    assert (first_status, second_status) == ("miss", "hit")
    assert first == second

    job = first["data"]["jobs"]["edges"][0]["node"]
    flipped = not job["isActive"]
    result = await gateway.execute(JOB_UPDATE, {"id": job["id"], "active": flipped})
    assert result["jobUpdate"]["__typename"] == "JobUpdateSuccess"

    status, after = await fetch(gateway)
    assert status == "miss"
    assert after["data"]["jobs"]["edges"][0]["node"]["isActive"] is flipped
    await gateway.execute(JOB_UPDATE, {"id": job["id"], "active": job["isActive"]})


async def test_keys_are_scoped_by_tenant_and_user(gateway: Gateway) -> None:
    cache = gateway.app.state.cache
    for tenant in gateway.tenants.values():
        await cache.invalidate(tenant.tenant_id)
    assert (await fetch(gateway))[0] == "miss"
    hit_status, demo = await fetch(gateway)
    assert hit_status == "hit"
    other_status, other = await fetch(gateway, tenant="other")
    assert other_status == "miss"
    assert {e["node"]["id"] for e in other["data"]["jobs"]["edges"]}.isdisjoint(
        {e["node"]["id"] for e in demo["data"]["jobs"]["edges"]}
    )
    assert (await fetch(gateway, role=Role.RECRUITER))[0] == "miss"


async def test_uncached_root_fields_are_not_cached(gateway: Gateway) -> None:
    response = await gateway.post(NOT_CACHED)
    assert "x-cache" not in response.headers


async def test_zero_ttl_disables_caching(tmp_path: Path) -> None:
    """Nothing is looked up or stored: the answers carry no ``x-cache``."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'ttl.db'}"
    async with running_gateway(url, cache_ttl_job_list=0) as gateway:
        statuses = [(await fetch(gateway))[0] for _ in range(2)]
    assert statuses == ["", ""]


@pytest.fixture
async def shared_redis_pair(
    tmp_path: Path, redis_url: str, redis_prefix: str
) -> AsyncIterator[tuple[Gateway, Gateway]]:
    """Two apps over one database and one Redis, as two gateway processes would be."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    prefix = f"{redis_prefix}pair"
    async with (
        running_gateway(url, redis_url=redis_url, redis_prefix=prefix) as first,
        running_gateway(url, redis_url=redis_url, redis_prefix=prefix) as second,
    ):
        yield first, second


async def test_redis_cache_is_shared_and_invalidated_across_processes(
    shared_redis_pair: tuple[Gateway, Gateway], redis_url: str, redis_prefix: str
) -> None:
    first, second = shared_redis_pair
    assert first.app.state.cache.backend_name == "redis"
    status_a, body_a = await fetch(first)
    status_b, body_b = await fetch(second)
    assert (status_a, status_b) == ("miss", "hit")
    assert body_a == body_b

    client = aioredis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{redis_prefix}pair:cache*")]
    finally:
        await client.aclose()
    assert keys, "the response was not stored in Redis under the configured prefix"

    job = body_a["data"]["jobs"]["edges"][0]["node"]
    await first.execute(JOB_UPDATE, {"id": job["id"], "active": not job["isActive"]})
    status, after = await fetch(second)
    assert status == "miss"
    assert after["data"]["jobs"]["edges"][0]["node"]["isActive"] is (not job["isActive"])
