"""The signed-in user is remembered for a few seconds, so a warm request runs no SQL for
it, and a change to the user (tokens revoked, deactivated, role changed, deleted) takes
effect at the next request: in the process that made it at once, in another process
sharing Redis as soon as the bus delivers it. While the bus has lost Redis the cache is
not used at all."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from gateway.auth import Principal, issue_token
from gateway.principal_cache import PrincipalCache
from gateway.pubsub import EventBus
from gateway.store.enums import Role
from resolvers.relay import from_global_id
from tests.support.gateway import JWT_SECRET, Gateway, running_gateway

ME = "{ me { email role } }"
MAY_MANAGE = """
mutation { recruiterCreate(input: {name: "x", email: "x@example.com"}) { __typename } }"""
TYPENAME = "{ __typename }"
RECRUITER_CREATE = """
mutation($input: RecruiterCreateInput!) {
  recruiterCreate(input: $input) { ... on RecruiterCreateSuccess { recruiter { id } } }
}"""
RECRUITER_UPDATE = """
mutation($input: RecruiterUpdateInput!) { recruiterUpdate(input: $input) { __typename } }"""
RECRUITER_DELETE = """
mutation($input: RecruiterDeleteInput!) { recruiterDelete(input: $input) { __typename } }"""
TOKENS_REVOKE = """
mutation($input: RecruiterTokensRevokeInput!) {
  recruiterTokensRevoke(input: $input) { __typename }
}"""


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    """A gateway of the test's own that remembers principals for a minute: only an
    invalidation can make a change show before then."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'principals.db'}"
    async with running_gateway(url, principal_cache_seconds=60) as running:
        yield running


@pytest.fixture
async def pair(
    tmp_path: Path, redis_url: str, redis_prefix: str
) -> AsyncIterator[tuple[Gateway, Gateway]]:
    """Two apps over one database and one Redis, as two gateway processes would be."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    prefix = f"{redis_prefix}principals{uuid.uuid4().hex[:6]}"
    async with (
        running_gateway(
            url, redis_url=redis_url, redis_prefix=prefix, principal_cache_seconds=60
        ) as first,
        running_gateway(
            url, redis_url=redis_url, redis_prefix=prefix, principal_cache_seconds=60
        ) as second,
    ):
        yield first, second


async def new_user(gateway: Gateway, role: str = "RECRUITER") -> tuple[str, str]:
    """A fresh user of tenant demo: (global id, bearer header value)."""
    email = f"cached-{uuid.uuid4().hex[:10]}@example.com"
    data = await gateway.execute(
        RECRUITER_CREATE, {"input": {"name": "Cached", "email": email, "role": role}}
    )
    global_id = data["recruiterCreate"]["recruiter"]["id"]
    _, pk = from_global_id(global_id)
    token = issue_token(
        JWT_SECRET,
        tenant_id=gateway.tenants["demo"].tenant_id,
        tenant_slug="demo",
        user_id=int(pk),
        role=Role(role.lower()),
    )
    return global_id, f"Bearer {token}"


async def acts_as_admin(gateway: Gateway, auth: str) -> bool:
    """Whether the request's principal may manage users (the role it acts with, not
    the role the store reports)."""
    _status, body = await ask(gateway, auth, MAY_MANAGE)
    return bool(body["data"]["recruiterCreate"]["__typename"] != "PermissionDeniedError")


async def ask(gateway: Gateway, auth: str, query: str = ME) -> tuple[int, dict[str, Any]]:
    response = await gateway.client.post(
        "/graphql", json={"query": query}, headers={"authorization": auth}
    )
    return response.status_code, response.json()


async def warm_statements(gateway: Gateway, auth: str) -> int:
    """SQL statements a request for nothing but ``__typename`` runs, once warm."""
    assert (await ask(gateway, auth, TYPENAME))[0] == 200
    gateway.statements.reset()
    assert (await ask(gateway, auth, TYPENAME))[0] == 200
    return gateway.statements.count


async def test_a_warm_request_runs_no_sql_for_its_principal(gateway: Gateway) -> None:
    auth = f"Bearer {gateway.token(role=Role.RECRUITER)}"
    assert await warm_statements(gateway, auth) == 0


async def test_without_the_cache_every_request_reads_the_user(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'uncached.db'}"
    async with running_gateway(url, principal_cache_seconds=0) as gateway:
        assert await warm_statements(gateway, f"Bearer {gateway.token()}") == 1


@pytest.mark.parametrize(
    ("mutation", "variables", "after"),
    [
        (TOKENS_REVOKE, lambda gid: {"recruiterId": gid}, 401),
        (RECRUITER_UPDATE, lambda gid: {"id": gid, "isActive": False}, 401),
        (RECRUITER_DELETE, lambda gid: {"id": gid}, 401),
        (RECRUITER_UPDATE, lambda gid: {"id": gid, "role": "READONLY"}, "not an admin"),
    ],
    ids=["revoked", "deactivated", "deleted", "demoted"],
)
async def test_a_change_to_the_user_shows_at_the_next_request(
    gateway: Gateway, mutation: str, variables: Any, after: int | str
) -> None:
    global_id, auth = await new_user(gateway, "ADMIN")
    assert await warm_statements(gateway, auth) == 0
    assert await acts_as_admin(gateway, auth)

    await gateway.execute(mutation, {"input": variables(global_id)})

    if isinstance(after, int):
        status, body = await ask(gateway, auth)
        assert status == after, body
    else:
        assert not await acts_as_admin(gateway, auth)


async def until_refused(gateway: Gateway, auth: str, within: float = 3.0) -> float:
    started = time.monotonic()
    while (await ask(gateway, auth))[0] != 401:
        assert time.monotonic() - started < within, "the other process still signs the user in"
        await asyncio.sleep(0.01)
    return time.monotonic() - started


@pytest.mark.parametrize(
    ("mutation", "variables"),
    [
        (TOKENS_REVOKE, lambda gid: {"recruiterId": gid}),
        (RECRUITER_UPDATE, lambda gid: {"id": gid, "isActive": False}),
        (RECRUITER_DELETE, lambda gid: {"id": gid}),
    ],
    ids=["revoked", "deactivated", "deleted"],
)
async def test_a_change_reaches_another_process_over_redis(
    pair: tuple[Gateway, Gateway], mutation: str, variables: Any
) -> None:
    first, second = pair
    global_id, auth = await new_user(first)
    await second.app.state.runtime.principals.published()
    assert await warm_statements(second, auth) == 0, "the second process does not cache"

    await first.execute(mutation, {"input": variables(global_id)})

    assert await until_refused(second, auth) < 1.0


async def test_a_role_change_reaches_another_process_over_redis(
    pair: tuple[Gateway, Gateway],
) -> None:
    first, second = pair
    global_id, auth = await new_user(first, "ADMIN")
    assert await warm_statements(second, auth) == 0
    assert await acts_as_admin(second, auth)

    await first.execute(RECRUITER_UPDATE, {"input": {"id": global_id, "role": "READONLY"}})

    deadline = time.monotonic() + 1.0
    while await acts_as_admin(second, auth):
        assert time.monotonic() < deadline, "the other process still acts as an admin"
        await asyncio.sleep(0.01)


async def test_the_cache_is_bypassed_while_the_bus_has_lost_redis(
    pair: tuple[Gateway, Gateway],
) -> None:
    first, _second = pair
    auth = f"Bearer {first.token()}"
    assert await warm_statements(first, auth) == 0
    bus = first.app.state.runtime.bus
    bus._lost()
    try:
        assert await warm_statements(first, auth) == 1
    finally:
        bus._regained()


async def test_entries_are_bounded_keyed_by_hash_and_end_with_the_token() -> None:
    bus = EventBus()
    cache = PrincipalCache(60, bus, maxsize=3)
    assert cache.get("warming") is None
    await asyncio.sleep(0)
    principal_of = {f"token-{n}": n for n in range(5)}
    for token, user in principal_of.items():
        principal = Principal(tenant_id=1, tenant_slug="t", user_id=user, role=Role.ADMIN)
        cache.put(token, principal, expires_at=None, epoch=cache.epoch)
    assert len(cache) == 3
    assert cache.get("token-0") is None and cache.get("token-4") is not None
    assert all(isinstance(key, bytes) for key in cache._entries)

    expiring = Principal(tenant_id=1, tenant_slug="t", user_id=9, role=Role.ADMIN)
    cache.put("expiring", expiring, expires_at=time.time() - 1, epoch=cache.epoch)
    assert cache.get("expiring") is None
    stale_epoch = cache.epoch
    cache.forget_user(4)
    assert cache.get("token-4") is None
    cache.put("late", expiring, expires_at=None, epoch=stale_epoch)
    assert cache.get("late") is None, "a read from before an invalidation was remembered"
    await cache.close()
