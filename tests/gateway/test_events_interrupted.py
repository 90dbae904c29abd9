"""While the event bus has lost Redis the gateway says so and sends subscribers away to
come back later, instead of leaving them on streams that silently miss events.

A real Redis server is stopped and started again on the same port under a gateway
served by uvicorn, with real WebSocket clients: while it is down ``/readyz`` answers
503 with the ``events`` check saying since when, every socket with a subscription
running (graphql-transport-ws and legacy graphql-ws) is closed with 1013 "Try Again
Later", which clients retry, and a new ``subscribe`` is answered the same way; once it
is back ``/readyz`` is 200 again and a new subscription gets what is published.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from redis.exceptions import RedisError
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from gateway.events import application_stage_changed
from gateway.pubsub import Event
from gateway.store.models import Application
from resolvers.relay import to_global_id
from resolvers.ws import TRY_AGAIN_LATER
from tests.resolvers.test_subscriptions import LEGACY, PIPELINE, TRANSPORT, Client, until
from tests.support.gateway import Gateway, running_gateway
from tests.support.restartable_redis import RestartableRedis, restartable_redis
from tests.support.serving import served_on_loopback

DISCONNECTED = "error: disconnected since "


@dataclass
class Served:
    gateway: Gateway
    redis: RestartableRedis
    port: int
    application: int
    job: int

    @property
    def bus_queues(self) -> int:
        return int(self.gateway.app.state.bus.fanout.count())

    def moved(self, stage: str) -> Event:
        tenant = self.gateway.tenants["demo"].tenant_id
        return application_stage_changed(
            tenant,
            application_id=self.application,
            job_id=self.job,
            candidate_id=1,
            stage=stage,
            previous_stage=None,
            status="active",
        )


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RestartableRedis]:
    with restartable_redis() as server:
        yield server


@pytest.fixture(scope="module")
async def served(
    redis_server: RestartableRedis, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Served]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('events') / 'gateway.db'}"
    async with running_gateway(url, redis_url=redis_server.url, redis_prefix="tg") as gateway:
        tenant = gateway.tenants["demo"].tenant_id
        async with gateway.app.state.session_factory() as session:
            application = (
                await session.execute(
                    sa.select(Application.id, Application.job_id)
                    .where(Application.tenant_id == tenant)
                    .limit(1)
                )
            ).one()
        async with served_on_loopback(gateway.app) as loopback:
            yield Served(gateway, redis_server, loopback.port, application.id, application.job_id)


@contextlib.asynccontextmanager
async def signed_in(served: Served, protocol: str = TRANSPORT) -> AsyncIterator[Client]:
    url = f"ws://127.0.0.1:{served.port}/graphql"
    async with connect(url, subprotocols=[Subprotocol(protocol)]) as socket:
        client = Client(socket, protocol)
        await client.send({"type": "connection_init", "payload": served.gateway.headers()})
        assert await client.recv() == {"type": "connection_ack"}
        yield client


@contextlib.asynccontextmanager
async def subscribed(served: Served, protocol: str = TRANSPORT) -> AsyncIterator[Client]:
    """A signed-in socket that has sent a pipeline subscription (id "1")."""
    async with signed_in(served, protocol) as client:
        await subscribe(served, client)
        yield client


async def subscribe(served: Served, client: Client) -> None:
    await client.subscribe("1", PIPELINE, {"jobId": to_global_id("Job", served.job)})


async def closed_with(
    client: Client, within: float = 5, *, told: list[Any] | None = None
) -> tuple[int | None, str]:
    """How the server closed the socket; ``told`` collects what it sent before."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            message = await client.recv(within)
            if told is not None:
                told.append(message)
    received = closed.value.rcvd
    return (received.code, received.reason) if received else (None, "")


async def readyz(http: httpx.AsyncClient, served: Served) -> httpx.Response:
    return await http.get(f"http://127.0.0.1:{served.port}/readyz")


async def publish_until_sent(served: Served, stage: str) -> None:
    """The first publish after the restart may meet a connection the restart closed."""
    bus = served.gateway.app.state.bus
    async with asyncio.timeout(10):
        while True:
            with contextlib.suppress(RedisError, OSError):
                await bus.publish(served.moved(stage))
                return
            await asyncio.sleep(0.1)


async def stage_of_next(client: Client) -> str:
    update = (await client.next("1"))["pipelineUpdates"]
    assert update["kind"] == "MOVED", update
    return str(update["stage"])


async def test_subscribers_are_sent_away_while_the_bus_has_lost_redis(served: Served) -> None:
    async with (
        httpx.AsyncClient(timeout=10) as http,
        subscribed(served) as modern,
        subscribed(served, LEGACY) as legacy,
        signed_in(served) as idle,
    ):
        response = await readyz(http, served)
        assert response.status_code == 200, response.text
        assert response.json()["checks"]["events"] == "ok"
        await until(lambda: served.bus_queues == 2)
        await served.gateway.app.state.bus.publish(served.moved("Before"))
        for client in (modern, legacy):
            assert await stage_of_next(client) == "Before"

        served.redis.halt()
        stopped = datetime.now(UTC)

        told: dict[str, list[Any]] = {"modern": [], "legacy": []}
        for name, client in (("modern", modern), ("legacy", legacy)):
            code, reason = await closed_with(client, told=told[name])
            assert code == TRY_AGAIN_LATER == 1013
            assert reason == "Live updates interrupted; reconnect"
        errors = [m for m in told["legacy"] if m.get("type") == "connection_error"]
        assert [e["payload"]["extensions"]["code"] for e in errors] == ["EVENTS_INTERRUPTED"], (
            "a legacy client, whose protocol has no close codes of its own, is told why"
        )
        response = await readyz(http, served)
        assert response.status_code == 503, response.text
        events = response.json()["checks"]["events"]
        assert events.startswith(DISCONNECTED), events
        since = datetime.fromisoformat(events.removeprefix(DISCONNECTED))
        assert abs((since - stopped).total_seconds()) < 5
        async with subscribed(served) as late:
            assert await closed_with(late) == (1013, "Live updates interrupted; reconnect")
        await idle.send({"type": "ping"})
        assert await idle.recv() == {"type": "pong"}, "a socket running nothing stays open"

        served.redis.resume()
        back = time.monotonic()
        while (response := await readyz(http, served)).status_code != 200:
            assert time.monotonic() - back < 30, response.text
            await asyncio.sleep(0.1)
        assert response.json()["checks"]["events"] == "ok"

        await until(lambda: served.bus_queues == 0)
        async with subscribed(served) as new:
            await subscribe(served, idle)
            await until(lambda: served.bus_queues == 2)
            await publish_until_sent(served, "After")
            assert await stage_of_next(new) == "After"
            assert await stage_of_next(idle) == "After"
