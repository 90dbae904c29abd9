"""Reading a GraphQL-over-HTTP request: its parameters (a GET query string or a POST
JSON body) and the media type to answer with. Anything malformed is a ``RequestError``
carrying the HTTP status the specification gives it (400, 405, 406, 413, 415).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request

from gateway.runtime import runtime_of

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


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
    """Empty when the request names a persisted document instead (``document_hash``)."""
    variables: dict[str, Any] | None
    operation_name: str | None
    wants_cost: bool = False
    """The request's ``extensions`` asked for ``{"cost": true}``: the answer's
    ``extensions.cost`` then says what it cost and the caller's limit."""
    document_hash: str | None = None
    """The SHA-256 (hex) of the document: Apollo's ``extensions.persistedQuery`` or the
    ``documentId`` of a trusted document (``resolvers.persisted``)."""


_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


async def read_request(request: Request) -> GraphQLParams | list[Any]:
    """One operation's parameters, or the raw items of a batch (a JSON array posted),
    which ``params_of`` reads one by one."""
    if request.method == "GET":
        return params_of(_query_string(request))
    if request.method == "POST":
        raw = await _json_body(request)
        return raw if isinstance(raw, list) else params_of(raw)
    raise RequestError(405, f"{request.method} is not supported on /graphql")


async def read_params(request: Request) -> GraphQLParams:
    """The request's query, variables, operation name and extensions, checked; a batch
    is refused."""
    read = await read_request(request)
    if isinstance(read, list):
        raise RequestError(400, "request body must be a JSON object")
    return read


def params_of(raw: Any) -> GraphQLParams:
    """The parameters of one operation's request object, checked."""
    if not isinstance(raw, dict):
        raise RequestError(400, "each operation must be a JSON object")
    extensions = raw.get("extensions")
    if isinstance(extensions, str):
        try:
            extensions = orjson.loads(extensions)
        except orjson.JSONDecodeError as exc:
            raise RequestError(400, "extensions is not valid JSON") from exc
    if extensions is not None and not isinstance(extensions, dict):
        raise RequestError(400, "'extensions' must be an object")
    document_hash = _document_hash(raw.get("documentId"), (extensions or {}).get("persistedQuery"))
    query = raw.get("query")
    if query is None and document_hash is not None:
        query = ""
    elif not isinstance(query, str) or not query.strip():
        raise RequestError(400, "the request has no 'query' string")
    variables = raw.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise RequestError(400, "'variables' must be an object")
    operation_name = raw.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError(400, "'operationName' must be a string")
    wants_cost = bool(extensions and extensions.get("cost") is True)
    return GraphQLParams(query, variables, operation_name, wants_cost, document_hash)


def _document_hash(document_id: Any, persisted: Any) -> str | None:
    """The document's SHA-256 from ``documentId`` (``sha256:<hex>`` or the bare hex) or
    from Apollo's ``{"version": 1, "sha256Hash": "<hex>"}``."""
    if document_id is not None:
        text = document_id.removeprefix("sha256:") if isinstance(document_id, str) else ""
        if not _SHA256_HEX.fullmatch(text):
            raise RequestError(400, "'documentId' must be sha256:<64 lower-case hex digits>")
        return text
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise RequestError(400, "only version 1 of persistedQuery is supported")
    sha = persisted.get("sha256Hash")
    if not isinstance(sha, str) or not _SHA256_HEX.fullmatch(sha):
        raise RequestError(400, "persistedQuery.sha256Hash must be 64 lower-case hex digits")
    return sha


def _query_string(request: Request) -> dict[str, Any]:
    raw: dict[str, Any] = dict(request.query_params)
    if isinstance(raw.get("variables"), str):
        try:
            raw["variables"] = orjson.loads(raw["variables"])
        except orjson.JSONDecodeError as exc:
            raise RequestError(400, "variables is not valid JSON") from exc
    return raw


async def _json_body(request: Request) -> dict[str, Any] | list[Any]:
    """The POST body as a JSON object or array, read no further than
    ``max_request_bytes``."""
    limit = runtime_of(request).settings.max_request_bytes
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != JSON:
        raise RequestError(415, "POST bodies must be application/json")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestError(413, f"request body over {limit} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise RequestError(413, f"request body over {limit} bytes")
    try:
        raw = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise RequestError(400, "request body is not valid JSON") from exc
    if not isinstance(raw, dict | list):
        raise RequestError(400, "request body must be a JSON object (or an array of them)")
    return raw


def accepted_media_type(request: Request) -> str:
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
