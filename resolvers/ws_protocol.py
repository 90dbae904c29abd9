"""The GraphQL WebSocket messages, in both subprotocols (``graphql-transport-ws`` and
the legacy ``graphql-ws``): the receive loop, each message's handling, and the
subscriptions a connection runs, one task each (see ``resolvers.ws`` for the protocol
as the client sees it).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from typing import Any

import orjson
from graphql import GraphQLError, OperationType
from prometheus_client import Gauge
from starlette.websockets import WebSocketDisconnect, WebSocketDisconnected
from strawberry.types.execution import ExecutionResult, PreExecutionError

from gateway.metrics import GRAPHQL_REQUESTS, REGISTRY, operation_label
from gateway.rate_limits import buckets
from gateway.store.engine import counting_commits
from gateway.unavailable import graphql_unavailable, is_infrastructure_failure, write_outcome
from resolvers.context import Context, context_for
from resolvers.extensions import formatted_error, privileged, result_payload
from resolvers.http_checks import CREDENTIAL_FIELDS
from resolvers.ws_admission import Operation, admission, read_operation
from resolvers.ws_session import (
    LEGACY_WS,
    TRANSPORT_WS,
    Closed,
    Refused,
    SocketSession,
    logger,
)

INIT_TIMEOUT_SECONDS = 10.0
"""How long a new connection has to send ``connection_init``."""
MAX_OPERATIONS = 100
"""Operations one connection may run at once."""
MAX_ID_LENGTH = 128

SUBSCRIPTIONS_RUNNING = Gauge(
    "talentgraph_subscriptions_running",
    "GraphQL subscriptions running over WebSocket",
    registry=REGISTRY,
)


class Connection(SocketSession):
    """One connection: reads its messages until it closes, runs its subscriptions."""

    async def serve(self) -> None:
        try:
            await self._receive_loop()
        except Refused as refused:
            await self.close(refused.code, refused.reason)
        except Closed:
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
                raise Refused(4408, "Connection initialisation timeout") from None
            except (WebSocketDisconnect, WebSocketDisconnected, OSError):
                return
            if message["type"] == "websocket.disconnect":
                self.closed = True
                return
            text = message.get("text")
            if text is None:
                raise Refused(4400, "WebSocket message type must be text")
            try:
                parsed = orjson.loads(text)
            except orjson.JSONDecodeError:
                raise Refused(4400, "WebSocket message must be valid JSON") from None
            if not isinstance(parsed, dict) or not isinstance(parsed.get("type"), str):
                raise Refused(4400, "WebSocket message must be an object with a type")
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
            raise Refused(4400, f"Unknown message type: {kind[:64]}")

    async def _dispatch_legacy(self, kind: str, message: dict[str, Any]) -> None:
        if kind == "start":
            await self._subscribe(message, LEGACY_WS)
        elif kind == "stop":
            await self._stop(message.get("id"))
        elif kind == "connection_terminate":
            await self.close(1000, "")

    async def _subscribe(self, message: dict[str, Any], protocol: str) -> None:
        if not self.acknowledged:
            raise Refused(4401, "Unauthorized")
        op_id = message.get("id")
        if not isinstance(op_id, str) or not op_id or len(op_id) > MAX_ID_LENGTH:
            raise Refused(4400, "Invalid message: the id must be a non-empty string")
        if op_id in self.operations:
            if protocol == TRANSPORT_WS:
                raise Refused(4409, f"Subscriber for {op_id} already exists")
            await self._stop(op_id)
        operation = read_operation(message.get("payload"))
        if operation is None:
            if protocol == TRANSPORT_WS:
                raise Refused(4400, "Invalid message: the payload must hold a query string")
            await self._send_errors(op_id, [GraphQLError("the payload must hold a query string")])
            return
        admitted = admission(operation, self.runtime.settings, self.schema, self.principal)
        if admitted.error is not None:
            await self._send_errors(op_id, [admitted.error])
            return
        one_answer = admitted.kind in (OperationType.QUERY, OperationType.MUTATION)
        if not one_answer and not self.runtime.bus.connected:
            await self._events_interrupted()
            return
        limited = await self._rate_limited(admitted.roots)
        if limited is not None:
            await self._send_errors(op_id, [limited])
            return
        if len(self.operations) >= MAX_OPERATIONS:
            limit = GraphQLError(
                f"At most {MAX_OPERATIONS} operations per connection",
                extensions={"code": "TOO_MANY_SUBSCRIPTIONS"},
            )
            await self._send_errors(op_id, [limit])
            return
        kind = admitted.kind
        if kind is OperationType.QUERY or kind is OperationType.MUTATION:
            answer = self._answer(op_id, operation, kind)
            self.operations[op_id] = asyncio.create_task(answer, name=f"ws-{self.id}-{op_id}")
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
        await self.runtime.bus.wait_interrupted()
        if self.operations:
            await self._events_interrupted()

    async def _events_interrupted(self) -> None:
        logger.info("closing socket %s: the event bus is interrupted", self.id)
        await self._send_away(
            "Live updates interrupted; reconnect",
            "live updates are interrupted; reconnect and subscribe again",
            "EVENTS_INTERRUPTED",
        )

    async def _rate_limited(self, roots: frozenset[str]) -> GraphQLError | None:
        """Each operation counts as a request of the HTTP endpoint's buckets: per user,
        or per client address when anonymous, and the credential operations against
        their own tighter bucket too."""
        public, user, credentials = buckets(self.runtime.settings)
        if self.principal is None:
            client = self.websocket.client
            checks = [(public, client.host if client else "unknown")]
        else:
            checks = [(user, str(self.principal.user_id))]
            if roots & CREDENTIAL_FIELDS:
                checks.append((credentials, str(self.principal.user_id)))
        for bucket, subject in checks:
            if bucket.per_minute <= 0:
                continue
            decision = await self.runtime.rate_limits.hit(bucket, subject)
            if not decision.allowed:
                retry = math.ceil(decision.retry_after)
                return GraphQLError(
                    f"too many requests: at most {bucket.per_minute} per minute; "
                    f"retry in {retry} s",
                    extensions={"code": "RATE_LIMITED", "retryAfter": retry},
                )
        return None

    async def _stop(self, op_id: Any) -> None:
        if not isinstance(op_id, str):
            raise Refused(4400, "Invalid message: the id must be a string")
        task = self.operations.pop(op_id, None)
        if task is not None:
            self._note_if_idle()
            task.cancel()  # not awaited: a task stuck sending must not hold up the socket
            if self.legacy:
                await self.send({"type": "complete", "id": op_id})

    def _context(self, op_id: str) -> Context:
        return context_for(
            self.runtime, self.principal, f"ws{self.id}:{op_id[:32]}", self.websocket
        )

    async def _run(self, op_id: str, operation: Operation) -> None:
        label = operation_label(operation.operation_name or "anonymous")
        SUBSCRIPTIONS_RUNNING.inc()
        try:
            stream = await self.schema.subscribe(
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
        except Closed:
            pass
        except Exception as exc:
            if is_infrastructure_failure(exc):
                await self._unavailable()
                return
            logger.exception("subscription %s on socket %s failed", op_id, self.id)
            with contextlib.suppress(Closed):
                await self._complete(op_id)
        finally:
            SUBSCRIPTIONS_RUNNING.dec()
            self._release(op_id)

    async def _answer(self, op_id: str, operation: Operation, kind: OperationType) -> None:
        """A query or mutation: one ``next`` (legacy: ``data``) and ``complete``, or an
        ``error`` when it failed before executing, as ``POST /graphql`` would answer it.
        A mutation runs to its end even if the client stops it or goes away (the source
        system may have taken the write); a query past ``MAX_REQUEST_SECONDS`` stops
        with ``TIMEOUT``."""
        label = operation_label(operation.operation_name or "anonymous")
        request_id = f"ws{self.id}:{op_id[:32]}"
        try:
            with counting_commits():
                execution = asyncio.ensure_future(
                    self.schema.execute(
                        operation.query,
                        variable_values=operation.variables,
                        context_value=self._context(op_id),
                        operation_name=operation.operation_name,
                    )
                )
                execution.add_done_callback(_retrieve)
                if kind is OperationType.MUTATION:
                    result = await asyncio.shield(execution)
                else:
                    async with asyncio.timeout(self.runtime.settings.max_request_seconds):
                        result = await execution
                outcome = write_outcome()
            errors = list(result.errors or ())
            if result.data is None and errors and all(not e.path for e in errors):
                GRAPHQL_REQUESTS.labels(label, kind.value, "request_error").inc()
                if self._release(op_id):
                    await self._send_errors(op_id, errors)
                return
            if any(map(is_infrastructure_failure, errors)):
                GRAPHQL_REQUESTS.labels(label, kind.value, "unavailable").inc()
                data = result.data if outcome == "unknown" else None
                payload = graphql_unavailable(request_id, outcome, data)
            else:
                GRAPHQL_REQUESTS.labels(label, kind.value, "partial" if errors else "ok").inc()
                payload = self._payload(result)
            if self.operations.get(op_id) is asyncio.current_task():
                await self.send({"type": self._data_type, "id": op_id, "payload": payload})
            await self._complete(op_id)
        except TimeoutError:
            stopped = GraphQLError(
                f"the query ran longer than {self.runtime.settings.max_request_seconds:g} s "
                "and was stopped; ask for less",
                extensions={"code": "TIMEOUT"},
            )
            if self._release(op_id):
                await self._send_errors(op_id, [stopped])
        except Closed:
            pass
        finally:
            self._release(op_id)

    @property
    def _data_type(self) -> str:
        return "data" if self.legacy else "next"

    def _payload(self, result: ExecutionResult) -> dict[str, Any]:
        hide = not privileged(self.runtime.settings, self.principal)
        return result_payload(result.data, result.errors, hide)

    def _result(self, op_id: str, result: ExecutionResult) -> dict[str, Any]:
        return {"type": self._data_type, "id": op_id, "payload": self._payload(result)}

    async def _send_errors(self, op_id: str, errors: list[GraphQLError]) -> None:
        """The operation failed before it started; it is over (no ``complete`` follows)."""
        settings = self.runtime.settings
        hide = not privileged(settings, self.principal)
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


def _retrieve(done: asyncio.Future[Any]) -> None:
    """Take the outcome of an execution whose waiter went away (a mutation the client
    stopped runs on), so asyncio does not log it as never retrieved."""
    if not done.cancelled():
        done.exception()


def _loop_time(monotonic_deadline: float) -> float:
    """``time.monotonic`` deadline -> the event loop's clock."""
    return asyncio.get_running_loop().time() + (monotonic_deadline - time.monotonic())
