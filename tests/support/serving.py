"""An ASGI app served by uvicorn on a free loopback port, for tests that talk real
HTTP or WebSocket to it.

    async with served_on_loopback(fake.app) as loopback:
        response = await http.get(f"{loopback.url}/jobs")

By default the server logs warnings only and skips the app's lifespan (tests start
the app themselves); any ``uvicorn.Config`` option may be given instead. The server is
stopped when the block ends, whether or not it got as far as serving.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.types import ASGIApp

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


async def wait_until_started(server: uvicorn.Server) -> None:
    async with asyncio.timeout(10):
        while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
            await asyncio.sleep(0.01)


@dataclass(frozen=True)
class ServedApp:
    server: uvicorn.Server
    port: int

    @property
    def url(self) -> str:
        """The origin, ``https`` when the server was given a certificate."""
        scheme = "https" if self.server.config.is_ssl else "http"
        return f"{scheme}://{HOST}:{self.port}"

    @property
    def ws_url(self) -> str:
        scheme = "wss" if self.server.config.is_ssl else "ws"
        return f"{scheme}://{HOST}:{self.port}"


@asynccontextmanager
async def served_on_loopback(
    app: ASGIApp, *, port: int | None = None, **config: Any
) -> AsyncIterator[ServedApp]:
    """``app`` served on ``port`` (a free one unless given) until the block ends."""
    chosen = port or free_port()
    options: dict[str, Any] = {"log_level": "warning", "lifespan": "off", **config}
    server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=chosen, **options))
    task = asyncio.create_task(server.serve())
    try:
        await wait_until_started(server)
        yield ServedApp(server, chosen)
    finally:
        server.should_exit = True
        await task
