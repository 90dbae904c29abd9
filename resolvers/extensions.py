"""Schema extensions: caches, input checks, query limits, error masking with a request id.

Expected failures (GraphQL errors we raise, domain errors) reach the client with an
``extensions.code``; a server we depend on being unreachable becomes
``SERVICE_UNAVAILABLE`` (which the transports answer 503 or close 1013,
``gateway.unavailable``); anything else is logged with the request id and replaced by
an opaque ``INTERNAL_SERVER_ERROR`` that carries only that id.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import (
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)

from gateway import tracing
from gateway.auth import Principal
from gateway.errors import DomainError, NotFound, ValidationFailed
from gateway.settings import Settings
from gateway.unavailable import (
    RETRY_AFTER_SECONDS,
    UNAVAILABLE,
    is_infrastructure_failure,
    unavailable_message,
)
from resolvers.input_guard import InputGuard

logger = logging.getLogger("talentgraph.graphql")


def _code_for(error: DomainError) -> str:
    if isinstance(error, NotFound):
        return "NOT_FOUND"
    if isinstance(error, ValidationFailed):
        return "BAD_USER_INPUT"
    return error.code


class ErrorMasking(MaskErrors):
    """Masks unexpected errors; turns domain errors into coded ones."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda _error: True)

    def _request_id(self) -> str:
        context = self.execution_context.context
        return str(getattr(context, "request_id", "-"))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            if error.extensions and "code" in error.extensions:
                return error
            return GraphQLError(
                error.message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                original_error=error.original_error,
                extensions={**(error.extensions or {}), "code": "BAD_REQUEST"},
            )
        if isinstance(original, DomainError):
            return GraphQLError(
                original.message,
                nodes=error.nodes,
                path=error.path,
                extensions={"code": _code_for(original)},
            )
        request_id = self._request_id()
        if is_infrastructure_failure(original):
            logger.warning(
                "%s unavailable (request %s): %r",
                ".".join(str(p) for p in error.path or ()),
                request_id,
                original,
            )
            return GraphQLError(
                unavailable_message("not_written"),
                nodes=error.nodes,
                path=error.path,
                original_error=original,
                extensions={
                    "code": UNAVAILABLE,
                    "requestId": request_id,
                    "retryAfter": RETRY_AFTER_SECONDS,
                },
            )
        logger.error(
            "unexpected error in %s (request %s)",
            ".".join(str(p) for p in error.path or ()),
            request_id,
            exc_info=original,
        )
        return GraphQLError(
            f"Internal server error (request id {request_id})",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )


_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def without_suggestions(message: str) -> str:
    """A validation message without graphql-core's "Did you mean ...?" hints, which
    would spell out the schema to callers who may not introspect it.

    >>> without_suggestions("Cannot query field 'jb' on type 'Query'. Did you mean 'job'?")
    "Cannot query field 'jb' on type 'Query'."
    """
    return _SUGGESTION.sub("", message)


def privileged(settings: Settings, principal: Principal | None) -> bool:
    """Whether the caller sees the schema spelled out: in development, or an admin
    (field suggestions in errors, introspection)."""
    return settings.is_development or (principal is not None and principal.is_admin)


def formatted_error(error: GraphQLError, hide_suggestions: bool) -> dict[str, Any]:
    """An error as sent to clients; outside development only admins get suggestions."""
    formatted = error.formatted
    if hide_suggestions and "Did you mean" in formatted["message"]:
        formatted = {**formatted, "message": without_suggestions(formatted["message"])}
    return dict(formatted)


def result_payload(data: Any, errors: Any, hide_suggestions: bool) -> dict[str, Any]:
    """``{"data": ..., "errors": [...]}`` of one execution result, as the streaming
    transports (WebSocket, SSE) send each result."""
    payload: dict[str, Any] = {"data": data}
    if errors:
        payload["errors"] = [formatted_error(error, hide_suggestions) for error in errors]
    return payload


ExtensionFactory = Callable[[], SchemaExtension]


def build_extensions(settings: Settings | None = None) -> list[ExtensionFactory]:
    """Factories, so each request gets fresh extensions; the parse and validation
    caches are module-level LRUs that those instances share. Depth and alias limits are
    checked before execution by the transports (``resolvers.document_limits``): the
    validation-rule limiters Strawberry offers take time doubling with each level of
    nested fragment spreads."""
    limits = settings or Settings()
    return [
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        lambda: InputGuard(max_search=limits.max_search_chars),
        lambda: MaxTokensLimiter(max_token_count=limits.max_query_tokens),
        ErrorMasking,
        # decided when the schema is built (after the app read the OTEL_* variables):
        # with tracing off, no extension runs on any request
        *([tracing.graphql_extension] if tracing.provider() is not None else []),
    ]
