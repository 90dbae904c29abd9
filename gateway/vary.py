"""``Vary`` on responses a middleware passed by untouched.

CORS and compression answer differently by ``Origin`` and ``Accept-Encoding``; when a
request carries neither there is nothing for them to do but to tell shared caches the
answer depends on it, which this does with one header line instead of running the
middleware.
"""

from __future__ import annotations

from starlette.types import Message, Scope, Send


def request_header(scope: Scope, name: bytes) -> bytes | None:
    """The first ``name`` header of the request (lower-case name), or None."""
    for key, value in scope.get("headers") or ():
        if key == name:
            return bytes(value)
    return None


def varying(send: Send, header: bytes) -> Send:
    """``send`` adding ``Vary: header`` to the response's start."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), (b"vary", header)]
        await send(message)

    return sending
