"""A server on a loopback port that counts every TCP connection it accepts and answers
any HTTP request with ``200 []``: proof that a refused call sent nothing at all.

    async with counting_server() as server:        # server.port, server.connections
        ...
    assert server.connections == 0
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

ANSWER = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n"
    b"connection: close\r\n\r\n[]"
)


@dataclass
class CountingServer:
    port: int = 0
    connections: int = 0
    requests: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            async with asyncio.timeout(5):
                await reader.readuntil(b"\r\n\r\n")
            self.requests += 1
            writer.write(ANSWER)
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


@contextlib.asynccontextmanager
async def counting_server() -> AsyncIterator[CountingServer]:
    counter = CountingServer()
    server = await asyncio.start_server(counter.handle, "127.0.0.1", 0)
    counter.port = int(server.sockets[0].getsockname()[1])
    async with server:
        yield counter
