"""A webhook receiver on a real loopback port: it verifies every request as the
subscription's scheme says and answers as a test scripts it.

    receiver = Receiver()
    async with serving(receiver) as base_url:               # http://127.0.0.1:<port>
        receiver.expect("/hooks/a", secret)                 # verify requests to this path
        receiver.expect("/hooks/b", plain, FRAMEWORK)       # ... the integration framework's way
        receiver.script("/hooks/a", Answer(500), Answer(200))
        ...
        receiver.received                                   # [Received(...), ...]

Both verifiers are the receiver's own, independent of the gateway's signing code:
Standard Webhooks through the ``standardwebhooks`` package, and the integration
framework's ``X-Webhook-Signature`` with ``hmac`` as a receiver would write it from the
framework's design (``verify_framework``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import time
import uuid
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

STANDARD = "standard_webhooks"
FRAMEWORK = "integration_framework"


def verify_framework(secret: str, body: bytes, headers: dict[str, str]) -> bool:
    """The integration framework design's check, ``verifySignature(payload, signature,
    secret)``: ``X-Webhook-Signature`` is the HMAC-SHA256 (``sha256_hmac_signature``)
    of the payload as received, keyed with the plain secret, in hex; ``X-Webhook-Id``
    is a UUID (``webhook_uuid``). ``headers`` are lower-cased."""
    signature = headers.get("x-webhook-signature", "")
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return False
    try:
        uuid.UUID(headers.get("x-webhook-id", ""))
    except ValueError:
        return False
    return True


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
        self.secrets: dict[str, tuple[str, str]] = {}
        self.scripts: dict[str, deque[Answer]] = defaultdict(deque)
        self.received: list[Received] = []
        self.release = asyncio.Event()
        self.app = Starlette(routes=[Route("/{path:path}", self.handle, methods=["POST"])])

    def expect(self, path: str, secret: str, scheme: str = STANDARD) -> None:
        """Verify requests to ``path`` with ``secret`` in ``scheme`` (``STANDARD`` or
        ``FRAMEWORK``)."""
        self.secrets[path] = (secret, scheme)

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
        expected = self.secrets.get(path)
        payload: Any = None
        verified = False
        if expected is not None and expected[1] == FRAMEWORK:
            verified = verify_framework(expected[0], body, headers)
            payload = json.loads(body) if verified else None
        elif expected is not None:
            try:
                payload = Webhook(expected[0]).verify(body, headers)
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
