"""Persisted documents and batches, as Apollo's PersistedQueryLink and BatchHttpLink,
graphql-codegen's trusted documents and GraphQL-over-HTTP clients send them."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.support.gateway import Gateway, running_gateway

JOBS = "query Jobs { jobs(first: 2) { totalCount nodes { title } } }"
ME = "query Me { me { email } }"


def sha(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def persisted(query: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(query)}}


@pytest.fixture(scope="module")
async def gateway(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    path = tmp_path_factory.mktemp("persisted") / "persisted.db"
    async with running_gateway(f"sqlite+aiosqlite:///{path}", max_batch_operations=3) as running:
        yield running


async def post(gateway: Gateway, body: Any, **headers: str) -> httpx.Response:
    return await gateway.client.post(
        "/graphql",
        content=orjson.dumps(body),
        headers={**gateway.headers(), "content-type": "application/json", **headers},
    )


async def test_apollo_persisted_query_round_trip_over_post_and_get(gateway: Gateway) -> None:
    query = "query Titles { jobs(first: 3) { nodes { title } } }"
    missing = await post(gateway, {"extensions": persisted(query)})
    assert missing.status_code == 200
    [error] = missing.json()["errors"]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    strict = await post(
        gateway, {"extensions": persisted(query)}, accept="application/graphql-response+json"
    )
    assert strict.status_code == 400
    assert strict.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

    registered = await post(gateway, {"query": query, "extensions": persisted(query)})
    expected = await gateway.execute(query)
    assert registered.json() == {"data": expected}

    by_hash = await post(gateway, {"extensions": persisted(query)})
    assert by_hash.json() == {"data": expected}
    got = await gateway.client.get(
        "/graphql",
        params={"extensions": orjson.dumps(persisted(query)).decode()},
        headers={**gateway.headers(), "accept": "application/json"},
    )
    assert got.status_code == 200 and got.json() == {"data": expected}


async def test_a_hash_that_is_not_the_querys_is_refused_and_not_stored(gateway: Gateway) -> None:
    query, other = "query A { jobs { totalCount } }", "query B { candidates { totalCount } }"
    wrong = await post(gateway, {"query": other, "extensions": persisted(query)})
    assert wrong.status_code == 400
    assert "does not match" in wrong.json()["errors"][0]["message"]
    after = await post(gateway, {"extensions": persisted(query)})
    assert after.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize(
    "extensions",
    [
        {"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}},
        {"persistedQuery": {"version": 1, "sha256Hash": "XYZ"}},
        {"persistedQuery": {"version": 1}},
        {"persistedQuery": "yes"},
    ],
)
async def test_malformed_persisted_queries_are_clear_400s(
    gateway: Gateway, extensions: dict[str, Any]
) -> None:
    response = await post(gateway, {"extensions": extensions})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_a_document_registered_by_one_tenant_is_unknown_to_another(
    gateway: Gateway,
) -> None:
    query = "query Mine { jobs(first: 1) { totalCount } }"
    await post(gateway, {"query": query, "extensions": persisted(query)})
    other = await gateway.client.post(
        "/graphql", json={"extensions": persisted(query)}, headers=gateway.headers("other")
    )
    assert other.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_refused_request_registers_nothing(gateway: Gateway) -> None:
    costly = " ".join(
        f"a{n}: jobs(first: 100) {{ nodes {{ applications(first: 100) {{ nodes {{ id }} }} }} }}"
        for n in range(5)
    )
    query = "query Costly { " + costly + " }"
    anonymous = {"content-type": "application/json"}
    body = {"query": query, "extensions": persisted(query)}
    refused = await gateway.client.post("/graphql", json=body, headers=anonymous)
    assert refused.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    body = {"extensions": persisted(query)}
    again = await gateway.client.post("/graphql", json=body, headers=anonymous)
    assert again.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_batch_is_answered_in_order_each_operation_on_its_own(gateway: Gateway) -> None:
    response = await post(
        gateway,
        [
            {"query": JOBS},
            {"query": "{ jobs(first: 500) { totalCount } }"},
            {"query": ME, "operationName": "Me"},
        ],
    )
    assert response.status_code == 200
    first, refused, me = response.json()
    assert first == {"data": await gateway.execute(JOBS)}
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert me["data"]["me"]["email"]


async def test_batches_are_bounded_and_items_checked(gateway: Gateway) -> None:
    too_many = await post(gateway, [{"query": ME}] * 4)
    assert too_many.status_code == 400
    assert "1 to 3" in too_many.json()["errors"][0]["message"]
    empty = await post(gateway, [])
    assert empty.status_code == 400
    odd = await post(gateway, [{"query": ME}, 42, {"variables": {}}])
    me, not_object, no_query = odd.json()
    assert me["data"]["me"]
    assert not_object["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert no_query["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_every_operation_of_a_batch_counts_against_the_rate_limit(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'batch-rate.db'}"
    async with running_gateway(url, rate_limit_user_per_minute=2) as limited:
        response = await post(limited, [{"query": ME}] * 3)
        answers = response.json()
    assert [bool(a.get("data")) for a in answers] == [True, True, False]
    assert answers[2]["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_batches_can_be_turned_off(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'no-batch.db'}"
    async with running_gateway(url, max_batch_operations=0) as off:
        response = await post(off, [{"query": ME}])
    assert response.status_code == 400
    assert "turned off" in response.json()["errors"][0]["message"]


async def test_only_trusted_documents_run_when_a_manifest_is_set(tmp_path: Path) -> None:
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_bytes(orjson.dumps({sha(ME): ME, f"sha256:{sha(JOBS)}": JOBS}))
    url = f"sqlite+aiosqlite:///{tmp_path / 'trusted.db'}"
    async with running_gateway(url, trusted_documents_file=str(manifest)) as trusted:
        by_id = await post(trusted, {"documentId": f"sha256:{sha(ME)}"})
        by_apollo_hash = await post(trusted, {"extensions": persisted(JOBS)})
        in_full = await post(trusted, {"query": ME})
        other = await post(trusted, {"query": "{ jobs { totalCount } }"})
        unknown = await post(trusted, {"documentId": f"sha256:{'0' * 64}"})
        registering = await post(
            trusted, {"query": "{ me { name } }", "extensions": persisted("{ me { name } }")}
        )
    assert by_id.json()["data"]["me"]["email"]
    assert by_apollo_hash.json()["data"]["jobs"]["totalCount"] > 0
    assert in_full.json()["data"]["me"]["email"]
    for refused in (other, unknown, registering):
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"


async def test_a_persisted_mutation_is_refused_over_get(gateway: Gateway) -> None:
    """GET is for queries only, whether the document is sent or named by hash (this one
    is invalid, so registering it writes nothing)."""
    mutation = "mutation Nothing { jobCreate(input: {}) { job { id } } }"
    registered = await post(gateway, {"query": mutation, "extensions": persisted(mutation)})
    assert registered.json()["errors"]
    got = await gateway.client.get(
        "/graphql",
        params={"extensions": orjson.dumps(persisted(mutation)).decode()},
        headers={**gateway.headers(), "accept": "application/json"},
    )
    assert got.status_code == 405


async def test_a_query_registered_on_one_process_runs_by_hash_on_another(
    tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    """With Redis the persisted documents live in the cache backend every process shares."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    prefix = f"{redis_prefix}apq"
    query = "query Shared { jobs(first: 1) { totalCount } }"
    async with (
        running_gateway(url, redis_url=redis_url, redis_prefix=prefix) as first,
        running_gateway(url, redis_url=redis_url, redis_prefix=prefix) as second,
    ):
        await post(first, {"query": query, "extensions": persisted(query)})
        answered = await post(second, {"extensions": persisted(query)})
        assert answered.json() == {"data": await second.execute(query)}
        await first.app.state.cache.backend.clear()
