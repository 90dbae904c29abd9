"""GraphQL over Server-Sent Events on ``/graphql``: the graphql-sse protocol's "distinct
connections" mode, for clients behind proxies that block WebSockets.

A request that accepts ``text/event-stream`` (POST with a JSON body, or GET with the
query string) is answered with a stream of events:

    event: next
    data: {"data": {...}}

one per result (a subscription's events; a query's or mutation's one answer), then

    event: complete
    data:

A comment line (``:``) every ``KEEPALIVE_SECONDS`` keeps proxies from closing an idle
stream. The request is checked as ``POST /graphql`` checks it (token, rate limit,
depth, aliases, cost, introspection) before the stream opens; a refusal is the usual
JSON error with its status. While a subscription runs, the caller's access is checked
again every ``ACCESS_CHECK_SECONDS``: a token that expired or a user whose access
changed gets an ``UNAUTHENTICATED`` error event and the stream completes. When the
event bus loses Redis the stream ends with an ``EVENTS_INTERRUPTED`` error event (the
client reconnects and refetches), as WebSocket subscribers are closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any

import orjson
from graphql import GraphQLError, OperationType
from starlette.requests import Request
from starlette.responses import StreamingResponse
from strawberry import Schema
from strawberry.types.execution import ExecutionResult

from gateway.auth import Principal
from gateway.metrics import EVENT_STREAMS
from gateway.runtime import runtime_of
from resolvers.context import context_for
from resolvers.extensions import privileged, result_payload
from resolvers.http_checks import check_rate
from resolvers.http_params import GraphQLParams, RequestError
from resolvers.ws_admission import Operation, admission

EVENT_STREAM = "text/event-stream"
KEEPALIVE_SECONDS = 12.0
ACCESS_CHECK_SECONDS = 60.0


def wants_events(request: Request) -> bool:
    return EVENT_STREAM in request.headers.get("accept", "")


async def event_stream(
    schema: Schema,
    request: Request,
    request_id: str,
    params: GraphQLParams,
    principal: Principal | None,
    recheck: Callable[[], Any],
) -> StreamingResponse:
    """The stream answering ``params``; raises ``RequestError`` for a request refused
    before it opens. ``recheck`` resolves the caller again (raising when its access is
    gone)."""
    runtime = runtime_of(request)
    operation = Operation(params.query, params.variables, params.operation_name)
    admitted = admission(operation, runtime.settings, schema, principal)
    if admitted.error is not None:
        extensions = dict(admitted.error.extensions or {})
        code = str(extensions.pop("code", "BAD_REQUEST"))
        raise RequestError(400, admitted.error.message, code, extensions=extensions)
    await check_rate(request, principal, set(admitted.roots))
    if admitted.kind is OperationType.MUTATION and request.method == "GET":
        raise RequestError(405, "mutations must be sent with POST")
    if admitted.kind is OperationType.SUBSCRIPTION and not runtime.bus.connected:
        raise RequestError(
            503, "live updates are interrupted; try again shortly", "EVENTS_INTERRUPTED"
        )
    hide = not privileged(runtime.settings, principal)
    context = context_for(runtime, principal, request_id, request)

    async def results() -> AsyncGenerator[ExecutionResult, None]:
        if admitted.kind is OperationType.SUBSCRIPTION:
            stream = await schema.subscribe(
                params.query,
                variable_values=params.variables,
                context_value=context,
                operation_name=params.operation_name,
            )
            if isinstance(stream, ExecutionResult):
                yield stream
                return
            async with contextlib.aclosing(stream):
                async for result in stream:
                    yield result
        else:
            yield await schema.execute(
                params.query,
                variable_values=params.variables,
                context_value=context,
                operation_name=params.operation_name,
            )

    async def events() -> AsyncIterator[bytes]:
        EVENT_STREAMS.inc()
        source = results()
        interrupted = asyncio.ensure_future(runtime.bus.wait_interrupted())
        pending: asyncio.Future[ExecutionResult] | None = None
        next_check = time.monotonic() + ACCESS_CHECK_SECONDS
        try:
            while True:
                if pending is None:
                    pending = asyncio.ensure_future(anext(source))
                watched: set[asyncio.Future[Any]] = {pending}
                if admitted.kind is OperationType.SUBSCRIPTION:
                    watched.add(interrupted)
                done, _ = await asyncio.wait(
                    watched, timeout=KEEPALIVE_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
                if interrupted in done:
                    yield _error_event("live updates are interrupted", "EVENTS_INTERRUPTED")
                    break
                if principal is not None and time.monotonic() >= next_check:
                    next_check = time.monotonic() + ACCESS_CHECK_SECONDS
                    try:
                        current = await recheck()
                    except RequestError as refused:
                        yield _error_event(refused.message, "UNAUTHENTICATED")
                        break
                    if current != principal:
                        yield _error_event("your access changed; reconnect", "UNAUTHENTICATED")
                        break
                if pending not in done:
                    yield b": keep-alive\n\n"
                    continue
                try:
                    result = pending.result()
                except StopAsyncIteration:
                    break
                pending = None
                yield _next_event(result, hide)
            yield b"event: complete\ndata:\n\n"
        finally:
            EVENT_STREAMS.dec()
            interrupted.cancel()
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(BaseException):
                    await pending
            await source.aclose()

    return StreamingResponse(
        events(),
        media_type=EVENT_STREAM,
        headers={
            "cache-control": "no-cache",
            "x-accel-buffering": "no",
            "x-request-id": request_id,
        },
    )


def _next_event(result: ExecutionResult, hide: bool) -> bytes:
    payload = result_payload(result.data, result.errors, hide)
    return b"event: next\ndata: " + orjson.dumps(payload) + b"\n\n"


def _error_event(message: str, code: str) -> bytes:
    error = GraphQLError(message, extensions={"code": code})
    return b"event: next\ndata: " + orjson.dumps({"errors": [error.formatted]}) + b"\n\n"
