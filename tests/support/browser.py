"""A real gateway process and a real Chromium for browser tests.

    gateway = await start_web_gateway(tmp)          # `talentgraph serve` on a free port
    page = await guarded_page(browser, gateway)      # only the gateway's origin reachable
    await save_screenshot(page, "landing")           # docs/screenshots/landing.png

Chromium is the system's (``TALENTGRAPH_CHROMIUM``, else ``chromium`` on the PATH, as
Debian's package installs it; ``.ci/run`` installs it), driven by Playwright; without
either, browser tests skip with the reason. Every request a page makes to another
origin is aborted and recorded (``Guard.offsite``), WebSockets included, and so is every
attempt the page's Content-Security-Policy refused before it reached the network, so a
test can prove that nothing even tries to leave the gateway's origin.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from demo.seed import DemoTenant
from gateway.store.enums import Role
from tests.support.gateway import (
    ENCRYPTION_KEYS,
    JWT_SECRET,
    STANDARD_STORE,
    demo_token,
    migrate_and_seed,
)
from tests.support.processes import talentgraph
from tests.support.serving import free_port

BUS_SUBSCRIBERS = "talentgraph_event_bus_subscribers"
BUS_SUBSCRIPTIONS_OPENED = "talentgraph_event_bus_subscriptions_opened_total"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
"""The closed network refuses Chromium's own background connections; these keep it
from trying."""


def chromium_path() -> str | None:
    configured = os.environ.get("TALENTGRAPH_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class WebGateway:
    base_url: str
    log: Path
    tenants: dict[str, DemoTenant]
    process: subprocess.Popen[bytes]
    env: dict[str, str]

    @property
    def origin(self) -> str:
        return self.base_url

    def token(self, tenant: str = "demo", role: Role = Role.ADMIN) -> str:
        return demo_token(self.tenants, tenant, role)

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        """The ``data`` of an operation that must succeed, as the demo admin by default."""
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as http:
            response = await http.post(
                "/graphql",
                json={"query": query, "variables": variables or {}},
                headers={"authorization": f"Bearer {token or self.token()}"},
            )
        body = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        data: dict[str, Any] = body["data"]
        return data

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    async def _metric(self, name: str) -> float:
        async with httpx.AsyncClient(base_url=self.base_url) as http:
            text = (await http.get("/metrics")).text
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        return 0.0

    async def bus_subscribers(self) -> float:
        """Subscriptions listening on the event bus now (``/metrics``)."""
        return await self._metric(BUS_SUBSCRIBERS)

    async def bus_subscriptions_opened(self) -> float:
        """Subscriptions ever opened on the event bus: it only rises, so a wait on it
        cannot be fooled by an old subscription the server has not yet dropped."""
        return await self._metric(BUS_SUBSCRIPTIONS_OPENED)

    async def until_bus_subscriptions_opened(self, count: float, *, within: float = 15) -> None:
        """Wait until ``count`` subscriptions have been opened in all: one a page has
        just sent is live on the server (graphql-transport-ws acknowledges none)."""
        deadline = time.monotonic() + within
        while (found := await self.bus_subscriptions_opened()) < count:
            assert time.monotonic() < deadline, f"{found} bus subscriptions, waiting for {count}"
            await asyncio.sleep(0.1)


PORT_ATTEMPTS = 3


async def start_web_gateway(directory: Path, **settings: Any) -> WebGateway:
    """``talentgraph serve`` over a copy of the standard demo store (SQLite, no Redis),
    its files in the existing ``directory``, logging at INFO into ``serve.log`` there;
    ``settings`` as ``TALENTGRAPH_<NAME>``. The free port it picks can be taken by
    another test's server before ``serve`` binds it: then it tries another."""
    database_url = f"sqlite+aiosqlite:///{directory / 'web.db'}"
    tenants = await STANDARD_STORE.copy_into(database_url)
    if tenants is None:
        tenants = await migrate_and_seed(database_url)
    for attempt in range(1, PORT_ATTEMPTS + 1):
        try:
            return await _serve_on_a_free_port(directory, database_url, tenants, settings)
        except PortTaken:
            if attempt == PORT_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


class PortTaken(RuntimeError):
    """``serve`` found its port in use."""


async def _serve_on_a_free_port(
    directory: Path, database_url: str, tenants: Any, settings: dict[str, Any]
) -> WebGateway:
    port = free_port()
    env = {
        **os.environ,
        "TALENTGRAPH_ENVIRONMENT": "development",
        "TALENTGRAPH_DATABASE_URL": database_url,
        "TALENTGRAPH_DATA_DIR": str(directory / "data"),
        "TALENTGRAPH_JWT_SECRET": JWT_SECRET,
        "TALENTGRAPH_ENCRYPTION_KEYS": ENCRYPTION_KEYS,
        "TALENTGRAPH_LOG_LEVEL": "INFO",
        "TALENTGRAPH_HEALTH_CHECK_INTERVAL_SECONDS": "0",
        "TALENTGRAPH_SYNC_SCHEDULER_INTERVAL_SECONDS": "0",
        "TALENTGRAPH_RATE_LIMIT_PUBLIC_PER_MINUTE": "0",
        "TALENTGRAPH_RATE_LIMIT_USER_PER_MINUTE": "0",
        "TALENTGRAPH_PUBLIC_URL": f"http://127.0.0.1:{port}",
        **{f"TALENTGRAPH_{name.upper()}": str(value) for name, value in settings.items()},
    }
    env.pop("TALENTGRAPH_REDIS_URL", None)
    log = directory / "serve.log"
    process = talentgraph(["serve", "--host", "127.0.0.1", "--port", str(port)], env, log)
    gateway = WebGateway(f"http://127.0.0.1:{port}", log, tenants, process, env)
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as http:
        while True:
            try:
                if (await http.get(f"{gateway.base_url}/readyz")).status_code == 200:
                    return gateway
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                stop_web_gateway(gateway)
                text = gateway.log_text()
                if "Address already in use" in text:
                    raise PortTaken(text[-400:])
                raise RuntimeError(f"serve did not start:\n{text[-4000:]}")
            await asyncio.sleep(0.1)


def stop_web_gateway(gateway: WebGateway) -> None:
    if gateway.process.poll() is None:
        gateway.process.terminate()
        try:
            gateway.process.wait(15)
        except subprocess.TimeoutExpired:
            gateway.process.kill()
            gateway.process.wait(5)


@dataclass
class Guard:
    """What a page tried to reach outside the gateway's origin, and its own errors."""

    origin: str
    offsite: list[str] = field(default_factory=list)
    sockets: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def same_origin(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True
        mine = urlsplit(self.origin)
        scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
        return (scheme, parts.netloc) == (mine.scheme, mine.netloc)


async def guarded_page(browser: Any, gateway: WebGateway, **context_options: Any) -> Any:
    """A new page in a fresh context on which only ``gateway``'s origin is reachable;
    the ``Guard`` is ``page.guard``."""
    context = await browser.new_context(base_url=gateway.base_url, **context_options)
    guard = Guard(gateway.origin)

    async def route(route: Any) -> None:
        url = route.request.url
        if guard.same_origin(url):
            await route.continue_()
        else:
            guard.offsite.append(url)
            await route.abort("blockedbyclient")

    await context.route("**/*", route)
    page = await context.new_page()

    def on_socket(socket: Any) -> None:
        guard.sockets.append(socket.url)
        if not guard.same_origin(socket.url):
            guard.offsite.append(socket.url)

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            guard.offsite.append(f"refused by the page's CSP: {message.text}")

    page.on("websocket", on_socket)
    page.on("console", on_console)
    page.on("pageerror", lambda error: guard.page_errors.append(str(error)))
    page.guard = guard
    return page


async def save_screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=full_page)
    return path
