"""Every fake also serves on a real port: connectors talk real HTTP over loopback to
it, as the benchmarks do."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator

import httpx
import pytest

from connectors.registry import PACKAGES
from tests.connectors.harness.base import ProviderHarness
from tests.support.serving import served_on_loopback


class ToLoopback(httpx.AsyncBaseTransport):
    """Sends every request, whatever its host, to ``127.0.0.1:port`` over TCP, as a
    proxy would: the ``Host`` header and ``X-Forwarded-Proto`` keep the address the
    connector asked for, so absolute links the fake builds (``Link`` headers, a
    ``paging.next`` URL) name the vendor's origin, which connectors follow and no other."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["X-Forwarded-Proto"] = request.url.scheme
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture(params=list(PACKAGES))
async def served(request: pytest.FixtureRequest) -> AsyncIterator[tuple[ProviderHarness, int]]:
    harness: ProviderHarness = importlib.import_module(
        f"tests.connectors.harness.{request.param}"
    ).make_harness()
    harness.seed(jobs=7, candidates=7, applications=7)
    async with served_on_loopback(
        harness.app, proxy_headers=True, forwarded_allow_ips="127.0.0.1"
    ) as loopback:
        yield harness, loopback.port


async def test_connector_over_real_http(served: tuple[ProviderHarness, int]) -> None:
    harness, port = served
    async with httpx.AsyncClient(transport=ToLoopback(port)) as client:
        connector = harness.connector(client, sleep=no_sleep, page_size=3)
        assert (await connector.check()).ok
        harness.faults.rate_limit(times=1, retry_after=0)
        jobs = [job async for job in connector.jobs()]
    assert sorted(job.remote_id for job in jobs) == sorted(harness.job_ids())
    assert harness.faults.injected == 1
