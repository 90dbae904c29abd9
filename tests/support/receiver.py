"""A webhook receiver on a real loopback port: it verifies every request with the
``standardwebhooks`` package and answers as a test scripts it.

    receiver = Receiver()
    async with serving(receiver) as base_url:               # http://127.0.0.1:<port>
        receiver.expect("/hooks/a", secret)                 # verify requests to this path
        receiver.script("/hooks/a", Answer(500), Answer(200))
        ...
        receiver.received                                   # [Received(...), ...]
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support.serving import served_on_loopback


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: str = "ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds before answering; a client with a shorter timeout gives up first."""


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    payload: Any
    verified: bool
    at: float


class Receiver:
    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self.scripts: dict[str, deque[Answer]] = defaultdict(deque)
        self.received: list[Received] = []
        self.release = asyncio.Event()
        self.app = Starlette(routes=[Route("/{path:path}", self.handle, methods=["POST"])])

    def expect(self, path: str, secret: str) -> None:
        self.secrets[path] = secret

    def script(self, path: str, *answers: Answer) -> None:
        self.scripts[path].extend(answers)

    def at(self, path: str) -> list[Received]:
        return [request for request in self.received if request.path == path]

    def reset(self) -> None:
        self.received.clear()
        self.scripts.clear()

    async def handle(self, request: Request) -> Response:
        path = request.url.path
        body = await request.body()
        headers = {name.lower(): value for name, value in request.headers.items()}
        secret = self.secrets.get(path)
        payload: Any = None
        verified = False
        if secret is not None:
            try:
                payload = Webhook(secret).verify(body, headers)
                verified = True
            except WebhookVerificationError:
                verified = False
        self.received.append(Received(path, headers, body, payload, verified, time.monotonic()))
        script = self.scripts.get(path)
        answer = script.popleft() if script else Answer()
        if answer.delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), answer.delay)
        return Response(answer.body, status_code=answer.status, headers=answer.headers)


@contextlib.asynccontextmanager
async def serving(receiver: Receiver, **tls: str) -> AsyncIterator[str]:
    """``tls``: ``ssl_certfile`` and ``ssl_keyfile`` to serve https."""
    options: dict[str, Any] = dict(tls)
    async with served_on_loopback(receiver.app, **options) as loopback:
        try:
            yield loopback.url
        finally:
            receiver.release.set()
