"""Queries and mutations over the GraphQL WebSocket, as single-socket clients (urql,
graphql-ws with ``lazy: false``) send them: the answer ``POST /graphql`` gives, as one
``next`` and ``complete``, with the same checks; on SQLite and PostgreSQL, real
``websockets`` clients on a loopback port."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from gateway.rate_limits import RateLimits
from gateway.store.enums import Role
from resolvers.schema import Schema
from tests.resolvers import test_subscriptions
from tests.resolvers.test_subscriptions import (
    LEGACY,
    PIPELINE,
    TRANSPORT,
    World,
    gid,
    session,
)

world = test_subscriptions.world

JOBS = "query Jobs($n: Int) { jobs(first: $n) { totalCount nodes { id title } } }"


async def one_answer(client: test_subscriptions.Client, op_id: str) -> dict[str, Any]:
    message = await client.for_operation(op_id)
    assert message["type"] == client.data_type, message
    done = await client.for_operation(op_id)
    assert done == {"type": "complete", "id": op_id}
    payload: dict[str, Any] = message["payload"]
    return payload


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_a_query_gets_the_answer_http_gives(world: World, protocol: str) -> None:
    over_http = await world.gateway.execute(JOBS, {"n": 3})
    async with session(world, protocol, token=world.jwt()) as client:
        await client.subscribe("q", JOBS, {"n": 3})
        assert await one_answer(client, "q") == {"data": over_http}


PERSONA_CREATE = """mutation Create($name: String!) {
  personaCreate(input: {name: $name, systemPromptTemplate: "You interview for {{job_title}}."}) {
    __typename
    ... on PersonaCreateSuccess { persona { id name } }
  }
}"""
PERSONAS = "{ personas { name } }"


async def test_queries_subscriptions_and_mutations_share_one_socket(world: World) -> None:
    job_id = gid("Job", world.job)
    async with session(world, token=world.jwt()) as client:
        await client.subscribe("live", PIPELINE, {"jobId": job_id})
        await client.subscribe("m", PERSONA_CREATE, {"name": "Over the socket"})
        created = await one_answer(client, "m")
        await client.subscribe("q", "query J($id: ID!) { job(id: $id) { id } }", {"id": job_id})
        assert (await one_answer(client, "q"))["data"]["job"]["id"] == job_id
        await client.stop("live")
    persona = created["data"]["personaCreate"]
    assert persona["__typename"] == "PersonaCreateSuccess"
    names = [p["name"] for p in (await world.gateway.execute(PERSONAS))["personas"]]
    assert "Over the socket" in names


async def test_a_query_that_fails_before_running_is_an_error_message(world: World) -> None:
    async with session(world, token=world.jwt()) as client:
        await client.subscribe("bad", "{ jobs { nope } }", {})
        assert "nope" in (await client.error("bad"))["message"]
        await client.subscribe("var", JOBS, {"n": "three"})
        assert (await client.error("var"))["message"]
        await client.subscribe("page", "{ jobs(first: 500) { totalCount } }", {})
        answer = await one_answer(client, "page")
        assert answer["data"] is None
        assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_http_limits_apply(world: World, settings_for: Any) -> None:
    costly = (
        "jobs(first: 100) { nodes { applications(first: 100) { nodes { candidate {"
        " applications(first: 100) { nodes { id } } } } } } }"
    )
    async with session(world, token=world.jwt()) as client:
        await client.subscribe("cost", "{ " + costly + " }", {})
        assert (await client.error("cost"))["extensions"]["code"] == "QUERY_TOO_COSTLY"
    settings_for(environment="production", jwt_secret=world.gateway.settings.jwt_secret)
    async with session(world, token=world.jwt(role=Role.RECRUITER)) as client:
        await client.subscribe("i", "{ __schema { types { name } } }", {})
        assert (await client.error("i"))["extensions"]["code"] == "FORBIDDEN"


async def test_without_a_token_a_query_is_unauthenticated(world: World) -> None:
    async with session(world) as client:
        await client.subscribe("q", JOBS, {"n": 1})
        answer = await one_answer(client, "q")
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_each_query_counts_against_the_rate_limit(world: World, settings_for: Any) -> None:
    settings_for(rate_limit_user_per_minute=2)
    async with session(world, token=world.jwt()) as client:
        for op_id in ("1", "2", "3"):
            await client.subscribe(op_id, JOBS, {"n": 1})
        assert (await one_answer(client, "1"))["data"]
        assert (await one_answer(client, "2"))["data"]
        assert (await client.error("3"))["extensions"]["code"] == "RATE_LIMITED"


async def test_a_mutation_the_client_stops_still_completes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The source system may have taken the write: stopping the operation or closing the
    socket stops the answer, never the write."""
    finished = asyncio.Event()
    execute = Schema.execute

    async def slow_execute(self: Schema, *args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0.3)
        result = await execute(self, *args, **kwargs)
        finished.set()
        return result

    monkeypatch.setattr(Schema, "execute", slow_execute)
    async with session(world, token=world.jwt()) as client:
        await client.subscribe("m", PERSONA_CREATE, {"name": "Stopped halfway"})
        await asyncio.sleep(0.05)
        await client.stop("m")
    await asyncio.wait_for(finished.wait(), 5)
    names = [p["name"] for p in (await world.gateway.execute(PERSONAS))["personas"]]
    assert "Stopped halfway" in names


@pytest.fixture
def settings_for(world: World) -> Iterator[Any]:
    """``settings_for(rate_limit_user_per_minute=2)``: settings (and fresh rate limits)
    for this test's new connections; the gateway's own are back afterwards."""
    state = world.gateway.app.state
    original = state.runtime

    def apply(**update: Any) -> None:
        settings = original.settings.model_copy(update=update)
        state.runtime = dataclasses.replace(original, settings=settings, rate_limits=RateLimits())

    yield apply
    state.runtime = original
