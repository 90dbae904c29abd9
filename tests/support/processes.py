"""Real ``talentgraph`` processes for tests that cross process boundaries: the
environment they share, starting and stopping them, waiting until they serve, and the
Recruiterflow fake on a real port for them to sync from.

    env = process_env(postgres_url, redis_url, prefix, webhook_lease_seconds=2)
    with processes(talentgraph(["serve", "--port", str(port)], env, log)):
        await until_ready(http, port, log)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx

from demo.sandbox.recruiterflow import FakeRecruiterflow
from tests.support.gateway import ENCRYPTION_KEYS, JWT_SECRET
from tests.support.serving import served_on_loopback


def process_env(
    database_url: str, redis_url: str, redis_prefix: str, **settings: Any
) -> dict[str, str]:
    """This environment plus the gateway's: shared store, Redis under ``redis_prefix``,
    the test keys, no background schedule; ``settings`` as ``TALENTGRAPH_<NAME>``."""
    return {
        **os.environ,
        "TALENTGRAPH_DATABASE_URL": database_url,
        "TALENTGRAPH_REDIS_URL": redis_url,
        "TALENTGRAPH_REDIS_PREFIX": redis_prefix,
        "TALENTGRAPH_ENCRYPTION_KEYS": ENCRYPTION_KEYS,
        "TALENTGRAPH_JWT_SECRET": JWT_SECRET,
        "TALENTGRAPH_LOG_LEVEL": "WARNING",
        "TALENTGRAPH_HEALTH_CHECK_INTERVAL_SECONDS": "0",
        "TALENTGRAPH_SYNC_SCHEDULER_INTERVAL_SECONDS": "0",
        "TALENTGRAPH_CONNECTOR_ALLOW_PRIVATE_TARGETS": "true",
        **{f"TALENTGRAPH_{name.upper()}": str(value) for name, value in settings.items()},
    }


def talentgraph(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``talentgraph <command>`` in the background, its output appended to ``log``."""
    with log.open("ab") as sink:
        return subprocess.Popen(
            [str(Path(sys.executable).with_name("talentgraph")), *command],
            env=env,
            stdout=sink,
            stderr=sink,
        )


@contextlib.contextmanager
def processes(*started: subprocess.Popen[bytes]) -> Iterator[None]:
    """Stop them all at the end: SIGINT, then SIGKILL for any that will not go."""
    try:
        yield
    finally:
        for process in started:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


async def until_ready(http: httpx.AsyncClient, port: int, log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(httpx.TransportError):
            if (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                return
        assert time.monotonic() < deadline, tail(log)
        await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def served_recruiterflow(
    *, jobs: int, candidates: int, applications: int
) -> AsyncIterator[tuple[FakeRecruiterflow, int]]:
    """The seeded Recruiterflow fake on a loopback port: (fake, port)."""
    fake = FakeRecruiterflow()
    fake.seed(jobs=jobs, candidates=candidates, applications=applications)
    async with served_on_loopback(fake.app) as loopback:
        yield fake, loopback.port
