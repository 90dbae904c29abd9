"""Guards of ``talentgraph serve`` before anything starts: one in-process gateway per
data folder (``serve.lock``, held with ``flock`` while it serves) and a port that can be
bound; and the host as a link reaches it. Each refusal says why and exits 1."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import IO

import typer
from rich.console import Console

from gateway.settings import Settings

console = Console(stderr=True)


class ServeLock:
    """``serve.lock`` in the data folder, held (``flock``) while a gateway that runs its
    background work in process serves from it: a second one would take that work for a
    dead process's and mark it dead. The lock goes with the process, however it ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def acquire(self) -> str | None:
        """None when held now; otherwise what the file says of the holder."""
        import fcntl

        from gateway.private_files import private_directory

        private_directory(self.path.parent)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            return holder
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        self._file = handle
        return None

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def port_taken(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be bound now (as uvicorn binds it), or None."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        return f"{host} does not resolve: {exc}"
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def refuse_busy_start(settings: Settings, host: str, port: int, *, demo: bool) -> ServeLock:
    """Exit 1 before touching the store when the port is taken or another in-process
    gateway serves this data folder; else hold the folder's lock (with the in-process
    queue, i.e. no Redis, or with the demo)."""
    lock = ServeLock(settings.data_dir / "serve.lock")
    if demo or not settings.redis_url:
        holder = lock.acquire()
        if holder is not None:
            console.print(
                f"[red]error:[/] another `talentgraph serve` ({holder}) serves the data folder "
                f"{settings.data_dir}; stop it first (nothing was changed)"
            )
            raise typer.Exit(1)
    reason = port_taken(host, port)
    if reason is not None:
        lock.release()
        console.print(
            f"[red]error:[/] cannot listen on {host}:{port}: {reason}; is another server "
            "running there? Pick another with --port (nothing was changed)"
        )
        raise typer.Exit(1)
    return lock


def url_host(host: str) -> str:
    """The host as a link reaches it: loopback for the wildcard addresses, IPv6 bracketed."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host
