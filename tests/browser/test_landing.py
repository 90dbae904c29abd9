"""The landing page at ``/``."""

from __future__ import annotations

from typing import Any

from tests.support.browser import WebGateway, save_screenshot


async def test_the_landing_page_says_what_this_is(page: Any, web_gateway: WebGateway) -> None:
    response = await page.goto("/")
    assert response.status == 200
    assert "talentgraph" in (await page.title() + await page.inner_text("body"))
    await save_screenshot(page, "landing")
