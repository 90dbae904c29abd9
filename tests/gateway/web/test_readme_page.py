"""``/readme``: the README as a page of the gateway, every README link of the landing
page landing on a heading of it, repository files named rather than loaded, and the
README found in an installation that has no checkout."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway.web import readme
from gateway.web.headers import CONTENT_SECURITY_POLICY
from gateway.web.readme import readme_text, render_readme, slug
from tests.support.gateway import Gateway, running_gateway
from tests.support.paths import REPO_ROOT

README_LINK = re.compile(r'href="/readme#([^"]+)"')
HEADING_ID = re.compile(r'<h([1-6]) id="([^"]+)"')


@pytest.fixture(scope="module", params=["development", "production"])
async def gateway(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Gateway]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('readme') / 'gateway.db'}"
    async with running_gateway(url, environment=request.param) as running:
        yield running


async def test_the_readme_is_a_page_with_the_page_headers(gateway: Gateway) -> None:
    response = await gateway.client.get("/readme")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["referrer-policy"] == "no-referrer"
    page = response.text
    assert len(re.findall(r"<h1[ >]", page)) == 1
    assert '<h2 id="set-up">Set up</h2>' in page
    assert "{{contents}}" not in page and "{{body}}" not in page
    assert not re.search(r"<(?:img|script|iframe|object|embed)\b", page), "it runs nothing"
    assert not re.search(r"<[a-z][^>]*\ssrc=", page), "nothing is loaded by the markup"
    for stylesheet in re.findall(r"<link\b[^>]*>", page):
        assert 'href="/static/' in stylesheet, stylesheet
    for reference in re.findall(r'<a\b[^>]*href="([^"]*)"', page):
        assert reference.startswith(("/", "#", "https://")), reference
    for offsite in re.findall(r'<a\b[^>]*href="https://[^>]*>', page):
        assert 'rel="noopener noreferrer"' in offsite, offsite


async def test_every_readme_link_of_the_landing_page_names_a_heading(gateway: Gateway) -> None:
    landing = (await gateway.client.get("/")).text
    wanted = README_LINK.findall(landing)
    assert len(wanted) >= 10, "the landing page links the README's sections"
    assert 'href="/readme"' in landing
    served = (await gateway.client.get("/readme")).text
    main = re.search(r"<main\b.*?</main>", served, re.S)
    assert main, "the page has a main"
    headings = HEADING_ID.findall(main.group(0))
    anchors = {anchor for _level, anchor in headings}
    assert set(wanted) <= anchors, f"no such README sections: {set(wanted) - anchors}"
    contents = re.search(r'<nav[^>]*aria-labelledby="readme-contents".*?</nav>', served, re.S)
    assert contents, "the page has its contents"
    listed = set(re.findall(r'href="#([^"]+)"', contents.group(0)))
    assert listed == {anchor for level, anchor in headings if level == "2"}


def test_anchors_are_the_ones_github_gives() -> None:
    seen: dict[str, int] = {}
    assert slug("Sign-in through your identity provider (OpenID Connect)", seen) == (
        "sign-in-through-your-identity-provider-openid-connect"
    )
    assert slug("`CACHE_TTL` and friends", seen) == "cache_ttl-and-friends"
    assert [slug("Set up", seen), slug("Set up", seen)] == ["set-up", "set-up-1"]
    rendered = render_readme("# A title\n\n## Set up\n\n## `serve --demo`, then?\n\n## Set up\n")
    assert [s.anchor for s in rendered.sections] == [
        "a-title",
        "set-up",
        "serve---demo-then",
        "set-up-1",
    ]


def test_markup_in_the_markdown_is_shown_never_run() -> None:
    rendered = render_readme(
        "# T\n\n<script>alert(1)</script>\n\nText <img src=x onerror=alert(1)>\n\n"
        "<!-- a marker -->\n[evil](javascript:alert(1))\n"
    ).html
    assert "<script" not in rendered and "<img" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "a marker" not in rendered
    assert 'href="javascript' not in rendered


def test_repository_files_are_named_and_other_sites_linked_safely() -> None:
    rendered = render_readme(
        "# T\n\n![The board](docs/screenshots/board.png)\n\n"
        "See [the schema](schema.graphql), [Set up](#set-up) and "
        "[Standard Webhooks](https://www.standardwebhooks.com/).\n"
    ).html
    assert '<span class="readme-image">The board (<code>docs/screenshots/board.png</code>)' in (
        rendered
    )
    assert "the schema (<code>schema.graphql</code>)" in rendered
    assert 'href="schema.graphql"' not in rendered
    assert '<a href="#set-up">Set up</a>' in rendered
    assert (
        '<a href="https://www.standardwebhooks.com/" rel="noopener noreferrer">'
        "Standard Webhooks</a>"
    ) in rendered


def test_the_checkout_readme_is_the_one_served() -> None:
    assert readme_text() == (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_an_installation_without_a_checkout_serves_its_metadata_readme(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(readme, "CHECKOUT_README", tmp_path / "README.md")
    text = readme_text()
    assert text is not None and text.startswith("# talentgraph\n")

    def no_distribution(name: str) -> None:
        raise readme.PackageNotFoundError(name)

    monkeypatch.setattr(readme, "metadata", no_distribution)
    assert readme_text() is None


async def test_without_any_readme_the_page_says_so(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readme, "readme_text", lambda: None)
    readme.installed_readme.cache_clear()
    try:
        response = await gateway.client.get("/readme")
    finally:
        readme.installed_readme.cache_clear()
    assert response.status_code == 404
    assert "no README" in response.text


async def test_the_readme_is_read_once_per_process_not_per_request(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []
    real = readme.readme_text

    def counted() -> str | None:
        reads.append(1)
        return real()

    monkeypatch.setattr(readme, "readme_text", counted)
    readme.installed_readme.cache_clear()
    try:
        answers = [await gateway.client.get("/readme") for _ in range(3)]
    finally:
        readme.installed_readme.cache_clear()
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert len(reads) == 1
