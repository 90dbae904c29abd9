"""Failures of the infrastructure answer 503 with JSON; every other escaped error 500 JSON.

    PostgreSQL (or a Redis a route cannot do without) unreachable:
        503  Retry-After: 5  x-request-id: <id>
        /graphql      {"errors": [{"message": "The service is temporarily unavailable;
                        retry in 5 s", "extensions": {"code": "SERVICE_UNAVAILABLE",
                        "requestId": "<id>", "retryAfter": 5, "outcome": "not_written"}}]}
        other routes  {"error": "The service is temporarily unavailable; retry in 5 s",
                       "requestId": "<id>"}
    anything else that escapes a route:
        500  x-request-id: <id>   the same shapes, code ``INTERNAL_SERVER_ERROR``

``outcome`` says what a caller may assume about its writes: ``not_written`` when the
request began no commit (retrying is safe), ``unknown`` when a commit was begun and
the connection failed around it (the write may or may not be stored: check before
retrying). It is never claimed that nothing was written once a commit has begun.

`is_infrastructure_failure` is the one classifier; `Unavailable` is the outermost ASGI
middleware that turns what escapes the routes into these answers. A response that had
already started (a stream) cannot be changed: the connection is dropped instead.
"""

from __future__ import annotations

import errno
import itertools
import logging
import os
import re
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import orjson
import redis.exceptions
import sqlalchemy.exc
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectors.errors import ConnectorError
from gateway.cors import escaped_answer_headers, parse_origins
from gateway.logging import REQUEST_CONTEXT, trace_id_of
from gateway.metrics import HTTP_REQUESTS, route_label
from gateway.store.engine import commits_begun, counting_commits
from gateway.vary import request_header

logger = logging.getLogger("talentgraph.unavailable")

RETRY_AFTER_SECONDS = 5
UNAVAILABLE = "SERVICE_UNAVAILABLE"

_INFRASTRUCTURE: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,
)
_NETWORK_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EPIPE,
        errno.ETIMEDOUT,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.EHOSTDOWN,
        errno.ENETDOWN,
        errno.EADDRNOTAVAIL,
    }
)
_REMOTE: tuple[type[BaseException], ...] = (httpx.HTTPError, ConnectorError)
"""A source system or a target of ours failing is not our infrastructure failing."""


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and what it wraps: GraphQL's ``original_error``, ``__cause__`` and
    ``__context__``; each once, and not into the remote calls of `_REMOTE`."""
    pending: list[BaseException] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen or isinstance(current, _REMOTE):
            continue
        seen.add(id(current))
        yield current
        for inner in (
            getattr(current, "original_error", None),
            current.__cause__,
            current.__context__,
        ):
            if isinstance(inner, BaseException):
                pending.append(inner)


def is_infrastructure_failure(error: BaseException) -> bool:
    """Whether ``error`` (or an error it wraps) means a server we depend on cannot be
    reached now, so the same request may succeed a little later.

    >>> is_infrastructure_failure(ConnectionRefusedError(111, "Connection refused"))
    True
    >>> is_infrastructure_failure(ValueError("bad input"))
    False
    """
    for current in _chain(error):
        if isinstance(current, _INFRASTRUCTURE):
            return True
        if isinstance(current, sqlalchemy.exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, OSError) and current.errno in _NETWORK_ERRNOS:
            return True
    return False


_REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=-]{1,128}")


def log_loop_failure(log: logging.Logger, message: str, error: BaseException) -> None:
    """How a background loop that goes on reports a failed round: a dependency away
    (database, Redis) is one warning line per round, not a traceback every half second
    for the whole outage; anything else is logged with its traceback."""
    if is_infrastructure_failure(error):
        log.warning("%s: %s: %s", message, type(error).__name__, error)
    else:
        log.error(message, exc_info=error)


def request_id(scope: Scope) -> str:
    """The request's id, decided once per request and kept in ``scope["state"]``: the
    caller's ``X-Request-Id`` when it is a sane token of at most 128 characters, else a
    fresh one (a hostile id is neither echoed nor logged)."""
    state = scope.setdefault("state", {})
    known = state.get("request_id")
    if isinstance(known, str):
        return known
    given = (request_header(scope, b"x-request-id") or b"").decode("latin-1")
    chosen = given if _REQUEST_ID.fullmatch(given) else fresh_request_id()
    state["request_id"] = chosen
    return chosen


_process_prefix = uuid.uuid4().hex[:16]
_sequence = itertools.count(1)


def _new_process_prefix() -> None:
    global _process_prefix
    _process_prefix = uuid.uuid4().hex[:16]


os.register_at_fork(after_in_child=_new_process_prefix)


def fresh_request_id() -> str:
    """32 hex digits, unique across processes (a random prefix per process, new in a
    forked child) and within one (a counter): a request id needs no secrecy, and this
    spares a system call for random bytes on every request."""
    return f"{_process_prefix}{next(_sequence) & 0xFFFFFFFFFFFFFFFF:016x}"


def write_outcome() -> str:
    """``not_written`` if this request began no commit, else ``unknown``."""
    return "unknown" if commits_begun() else "not_written"


def unavailable_message(outcome: str) -> str:
    if outcome == "unknown":
        return (
            "The service became unavailable while saving; whether the change was saved "
            f"is unknown: check before retrying (retry in {RETRY_AFTER_SECONDS} s)"
        )
    return f"The service is temporarily unavailable; retry in {RETRY_AFTER_SECONDS} s"


def graphql_unavailable(
    request_id: str, outcome: str, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The body of a GraphQL request answered 503; ``data`` is kept when a commit began,
    so a mutation field that did complete is still reported."""
    body: dict[str, Any] = {
        "errors": [
            {
                "message": unavailable_message(outcome),
                "extensions": {
                    "code": UNAVAILABLE,
                    "requestId": request_id,
                    "retryAfter": RETRY_AFTER_SECONDS,
                    "outcome": outcome,
                },
            }
        ]
    }
    if data is not None:
        body["data"] = data
    return body


def unavailable_headers(request_id: str) -> dict[str, str]:
    return {"retry-after": str(RETRY_AFTER_SECONDS), "x-request-id": request_id}


def _body(scope: Scope, request_id: str, infrastructure: bool) -> bytes:
    graphql = scope.get("path", "").rstrip("/") == "/graphql"
    if infrastructure:
        if graphql:
            return orjson.dumps(graphql_unavailable(request_id, write_outcome()))
        return orjson.dumps(
            {"error": unavailable_message(write_outcome()), "requestId": request_id}
        )
    message = f"Internal server error (request id {request_id})"
    if graphql:
        extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
        return orjson.dumps({"errors": [{"message": message, "extensions": extensions}]})
    return orjson.dumps({"error": message, "requestId": request_id})


class Unavailable:
    """The outermost ASGI middleware: decides the request id, counts the commits the
    request begins, and answers what escapes the routes as JSON (503 for the
    infrastructure, 500 for anything else) instead of Starlette's plain-text 500."""

    def __init__(self, app: ASGIApp, cors_origins: str = "") -> None:
        self.app = app
        self.cors_origins = parse_origins(cors_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        started = False
        status = 500

        async def sending(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = int(message["status"])
            await send(message)

        traceparent = (request_header(scope, b"traceparent") or b"").decode("latin-1") or None
        context = REQUEST_CONTEXT.set((rid, trace_id_of(traceparent)))
        with counting_commits():
            try:
                await self.app(scope, receive, sending)
            except Exception as exc:
                if started:
                    _log_escaped(scope, rid, exc)
                    raise
                cors = escaped_answer_headers(scope, self.cors_origins)
                status = await _answer_escaped(scope, send, rid, exc, cors)
            finally:
                HTTP_REQUESTS.labels(route_label(scope["path"]), str(status)).inc()
                REQUEST_CONTEXT.reset(context)


def _log_escaped(scope: Scope, rid: str, exc: Exception) -> bool:
    """Log what escaped a route; whether a server we depend on was unreachable."""
    infrastructure = is_infrastructure_failure(exc)
    if infrastructure:
        logger.warning(
            "%s %s unavailable (request %s): %r", scope.get("method"), scope.get("path"), rid, exc
        )
    else:
        logger.error(
            "%s %s failed (request %s)", scope.get("method"), scope.get("path"), rid, exc_info=exc
        )
    return infrastructure


async def _answer_escaped(
    scope: Scope, send: Send, rid: str, exc: Exception, cors: list[tuple[bytes, bytes]]
) -> int:
    """Answer what escaped before the response started, as JSON (with ``cors``, the CORS
    headers the request's origin gets); the status sent."""
    infrastructure = _log_escaped(scope, rid, exc)
    body = _body(scope, rid, infrastructure)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-request-id", rid.encode()),
        *cors,
    ]
    if infrastructure:
        headers.append((b"retry-after", str(RETRY_AFTER_SECONDS).encode()))
    status = 503 if infrastructure else 500
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
    return status
