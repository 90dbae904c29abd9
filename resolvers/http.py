"""``/graphql`` over HTTP, following the GraphQL-over-HTTP specification.

- POST ``application/json`` bodies and GET query strings (queries only over GET: a
  mutation over GET is 405);
- ``application/graphql-response+json`` when the client accepts it, with 4xx for
  requests that fail before execution; ``application/json`` answers 200 for every
  well-formed request, as the specification asks of that legacy type;
- GraphiQL for browsers;
- whole responses of cacheable root fields served from the tenant-scoped cache;
- 503 with ``Retry-After`` when a server it depends on is unreachable, whether before
  execution (the token's user is read from the store) or inside a resolver, with
  ``extensions.outcome`` saying whether the request may have written anything
  (``gateway.unavailable``).

The request is read in ``resolvers.http_params`` and checked before it runs in
``resolvers.http_checks``; this module runs it and answers.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

import orjson
from graphql import GraphQLError, OperationDefinitionNode, OperationType
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from strawberry import Schema
from strawberry.types import ExecutionResult

from gateway import links
from gateway.auth import AuthenticationError, Principal, bearer_token
from gateway.cache import CacheEntryKey, CacheKind
from gateway.metrics import GRAPHQL_LATENCY, GRAPHQL_REQUESTS, operation_label
from gateway.runtime import runtime_of
from gateway.services.principals import principal_for_token
from gateway.store.engine import counting_commits
from gateway.unavailable import (
    graphql_unavailable,
    is_infrastructure_failure,
    unavailable_headers,
    write_outcome,
)
from gateway.unavailable import request_id as decided_request_id
from gateway.web.graphiql import graphiql_response
from resolvers import persisted
from resolvers.compiled.answer import compiled_data
from resolvers.context import context_for
from resolvers.extensions import formatted_error, privileged
from resolvers.http_caching import with_caching_headers
from resolvers.http_checks import (
    CostReport,
    admit,
    check_rate,
    operation_of,
    parse_document,
    rate_limit_headers_of,
    root_fields,
)
from resolvers.http_params import (
    GRAPHQL_RESPONSE,
    JSON,
    GraphQLParams,
    RequestError,
    accepted_media_type,
    params_of,
    read_params,
    read_request,
)
from resolvers.sse import event_stream, wants_events

logger = logging.getLogger("talentgraph.http")

CACHEABLE_ROOT_FIELDS: dict[str, CacheKind] = {
    "jobs": CacheKind.JOB_LIST,
    "job": CacheKind.JOB_DETAIL,
    "pipelineMetrics": CacheKind.PIPELINE,
    "dashboard": CacheKind.DASHBOARD,
}
"""Root fields whose whole response may be cached, and the TTL kind each uses."""


def _error_body(message: str, code: str, **extensions: Any) -> bytes:
    return orjson.dumps(
        {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    )


def _request_error_body(error: RequestError, request_id: str) -> bytes:
    extensions: dict[str, Any] = {**error.extensions, "requestId": request_id}
    if error.retry_after is not None:
        extensions["retryAfter"] = math.ceil(error.retry_after)
    return _error_body(error.message, error.code, **extensions)


def request_id_of(request: Request) -> str:
    """The caller's ``X-Request-Id`` when it is a sane token of at most 128 characters,
    else a fresh one: a hostile id is neither echoed nor logged. Decided once per
    request (``gateway.unavailable.request_id``), so the middleware answering an
    escaped error names the same id.

    >>> from starlette.requests import Request
    >>> request_id_of(Request({"type": "http", "headers": [(b"x-request-id", b"abc-1")]}))
    'abc-1'
    """
    return decided_request_id(request.scope)


def _unavailable(request_id: str, data: dict[str, Any] | None = None) -> Response:
    """503 for a request that met an unreachable server; ``data`` only once a commit
    began, so a mutation field that completed is not reported as lost."""
    happened = write_outcome()
    body = graphql_unavailable(request_id, happened, data if happened == "unknown" else None)
    return Response(
        orjson.dumps(body),
        status_code=503,
        media_type=JSON,
        headers=unavailable_headers(request_id),
    )


@dataclass(frozen=True, slots=True)
class _Call:
    """One request on its way through: what every step of it reads."""

    request: Request
    request_id: str
    media_type: str
    params: GraphQLParams
    principal: Principal | None

    @property
    def strict(self) -> bool:
        """Answering ``application/graphql-response+json``: failures before execution
        are 4xx (``application/json`` answers 200)."""
        return self.media_type == GRAPHQL_RESPONSE


@dataclass(frozen=True, slots=True)
class _CacheSlot:
    """Where a query's response is cached: no ``key`` when it may not be."""

    key: str | None = None
    ttl: int = 0
    cached: bytes | None = None


@dataclass(frozen=True, slots=True)
class _Cacheable:
    """A query whose every root field is cacheable: its name and root fields, and the
    cache kinds they use."""

    name: str
    roots: frozenset[str]
    kinds: frozenset[CacheKind]


@lru_cache(maxsize=512)
def _cacheable(query: str, operation_name: str | None, max_tokens: int) -> _Cacheable | None:
    """The request's operation if its response may come from the cache, else ``None``
    (also for a document that does not parse: the full path says why). Remembered per
    query text, so a repeated request is answered from the cache without parsing."""
    try:
        operation = operation_of(parse_document(query, max_tokens), operation_name)
    except (GraphQLError, RequestError):
        return None
    roots = root_fields(operation)
    if operation.operation is not OperationType.QUERY or not roots:
        return None
    wanted = [CACHEABLE_ROOT_FIELDS.get(name) for name in roots if name != "__typename"]
    kinds = {kind for kind in wanted if kind is not None}
    if not kinds or len(kinds) != len(set(wanted)):
        return None
    name = operation.name.value if operation.name else "anonymous"
    return _Cacheable(name, frozenset(roots), frozenset(kinds))


T = TypeVar("T")


async def _within_time_limit(seconds: float, work: Awaitable[T]) -> T:
    """``work``'s result; a query that takes longer than allowed is stopped (504)."""
    try:
        async with asyncio.timeout(seconds):
            return await work
    except TimeoutError as exc:
        raise RequestError(
            504,
            f"the query ran longer than {seconds:g} s and was stopped; ask for less",
            "TIMEOUT",
        ) from exc


def _is_page(response: Response) -> bool:
    """GraphiQL, which sets its own headers."""
    return (response.media_type or "").startswith("text/html")


class GraphQLHTTP:
    """The Starlette endpoint; one instance per app, serving ``schema`` with the app's
    runtime (``gateway.runtime``)."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema

    async def handle(self, request: Request) -> Response:
        request_id = request_id_of(request)
        started = time.perf_counter()
        try:
            if request.method == "GET" and self._wants_ide(request):
                response: Response = await graphiql_response(request)
            elif wants_events(request):
                response = await self._events(request, request_id)
            else:
                answer_as = accepted_media_type(request)
                with counting_commits():
                    try:
                        response = await self._handle(request, answer_as, request_id)
                    except RequestError:
                        raise
                    except Exception as exc:
                        if not is_infrastructure_failure(exc):
                            raise
                        logger.warning("/graphql unavailable (request %s): %r", request_id, exc)
                        response = _unavailable(request_id)
        except RequestError as error:
            response = Response(
                _request_error_body(error, request_id),
                status_code=error.status,
                media_type=JSON,
                headers={"allow": "POST"} if error.status == 405 else None,
            )
            if error.status == 401:
                response.headers["www-authenticate"] = "Bearer"
            if error.retry_after is not None:
                response.headers["retry-after"] = str(math.ceil(error.retry_after))
        if not isinstance(response, StreamingResponse) and not _is_page(response):
            response = with_caching_headers(request, response)
        response.headers.update(rate_limit_headers_of(request))
        response.headers["x-request-id"] = request_id
        response.headers["server-timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response

    @staticmethod
    def _wants_ide(request: Request) -> bool:
        return (
            runtime_of(request).settings.graphiql_enabled
            and "query" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        )

    async def _principal(self, request: Request) -> Principal | None:
        runtime = runtime_of(request)
        try:
            token = bearer_token(request.headers.get("authorization"))
            if token is None:
                return None
            return await principal_for_token(
                runtime.reader,
                runtime.jwt_secret,
                token,
                oidc=runtime.oidc,
                cache=runtime.principals,
            )
        except AuthenticationError as exc:
            raise RequestError(401, str(exc), code="UNAUTHENTICATED") from exc

    async def _handle(self, request: Request, media_type: str, request_id: str) -> Response:
        read = await read_request(request)
        if isinstance(read, list):
            return await self._batch(request, media_type, request_id, read)
        return await self._answer(request, media_type, request_id, read)

    async def _events(self, request: Request, request_id: str) -> Response:
        """A graphql-sse stream (``resolvers.sse``)."""
        params = await read_params(request)
        principal = await self._principal(request)
        params, remember_it = await persisted.resolved(
            runtime_of(request), params, principal, strict=True
        )
        response = await event_stream(
            self.schema,
            request,
            request_id,
            params,
            principal,
            lambda: self._principal(request),
        )
        if remember_it:
            await persisted.remember(runtime_of(request), params, principal)
        return response

    async def _batch(
        self, request: Request, media_type: str, request_id: str, items: list[Any]
    ) -> Response:
        """A JSON array of operations, answered in order as a JSON array: each one read,
        admitted (rate limit, cost) and answered on its own, so one refused operation
        fails alone and one that met an unreachable server says so alone."""
        limit = runtime_of(request).settings.max_batch_operations
        if limit == 0:
            raise RequestError(400, "batched requests are turned off here")
        if not items or len(items) > limit:
            raise RequestError(400, f"a batch holds 1 to {limit} operations, got {len(items)}")
        bodies: list[bytes] = []
        for item in items:
            try:
                answered = await self._answer(request, media_type, request_id, params_of(item))
                bodies.append(bytes(answered.body))
            except RequestError as error:
                bodies.append(_request_error_body(error, request_id))
            except Exception as exc:
                if not is_infrastructure_failure(exc):
                    raise
                logger.warning("/graphql unavailable (request %s): %r", request_id, exc)
                bodies.append(bytes(_unavailable(request_id).body))
        return Response(b"[" + b",".join(bodies) + b"]", media_type=media_type)

    async def _answer(
        self, request: Request, media_type: str, request_id: str, params: GraphQLParams
    ) -> Response:
        principal = await self._principal(request)
        runtime = runtime_of(request)
        params, remember_it = await persisted.resolved(
            runtime, params, principal, media_type == GRAPHQL_RESPONSE
        )
        call = _Call(request, request_id, media_type, params, principal)
        cacheable = self._cacheable(call)
        slot = _CacheSlot()
        if cacheable is not None:
            # a stored answer needs no admission beyond the rate limit: the same
            # principal was admitted for it, and its key holds tenant, user and role
            await check_rate(request, call.principal, set(cacheable.roots))
            started = time.perf_counter()
            slot = await self._cache_slot(call, cacheable)
            if slot.cached is not None:
                if remember_it:
                    await persisted.remember(runtime, params, principal)
                self._observe(cacheable.name, OperationType.QUERY.value, "cache_hit", started)
                return Response(slot.cached, media_type=media_type, headers={"x-cache": "hit"})
        try:
            document = parse_document(params.query, runtime_of(request).settings.max_query_tokens)
        except GraphQLError as error:
            GRAPHQL_REQUESTS.labels("-", "unknown", "syntax_error").inc()
            body = orjson.dumps(
                {"errors": [{**error.formatted, "extensions": {"code": "GRAPHQL_PARSE_FAILED"}}]}
            )
            return Response(body, status_code=400 if call.strict else 200, media_type=media_type)
        admitted = await admit(
            request,
            self.schema,
            document,
            params,
            call.principal,
            call.strict,
            rate_checked=cacheable is not None,
        )
        if remember_it:
            await persisted.remember(runtime, params, principal)
        operation = admitted.operation
        labels = (
            operation.name.value if operation.name else "anonymous",
            operation.operation.value,
        )
        started = time.perf_counter()
        if operation.operation is OperationType.QUERY:
            data = await self._compiled(call)
            if data is not None:
                body = self._compiled_payload(call, data, admitted.cost)
                self._observe(*labels, "ok", started)
                if slot.key is not None:
                    await runtime_of(request).cache.set(slot.key, body, slot.ttl)
                return Response(
                    body,
                    media_type=media_type,
                    headers={"x-cache": "miss"} if slot.key else None,
                )
        result = await self._execute(call, operation)
        await runtime_of(request).principals.published()
        if any(is_infrastructure_failure(error) for error in result.errors or ()):
            self._observe(*labels, "unavailable", started)
            return _unavailable(request_id, result.data)
        body, outcome, request_failed = self._payload(call, result, admitted.cost)
        self._observe(*labels, outcome, started)
        if slot.key is not None and not result.errors:
            await runtime_of(request).cache.set(slot.key, body, slot.ttl)
        return Response(
            body,
            status_code=400 if request_failed and call.strict else 200,
            media_type=media_type,
            headers={"x-cache": "miss"} if slot.key else None,
        )

    @staticmethod
    def _cacheable(call: _Call) -> _Cacheable | None:
        """A signed-in query whose response may be cached; responses that report their
        cost are never cached."""
        if call.principal is None or call.params.wants_cost:
            return None
        settings = runtime_of(call.request).settings
        return _cacheable(call.params.query, call.params.operation_name, settings.max_query_tokens)

    @staticmethod
    async def _cache_slot(call: _Call, cacheable: _Cacheable) -> _CacheSlot:
        """The cache entry of the query and what it holds, found from the raw request
        and the principal alone."""
        runtime = runtime_of(call.request)
        cache, settings = runtime.cache, runtime.settings
        principal, params = call.principal, call.params
        assert principal is not None
        ttl = cache.ttl_for(set(cacheable.kinds))
        if ttl <= 0:
            return _CacheSlot()
        entry = CacheEntryKey(
            tenant_id=principal.tenant_id,
            kind=min(cacheable.kinds, key=cache.ttls.__getitem__),
            scope=f"u{principal.user_id}:{principal.role.value}",
            digest=cache.digest(
                params.query,
                orjson.dumps(params.variables, option=orjson.OPT_SORT_KEYS),
                params.operation_name or "",
                call.media_type,
                links.for_caller(call.request, settings),
            ),
        )
        key, cached = await cache.get(entry)
        return _CacheSlot(key, ttl, cached)

    async def _compiled(self, call: _Call) -> bytes | None:
        """The query's ``data`` from one SQL statement (``resolvers.compiled``), or None
        to run it on the resolvers."""
        runtime = runtime_of(call.request)
        params = call.params
        return await _within_time_limit(
            runtime.settings.max_request_seconds,
            compiled_data(
                self.schema,
                runtime,
                call.principal,
                params.query,
                params.operation_name,
                params.variables,
            ),
        )

    @staticmethod
    def _compiled_payload(call: _Call, data: bytes, cost: CostReport) -> bytes:
        """The response body around compiled ``data``, as ``_payload`` writes it."""
        if call.params.wants_cost:
            extensions = orjson.dumps({"cost": cost.as_extension()})
            return b'{"extensions":' + extensions + b',"data":' + data + b"}"
        return b'{"data":' + data + b"}"

    async def _execute(self, call: _Call, operation: OperationDefinitionNode) -> ExecutionResult:
        """Run the operation; a query that takes longer than allowed is stopped (504)."""
        runtime = runtime_of(call.request)
        settings = runtime.settings
        context = context_for(runtime, call.principal, call.request_id, call.request)
        execution = self.schema.execute(
            call.params.query,
            variable_values=call.params.variables,
            context_value=context,
            operation_name=call.params.operation_name,
        )
        if operation.operation is not OperationType.QUERY:
            # a write is never abandoned halfway: the source system may have taken it
            result: ExecutionResult = await execution
            return result
        return await _within_time_limit(settings.max_request_seconds, execution)

    @staticmethod
    def _payload(call: _Call, result: ExecutionResult, cost: CostReport) -> tuple[bytes, str, bool]:
        """The response body, the outcome to count, and whether the request failed as a
        whole (no data, only errors without a path)."""
        settings = runtime_of(call.request).settings
        principal = call.principal
        payload: dict[str, Any] = {}
        if call.params.wants_cost:
            payload["extensions"] = {"cost": cost.as_extension()}
        if result.errors:
            hide = not privileged(settings, principal)
            payload["errors"] = [formatted_error(error, hide) for error in result.errors]
        errors = result.errors or []
        request_failed = result.data is None and bool(errors) and all(not e.path for e in errors)
        if not request_failed:
            payload["data"] = result.data
        outcome = "request_error" if request_failed else ("partial" if result.errors else "ok")
        return orjson.dumps(payload), outcome, request_failed

    @staticmethod
    def _observe(operation: str, operation_type: str, outcome: str, started: float) -> None:
        label = operation_label(operation)
        GRAPHQL_REQUESTS.labels(label, operation_type, outcome).inc()
        GRAPHQL_LATENCY.labels(label, operation_type).observe(time.perf_counter() - started)
