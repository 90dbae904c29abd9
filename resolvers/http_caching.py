"""Caching headers of ``/graphql`` answers, for browsers and the proxies between.

- A query answered over GET with a token: ``Cache-Control: private, no-cache``, ``Vary:
  Authorization`` and a weak ``ETag`` of the body; a request whose ``If-None-Match``
  names it is answered ``304 Not Modified`` without the body. The browser keeps the
  answer for that user and asks each time whether it changed; no shared cache keeps
  it.
- Everything else (POST, mutations, answers without a token, errors, streams): ``no-store``,
  as the public interview operations carry their secret in their arguments.
"""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import Response

PRIVATE = "private, no-cache"
NO_STORE = "no-store"


def etag_of(body: bytes) -> str:
    """Weak: the same answer compressed or not is the same validator."""
    return 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def with_caching_headers(request: Request, response: Response) -> Response:
    """``response`` with its caching headers, or a 304 in its place."""
    revalidatable = (
        request.method == "GET"
        and response.status_code == 200
        and "authorization" in request.headers
        and response.media_type != "text/event-stream"
        and isinstance(response.body, bytes)
        and b'"errors"' not in response.body[:12]
    )
    if not revalidatable:
        response.headers["cache-control"] = NO_STORE
        return response
    etag = etag_of(bytes(response.body))
    if etag.removeprefix("W/") in _listed(request.headers.get("if-none-match")):
        response = Response(status_code=304)
    response.headers["cache-control"] = PRIVATE
    response.headers["etag"] = etag
    response.headers.append("vary", "Authorization")
    return response


def _listed(header: str | None) -> set[str]:
    if not header:
        return set()
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}
