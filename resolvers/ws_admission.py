"""What a GraphQL WebSocket connection is allowed: the token it presents, the anonymous
slots of its address, and the operations it may run (subscriptions only, within the
document and cost limits). Pure checks, no socket: ``resolvers.ws_session`` and
``resolvers.ws_protocol`` act on their answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from strawberry import Schema

from gateway.auth import AuthenticationError, Principal, bearer_token
from gateway.settings import Settings
from resolvers.cost import cost_limit, query_cost, too_costly
from resolvers.document_limits import document_shape, over_limits


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


def refusal(
    operation: Operation, settings: Settings, schema: Schema, principal: Principal | None
) -> GraphQLError | None:
    """The error for a query or mutation sent here, or for a subscription over the
    caller's cost limit (checked before validation, which grows with the cost); ``None``
    for a subscription to run, or a document the schema reports on itself (a syntax
    error, an unknown operation name)."""
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
    cost = query_cost(schema._schema, document, operation.operation_name, operation.variables)
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
