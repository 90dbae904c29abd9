"""Gzip for answers over `MINIMUM_SIZE` to clients that accept it.

Compressed per response, after the route answered: the response cache keeps the
uncompressed body and every hit is compressed again for the client at hand. A client
that does not accept gzip gets the answer as it is, with ``Vary: Accept-Encoding``. Streams
(``text/event-stream``), WebSockets and the webhook ingress (senders read only the
status) are never compressed.
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.vary import request_header, varying

MINIMUM_SIZE = 1024
UNCOMPRESSED_PREFIXES = ("/webhooks/",)


class Compression:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # Starlette's default exclusions: text/event-stream and already compressed media
        self.gzip = GZipMiddleware(app, minimum_size=MINIMUM_SIZE, compresslevel=6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNCOMPRESSED_PREFIXES):
            await self.app(scope, receive, send)
        elif b"gzip" in (request_header(scope, b"accept-encoding") or b""):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, varying(send, b"Accept-Encoding"))
