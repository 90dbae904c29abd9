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
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    parse,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from starlette.requests import Request
from starlette.responses import Response

from gateway import links
from gateway.auth import AuthenticationError, Principal, bearer_token
from gateway.cache import CacheEntryKey, CacheKind
from gateway.metrics import GRAPHQL_LATENCY, GRAPHQL_REQUESTS, operation_label
from gateway.rate_limits import buckets
from gateway.services.principals import principal_for_token
from gateway.settings import Settings
from gateway.store.engine import counting_commits
from gateway.unavailable import (
    graphql_unavailable,
    is_infrastructure_failure,
    unavailable_headers,
    write_outcome,
)
from gateway.unavailable import request_id as decided_request_id
from gateway.web.graphiql import graphiql_response
from resolvers.context import Context
from resolvers.cost import cost_limit, query_cost, too_costly
from resolvers.document_limits import document_shape, over_limits
from resolvers.extensions import formatted_error

logger = logging.getLogger("talentgraph.http")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

CACHEABLE_ROOT_FIELDS: dict[str, CacheKind] = {
    "jobs": CacheKind.JOB_LIST,
    "job": CacheKind.JOB_DETAIL,
    "pipelineMetrics": CacheKind.PIPELINE,
}
"""Root fields whose whole response may be cached, and the TTL kind each uses."""


class RequestError(Exception):
    """A request refused before execution, with its HTTP status."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str = "BAD_REQUEST",
        *,
        retry_after: float | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.retry_after = retry_after
        self.extensions = extensions or {}


@dataclass(frozen=True, slots=True)
class GraphQLParams:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    wants_cost: bool = False
    """The request's ``extensions`` asked for ``{"cost": true}``: the answer's
    ``extensions.cost`` then says what it cost and the caller's limit."""


@lru_cache(maxsize=512)
def _parse(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    """The operation a request runs, exactly as execution will pick it; anything
    ambiguous is refused here, before rate limits and costs are decided on it."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations:
        raise RequestError(400, "the document holds no operation")
    if name is None:
        if len(operations) > 1:
            raise RequestError(
                400, "the document holds several operations: say which in 'operationName'"
            )
        return operations[0]
    found = [op for op in operations if op.name and op.name.value == name]
    if len(found) != 1:
        shown = name[:100]
        raise RequestError(
            400,
            f"no operation named {shown!r} in the document"
            if not found
            else f"several operations are named {shown!r}",
        )
    return found[0]


def _root_fields(operation: OperationDefinitionNode) -> list[str] | None:
    """Names of the root fields, or None when fragments make them indirect."""
    names = []
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode):
            return None
        names.append(selection.name.value)
    return names


def _all_root_fields(document: DocumentNode, operation: OperationDefinitionNode) -> set[str]:
    """Every root field the operation selects, through fragments too (for rate limits,
    which a fragment must not get around)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    names: set[str] = set()
    pending = list(operation.selection_set.selections)
    seen: set[str] = set()
    while pending:
        selection = pending.pop()
        if isinstance(selection, FieldNode):
            names.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            pending.extend(selection.selection_set.selections)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in seen and name in fragments:
                seen.add(name)
                pending.extend(fragments[name].selection_set.selections)
    return names


CREDENTIAL_FIELDS = frozenset(
    {
        "integrationCreate",
        "integrationUpdate",
        "integrationDelete",
        "integrationOAuthStart",
        "integrationTestConnection",
    }
)
"""Operations that handle an integration's secrets: their own, tighter limit."""


async def _check_rate(request: Request, principal: Principal | None, roots: set[str]) -> None:
    """Anonymous callers (the public interview operations) per IP, users per user, and
    credential operations per user again; over a limit is 429 ``RATE_LIMITED``."""
    state = request.app.state
    public, user, credentials = buckets(state.settings)
    checks = (
        [(public, request.client.host if request.client else "unknown")]
        if principal is None
        else [(user, str(principal.user_id))]
    )
    if principal is not None and roots & CREDENTIAL_FIELDS:
        checks.append((credentials, str(principal.user_id)))
    for bucket, subject in checks:
        decision = await state.rate_limits.hit(bucket, subject)
        if not decision.allowed:
            raise RequestError(
                429,
                f"too many requests: at most {bucket.per_minute} per minute; "
                f"retry in {math.ceil(decision.retry_after)} s",
                "RATE_LIMITED",
                retry_after=decision.retry_after,
            )


@dataclass(frozen=True, slots=True)
class CostReport:
    requested: int
    limit: int

    def as_extension(self) -> dict[str, int]:
        return {"requested": self.requested, "limit": self.limit}


def _check_limits(
    schema: GraphQLSchema,
    document: DocumentNode,
    params: GraphQLParams,
    principal: Principal | None,
    settings: Settings,
    strict: bool,
) -> CostReport:
    """Refuse, before validation walks it, a document deeper, more aliased or costlier
    than allowed (``resolvers.document_limits``, ``resolvers.cost``): validation and
    execution both grow with these. Refused like a validation error: 400 when the
    client accepts ``application/graphql-response+json``, 200 for ``application/json``."""
    error = over_limits(document_shape(document), settings.max_query_depth, settings.max_aliases)
    limit = cost_limit(settings, principal)
    requested = query_cost(schema, document, params.operation_name, params.variables)
    if error is None and requested > limit:
        error = too_costly(requested, limit)
    if error is not None:
        extensions = dict(error.extensions or {})
        code = str(extensions.pop("code"))
        raise RequestError(400 if strict else 200, error.message, code, extensions=extensions)
    return CostReport(requested, limit)


def _refuse_introspection(
    schema: GraphQLSchema, query: str, document: DocumentNode, principal: Principal | None
) -> None:
    """Outside development only admins may introspect; the substring test keeps the
    validation pass off every ordinary request."""
    if "__schema" not in query and "__type" not in query.replace("__typename", ""):
        return
    if validate(schema, document, [NoSchemaIntrospectionCustomRule]):
        if principal is None:
            raise RequestError(401, "introspection needs an admin's token", "UNAUTHENTICATED")
        raise RequestError(403, "introspection is for admins only", "FORBIDDEN")


def _media_type(request: Request) -> str:
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return JSON
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media == GRAPHQL_RESPONSE:
            return GRAPHQL_RESPONSE
        if media in (JSON, "*/*", "application/*"):
            return JSON
    raise RequestError(406, f"cannot answer with any of the accepted types: {accept[:200]}")


def _error_body(message: str, code: str, **extensions: Any) -> bytes:
    return orjson.dumps(
        {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    )


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


class GraphQLHTTP:
    """The Starlette endpoint; one instance per app, state comes from ``app.state``."""

    async def handle(self, request: Request) -> Response:
        request_id = request_id_of(request)
        started = time.perf_counter()
        try:
            if request.method == "GET" and self._wants_ide(request):
                response: Response = await graphiql_response(request)
            else:
                with counting_commits():
                    try:
                        response = await self._handle(request, _media_type(request), request_id)
                    except RequestError:
                        raise
                    except Exception as exc:
                        if not is_infrastructure_failure(exc):
                            raise
                        logger.warning("/graphql unavailable (request %s): %r", request_id, exc)
                        response = _unavailable(request_id)
        except RequestError as error:
            extensions: dict[str, Any] = {**error.extensions, "requestId": request_id}
            if error.retry_after is not None:
                extensions["retryAfter"] = math.ceil(error.retry_after)
            response = Response(
                _error_body(error.message, error.code, **extensions),
                status_code=error.status,
                media_type=JSON,
                headers={"allow": "POST"} if error.status == 405 else None,
            )
            if error.status == 401:
                response.headers["www-authenticate"] = "Bearer"
            if error.retry_after is not None:
                response.headers["retry-after"] = str(math.ceil(error.retry_after))
        response.headers["x-request-id"] = request_id
        response.headers["server-timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response

    @staticmethod
    def _wants_ide(request: Request) -> bool:
        return (
            request.app.state.settings.graphiql_enabled
            and "query" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        )

    async def _params(self, request: Request) -> GraphQLParams:
        settings = request.app.state.settings
        if request.method == "GET":
            raw: dict[str, Any] = dict(request.query_params)
            if isinstance(raw.get("variables"), str):
                try:
                    raw["variables"] = orjson.loads(raw["variables"])
                except orjson.JSONDecodeError as exc:
                    raise RequestError(400, "variables is not valid JSON") from exc
        elif request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != JSON:
                raise RequestError(415, "POST bodies must be application/json")
            declared = request.headers.get("content-length")
            if (
                declared is not None
                and declared.isdigit()
                and int(declared) > settings.max_request_bytes
            ):
                raise RequestError(413, f"request body over {settings.max_request_bytes} bytes")
            body = b""
            async for chunk in request.stream():
                body += chunk
                if len(body) > settings.max_request_bytes:
                    raise RequestError(413, f"request body over {settings.max_request_bytes} bytes")
            try:
                raw = orjson.loads(body)
            except orjson.JSONDecodeError as exc:
                raise RequestError(400, "request body is not valid JSON") from exc
            if not isinstance(raw, dict):
                raise RequestError(400, "request body must be a JSON object")
        else:
            raise RequestError(405, f"{request.method} is not supported on /graphql")
        query = raw.get("query")
        if not isinstance(query, str) or not query.strip():
            raise RequestError(400, "the request has no 'query' string")
        variables = raw.get("variables")
        if variables is not None and not isinstance(variables, dict):
            raise RequestError(400, "'variables' must be an object")
        operation_name = raw.get("operationName")
        if operation_name is not None and not isinstance(operation_name, str):
            raise RequestError(400, "'operationName' must be a string")
        extensions = raw.get("extensions")
        if isinstance(extensions, str):
            try:
                extensions = orjson.loads(extensions)
            except orjson.JSONDecodeError as exc:
                raise RequestError(400, "extensions is not valid JSON") from exc
        if extensions is not None and not isinstance(extensions, dict):
            raise RequestError(400, "'extensions' must be an object")
        wants_cost = bool(extensions and extensions.get("cost") is True)
        return GraphQLParams(query, variables, operation_name, wants_cost)

    async def _principal(self, request: Request) -> Principal | None:
        state = request.app.state
        try:
            token = bearer_token(request.headers.get("authorization"))
            if token is None:
                return None
            return await principal_for_token(state.reader, state.jwt_secret, token, oidc=state.oidc)
        except AuthenticationError as exc:
            raise RequestError(401, str(exc), code="UNAUTHENTICATED") from exc

    async def _handle(self, request: Request, media_type: str, request_id: str) -> Response:
        state = request.app.state
        params = await self._params(request)
        principal = await self._principal(request)
        strict = media_type == GRAPHQL_RESPONSE

        try:
            document = _parse(params.query, state.settings.max_query_tokens)
        except GraphQLError as error:
            GRAPHQL_REQUESTS.labels("-", "unknown", "syntax_error").inc()
            body = orjson.dumps(
                {"errors": [{**error.formatted, "extensions": {"code": "GRAPHQL_PARSE_FAILED"}}]}
            )
            return Response(body, status_code=400 if strict else 200, media_type=media_type)
        if request.method == "GET" and any(
            isinstance(d, OperationDefinitionNode) and d.operation is not OperationType.QUERY
            for d in document.definitions
        ):
            raise RequestError(405, "mutations and subscriptions must be sent with POST")
        operation = _operation(document, params.operation_name)
        operation_type = operation.operation.value
        operation_display = operation.name.value if operation.name else "anonymous"
        if operation.operation is OperationType.SUBSCRIPTION:
            raise RequestError(
                400,
                "subscriptions are served over WebSocket: connect to /graphql with the "
                "graphql-transport-ws subprotocol",
            )
        roots = _root_fields(operation)
        await _check_rate(request, principal, _all_root_fields(document, operation))
        settings = state.settings
        cost = _check_limits(state.schema._schema, document, params, principal, settings, strict)
        if not settings.is_development and not (principal and principal.is_admin):
            _refuse_introspection(state.schema._schema, params.query, document, principal)

        cache_key: str | None = None
        ttl = 0
        started = time.perf_counter()
        if (
            principal is not None
            and operation.operation is OperationType.QUERY
            and roots
            and not params.wants_cost
        ):
            wanted = [CACHEABLE_ROOT_FIELDS.get(name) for name in roots if name != "__typename"]
            kinds = {kind for kind in wanted if kind is not None}
            if kinds and len(kinds) == len(set(wanted)):
                entry = CacheEntryKey(
                    tenant_id=principal.tenant_id,
                    kind=min(kinds, key=state.cache.ttls.__getitem__),
                    scope=f"u{principal.user_id}:{principal.role.value}",
                    digest=state.cache.digest(
                        params.query,
                        orjson.dumps(params.variables, option=orjson.OPT_SORT_KEYS),
                        params.operation_name or "",
                        media_type,
                        links.for_caller(request, settings),
                    ),
                )
                ttl = state.cache.ttl_for(kinds)
                cache_key, cached = await state.cache.get(entry)
                if cached is not None:
                    self._observe(operation_display, operation_type, "cache_hit", started)
                    return Response(cached, media_type=media_type, headers={"x-cache": "hit"})

        context = Context(
            settings=state.settings,
            engine=state.engine,
            session_factory=state.session_factory,
            cache=state.cache,
            principal=principal,
            request_id=request_id,
            keyring=state.keyring,
            http=state.http,
            outbound_http=state.outbound_http,
            bus=state.bus,
            queue=state.queue,
            webhook_inbox=state.webhook_inbox,
            write_deps=state.write_deps,
            request=request,
        )
        execution = state.schema.execute(
            params.query,
            variable_values=params.variables,
            context_value=context,
            operation_name=params.operation_name,
        )
        if operation.operation is OperationType.QUERY:
            try:
                async with asyncio.timeout(settings.max_request_seconds):
                    result = await execution
            except TimeoutError as exc:
                raise RequestError(
                    504,
                    f"the query ran longer than {settings.max_request_seconds:g} s and was "
                    "stopped; ask for less",
                    "TIMEOUT",
                ) from exc
        else:  # a write is never abandoned halfway: the source system may have taken it
            result = await execution
        if any(is_infrastructure_failure(error) for error in result.errors or ()):
            self._observe(operation_display, operation_type, "unavailable", started)
            return _unavailable(request_id, result.data)
        payload: dict[str, Any] = {}
        if params.wants_cost:
            payload["extensions"] = {"cost": cost.as_extension()}
        if result.errors:
            hide = not settings.is_development and not (principal and principal.is_admin)
            payload["errors"] = [formatted_error(error, hide) for error in result.errors]
        errors = result.errors or []
        request_failed = result.data is None and bool(errors) and all(not e.path for e in errors)
        if not request_failed:
            payload["data"] = result.data
        body = orjson.dumps(payload)
        outcome = "request_error" if request_failed else ("partial" if result.errors else "ok")
        self._observe(operation_display, operation_type, outcome, started)
        if cache_key is not None and not result.errors:
            await state.cache.set(cache_key, body, ttl)
        status = 400 if request_failed and strict else 200
        return Response(
            body,
            status_code=status,
            media_type=media_type,
            headers={"x-cache": "miss"} if cache_key else None,
        )

    @staticmethod
    def _observe(operation: str, operation_type: str, outcome: str, started: float) -> None:
        label = operation_label(operation)
        GRAPHQL_REQUESTS.labels(label, operation_type, outcome).inc()
        GRAPHQL_LATENCY.labels(label, operation_type).observe(time.perf_counter() - started)
