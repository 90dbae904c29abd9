"""Every fake also serves on a real port: connectors talk real HTTP over loopback to
it, as the benchmarks do."""

from __future__ import annotations

import asyncio
import importlib
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from tests.connectors.harness.base import ProviderHarness


class ToLoopback(httpx.AsyncBaseTransport):
    """Sends every request, whatever its host, to ``127.0.0.1:port`` over TCP."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def no_sleep(_seconds: float) -> None:
    return None


async def wait_until_started(server: uvicorn.Server) -> None:
    async with asyncio.timeout(10):
        while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
            await asyncio.sleep(0.01)


@pytest.fixture(params=["recruiterflow", "jobvite", "bpoc", "workday"])
async def served(request: pytest.FixtureRequest) -> AsyncIterator[tuple[ProviderHarness, int]]:
    harness: ProviderHarness = importlib.import_module(
        f"tests.connectors.harness.{request.param}"
    ).make_harness()
    harness.seed(jobs=7, candidates=7, applications=7)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            harness.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    task = asyncio.create_task(server.serve())
    await wait_until_started(server)
    try:
        yield harness, port
    finally:
        server.should_exit = True
        await task


async def test_connector_over_real_http(served: tuple[ProviderHarness, int]) -> None:
    harness, port = served
    async with httpx.AsyncClient(transport=ToLoopback(port)) as client:
        connector = harness.connector(client, sleep=no_sleep, page_size=3)
        assert (await connector.check()).ok
        harness.faults.rate_limit(times=1, retry_after=0)
        jobs = [job async for job in connector.jobs()]
    assert sorted(job.remote_id for job in jobs) == sorted(harness.job_ids())
    assert harness.faults.injected == 1
