"""The landing page at ``/``: what this is, its version, and links that all work, the
README's sections among them (each opens ``/readme`` at that heading)."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from gateway.version import VERSION
from gateway.web.sources import source_names
from tests.support.browser import WebGateway, save_screenshot


async def test_the_landing_page_says_what_this_is_and_every_link_works(
    page: Any, web_gateway: WebGateway
) -> None:
    response = await page.goto("/")
    assert response.status == 200
    await expect(page).to_have_title("talentgraph")
    await expect(page.get_by_role("heading", level=1)).to_have_text("talentgraph")
    await expect(page.locator("main")).to_contain_text(f"One GraphQL API over {source_names()}:")
    await expect(page.locator("main")).to_contain_text(f"Version {VERSION}")
    await save_screenshot(page, "landing")

    links = page.locator("main a:visible")
    hrefs = [await link.get_attribute("href") for link in await links.all()]
    pages = {href for href in hrefs if not href.startswith("/readme#")}
    assert pages == {"/graphql", "/board", "/healthz", "/readyz", "/metrics", "/readme"}, hrefs
    sections = [href for href in hrefs if href.startswith("/readme#")]
    assert len(sections) >= 10, "the README's sections are linked"
    assert "/readme#in-a-browser" in sections
    for href in hrefs:
        await page.goto("/")
        async with page.expect_navigation() as navigation:
            await page.locator(f'main a[href="{href}"]').click()
        followed = await navigation.value
        assert followed.status == 200, href
        assert page.url == web_gateway.base_url + href
        if href in sections:
            target = page.locator(f"#{href.split('#', 1)[1]}")
            await expect(target).to_be_in_viewport()
            assert await target.evaluate("(node) => /^H[1-6]$/.test(node.tagName)"), href
            if href == "/readme#in-a-browser":
                await save_screenshot(page, "readme", full_page=False)
    await page.goto("/graphql")
    await expect(page).to_have_title("talentgraph GraphiQL")
