"""What a repeated request is spared: a query seen before is neither parsed nor validated
again (both caches are bounded), and a response-cache hit is answered from the stored
bytes without parsing, admission or execution, to its own user, role and tenant only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import strawberry.schema.schema as strawberry_schema
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

import resolvers.compiled.plan as compiled_plan
import resolvers.http as http
import resolvers.http_checks as http_checks
import resolvers.input_guard as input_guard
from gateway.store.enums import Role
from tests.support.gateway import Gateway, running_gateway

JOBS = "query Jobs { jobs(first: 2) { edges { node { id title } } } }"
UNCACHED = "query Count { candidates(first: 1) { totalCount nodes { resumeText } } }"
"""Runs on the resolvers: ``resumeText`` does not compile to SQL."""
COMPILED = "query Count { candidates(first: 1) { totalCount } }"
CACHE_SIZE = 512


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    """The read compiler on whatever the environment says, as the compiled-path test
    counts its calls."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'overhead.db'}"
    async with running_gateway(url, read_compiler=True) as running:
        yield running


class Calls:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def count(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        self.counts[name] = 0

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.counts[name] += 1
            return function(*args, **kwargs)

        return counted

    def count_async(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        self.counts[name] = 0

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.counts[name] += 1
            return await function(*args, **kwargs)

        return counted

    def reset(self) -> None:
        self.counts = dict.fromkeys(self.counts, 0)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Calls to graphql-core's ``validate`` (wherever the gateway or Strawberry call it),
    the transport's parse, its admission, and execution."""
    found = Calls()
    validate = found.count("validate", strawberry_schema.validate)
    for module in (strawberry_schema, input_guard, http_checks, compiled_plan):
        monkeypatch.setattr(module, "validate", validate)
    monkeypatch.setattr(http, "parse_document", found.count("parse", http.parse_document))
    monkeypatch.setattr(http, "admit", found.count_async("admit", http.admit))
    monkeypatch.setattr(
        http.GraphQLHTTP,
        "_execute",
        found.count_async("execute", http.GraphQLHTTP._execute),
    )
    return found


async def test_a_repeated_query_is_validated_and_parsed_once(
    gateway: Gateway, calls: Calls
) -> None:
    parses = _get_parse_cache(CACHE_SIZE)
    await gateway.execute(UNCACHED)
    assert calls.counts["execute"] == 1
    calls.reset()
    parsed_before = parses.cache_info().misses

    await gateway.execute(UNCACHED)

    assert calls.counts["validate"] == 0
    assert calls.counts["execute"] == 1
    assert parses.cache_info().misses == parsed_before


async def test_a_repeated_compiled_query_is_planned_once(gateway: Gateway, calls: Calls) -> None:
    """The read compiler validates and plans a document once; later requests only read
    their arguments and run the statement."""
    compiled_plan.plan_for.cache_clear()
    await gateway.execute(COMPILED)
    assert calls.counts["execute"] == 0
    assert calls.counts["validate"] == 1
    calls.reset()

    await gateway.execute(COMPILED)

    assert calls.counts == {**dict.fromkeys(calls.counts, 0), "parse": 1, "admit": 1}
    assert compiled_plan.plan_for.cache_info().hits >= 1


async def test_the_parse_and_validation_caches_are_bounded(gateway: Gateway) -> None:
    for n in range(CACHE_SIZE + 20):
        await gateway.execute(f"query Distinct{n} {{ __typename }}")
    assert _get_validate_cache(CACHE_SIZE).cache_info().currsize <= CACHE_SIZE
    assert _get_parse_cache(CACHE_SIZE).cache_info().currsize <= CACHE_SIZE
    assert http.parse_document.cache_info().currsize <= CACHE_SIZE


async def test_a_hit_is_answered_from_stored_bytes_without_parsing_or_executing(
    gateway: Gateway, calls: Calls
) -> None:
    miss = await gateway.post(JOBS)
    assert miss.headers["x-cache"] == "miss"
    calls.reset()

    hit = await gateway.post(JOBS)

    assert hit.headers["x-cache"] == "hit"
    assert calls.counts == {"validate": 0, "parse": 0, "admit": 0, "execute": 0}
    assert hit.content == miss.content
    varying = {"x-request-id", "server-timing", "x-cache"}
    assert {k: v for k, v in hit.headers.items() if k not in varying} == {
        k: v for k, v in miss.headers.items() if k not in varying
    }


async def test_a_hit_is_still_rate_limited(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'limited.db'}"
    async with running_gateway(url, rate_limit_user_per_minute=2) as gateway:
        statuses = [(await gateway.post(JOBS)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


async def test_another_user_role_or_tenant_never_gets_the_entry(gateway: Gateway) -> None:
    first = await gateway.post(JOBS)
    assert first.headers["x-cache"] == "miss"
    assert (await gateway.post(JOBS)).headers["x-cache"] == "hit"
    for tenant, role in (("demo", Role.RECRUITER), ("demo", Role.READONLY), ("other", Role.ADMIN)):
        response = await gateway.post(JOBS, tenant=tenant, role=role)
        assert response.headers["x-cache"] == "miss", (tenant, role)
        if tenant == "other":
            assert response.content != first.content


async def test_a_request_that_asks_for_its_cost_is_not_answered_from_the_cache(
    gateway: Gateway,
) -> None:
    await gateway.post(JOBS)
    assert (await gateway.post(JOBS)).headers["x-cache"] == "hit"
    response = await gateway.client.post(
        "/graphql",
        json={"query": JOBS, "extensions": {"cost": True}},
        headers=gateway.headers(),
    )
    assert "x-cache" not in response.headers
    assert "cost" in response.json()["extensions"]
