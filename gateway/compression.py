"""Brotli or gzip for answers over ``MINIMUM_SIZE`` to clients that accept them.

The coding is negotiated from ``Accept-Encoding`` with its q-values (RFC 9110 12.5.3):
brotli when the client accepts it (browsers do, over https; it is 15-25% smaller than
gzip on GraphQL JSON), else gzip, else the answer as it is; ``br;q=0`` or ``gzip;q=0``
refuse a coding, and ``*`` accepts both. Every answer that could have been compressed
says ``Vary: Accept-Encoding``.

Compressed per response, after the route answered: the response cache keeps the
uncompressed body and every hit is compressed again for the client at hand. Streams
(``text/event-stream``), WebSockets and the webhook ingress (senders read only the
status) are never compressed.
"""

from __future__ import annotations

import brotli
from starlette.middleware.gzip import (
    DEFAULT_EXCLUDED_CONTENT_TYPES,
    GZipResponder,
    IdentityResponder,
)
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.vary import request_header, varying

MINIMUM_SIZE = 1024
UNCOMPRESSED_PREFIXES = ("/webhooks/",)
BROTLI_QUALITY = 5
"""Brotli's quality for answers made per request: 4-6 compresses better than gzip level
6 at a similar cost; 11, its default, is for static files (tens of times slower)."""


def accepted_codings(header: bytes) -> dict[str, float]:
    """The codings ``Accept-Encoding`` names, with their q-values (1 when absent, 0 for a
    malformed one)."""
    codings: dict[str, float] = {}
    for item in header.decode("latin-1").split(","):
        name, _, params = item.partition(";")
        name = name.strip().lower()
        if not name:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        codings[name] = quality
    return codings


def chosen_coding(header: bytes | None) -> str | None:
    """``"br"``, ``"gzip"`` or None (send it as it is) for a client's ``Accept-Encoding``."""
    if not header:
        return None
    codings = accepted_codings(header)
    wildcard = codings.get("*", 0.0)
    best: tuple[float, str] | None = None
    for coding in ("br", "gzip"):
        quality = codings.get(coding, wildcard)
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, coding)
    return best[1] if best else None


class BrotliResponder(IdentityResponder):
    """Starlette's gzip responder with brotli's streaming compressor."""

    content_encoding = "br"

    def __init__(self, app: ASGIApp, minimum_size: int) -> None:
        super().__init__(app, minimum_size, exclude_content_types=DEFAULT_EXCLUDED_CONTENT_TYPES)
        self._compressor: brotli.Compressor | None = None

    async def apply_compression(self, body: bytes, *, more_body: bool) -> bytes:
        if self._compressor is None:
            self._compressor = brotli.Compressor(quality=BROTLI_QUALITY)
        compressed: bytes = self._compressor.process(body)
        tail: bytes = self._compressor.flush() if more_body else self._compressor.finish()
        return compressed + tail


class Compression:
    """Both responders keep Starlette's exclusions: ``text/event-stream`` and media that
    is compressed already."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNCOMPRESSED_PREFIXES):
            await self.app(scope, receive, send)
            return
        coding = chosen_coding(request_header(scope, b"accept-encoding"))
        if coding == "br":
            await BrotliResponder(self.app, MINIMUM_SIZE)(scope, receive, send)
        elif coding == "gzip":
            await GZipResponder(self.app, MINIMUM_SIZE, compresslevel=6)(scope, receive, send)
        else:
            await self.app(scope, receive, varying(send, b"Accept-Encoding"))
