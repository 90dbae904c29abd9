"""Anonymous WebSockets cannot pile up, on SQLite and PostgreSQL, over real sockets to a
real server: one client address holds at most ``websocket_anonymous_per_ip`` connections
without a token (the next is closed with 1013, however many arrive at once), every way a
socket ends gives its slot back, connections with a token are not counted, and an
anonymous connection running nothing for ``websocket_anonymous_idle_seconds`` is closed
with 1000 while one with a subscription running stays open.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.routing import WebSocketRoute
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from resolvers.ws import IDLE, TRY_AGAIN_LATER, AnonymousSockets, GraphQLWebSocket
from tests.resolvers import test_subscriptions
from tests.resolvers.test_subscriptions import (
    LEGACY,
    PIPELINE,
    PUBLIC_CHAT,
    TRANSPORT,
    Client,
    World,
    gid,
    live,
    session,
    until,
)

world = test_subscriptions.world
"""The gateway served on a loopback port, with a public interview link (``world.token``)."""

HERE = "127.0.0.1"
ELSEWHERE = "127.0.0.2"
"""Another loopback address: a second client as far as the server can tell."""
IDLE_SECONDS = 0.5


def anonymous_sockets(world: World) -> AnonymousSockets:
    for route in world.gateway.app.routes:
        if isinstance(route, WebSocketRoute) and route.path == "/graphql":
            endpoint = route.endpoint.__self__  # type: ignore[attr-defined]
            assert isinstance(endpoint, GraphQLWebSocket)
            return endpoint.anonymous
    raise AssertionError("no WebSocket route on /graphql")


@pytest.fixture
def configure(world: World) -> Iterator[Callable[..., None]]:
    """``configure(websocket_anonymous_per_ip=3)``: settings for this test's new
    connections; the gateway's own are back afterwards."""
    state = world.gateway.app.state
    original = state.runtime

    def apply(**update: Any) -> None:
        settings = original.settings.model_copy(update=update)
        state.runtime = dataclasses.replace(original, settings=settings)

    yield apply
    state.runtime = original


@pytest.fixture(autouse=True)
async def every_slot_given_back(world: World) -> AsyncIterator[None]:
    """Each test starts with no anonymous slot held and ends having given every one
    back, however its sockets ended."""
    sockets = anonymous_sockets(world)
    await until(lambda: sockets.held(HERE) == sockets.held(ELSEWHERE) == 0)
    yield
    await until(lambda: sockets.held(HERE) == sockets.held(ELSEWHERE) == 0)


@dataclass
class Attempt:
    """One socket's ``connection_init`` and what it got: an acknowledgement, or the
    messages before the close and the close itself."""

    client: Client
    acked: bool = False
    before_close: list[dict[str, Any]] = field(default_factory=list)
    code: int | None = None
    reason: str = ""


async def attempt(
    world: World,
    stack: contextlib.AsyncExitStack,
    protocol: str = TRANSPORT,
    *,
    token: str | None = None,
    address: str = HERE,
) -> Attempt:
    socket: ClientConnection = await stack.enter_async_context(
        connect(world.url, subprotocols=[Subprotocol(protocol)], local_addr=(address, 0))
    )
    tried = Attempt(Client(socket, protocol))
    payload = {"authorization": f"Bearer {token}"} if token else {}
    await tried.client.send({"type": "connection_init", "payload": payload})
    try:
        while True:
            message = await tried.client.recv()
            if message == {"type": "connection_ack"}:
                tried.acked = True
                return tried
            tried.before_close.append(message)
    except ConnectionClosed as closed:
        tried.code = closed.rcvd.code if closed.rcvd else None
        tried.reason = closed.rcvd.reason if closed.rcvd else ""
    return tried


async def close_code(client: Client) -> tuple[int | None, str]:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await client.recv()
    received = closed.value.rcvd
    return (received.code, received.reason) if received else (None, "")


async def still_open(client: Client) -> None:
    await client.send({"type": "ping"})
    assert await client.recv() == {"type": "pong"}


# --- the cap per address ---------------------------------------------------------------


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_the_connection_over_the_cap_is_turned_away_until_a_slot_frees(
    world: World, configure: Callable[..., None], protocol: str
) -> None:
    configure(websocket_anonymous_per_ip=3)
    sockets = anonymous_sockets(world)
    async with contextlib.AsyncExitStack() as stack:
        admitted = [await attempt(world, stack, protocol) for _ in range(3)]
        assert all(a.acked for a in admitted)
        assert sockets.held(HERE) == 3

        over = await attempt(world, stack, protocol)

        assert not over.acked
        assert (over.code, over.reason) == (TRY_AGAIN_LATER, "Too many anonymous connections")
        if protocol == LEGACY:
            [error] = over.before_close
            assert error["type"] == "connection_error"
            assert error["payload"]["extensions"]["code"] == "TOO_MANY_CONNECTIONS"
        else:
            assert over.before_close == []
        assert sockets.held(HERE) == 3, "the one turned away holds no slot"

        await admitted[0].client.socket.close()
        await until(lambda: sockets.held(HERE) == 2)
        assert (await attempt(world, stack, protocol)).acked, "the freed slot is taken again"
        assert not (await attempt(world, stack, protocol)).acked


async def test_many_connections_at_once_never_exceed_the_cap(
    world: World, configure: Callable[..., None]
) -> None:
    configure(websocket_anonymous_per_ip=3)
    async with contextlib.AsyncExitStack() as stack:
        attempts = await asyncio.gather(
            *[attempt(world, stack, (TRANSPORT, LEGACY)[n % 2]) for n in range(12)]
        )
        assert sum(a.acked for a in attempts) == 3
        assert [a.code for a in attempts if not a.acked] == [TRY_AGAIN_LATER] * 9
        assert anonymous_sockets(world).held(HERE) == 3


async def test_each_address_has_its_own_cap(world: World, configure: Callable[..., None]) -> None:
    configure(websocket_anonymous_per_ip=1)
    async with contextlib.AsyncExitStack() as stack:
        assert (await attempt(world, stack)).acked
        assert not (await attempt(world, stack)).acked
        assert (await attempt(world, stack, address=ELSEWHERE)).acked
        assert not (await attempt(world, stack, address=ELSEWHERE)).acked


async def test_connections_with_a_token_are_not_counted(
    world: World, configure: Callable[..., None]
) -> None:
    configure(websocket_anonymous_per_ip=2)
    async with contextlib.AsyncExitStack() as stack:
        signed_in = [await attempt(world, stack, token=world.jwt()) for _ in range(3)]
        assert all(a.acked for a in signed_in)
        assert anonymous_sockets(world).held(HERE) == 0
        assert (await attempt(world, stack)).acked
        assert (await attempt(world, stack)).acked
        assert not (await attempt(world, stack)).acked
        late = await attempt(world, stack, LEGACY, token=world.jwt())
        assert late.acked, "a full anonymous cap does not keep out a signed-in client"
        baseline = world.bus.fanout.count()
        await late.client.subscribe("1", PIPELINE, {"jobId": gid("Job", world.job)})
        await live(world, baseline + 1)


async def test_every_way_a_socket_ends_gives_its_slot_back(
    world: World, configure: Callable[..., None]
) -> None:
    """With a cap of one, each ending is followed by a connection that must get in."""
    configure(websocket_anonymous_per_ip=1)
    sockets = anonymous_sockets(world)

    async def next_one_gets_in() -> None:
        await until(lambda: sockets.held(HERE) == 0)
        async with session(world) as client:
            await still_open(client)

    async with session(world) as client:  # the client closes
        pass
    await next_one_gets_in()

    async with session(world) as client:  # the peer vanishes without a close frame
        client.socket.transport.abort()
    await next_one_gets_in()

    async with session(world) as client:  # the server closes on a protocol violation
        await client.socket.send("{not json")
        assert (await close_code(client))[0] == 4400
    await next_one_gets_in()

    async with session(world, LEGACY) as client:  # the legacy goodbye
        await client.send({"type": "connection_terminate"})
        assert (await close_code(client))[0] == 1000
    await next_one_gets_in()

    async with session(world) as client:  # with a subscription running
        baseline = world.bus.fanout.count()
        await client.subscribe("chat", PUBLIC_CHAT, {"token": world.token})
        await live(world, baseline + 1)
    await next_one_gets_in()


# --- idle anonymous connections --------------------------------------------------------


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_an_anonymous_connection_that_runs_nothing_is_closed(
    world: World, configure: Callable[..., None], protocol: str
) -> None:
    configure(websocket_anonymous_idle_seconds=IDLE_SECONDS)
    acknowledged = time.monotonic()
    async with session(world, protocol) as client:
        assert await close_code(client) == (IDLE, "Idle")
    assert time.monotonic() - acknowledged >= IDLE_SECONDS


async def test_a_running_subscription_keeps_an_anonymous_connection_open(
    world: World, configure: Callable[..., None]
) -> None:
    """Open for three idle limits while the public chat runs; closed one full limit
    after it stops. A refused operation ends at once and keeps nothing open."""
    configure(websocket_anonymous_idle_seconds=IDLE_SECONDS)
    async with session(world) as anonymous, session(world, token=world.jwt()) as signed_in:
        baseline = world.bus.fanout.count()
        await anonymous.subscribe("chat", PUBLIC_CHAT, {"token": world.token})
        await live(world, baseline + 1)
        await asyncio.sleep(3 * IDLE_SECONDS)
        await still_open(anonymous)
        await still_open(signed_in)

        await anonymous.stop("chat")
        stopped = time.monotonic()
        await until(lambda: world.bus.fanout.count() == baseline)
        await anonymous.subscribe("refused", PIPELINE, {"jobId": gid("Job", world.job)})
        assert (await anonymous.error("refused"))["extensions"]["code"] == "UNAUTHENTICATED"
        assert await close_code(anonymous) == (IDLE, "Idle")
        assert time.monotonic() - stopped >= IDLE_SECONDS

        await still_open(signed_in)  # a connection with a token is never closed as idle


def _subscription_bomb(levels: int) -> str:
    fragments = [
        f"fragment F{n} on Subscription {{ __typename ...F{n + 1} ...F{n + 1} }}"
        for n in range(levels)
    ]
    fragments.append(f"fragment F{levels} on Subscription {{ __typename }}")
    return "subscription { ...F0 }\n" + "\n".join(fragments)


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_a_subscription_over_the_cost_limit_is_refused_before_it_runs(
    world: World, protocol: str
) -> None:
    started = time.perf_counter()
    async with session(world, protocol, token=world.jwt()) as client:
        await client.subscribe("bomb", _subscription_bomb(30), {})
        error = await client.error("bomb")
        assert error["extensions"]["code"] == "QUERY_TOO_COSTLY", error
        assert error["extensions"]["cost"] > error["extensions"]["limit"]
        await client.subscribe("ok", PIPELINE, {"jobId": gid("Job", world.job)})
        await client.nothing_within(0.2)
    assert time.perf_counter() - started < 10
