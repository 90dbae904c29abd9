"""How a fake answers what it refuses: raise ``Refusal`` anywhere in a handler and the
route answers its status, JSON body and headers (a 401 for a bad token, a 429 with
``Retry-After``, a 422 for a bad filter), with the fake's rate-limit headers on every
answer it gives the key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

Handler = Callable[[Request, str], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


class Refusal(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}


def guarded_by(
    credential: Callable[[Request], str], limits: Callable[[str], Mapping[str, str]]
) -> Callable[[Handler], Endpoint]:
    """Wrap handlers of ``(request, key)``: the key is ``credential(request)`` (which
    refuses a bad one), a ``Refusal`` becomes its answer, and a handled answer carries
    ``limits(key)``."""

    def guarded(handler: Handler) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            try:
                key = credential(request)
                response = await handler(request, key)
            except Refusal as refusal:
                return JSONResponse(refusal.body, refusal.status, headers=refusal.headers)
            response.headers.update(limits(key))
            return response

        return endpoint

    return guarded
