"""The GraphiQL and landing pages as served, without a browser: statuses, security
headers, GraphiQL only where enabled, the demo token only in development, and nothing
loaded from another host."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import orjson
import pytest

from connectors.registry import PACKAGES, provider_spec
from gateway.web.headers import CONTENT_SECURITY_POLICY
from tests.support.gateway import Gateway, running_gateway

BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
GRAPHIQL_ASSETS = [
    "/static/js/graphiql-setup.js",
    "/static/css/graphiql.css",
    "/static/css/landing.css",
    "/static/vendor/react@18.2.0/react.production.min.js",
    "/static/vendor/react-dom@18.2.0/react-dom.production.min.js",
    "/static/vendor/graphiql@3.8.3/graphiql.min.js",
    "/static/vendor/graphiql@3.8.3/graphiql.min.css",
    "/static/vendor/@graphiql/plugin-explorer@1.0.2/index.umd.js",
    "/static/vendor/@graphiql/plugin-explorer@1.0.2/style.css",
]
OURS = ["/static/js/graphiql-setup.js", "/static/css/graphiql.css", "/static/css/landing.css"]
VENDORED_CSS = [path for path in GRAPHIQL_ASSETS if "/vendor/" in path and path.endswith(".css")]
EXTERNAL_URL = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)", re.IGNORECASE)


def database(tmp_path_factory: pytest.TempPathFactory, name: str) -> str:
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp(name) / 'gateway.db'}"


@pytest.fixture(scope="module")
async def development(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    async with running_gateway(database(tmp_path_factory, "development")) as running:
        yield running


@pytest.fixture(scope="module")
async def production(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    url = database(tmp_path_factory, "production")
    async with running_gateway(url, environment="production") as running:
        yield running


@pytest.fixture(scope="module")
async def production_graphiql(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    url = database(tmp_path_factory, "production-graphiql")
    async with running_gateway(url, environment="production", graphiql=True) as running:
        yield running


def page_config(html: str) -> dict[str, object]:
    found = re.search(
        r'<script type="application/json" id="page-config">(.*?)</script>', html, re.S
    )
    assert found, "the page has its config block"
    config: dict[str, object] = orjson.loads(found.group(1))
    return config


def assert_security_headers(headers: httpx.Headers, where: str) -> None:
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY, where
    assert headers["x-content-type-options"] == "nosniff", where
    assert headers["referrer-policy"] == "no-referrer", where
    assert headers["x-frame-options"] == "DENY", where


async def test_graphiql_in_development_with_the_demo_token(development: Gateway) -> None:
    response = await development.client.get("/graphql", headers=BROWSER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert_security_headers(response.headers, "/graphql")
    assert response.headers["cache-control"] == "no-store", "a page with a token is not stored"
    html = response.text
    assert "<title>talentgraph GraphiQL</title>" in html
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert all(
        "src=" in attributes or 'type="application/json"' in attributes for attributes in scripts
    )
    config = page_config(html)
    assert "query OpenJobs" in str(config["query"])
    assert "Bearer <paste a token from: talentgraph token>" in str(config["headers"])
    token = str(config["demoToken"])
    me = await development.client.post(
        "/graphql",
        json={"query": "{ me { role email } }"},
        headers={"authorization": f"Bearer {token}"},
    )
    assert me.json()["data"]["me"] == {"role": "ADMIN", "email": "admin@demo.example"}


async def test_graphiql_assets_are_served_with_the_security_headers(development: Gateway) -> None:
    for path in GRAPHIQL_ASSETS:
        response = await development.client.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response.headers, path)
        kind = "css" if path.endswith(".css") else "javascript"
        assert kind in response.headers["content-type"], path


async def test_no_page_or_asset_loads_anything_from_another_host(development: Gateway) -> None:
    for path in ("/", "/graphql"):
        html = (await development.client.get(path, headers=BROWSER)).text
        for reference in re.findall(r'\b(?:src|href)="([^"]*)"', html):
            assert reference.startswith(("/", "#")), f"{path} loads {reference}"
        assert not EXTERNAL_URL.search(html), f"{path} names another host"
    for path in OURS:
        text = (await development.client.get(path)).text
        assert not EXTERNAL_URL.search(text), f"{path} names another host"
    for path in VENDORED_CSS:
        text = (await development.client.get(path)).text
        assert "@import" not in text, path
        for url in CSS_URL.findall(text):
            assert url.strip().startswith("data:"), f"{path} loads {url[:80]}"


async def test_the_demo_token_is_offered_only_to_a_browser_on_this_machine(
    development: Gateway,
) -> None:
    """A development gateway listening on a reachable address hands no admin token to a
    browser elsewhere."""
    for client in (("203.0.113.7", 50000), ("10.0.0.8", 50000), ("::ffff:8.8.8.8", 1)):
        transport = httpx.ASGITransport(app=development.app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as far:
            response = await far.get("/graphql", headers=BROWSER)
        assert response.status_code == 200
        assert "demoToken" not in page_config(response.text), client
    for client in (("127.0.0.1", 50000), ("::1", 50000)):
        transport = httpx.ASGITransport(app=development.app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as near:
            response = await near.get("/graphql", headers=BROWSER)
        assert "demoToken" in page_config(response.text), client


async def test_graphiql_is_off_in_production(production: Gateway) -> None:
    response = await production.client.get("/graphql", headers=BROWSER)
    assert not response.headers["content-type"].startswith("text/html")
    assert "GraphiQL" not in response.text
    landing = (await production.client.get("/")).text
    assert 'href="/graphql"' not in re.sub(r"<li[^>]*\bhidden\b.*?</li>", "", landing, flags=re.S)
    assert "TALENTGRAPH_GRAPHIQL=true" in landing


async def test_graphiql_in_production_never_offers_the_demo_token(
    production_graphiql: Gateway,
) -> None:
    assert "demo" in production_graphiql.tenants, "the demo tenant is there to be found"
    response = await production_graphiql.client.get("/graphql", headers=BROWSER)
    assert response.status_code == 200
    assert "<title>talentgraph GraphiQL</title>" in response.text
    assert "demoToken" not in page_config(response.text)
    assert response.headers["cache-control"] == "no-cache"
    assert_security_headers(response.headers, "/graphql")


async def test_the_landing_page(development: Gateway) -> None:
    response = await development.client.get("/")
    assert response.status_code == 200
    assert_security_headers(response.headers, "/")
    for link in ("/graphql", "/board", "/healthz", "/readyz", "/metrics", "/readme"):
        assert f'href="{link}"' in response.text


async def test_the_pages_name_every_registered_source(development: Gateway) -> None:
    titles = [provider_spec(slug).title for slug in PACKAGES]
    assert {"Recruiterflow", "Greenhouse", "BPOC"} <= set(titles)
    landing = (await development.client.get("/")).text
    lead = re.search(r'<p class="landing-lead">One GraphQL API over ([^:]*):', landing)
    assert lead, "the landing page says what this is"
    graphiql = (await development.client.get("/graphql", headers=BROWSER)).text
    example = str(page_config(graphiql)["query"])
    for title in titles:
        assert title in lead.group(1), f"the landing page leaves out {title}"
        assert title in example.split("query OpenJobs")[0], f"GraphiQL leaves out {title}"
