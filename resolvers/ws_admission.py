"""What a GraphQL WebSocket connection is allowed: the token it presents, the anonymous
slots of its address, and the operations it may run (within the document and cost
limits, introspection for admins outside development, as over HTTP). Pure checks, no
socket: ``resolvers.ws_session`` and ``resolvers.ws_protocol`` act on their answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse, validate
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry import Schema

from gateway.auth import AuthenticationError, Principal, bearer_token
from gateway.settings import Settings
from resolvers.cost import cost_limit, query_cost, too_costly
from resolvers.document_limits import document_shape, over_limits
from resolvers.extensions import privileged
from resolvers.root_fields import all_root_fields


@dataclass(frozen=True, slots=True)
class Operation:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


def read_operation(payload: Any) -> Operation | None:
    if not isinstance(payload, dict):
        return None
    query, variables = payload.get("query"), payload.get("variables")
    name = payload.get("operationName")
    if not isinstance(query, str) or not (variables is None or isinstance(variables, dict)):
        return None
    if not (name is None or isinstance(name, str)):
        return None
    return Operation(query, variables, name)


@dataclass(frozen=True, slots=True)
class Admission:
    """What an operation sent over the socket is: ``error`` when it may not run,
    its kind (None for a document the schema reports on itself: a syntax error, an
    unknown operation name) and the root fields it selects, for the rate limits."""

    error: GraphQLError | None
    kind: OperationType | None = None
    roots: frozenset[str] = frozenset()


def admission(
    operation: Operation, settings: Settings, schema: Schema, principal: Principal | None
) -> Admission:
    """The checks of ``POST /graphql`` before anything runs: depth, aliases and cost
    (before validation, which grows with them) and, outside development, introspection
    for admins only."""
    try:
        document = parse(operation.query, max_tokens=settings.max_query_tokens)
    except GraphQLError:
        return Admission(None)
    found = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation.operation_name is not None:
        found = [d for d in found if d.name and d.name.value == operation.operation_name]
    if len(found) != 1:
        return Admission(None)
    kind = found[0].operation
    roots = frozenset(all_root_fields(document, found[0]))
    refused = over_limits(document_shape(document), settings.max_query_depth, settings.max_aliases)
    if refused is not None:
        return Admission(refused, kind, roots)
    limit = cost_limit(settings, principal)
    cost = query_cost(schema._schema, document, operation.operation_name, operation.variables)
    if cost > limit:
        return Admission(too_costly(cost, limit), kind, roots)
    introspects = "__schema" in operation.query or "__type" in operation.query.replace(
        "__typename", ""
    )
    rule = [NoSchemaIntrospectionCustomRule]
    if (
        introspects
        and not privileged(settings, principal)
        and validate(schema._schema, document, rule)
    ):
        forbidden = GraphQLError(
            "introspection is for admins only", extensions={"code": "FORBIDDEN"}
        )
        return Admission(forbidden, kind, roots)
    return Admission(None, kind, roots)


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


def token_expiry(token: str) -> float | None:
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
