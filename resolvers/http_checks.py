"""What is decided about a parsed request before it runs: which operation it is, whether
the caller is over a rate limit, whether the document is too deep, too aliased or too
costly, and whether it may introspect. Each refusal is a ``RequestError``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from starlette.requests import Request
from strawberry import Schema

from gateway.auth import Principal
from gateway.rate_limits import Decision, buckets, rate_limit_headers
from gateway.runtime import runtime_of
from gateway.settings import Settings
from resolvers.cost import cost_limit, query_cost, too_costly
from resolvers.document_limits import DocumentShape, document_shape, over_limits
from resolvers.extensions import privileged
from resolvers.http_params import GraphQLParams, RequestError
from resolvers.root_fields import all_root_fields


@lru_cache(maxsize=512)
def parse_document(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


def operation_of(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
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


def root_fields(operation: OperationDefinitionNode) -> list[str] | None:
    """Names of the root fields, or None when fragments make them indirect."""
    names = []
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode):
            return None
        names.append(selection.name.value)
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

_RATE_LIMIT_HEADERS = "talentgraph.rate_limit_headers"


async def check_rate(request: Request, principal: Principal | None, roots: set[str]) -> None:
    """Anonymous callers (the public interview operations) per IP, users per user, and
    credential operations per user again; over a limit is 429 ``RATE_LIMITED``."""
    runtime = runtime_of(request)
    public, user, credentials = buckets(runtime.settings)
    checks = (
        [(public, request.client.host if request.client else "unknown")]
        if principal is None
        else [(user, str(principal.user_id))]
    )
    if principal is not None and roots & CREDENTIAL_FIELDS:
        checks.append((credentials, str(principal.user_id)))
    tightest: Decision | None = None
    for bucket, subject in checks:
        if bucket.per_minute <= 0:
            continue
        decision = await runtime.rate_limits.hit(bucket, subject)
        if tightest is None or not decision.allowed or decision.remaining < tightest.remaining:
            tightest = decision
            request.scope[_RATE_LIMIT_HEADERS] = rate_limit_headers(bucket, decision)
        if not decision.allowed:
            raise RequestError(
                429,
                f"too many requests: at most {bucket.per_minute} per minute; "
                f"retry in {math.ceil(decision.retry_after)} s",
                "RATE_LIMITED",
                retry_after=decision.retry_after,
            )


def rate_limit_headers_of(request: Request) -> dict[str, str]:
    """The ``RateLimit-*`` headers of the tightest limit `check_rate` counted the request
    against; none when no limit applies."""
    headers: dict[str, str] = request.scope.get(_RATE_LIMIT_HEADERS, {})
    return headers


@dataclass(frozen=True, slots=True)
class CostReport:
    requested: int
    limit: int

    def as_extension(self) -> dict[str, int]:
        return {"requested": self.requested, "limit": self.limit}


@lru_cache(maxsize=512)
def _fixed_measures(
    schema: GraphQLSchema, query: str, operation_name: str | None, max_tokens: int
) -> tuple[DocumentShape, int]:
    """Shape and cost of a document sent without variables, which never change: measured
    once per text (its parse is cached alike)."""
    document = parse_document(query, max_tokens)
    return document_shape(document), query_cost(schema, document, operation_name, None)


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
    if params.variables:
        shape = document_shape(document)
        requested = query_cost(schema, document, params.operation_name, params.variables)
    else:
        shape, requested = _fixed_measures(
            schema, params.query, params.operation_name, settings.max_query_tokens
        )
    error = over_limits(shape, settings.max_query_depth, settings.max_aliases)
    limit = cost_limit(settings, principal)
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


@dataclass(frozen=True, slots=True)
class Admitted:
    operation: OperationDefinitionNode
    cost: CostReport


async def admit(
    request: Request,
    schema: Schema,
    document: DocumentNode,
    params: GraphQLParams,
    principal: Principal | None,
    strict: bool,
    *,
    rate_checked: bool = False,
) -> Admitted:
    """The operation a request runs and what it costs, once it passed every check:
    GET only for queries, no subscriptions (they go over WebSocket), the rate limits
    (unless ``rate_checked`` already), the document limits and, outside development,
    introspection for admins only."""
    if request.method == "GET" and any(
        isinstance(d, OperationDefinitionNode) and d.operation is not OperationType.QUERY
        for d in document.definitions
    ):
        raise RequestError(405, "mutations and subscriptions must be sent with POST")
    operation = operation_of(document, params.operation_name)
    if operation.operation is OperationType.SUBSCRIPTION:
        raise RequestError(
            400,
            "subscriptions are served over WebSocket (connect to /graphql with the "
            "graphql-transport-ws subprotocol) or as Server-Sent Events (send this "
            "request with Accept: text/event-stream)",
        )
    if not rate_checked:
        await check_rate(request, principal, all_root_fields(document, operation))
    settings = runtime_of(request).settings
    cost = _check_limits(schema._schema, document, params, principal, settings, strict)
    if not privileged(settings, principal):
        _refuse_introspection(schema._schema, params.query, document, principal)
    return Admitted(operation, cost)
