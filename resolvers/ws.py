"""GraphQL over WebSocket on ``/graphql`` (subscriptions, and queries and mutations for
single-socket clients), in both subprotocols:
``graphql-transport-ws`` (the ``graphql-ws`` library's) and the legacy ``graphql-ws``
(``subscriptions-transport-ws``, Apollo's old one).

    -> {"type": "connection_init", "payload": {"authorization": "Bearer <jwt>"}}
    <- {"type": "connection_ack"}
    -> {"type": "subscribe", "id": "1", "payload": {"query": "subscription { ... }"}}
    <- {"type": "next", "id": "1", "payload": {"data": {...}}}        one per event
    -> {"type": "complete", "id": "1"}                                 stop it

(legacy: ``start``/``stop``, ``data``, and a ``ka`` keep-alive every 15 s.)

Authentication is the ``connection_init`` payload: ``authorization`` ("Bearer <jwt>"),
``token``, or ``headers.authorization``; without any, the handshake's own
``Authorization`` header. The token is checked as over HTTP (signature, expiry, the
user still there and active, the role from the store) and again every
``ACCESS_CHECK_SECONDS`` while the socket is open; a bad token, a change of access or
the token's expiry closes the socket with 4403 (legacy: ``connection_error`` first). No
token at all is allowed: the connection may only open what needs none
(``publicInterviewChat``); anything else is refused per operation (``UNAUTHENTICATED``).

Other close codes, as the protocol has them: 4400 malformed message, 4401 subscribe
before the acknowledgement, 4406 no supported subprotocol, 4408 no ``connection_init``
within ``INIT_TIMEOUT_SECONDS``, 4409 an operation id in use, 4429 a second
``connection_init``. A server we depend on being unreachable while the token is checked
or an operation starts (``gateway.unavailable``) closes with 1013 "Try Again Later",
which graphql-ws clients retry with backoff, rather than 1011.

Anonymous connections cannot pile up. One client address may hold
``websocket_anonymous_per_ip`` of them open at once; the ``connection_init`` over that
is answered with 1013 "Try Again Later" (legacy: ``connection_error`` first,
``TOO_MANY_CONNECTIONS``). The protocol has no code for this (its 4429 means a second
``connection_init``, and its 44xx codes are fatal to graphql-ws clients); 1013 is the
WebSocket code for a temporary refusal, and graphql-ws clients retry it with backoff,
by when a slot may have freed. The count is per process: each process of a deployment
keeps its own, so behind a load balancer an address may hold the cap on each. An
anonymous connection with no operation running for ``websocket_anonymous_idle_seconds``
(counted from its acknowledgement, or from when its last operation ended) is closed
with 1000 "Idle", which graphql-ws clients do not retry while nothing is subscribed.
Authenticated connections are bounded by the per-user rate limits instead.

Queries and mutations run here too, for clients that use one socket for everything
(urql, graphql-ws with ``lazy: false``): ``subscribe`` with a query or mutation gets one
``next`` and ``complete``, or an ``error`` when it failed before executing, with the
checks of ``POST /graphql`` (depth, aliases, cost, introspection for admins outside
development, error masking). A mutation runs to its end even if the client stops it or
goes away; a query past ``MAX_REQUEST_SECONDS`` is stopped with ``TIMEOUT``. The
response cache is HTTP's alone. Each operation counts against the rate limits of HTTP
requests (per user, or per client address when anonymous; credential operations
against their own bucket too); over a limit it is refused with ``RATE_LIMITED``.

Each operation is a task with a context of its own, reading its own bounded bus queue;
publishing never waits for it. A client that stops reading stalls only its own sends
(the server's keep-alive pings then time out and drop it); its queue keeps the newest
events. When the socket closes, every operation task is cancelled and its bus queue
freed.

When the event bus loses Redis, events published until it is back are lost to every
subscriber, so a connection with a subscription running is closed with 1013 "Try Again
Later" at once, and a ``subscribe`` while the bus is still away gets the same: clients
reconnect (graphql-ws retries 1013 with backoff), subscribe again when the bus is back
and refetch what they show, instead of waiting on a stream with a hole in it.

The connection's life (handshake, access checks, idle and keep-alives) is in
``resolvers.ws_session``, its messages and subscriptions in ``resolvers.ws_protocol``,
the checks on tokens, anonymous slots and operations in ``resolvers.ws_admission``.
"""

from __future__ import annotations

from prometheus_client import Gauge
from starlette.websockets import WebSocket
from strawberry import Schema

from gateway.metrics import REGISTRY
from gateway.runtime import runtime_of
from resolvers.ws_admission import AnonymousSockets, credentials
from resolvers.ws_protocol import Connection
from resolvers.ws_session import IDLE, PROTOCOLS, TRY_AGAIN_LATER

__all__ = ["IDLE", "TRY_AGAIN_LATER", "AnonymousSockets", "GraphQLWebSocket", "credentials"]

WEBSOCKET_CONNECTIONS = Gauge(
    "talentgraph_websocket_connections",
    "Open GraphQL WebSocket connections, by subprotocol",
    ["protocol"],
    registry=REGISTRY,
)


class GraphQLWebSocket:
    """The Starlette WebSocket endpoint, serving ``schema`` with the app's runtime
    (``gateway.runtime``). One per app, holding the app's count of anonymous connections."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.anonymous = AnonymousSockets()

    async def handle(self, websocket: WebSocket) -> None:
        offered = websocket.scope.get("subprotocols") or []
        protocol = next((p for p in PROTOCOLS if p in offered), None)
        await websocket.accept(subprotocol=protocol)
        if protocol is None:
            await websocket.close(4406, "Subprotocol not acceptable")
            return
        connection = Connection(
            websocket, protocol, runtime_of(websocket), self.schema, self.anonymous
        )
        WEBSOCKET_CONNECTIONS.labels(protocol).inc()
        try:
            await connection.serve()
        finally:
            WEBSOCKET_CONNECTIONS.labels(protocol).dec()
