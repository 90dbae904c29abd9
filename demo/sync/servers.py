"""The sandboxes on loopback ports: their origins recorded in the data folder, served by
uvicorn from a daemon thread, started only where no process serves them yet; and the
webhook secret of each demo integration, kept in the data folder."""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from demo.sandbox.declaration import demo_sandboxes
from demo.sync.sandboxes import (
    IDENTITY_PATH,
    LOOPBACK,
    SECRETS_DIR,
    Sandbox,
    SandboxUnavailable,
    build_sandbox,
    served_sandboxes,
)
from gateway.outbound_http import SANDBOX_STATE_FILE
from gateway.private_files import create_private_file, private_directory
from gateway.settings import Settings
from gateway.store.enums import Provider


def read_origins(data_dir: Path) -> dict[Provider, str]:
    """The sandbox origins recorded in ``data_dir`` (empty when none are)."""
    try:
        state = json.loads((data_dir / SANDBOX_STATE_FILE).read_text())
        recorded = state["origins"]
        return {Provider(name): str(origin) for name, origin in recorded.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _write_origins(data_dir: Path, origins: dict[Provider, str]) -> None:
    private_directory(data_dir)
    text = json.dumps({"origins": {p.value: o for p, o in sorted(origins.items())}}, indent=2)
    temporary = data_dir / f".{SANDBOX_STATE_FILE}.{secrets.token_hex(4)}.tmp"
    temporary.write_text(text + "\n")
    temporary.replace(data_dir / SANDBOX_STATE_FILE)


def sandbox_answers(origin: str, provider: Provider, timeout: float = 1.0) -> bool:
    """Whether the sandbox of ``provider`` answers at ``origin`` (a blocking call, for
    start-up before any event loop)."""
    try:
        response = httpx.get(origin + IDENTITY_PATH, timeout=timeout, trust_env=False)
        return bool(response.status_code == 200 and response.json() == {"provider": provider})
    except (httpx.HTTPError, ValueError):
        return False


def _bind(port: int) -> socket.socket:
    """A listening loopback socket, made as TCP explicitly: asyncio turns Nagle's
    algorithm off only on connections of a socket that says it is TCP, and with it on,
    every answer of the sandboxes (headers, then body) waited 40 ms for a delayed ACK."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((LOOPBACK, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


class _QuietHttp(HttpToolsProtocol):
    """No access log: the sandboxes share uvicorn's loggers with the gateway, whose
    output is the developer's. httptools, not h11: the demo's first sync sends the
    sandboxes some 2,000 requests, and parsing them in pure Python cost `talentgraph demo`
    a third of its CPU time (16.8 s against 11.4 s)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.access_log = False


class SandboxServers:
    """Sandboxes served by uvicorn on bound loopback sockets, from one daemon thread
    with its own event loop; ``origins`` lists every recorded sandbox, also those another
    process serves."""

    def __init__(self, origins: dict[Provider, str]) -> None:
        self.origins = dict(origins)
        self.started: list[Provider] = []
        self._servers: list[uvicorn.Server] = []
        self._thread: threading.Thread | None = None

    def serve(self, sandbox: Sandbox, sockets: dict[Provider, socket.socket]) -> None:
        """Start serving ``sockets`` (taken over: closed by ``stop``); returns once every
        server accepts connections."""
        if not sockets:
            return
        for provider in sockets:
            config = uvicorn.Config(
                sandbox.apps[provider],
                http=_QuietHttp,
                lifespan="off",
                log_config=None,
                log_level=None,
                access_log=False,
                server_header=False,
            )
            self._servers.append(uvicorn.Server(config))
        pairs = list(zip(self._servers, sockets.values(), strict=True))

        async def run() -> None:
            await asyncio.gather(*(server.serve(sockets=[sock]) for server, sock in pairs))

        self._thread = threading.Thread(
            target=lambda: asyncio.run(run()), name="demo-sandboxes", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 20
        while not all(server.started for server in self._servers):
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise SandboxUnavailable("the demo sandboxes did not start")
            time.sleep(0.01)
        self.started = list(sockets)

    def stop(self) -> None:
        for server in self._servers:
            server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._thread = None


def start_sandboxes(settings: Settings, *, allocate: bool = False) -> SandboxServers:
    """Make the folder's sandboxes reachable: the running ones are left alone, the others
    served here on their recorded ports. With ``allocate`` (the demo's own start) every
    provider gets one: a missing or taken port is replaced by a free one and the record
    rewritten. Without it, a folder with no record gets nothing, and a recorded port that
    some other program holds is ``SandboxUnavailable``."""
    recorded = read_origins(settings.data_dir) if settings.is_development else {}
    servers = SandboxServers(recorded)
    wanted = list(served_sandboxes()) if allocate else list(recorded)
    if not wanted:
        return servers
    sockets: dict[Provider, socket.socket] = {}
    try:
        for provider in wanted:
            origin = recorded.get(provider)
            if origin is not None and sandbox_answers(origin, provider):
                continue
            port = httpx.URL(origin).port if origin else None
            try:
                sockets[provider] = _bind(port or 0)
            except OSError:
                if _answers_soon(origin, provider):  # another process started it just now
                    continue
                if not allocate or origin is None:
                    raise SandboxUnavailable(
                        f"the {provider.value} sandbox's port {port} is taken by another "
                        f"program; stop it, or start `talentgraph serve --demo` to record "
                        "new ports"
                    ) from None
                sockets[provider] = _bind(0)
            servers.origins[provider] = f"http://{LOOPBACK}:{sockets[provider].getsockname()[1]}"
        if servers.origins != recorded:
            _write_origins(settings.data_dir, servers.origins)
        if sockets:
            servers.serve(build_sandbox(), sockets)
    except BaseException:
        for sock in sockets.values():
            sock.close()
        raise
    return servers


def _answers_soon(origin: str | None, provider: Provider, within: float = 3.0) -> bool:
    deadline = time.monotonic() + within
    while origin is not None and time.monotonic() < deadline:
        if sandbox_answers(origin, provider):
            return True
        time.sleep(0.2)
    return False


def webhook_secrets(data_dir: Path) -> dict[Provider, str]:
    """One secret per demo integration (served or not), made once per data folder
    (0600 files)."""
    folder = data_dir / SECRETS_DIR
    private_directory(folder, narrow=True)
    providers = [Provider(declared.slug) for declared in demo_sandboxes()]
    return {
        provider: create_private_file(folder / provider.value, secrets.token_hex(32))
        for provider in providers
    }
