"""Cross-origin calls to ``/graphql`` from browser apps on the origins configured.

    TALENTGRAPH_CORS_ALLOWED_ORIGINS="https://app.example.com,http://localhost:5173"

Only ``/graphql`` over HTTP answers CORS: the webhook ingress, the pages and the
WebSocket are untouched. An origin on the list is named back exactly (never ``*``, and
no credentials are asked for: clients send a bearer token, not cookies); any other gets
no CORS header, so the browser withholds the answer, and its preflight is 400 before
any route runs. Without origins configured, every preflight is 400.
"""

from __future__ import annotations

import re

import orjson
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.vary import request_header, varying

CORS_PATHS = frozenset({"/graphql"})

ALLOWED_METHODS = ("GET", "POST", "OPTIONS")
ALLOWED_HEADERS = (
    "authorization",
    "content-type",
    "apollographql-client-name",
    "apollographql-client-version",
    "x-request-id",
    "traceparent",
)
EXPOSED_HEADERS = (
    "x-request-id",
    "retry-after",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
)
PREFLIGHT_MAX_AGE = 600

_ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9a-f:.]+\](:[0-9]{1,5})?")


def parse_origins(setting: str) -> tuple[str, ...]:
    """Comma-separated or a JSON list; each entry a bare ``scheme://host[:port]``, as
    browsers send it (lower case, no path, no trailing slash), else a ``ValueError``.

    >>> parse_origins("https://app.example.com, http://localhost:5173")
    ('https://app.example.com', 'http://localhost:5173')
    >>> parse_origins('["https://app.example.com"]')
    ('https://app.example.com',)
    """
    text = setting.strip()
    if text.startswith("["):
        entries = orjson.loads(text)
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            raise ValueError("TALENTGRAPH_CORS_ALLOWED_ORIGINS: a JSON list of strings")
    else:
        entries = text.split(",")
    origins = tuple(entry.strip() for entry in entries if entry.strip())
    for origin in origins:
        if not _ORIGIN.fullmatch(origin):
            raise ValueError(
                f"TALENTGRAPH_CORS_ALLOWED_ORIGINS: {origin[:100]!r} is not an origin "
                "like 'https://app.example.com' (lower case, no path, no '*')"
            )
    return origins


def escaped_answer_headers(scope: Scope, origins: tuple[str, ...]) -> list[tuple[bytes, bytes]]:
    """The CORS headers of an answer made outside this middleware (a failure that
    escaped the routes, answered by ``gateway.unavailable``), so a browser app on an
    allowed origin can read its 503, ``Retry-After`` and request id too."""
    if scope.get("path") not in CORS_PATHS:
        return []
    headers = [(b"vary", b"Origin")]
    origin = request_header(scope, b"origin")
    if origin is not None and origin.decode("latin-1") in origins:
        headers += [
            (b"access-control-allow-origin", origin),
            (b"access-control-expose-headers", ", ".join(EXPOSED_HEADERS).encode()),
        ]
    return headers


class GraphQLCors:
    """CORS on `CORS_PATHS` only; every other request passes by untouched."""

    def __init__(self, app: ASGIApp, origins: str) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=parse_origins(origins),
            allow_methods=ALLOWED_METHODS,
            allow_headers=ALLOWED_HEADERS,
            allow_credentials=False,
            expose_headers=EXPOSED_HEADERS,
            max_age=PREFLIGHT_MAX_AGE,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in CORS_PATHS:
            await self.app(scope, receive, send)
        elif request_header(scope, b"origin") is not None:
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, varying(send, b"Origin"))
