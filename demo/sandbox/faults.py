"""Failure injection for fake servers, as ASGI middleware.

faults = Faults()
app = with_faults(api, faults)
faults.rate_limit(times=2, retry_after=1)   # next two requests get 429
faults.server_errors(times=3)               # then three 503s
faults.malformed(times=1)                   # then a 200 with a broken body
faults.latency = 0.05                       # every request waits 50 ms
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Receive, Scope, Send


@dataclass
class Fault:
    status: int
    body: bytes
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


@dataclass
class Faults:
    latency: float = 0.0
    pending: deque[Fault] = field(default_factory=deque)
    requests: int = 0
    injected: int = 0

    def rate_limit(self, times: int = 1, retry_after: float | None = 1) -> None:
        headers = [(b"retry-after", str(retry_after).encode())] if retry_after is not None else []
        for _ in range(times):
            self.pending.append(Fault(429, b'{"error": "Too Many Requests"}', headers))

    def server_errors(self, times: int = 3, status: int = 503) -> None:
        for _ in range(times):
            self.pending.append(Fault(status, b'{"error": "Service Unavailable"}'))

    def malformed(self, times: int = 1) -> None:
        for _ in range(times):
            self.pending.append(Fault(200, b'{"data": [{"id": 1, "name": '))

    def reset(self) -> None:
        self.latency = 0.0
        self.pending.clear()


def with_faults(app: ASGIApp, faults: Faults) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        faults.requests += 1
        if faults.latency:
            await asyncio.sleep(faults.latency)
        if faults.pending:
            fault = faults.pending.popleft()
            faults.injected += 1
            await send(
                {
                    "type": "http.response.start",
                    "status": fault.status,
                    "headers": [(b"content-type", b"application/json"), *fault.headers],
                }
            )
            await send({"type": "http.response.body", "body": fault.body})
            return
        await app(scope, receive, send)

    return middleware
