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


def _listening(port: int) -> socket.socket:
    """A socket already bound and listening, handed to uvicorn: with port 0 the kernel
    picks the port at bind time, so no other process can take it between choosing and
    binding (``free_port`` then a later bind races every other test process). Made as
    TCP explicitly: asyncio turns Nagle's algorithm off only on connections of a socket
    that says it is TCP; with it on, every answer (headers, then body) waited 40 ms for
    the client's delayed ACK."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


@asynccontextmanager
async def served_on_loopback(
    app: ASGIApp, *, port: int | None = None, **config: Any
) -> AsyncIterator[ServedApp]:
    """``app`` served on ``port`` (one the kernel picks unless given) until the block
    ends."""
    sock = _listening(port or 0)
    chosen = int(sock.getsockname()[1])
    options: dict[str, Any] = {"log_level": "warning", "lifespan": "off", **config}
    server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=chosen, **options))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await wait_until_started(server)
        yield ServedApp(server, chosen)
    finally:
        server.should_exit = True
        try:
            await task
        finally:
            sock.close()
