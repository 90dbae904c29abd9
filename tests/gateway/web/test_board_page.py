"""``/board``: served in development, hidden in production unless ``TALENTGRAPH_BOARD``
turns it on, and always with the page security headers and no inline script."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from gateway.settings import Settings
from tests.support.gateway import Gateway, running_gateway

BOARD_SCRIPTS = (
    "board.js",
    "board-api.js",
    "board-columns.js",
    "board-dom.js",
    "board-format.js",
    "board-funnel.js",
    "board-model.js",
    "board-session.js",
)


async def _gateway(tmp: Path, **overrides: Any) -> AsyncIterator[Gateway]:
    async with running_gateway(f"sqlite+aiosqlite:///{tmp / 'gateway.db'}", **overrides) as running:
        yield running


@pytest.fixture(scope="module")
async def production(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    async for running in _gateway(tmp_path_factory.mktemp("prod"), environment="production"):
        yield running


@pytest.fixture(
    scope="module",
    params=[{"environment": "production", "board": True}, {"environment": "development"}],
    ids=["production-enabled", "development"],
)
async def enabled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Gateway]:
    async for running in _gateway(tmp_path_factory.mktemp("board"), **request.param):
        yield running


@pytest.fixture(scope="module")
async def development(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    async for running in _gateway(tmp_path_factory.mktemp("dev"), environment="development"):
        yield running


def test_the_setting_reads_talentgraph_board(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENTGRAPH_ENVIRONMENT", "production")
    monkeypatch.delenv("TALENTGRAPH_BOARD", raising=False)
    assert Settings().board_enabled is False
    monkeypatch.setenv("TALENTGRAPH_BOARD", "true")
    assert Settings().board_enabled is True
    monkeypatch.setenv("TALENTGRAPH_ENVIRONMENT", "development")
    monkeypatch.setenv("TALENTGRAPH_BOARD", "false")
    assert Settings().board_enabled is False


async def test_production_hides_the_board_unless_enabled(production: Gateway) -> None:
    response = await production.client.get("/board")
    assert response.status_code == 404
    assert "pipeline" not in response.text.lower()


async def test_the_board_is_served_with_the_security_headers(enabled: Gateway) -> None:
    response = await enabled.client.get("/board")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-cache"
    page = response.text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S)
    assert [
        attrs for attrs, body in scripts if body.strip() and "application/json" not in attrs
    ] == []
    assert '<script type="module" src="/static/js/board.js"></script>' in page
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page), "nothing off-site"
    assert "{{" not in page


async def test_the_board_scripts_and_styles_are_served_from_here(development: Gateway) -> None:
    for name in BOARD_SCRIPTS:
        response = await development.client.get(f"/static/js/{name}")
        assert response.status_code == 200, name
        assert "javascript" in response.headers["content-type"], name
        assert response.headers["x-content-type-options"] == "nosniff"
        imports = re.findall(r"""from\s+["']([^"']+)["']""", response.text)
        assert all(path.startswith("/static/js/") for path in imports), (name, imports)
    styles = await development.client.get("/static/css/board.css")
    assert styles.status_code == 200
    assert "http" not in styles.text, "no off-site fonts or images"
