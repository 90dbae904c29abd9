"""GraphQL over Server-Sent Events (graphql-sse, distinct connections): a real HTTP client
streaming from the gateway on a loopback port, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from gateway.store.enums import Role
from resolvers import http as http_module
from resolvers import sse
from tests.resolvers import test_subscriptions
from tests.resolvers.test_subscriptions import PIPELINE, World, gid, live, moved

world = test_subscriptions.world

JOBS = "query Jobs { jobs(first: 2) { totalCount nodes { title } } }"


@pytest.fixture
async def http(world: World) -> AsyncIterator[httpx.AsyncClient]:
    base = world.url.replace("ws://", "http://").removesuffix("/graphql")
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        yield client


async def events(response: httpx.Response) -> AsyncIterator[tuple[str, Any]]:
    """(event, data) of each event of a stream; comments skipped."""
    name, data = "", []
    async for line in response.aiter_lines():
        if line.startswith(":"):
            continue
        if line.startswith("event:"):
            name = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            data.append(line.removeprefix("data:").strip())
        elif line == "" and name:
            text = "\n".join(data)
            yield name, orjson.loads(text) if text else None
            name, data = "", []


def headers(world: World, role: Role = Role.ADMIN) -> dict[str, str]:
    return {"accept": "text/event-stream", "authorization": f"Bearer {world.jwt(role=role)}"}


async def test_a_query_is_one_next_event_then_complete(
    world: World, http: httpx.AsyncClient
) -> None:
    expected = await world.gateway.execute(JOBS)
    async with http.stream("POST", "/graphql", json={"query": JOBS}, headers=headers(world)) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        received = [event async for event in events(r)]
    assert received == [("next", {"data": expected}), ("complete", None)]


async def test_a_subscription_streams_its_events(world: World, http: httpx.AsyncClient) -> None:
    baseline = world.bus.fanout.count()
    body = {"query": PIPELINE, "variables": {"jobId": gid("Job", world.job)}}
    async with http.stream("POST", "/graphql", json=body, headers=headers(world)) as response:
        assert response.status_code == 200
        stream = events(response)
        await live(world, baseline + 1)
        await world.bus.publish(moved(world, "active"))
        name, payload = await asyncio.wait_for(anext(stream), 5)
    assert name == "next"
    assert payload["data"]["pipelineUpdates"]["jobId"] == gid("Job", world.job)
    await test_subscriptions.until(lambda: world.bus.fanout.count() == baseline)


async def test_refusals_come_before_the_stream(world: World, http: httpx.AsyncClient) -> None:
    anonymous = await http.post(
        "/graphql",
        json={"query": PIPELINE, "variables": {"jobId": gid("Job", world.job)}},
        headers={"accept": "text/event-stream", "authorization": "Bearer nonsense"},
    )
    assert anonymous.status_code == 401
    costly = (
        "{ jobs(first: 100) { nodes { applications(first: 100) { nodes { candidate {"
        " applications(first: 100) { nodes { id } } } } } } } }"
    )
    refused = await http.post("/graphql", json={"query": costly}, headers=headers(world))
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    mutation_over_get = await http.get(
        "/graphql",
        params={"query": "mutation { __typename }"},
        headers=headers(world),
    )
    assert mutation_over_get.status_code == 405


async def test_a_subscription_over_plain_post_points_at_both_transports(world: World) -> None:
    response = await world.gateway.post(PIPELINE, {"jobId": gid("Job", world.job)})
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert "WebSocket" in message and "text/event-stream" in message


async def test_an_idle_stream_gets_keep_alives_and_a_revoked_caller_is_cut_off(
    world: World, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sse, "KEEPALIVE_SECONDS", 0.1)
    monkeypatch.setattr(sse, "ACCESS_CHECK_SECONDS", 0.3)
    baseline = world.bus.fanout.count()
    body = {"query": PIPELINE, "variables": {"jobId": gid("Job", world.job)}}
    lines: list[str] = []

    async def revoked(*_args: Any, **_kwargs: Any) -> Any:
        raise sse.RequestError(401, "the token was revoked", "UNAUTHENTICATED")

    async with http.stream(
        "POST", "/graphql", json=body, headers=headers(world, Role.RECRUITER)
    ) as response:
        await live(world, baseline + 1)
        monkeypatch.setattr(http_module, "principal_for_token", revoked)
        async for line in response.aiter_lines():
            lines.append(line)
    assert ": keep-alive" in lines
    assert "event: complete" in lines
    errors = [
        orjson.loads(line.removeprefix("data: ")) for line in lines if "UNAUTHENTICATED" in line
    ]
    assert errors and errors[0]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await test_subscriptions.until(lambda: world.bus.fanout.count() == baseline)
