"""Browser tests: a real ``talentgraph serve`` per test module and the system's
Chromium driven by Playwright, with every other origin blocked (see
``tests.support.browser``). Skipped, with the reason, where there is no Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from tests.support.browser import (
    CHROMIUM_FLAGS,
    WebGateway,
    chromium_path,
    guarded_page,
    start_web_gateway,
    stop_web_gateway,
)
from tests.support.live_sandbox import LiveJob, recruiterflow_sandbox, synced_live_job


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium: install Debian's chromium or set TALENTGRAPH_CHROMIUM")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        await launched.close()


@pytest.fixture(scope="module")
async def web_gateway(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[WebGateway]:
    """The module's ``talentgraph serve``, with the settings its ``GATEWAY_SETTINGS``
    names (``start_web_gateway``'s keywords), if any."""
    settings: dict[str, Any] = getattr(request.module, "GATEWAY_SETTINGS", {})
    gateway = await start_web_gateway(tmp_path_factory.mktemp("web"), **settings)
    yield gateway
    stop_web_gateway(gateway)


@pytest.fixture(scope="module")
def recruiterflow() -> Iterator[str]:
    """The Recruiterflow sandbox on a loopback port (``tests.support.live_sandbox``); a
    module using it sets ``connector_allow_private_targets`` in ``GATEWAY_SETTINGS``."""
    with recruiterflow_sandbox() as origin:
        yield origin


@pytest.fixture(scope="module")
async def live_job(web_gateway: WebGateway, recruiterflow: str) -> LiveJob:
    """The sandbox's requisition, synced into the demo tenant through the gateway."""
    return await synced_live_job(web_gateway, recruiterflow)


@pytest.fixture
async def page(browser: Any, web_gateway: WebGateway) -> AsyncIterator[Any]:
    """A page on which only the gateway is reachable; the test fails if the page asked
    for anything elsewhere or threw an uncaught error."""
    opened = await guarded_page(browser, web_gateway)
    yield opened
    guard = opened.guard
    await opened.context.close()
    assert guard.offsite == [], f"requests left the gateway's origin: {guard.offsite}"
    assert guard.page_errors == [], f"the page threw: {guard.page_errors}"
