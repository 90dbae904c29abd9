"""Cached responses belong to one tenant, even where everything else about two requests
is the same.

A cache key carries the tenant, the tenant's generation, the kind, a scope (user and
role) and a digest of the request. The store never gives two tenants the same user id,
so requests of two tenants usually differ in scope as well; the tenant has to separate
them on its own all the same (users move, scopes change shape), and these tests make
everything else equal to see that it does: at the key level, on Redis and in memory,
and end to end through ``/graphql`` with the cache on Redis, by moving a user from one
tenant to the other between two identical requests.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.auth import issue_token
from gateway.cache import CacheEntryKey, CacheKind, ResponseCache
from gateway.settings import Settings
from gateway.store.enums import Role
from gateway.store.models import Job, User
from resolvers.relay import to_global_id
from tests.support.gateway import JWT_SECRET, Gateway, running_gateway

SCOPE = "u7:admin"
DIGEST = ResponseCache.digest("{ jobs { totalCount } }", b"null", "", "application/json", "")

JOBS = "query Jobs { jobs(first: 100) { totalCount nodes { id title } } }"
JOB = "query Job($id: ID!) { job(id: $id) { id title } }"
PIPELINE = "query Pipeline { pipelineMetrics { jobCount overall { activeApplications } } }"


@pytest.fixture(params=["redis", "memory"])
async def cache(
    request: pytest.FixtureRequest, redis_url: str, redis_prefix: str
) -> AsyncIterator[ResponseCache]:
    settings = Settings(redis_prefix=f"{redis_prefix}{uuid.uuid4().hex[:8]}")
    if request.param == "redis":
        settings = Settings(redis_url=redis_url, redis_prefix=settings.redis_prefix)
    response_cache = ResponseCache(settings)
    assert response_cache.backend_name == request.param
    try:
        yield response_cache
    finally:
        await response_cache.close()


async def _same_generation(cache: ResponseCache, *tenants: int) -> None:
    """Bump the tenants' generations until they are equal, so only the tenant differs."""
    while True:
        generations = {tenant: await cache._generation(tenant) for tenant in tenants}
        if len(set(generations.values())) == 1:
            return
        await cache.invalidate(min(generations, key=generations.__getitem__))


@pytest.mark.parametrize("kind", list(CacheKind))
async def test_two_tenants_never_share_an_entry(cache: ResponseCache, kind: CacheKind) -> None:
    first = CacheEntryKey(tenant_id=1, kind=kind, scope=SCOPE, digest=DIGEST)
    second = CacheEntryKey(tenant_id=2, kind=kind, scope=SCOPE, digest=DIGEST)
    for _ in range(2):  # at generation 0, then after both tenants were written to
        await _same_generation(cache, 1, 2)
        first_key, cached = await cache.get(first)
        assert first_key is not None and cached is None
        await cache.set(first_key, b"tenant one's answer", ttl=60)

        second_key, leaked = await cache.get(second)
        assert second_key is not None
        assert second_key != first_key
        assert leaked is None, "tenant 2 was served tenant 1's cached answer"

        await cache.set(second_key, b"tenant two's answer", ttl=60)
        assert (await cache.get(first))[1] == b"tenant one's answer"
        assert (await cache.get(second))[1] == b"tenant two's answer"
        await cache.invalidate(1)
        await cache.invalidate(2)


@pytest.fixture
async def redis_gateway(
    tmp_path: Path, redis_url: str, redis_prefix: str
) -> AsyncIterator[Gateway]:
    """A gateway of its own: its test moves a user to another tenant."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'tenant-key.db'}"
    prefix = f"{redis_prefix}tenantkey{uuid.uuid4().hex[:8]}"
    async with running_gateway(url, redis_url=redis_url, redis_prefix=prefix) as gateway:
        assert gateway.app.state.cache.backend_name == "redis"
        yield gateway


async def _post(
    gateway: Gateway, token: str, query: str, variables: dict[str, Any] | None = None
) -> tuple[str, dict[str, Any]]:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    response = await gateway.client.post(
        "/graphql", json=body, headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    assert not payload.get("errors"), payload
    return response.headers.get("x-cache", ""), payload["data"]


async def test_a_tenants_cached_answer_never_reaches_another_tenant(
    redis_gateway: Gateway,
) -> None:
    gateway = redis_gateway
    demo, other = gateway.tenants["demo"], gateway.tenants["other"]
    user_id = demo.admin_user_id
    state = gateway.app.state
    async with state.session_factory() as session:
        demo_job = await session.scalar(
            sa.select(Job.id).where(Job.tenant_id == demo.tenant_id).order_by(Job.id).limit(1)
        )
        other_jobs = set(
            await session.scalars(sa.select(Job.id).where(Job.tenant_id == other.tenant_id))
        )
    assert demo_job is not None
    requests: list[tuple[str, dict[str, Any] | None]] = [
        (JOBS, None),
        (JOB, {"id": to_global_id("Job", demo_job)}),
        (PIPELINE, None),
    ]

    await _same_generation(state.cache, demo.tenant_id, other.tenant_id)
    as_demo = issue_token(
        JWT_SECRET, tenant_id=demo.tenant_id, tenant_slug="demo", user_id=user_id, role=Role.ADMIN
    )
    answers = []
    for query, variables in requests:
        assert (await _post(gateway, as_demo, query, variables))[0] == "miss"
        status, answer = await _post(gateway, as_demo, query, variables)
        assert status == "hit", "the cache is not on: this test would prove nothing"
        answers.append(answer)
    assert answers[1]["job"] is not None

    async with state.session_factory.begin() as session:
        await session.execute(
            sa.update(User).where(User.id == user_id).values(tenant_id=other.tenant_id)
        )
    as_other = issue_token(
        JWT_SECRET,
        tenant_id=other.tenant_id,
        tenant_slug="other",
        user_id=user_id,
        role=Role.ADMIN,
    )
    seen = []
    for query, variables in requests:
        status, answer = await _post(gateway, as_other, query, variables)
        assert status == "miss", f"tenant other was served tenant demo's cached {query!r}"
        seen.append(answer)
    jobs, job, pipeline = seen
    assert {node["id"] for node in jobs["jobs"]["nodes"]} == {
        to_global_id("Job", pk) for pk in other_jobs
    }
    assert job["job"] is None
    assert pipeline["pipelineMetrics"]["jobCount"] == len(other_jobs)
    assert answers[2]["pipelineMetrics"]["jobCount"] != len(other_jobs)
