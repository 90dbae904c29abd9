"""GraphQL subscriptions over WebSocket on ``/graphql``, in both subprotocols:
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

Only subscriptions run here; queries and mutations go to ``POST /graphql``, where the
response cache, idempotency keys and the introspection rule live. Each subscription
counts against the rate limits of HTTP requests (per user, or per client address when
anonymous); over a limit it is refused with ``RATE_LIMITED``.

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
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
import orjson
from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from prometheus_client import Gauge
from starlette.datastructures import State
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketDisconnected
from strawberry.types.execution import ExecutionResult, PreExecutionError

from gateway.auth import AuthenticationError, Principal, bearer_token
from gateway.metrics import GRAPHQL_REQUESTS, REGISTRY, operation_label
from gateway.rate_limits import buckets
from gateway.services.principals import principal_for_token
from gateway.unavailable import is_infrastructure_failure
from resolvers.context import Context
from resolvers.cost import cost_limit, query_cost, too_costly
from resolvers.document_limits import document_shape, over_limits
from resolvers.extensions import formatted_error

logger = logging.getLogger("talentgraph.ws")

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
PROTOCOLS = (TRANSPORT_WS, LEGACY_WS)
"""Supported subprotocols, preferred first."""

INIT_TIMEOUT_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 15.0
"""Legacy protocol only: how often ``ka`` is sent."""
ACCESS_CHECK_SECONDS = 60.0
MAX_OPERATIONS = 100
"""Operations one connection may run at once."""
MAX_ID_LENGTH = 128
TRY_AGAIN_LATER = 1013
"""Close code for a connection sent away for now, which graphql-ws clients retry: an
anonymous one over its address's cap, one whose server we depend on is unreachable,
one with subscriptions while the event bus lost its events."""
IDLE = 1000
"""Close code for an anonymous connection left idle."""

WEBSOCKET_CONNECTIONS = Gauge(
    "talentgraph_websocket_connections",
    "Open GraphQL WebSocket connections, by subprotocol",
    ["protocol"],
    registry=REGISTRY,
)
SUBSCRIPTIONS_RUNNING = Gauge(
    "talentgraph_subscriptions_running",
    "GraphQL subscriptions running over WebSocket",
    registry=REGISTRY,
)

_connection_ids = itertools.count(1)


class _Closed(Exception):
    """The socket is closed: nothing more can be sent."""


class _Refused(Exception):
    """The client broke the protocol: close with ``code``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class _Operation:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


def _operation(payload: Any) -> _Operation | None:
    if not isinstance(payload, dict):
        return None
    query, variables = payload.get("query"), payload.get("variables")
    name = payload.get("operationName")
    if not isinstance(query, str) or not (variables is None or isinstance(variables, dict)):
        return None
    if not (name is None or isinstance(name, str)):
        return None
    return _Operation(query, variables, name)


def _refusal(
    operation: _Operation, state: State, principal: Principal | None
) -> GraphQLError | None:
    """The error for a query or mutation sent here, or for a subscription over the
    caller's cost limit (checked before validation, which grows with the cost); ``None``
    for a subscription to run, or a document the schema reports on itself (a syntax
    error, an unknown operation name)."""
    settings = state.settings
    try:
        document = parse(operation.query, max_tokens=settings.max_query_tokens)
    except GraphQLError:
        return None
    found = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation.operation_name is not None:
        found = [d for d in found if d.name and d.name.value == operation.operation_name]
    if len(found) != 1:
        return None
    if found[0].operation is not OperationType.SUBSCRIPTION:
        return GraphQLError(
            f"Only subscriptions are served over WebSocket: send this "
            f"{found[0].operation.value} to POST /graphql",
            extensions={"code": "BAD_REQUEST"},
        )
    refused = over_limits(document_shape(document), settings.max_query_depth, settings.max_aliases)
    if refused is not None:
        return refused
    limit = cost_limit(settings, principal)
    cost = query_cost(state.schema._schema, document, operation.operation_name, operation.variables)
    return too_costly(cost, limit) if cost > limit else None


def credentials(payload: Mapping[str, Any], header: str | None) -> str | None:
    """The bearer token a client presents, ``None`` when it presents none.

    >>> credentials({"authorization": "Bearer abc"}, None)
    'abc'
    >>> credentials({"token": "abc"}, None)
    'abc'
    """
    headers = payload.get("headers")
    nested = headers if isinstance(headers, Mapping) else {}
    for source in (payload, nested):
        for key in ("authorization", "Authorization"):
            if key in source:
                value = source[key]
                if not isinstance(value, str):
                    raise AuthenticationError("authorization must be 'Bearer <token>'")
                return bearer_token(value)
    if "token" in payload:
        token = payload["token"]
        if not isinstance(token, str) or not token.strip():
            raise AuthenticationError("token must be a non-empty string")
        return token.strip().removeprefix("Bearer ").strip()
    return bearer_token(header)


def _expiry(token: str) -> float | None:
    """The ``exp`` of a token whose signature was already checked."""
    claims = jwt.decode(token, options={"verify_signature": False})
    exp = claims.get("exp")
    return float(exp) if isinstance(exp, int | float) else None


class AnonymousSockets:
    """Open anonymous connections per client address, in one process.

    >>> sockets = AnonymousSockets()
    >>> sockets.take("203.0.113.9", limit=1), sockets.take("203.0.113.9", limit=1)
    (True, False)
    >>> sockets.give_back("203.0.113.9")
    >>> sockets.held("203.0.113.9")
    0

    ``take`` checks and counts without awaiting anything, so connections initialising
    at the same moment can never both get the last slot.
    """

    def __init__(self) -> None:
        self._held: dict[str, int] = {}

    def held(self, address: str) -> int:
        return self._held.get(address, 0)

    def take(self, address: str, *, limit: int) -> bool:
        held = self._held.get(address, 0)
        if held >= limit:
            return False
        self._held[address] = held + 1
        return True

    def give_back(self, address: str) -> None:
        held = self._held.get(address, 0) - 1
        if held > 0:
            self._held[address] = held
        else:
            self._held.pop(address, None)


class GraphQLWebSocket:
    """The Starlette WebSocket endpoint; state comes from ``app.state``. One per app,
    holding the app's count of anonymous connections."""

    def __init__(self) -> None:
        self.anonymous = AnonymousSockets()

    async def handle(self, websocket: WebSocket) -> None:
        offered = websocket.scope.get("subprotocols") or []
        protocol = next((p for p in PROTOCOLS if p in offered), None)
        await websocket.accept(subprotocol=protocol)
        if protocol is None:
            await websocket.close(4406, "Subprotocol not acceptable")
            return
        connection = _Connection(websocket, protocol, websocket.app.state, self.anonymous)
        WEBSOCKET_CONNECTIONS.labels(protocol).inc()
        try:
            await connection.serve()
        finally:
            WEBSOCKET_CONNECTIONS.labels(protocol).dec()


class _Connection:
    def __init__(
        self, websocket: WebSocket, protocol: str, state: State, anonymous: AnonymousSockets
    ) -> None:
        self.websocket = websocket
        self.legacy = protocol == LEGACY_WS
        self.state = state
        self.anonymous = anonymous
        self.slot: str | None = None
        """The client address whose anonymous slot this connection holds."""
        self.idle_since = time.monotonic()
        """When the connection last had no operation running."""
        self.idle_watch: asyncio.Task[None] | None = None
        self.id = next(_connection_ids)
        self.closed = False
        self.init_received = False
        self.acknowledged = False
        self.principal: Principal | None = None
        self.token: str | None = None
        self.token_expires: float | None = None
        self.operations: dict[str, asyncio.Task[None]] = {}
        self.housekeeping: asyncio.Task[None] | None = None
        self.bus_watch: asyncio.Task[None] | None = None

    # the connection

    async def serve(self) -> None:
        try:
            await self._receive_loop()
        except _Refused as refusal:
            await self.close(refusal.code, refusal.reason)
        except _Closed:
            pass
        except Exception as exc:
            if is_infrastructure_failure(exc):
                logger.warning("closing socket %s, a server is unavailable: %r", self.id, exc)
                await self._unavailable()
            else:
                logger.exception("socket %s failed", self.id)
                await self.close(1011, "Internal server error")
        finally:
            await self._shutdown()

    async def _receive_loop(self) -> None:
        deadline = time.monotonic() + INIT_TIMEOUT_SECONDS
        while not self.closed:
            try:
                if self.init_received:
                    message = await self.websocket.receive()
                else:
                    async with asyncio.timeout_at(_loop_time(deadline)):
                        message = await self.websocket.receive()
            except TimeoutError:
                raise _Refused(4408, "Connection initialisation timeout") from None
            except (WebSocketDisconnect, WebSocketDisconnected, OSError):
                return
            if message["type"] == "websocket.disconnect":
                self.closed = True
                return
            text = message.get("text")
            if text is None:
                raise _Refused(4400, "WebSocket message type must be text")
            try:
                parsed = orjson.loads(text)
            except orjson.JSONDecodeError:
                raise _Refused(4400, "WebSocket message must be valid JSON") from None
            if not isinstance(parsed, dict) or not isinstance(parsed.get("type"), str):
                raise _Refused(4400, "WebSocket message must be an object with a type")
            await self._dispatch(parsed)

    async def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "connection_init":
            await self._init(message.get("payload"))
        elif self.legacy:
            await self._dispatch_legacy(kind, message)
        elif kind == "ping":
            await self.send({"type": "pong"})
        elif kind == "pong":
            pass
        elif kind == "subscribe":
            await self._subscribe(message, TRANSPORT_WS)
        elif kind == "complete":
            await self._stop(message.get("id"))
        else:
            raise _Refused(4400, f"Unknown message type: {kind[:64]}")

    async def _dispatch_legacy(self, kind: str, message: dict[str, Any]) -> None:
        if kind == "start":
            await self._subscribe(message, LEGACY_WS)
        elif kind == "stop":
            await self._stop(message.get("id"))
        elif kind == "connection_terminate":
            await self.close(1000, "")
        # anything else is ignored, as subscriptions-transport-ws servers do

    async def _init(self, payload: Any) -> None:
        if self.init_received:
            raise _Refused(4429, "Too many initialisation requests")
        self.init_received = True
        if payload is not None and not isinstance(payload, dict):
            await self._refuse_connection("the connection_init payload must be an object")
            return
        try:
            token = credentials(payload or {}, self.websocket.headers.get("authorization"))
            if token is not None:
                self.principal = await principal_for_token(
                    self.state.reader, self.state.jwt_secret, token, oidc=self.state.oidc
                )
                self.token, self.token_expires = token, _expiry(token)
        except AuthenticationError as exc:
            await self._refuse_connection(str(exc))
            return
        if self.principal is None and not self._take_anonymous_slot():
            await self._turn_away()
            return
        await self.send({"type": "connection_ack"})
        self.acknowledged = True
        self.idle_since = time.monotonic()
        if self.legacy:
            await self.send({"type": "ka"})
        if self.legacy or self.principal is not None:
            self.housekeeping = asyncio.create_task(
                self._housekeep(), name=f"ws-{self.id}-housekeeping"
            )
        if self.principal is None:
            self.idle_watch = asyncio.create_task(
                self._close_when_idle(), name=f"ws-{self.id}-idle"
            )

    def _take_anonymous_slot(self) -> bool:
        client = self.websocket.client
        address = client.host if client else "unknown"
        limit = self.state.settings.websocket_anonymous_per_ip
        if not self.anonymous.take(address, limit=limit):
            return False
        self.slot = address
        return True

    def _give_back_anonymous_slot(self) -> None:
        if self.slot is not None:
            self.anonymous.give_back(self.slot)
            self.slot = None

    async def _turn_away(self) -> None:
        client = self.websocket.client
        logger.info(
            "closing socket %s: too many anonymous connections from %s",
            self.id,
            client.host if client else "?",
        )
        await self._send_away(
            "Too many anonymous connections",
            "too many connections without a token from this address; retry later",
            "TOO_MANY_CONNECTIONS",
        )

    async def _send_away(self, reason: str, message: str, code: str) -> None:
        """Close with ``TRY_AGAIN_LATER``; a legacy client first gets ``connection_error``
        saying why (its protocol has no other way to tell)."""
        if self.legacy:
            with contextlib.suppress(_Closed):
                await self.send(
                    {
                        "type": "connection_error",
                        "payload": {"message": message, "extensions": {"code": code}},
                    }
                )
        await self.close(TRY_AGAIN_LATER, reason)

    async def _unavailable(self) -> None:
        await self._send_away(
            "Try Again Later",
            "a server this gateway depends on is unavailable; retry later",
            "SERVICE_UNAVAILABLE",
        )

    async def _close_when_idle(self) -> None:
        """Close an anonymous connection once it has run nothing for the idle limit.
        While operations run it looks again every limit; ``idle_since`` moves when the
        last one ends, so the close comes a full limit after that."""
        limit = self.state.settings.websocket_anonymous_idle_seconds
        while not self.closed:
            if self.operations:
                await asyncio.sleep(limit)
                continue
            remaining = self.idle_since + limit - time.monotonic()
            if remaining <= 0:
                logger.info("closing socket %s: idle for %s s", self.id, limit)
                await self.close(IDLE, "Idle")
                return
            await asyncio.sleep(remaining)

    def _note_if_idle(self) -> None:
        if not self.operations:
            self.idle_since = time.monotonic()

    async def _refuse_connection(self, reason: str) -> None:
        if self.legacy:
            with contextlib.suppress(_Closed):
                await self.send(
                    {
                        "type": "connection_error",
                        "payload": {"message": reason, "extensions": {"code": "UNAUTHENTICATED"}},
                    }
                )
        await self.close(4403, "Forbidden")

    async def _housekeep(self) -> None:
        """Legacy keep-alives; the principal re-checked, and the socket closed when the
        token expires or the user's access changes."""
        now = time.monotonic()
        next_ka = now + KEEP_ALIVE_SECONDS if self.legacy else None
        jitter = random.uniform(0.9, 1.1)  # spreads the checks of sockets opened together
        next_check = now + ACCESS_CHECK_SECONDS * jitter if self.principal else None
        expires = (
            now + max(0.0, self.token_expires - time.time())
            if self.token_expires is not None
            else None
        )
        try:
            while not self.closed:
                due = min(t for t in (next_ka, next_check, expires) if t is not None)
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                now = time.monotonic()
                if expires is not None and now >= expires:
                    await self._revoke("token expired")
                    return
                if next_check is not None and now >= next_check:
                    next_check = now + ACCESS_CHECK_SECONDS
                    if not await self._access_unchanged():
                        await self._revoke("access changed")
                        return
                if next_ka is not None and now >= next_ka:
                    next_ka = now + KEEP_ALIVE_SECONDS
                    await self.send({"type": "ka"})
        except _Closed:
            return

    async def _access_unchanged(self) -> bool:
        assert self.token is not None
        try:
            now = await principal_for_token(
                self.state.reader, self.state.jwt_secret, self.token, oidc=self.state.oidc
            )
        except AuthenticationError:
            return False
        except Exception:
            logger.warning("could not re-check the principal of socket %s", self.id, exc_info=True)
            return True
        return self.principal is not None and now.role is self.principal.role

    async def _revoke(self, reason: str) -> None:
        logger.info("closing socket %s: %s", self.id, reason)
        if self.legacy:
            with contextlib.suppress(_Closed):
                await self.send(
                    {
                        "type": "connection_error",
                        "payload": {"message": reason, "extensions": {"code": "UNAUTHENTICATED"}},
                    }
                )
        await self.close(4403, f"Forbidden: {reason}")

    # operations

    async def _subscribe(self, message: dict[str, Any], protocol: str) -> None:
        if not self.acknowledged:
            raise _Refused(4401, "Unauthorized")
        op_id = message.get("id")
        if not isinstance(op_id, str) or not op_id or len(op_id) > MAX_ID_LENGTH:
            raise _Refused(4400, "Invalid message: the id must be a non-empty string")
        if op_id in self.operations:
            if protocol == TRANSPORT_WS:
                raise _Refused(4409, f"Subscriber for {op_id} already exists")
            await self._stop(op_id)
        operation = _operation(message.get("payload"))
        if operation is None:
            if protocol == TRANSPORT_WS:
                raise _Refused(4400, "Invalid message: the payload must hold a query string")
            await self._send_errors(op_id, [GraphQLError("the payload must hold a query string")])
            return
        refusal = _refusal(operation, self.state, self.principal)
        if refusal is not None:
            await self._send_errors(op_id, [refusal])
            return
        if not self.state.bus.connected:
            await self._events_interrupted()
            return
        limited = await self._rate_limited()
        if limited is not None:
            await self._send_errors(op_id, [limited])
            return
        if len(self.operations) >= MAX_OPERATIONS:
            limit = GraphQLError(
                f"At most {MAX_OPERATIONS} subscriptions per connection",
                extensions={"code": "TOO_MANY_SUBSCRIPTIONS"},
            )
            await self._send_errors(op_id, [limit])
            return
        task = asyncio.create_task(self._run(op_id, operation), name=f"ws-{self.id}-{op_id}")
        self.operations[op_id] = task
        if self.bus_watch is None or self.bus_watch.done():
            self.bus_watch = asyncio.create_task(
                self._close_when_events_interrupted(), name=f"ws-{self.id}-bus"
            )

    async def _close_when_events_interrupted(self) -> None:
        """Close the connection when the bus is interrupted while operations run; with
        none running then, stop watching (the next ``subscribe`` watches again)."""
        await self.state.bus.wait_interrupted()
        if self.operations:
            await self._events_interrupted()

    async def _events_interrupted(self) -> None:
        logger.info("closing socket %s: the event bus is interrupted", self.id)
        await self._send_away(
            "Live updates interrupted; reconnect",
            "live updates are interrupted; reconnect and subscribe again",
            "EVENTS_INTERRUPTED",
        )

    async def _rate_limited(self) -> GraphQLError | None:
        """Each subscription counts as a request of the HTTP endpoint's buckets: per
        user, or per client address when anonymous."""
        limits = getattr(self.state, "rate_limits", None)
        if limits is None:
            return None
        public, user, _ = buckets(self.state.settings)
        if self.principal is None:
            client = self.websocket.client
            bucket, subject = public, client.host if client else "unknown"
        else:
            bucket, subject = user, str(self.principal.user_id)
        decision = await limits.hit(bucket, subject)
        if decision.allowed:
            return None
        return GraphQLError(
            f"too many requests: at most {bucket.per_minute} per minute; "
            f"retry in {math.ceil(decision.retry_after)} s",
            extensions={"code": "RATE_LIMITED", "retryAfter": math.ceil(decision.retry_after)},
        )

    async def _stop(self, op_id: Any) -> None:
        if not isinstance(op_id, str):
            raise _Refused(4400, "Invalid message: the id must be a string")
        task = self.operations.pop(op_id, None)
        if task is not None:
            self._note_if_idle()
            task.cancel()  # not awaited: a task stuck sending must not hold up the socket
            if self.legacy:
                await self.send({"type": "complete", "id": op_id})

    def _context(self, op_id: str) -> Context:
        state = self.state
        return Context(
            settings=state.settings,
            engine=state.engine,
            session_factory=state.session_factory,
            cache=state.cache,
            principal=self.principal,
            request_id=f"ws{self.id}:{op_id[:32]}",
            keyring=state.keyring,
            http=state.http,
            outbound_http=state.outbound_http,
            bus=state.bus,
            queue=state.queue,
            webhook_inbox=state.webhook_inbox,
            write_deps=state.write_deps,
            request=self.websocket,
        )

    async def _run(self, op_id: str, operation: _Operation) -> None:
        label = operation_label(operation.operation_name or "anonymous")
        SUBSCRIPTIONS_RUNNING.inc()
        try:
            stream = await self.state.schema.subscribe(
                operation.query,
                variable_values=operation.variables,
                context_value=self._context(op_id),
                operation_name=operation.operation_name,
            )
            async with contextlib.aclosing(stream):
                first = True
                async for result in stream:
                    if first and any(map(is_infrastructure_failure, result.errors or ())):
                        await self._unavailable()
                        return
                    if first and isinstance(result, PreExecutionError):
                        GRAPHQL_REQUESTS.labels(label, "subscription", "request_error").inc()
                        if self._release(op_id):
                            await self._send_errors(op_id, list(result.errors or ()))
                        return
                    if first:
                        GRAPHQL_REQUESTS.labels(label, "subscription", "ok").inc()
                        first = False
                    await self.send(self._result(op_id, result))
            await self._complete(op_id)
        except _Closed:
            pass
        except Exception as exc:
            if is_infrastructure_failure(exc):
                await self._unavailable()
                return
            logger.exception("subscription %s on socket %s failed", op_id, self.id)
            with contextlib.suppress(_Closed):
                await self._complete(op_id)
        finally:
            SUBSCRIPTIONS_RUNNING.dec()
            self._release(op_id)

    def _result(self, op_id: str, result: ExecutionResult) -> dict[str, Any]:
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        return {"type": "data" if self.legacy else "next", "id": op_id, "payload": payload}

    async def _send_errors(self, op_id: str, errors: list[GraphQLError]) -> None:
        """The operation failed before it started; it is over (no ``complete`` follows)."""
        settings = self.state.settings
        hide = not settings.is_development and not (self.principal and self.principal.is_admin)
        formatted = [formatted_error(error, hide) for error in errors] or [
            {"message": "unknown error"}
        ]
        payload = formatted[0] if self.legacy else formatted
        await self.send({"type": "error", "id": op_id, "payload": payload})

    async def _complete(self, op_id: str) -> None:
        if self._release(op_id):
            await self.send({"type": "complete", "id": op_id})

    def _release(self, op_id: str) -> bool:
        """Forget the operation if the running task is still the one registered under
        its id (not stopped by the client, the id not reused since)."""
        if self.operations.get(op_id) is asyncio.current_task():
            del self.operations[op_id]
            self._note_if_idle()
            return True
        return False

    # sending and closing

    async def send(self, message: dict[str, Any]) -> None:
        if self.closed:
            raise _Closed
        try:
            await self.websocket.send_text(orjson.dumps(message).decode())
        except (WebSocketDisconnect, WebSocketDisconnected, OSError) as exc:
            self.closed = True
            raise _Closed from exc

    async def close(self, code: int, reason: str) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(WebSocketDisconnect, WebSocketDisconnected, OSError):
            await self.websocket.close(code, reason)

    async def _shutdown(self) -> None:
        self.closed = True
        self._give_back_anonymous_slot()
        tasks = list(self.operations.values())
        self.operations.clear()
        tasks += [t for t in (self.housekeeping, self.idle_watch, self.bus_watch) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def _loop_time(monotonic_deadline: float) -> float:
    """``time.monotonic`` deadline -> the event loop's clock."""
    return asyncio.get_running_loop().time() + (monotonic_deadline - time.monotonic())
