"""A gateway for the example clients of ``examples/`` to run against, served on a loopback
port as a real frontend would reach it, and the clients as the subprocesses they are.

    async with serving_examples(tmp_path / "clients.db") as served:
        async with subscriptions_opened(served.bus) as opened, Script(
            [sys.executable, "gql_client.py"], EXAMPLES / "python", served.env()
        ) as script:
            query = await script.line()
            await asyncio.wait_for(opened.get(), 10)   # its subscription holds a bus queue
            await served.move_an_application()
            update = await script.line()
            await script.finish()

The clients print one JSON line per result (``Script.line`` reads the next); a client
that ends early, exits non-zero or says nothing in time fails the test with its stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn

import pytest
import sqlalchemy as sa

from gateway.pubsub import Event, EventBus
from gateway.store.models import Application
from resolvers.relay import to_global_id
from tests.support.gateway import Gateway, running_gateway
from tests.support.paths import REPO_ROOT
from tests.support.serving import served_on_loopback

EXAMPLES = REPO_ROOT / "examples"


@dataclass
class Served:
    gateway: Gateway
    http_url: str
    ws_url: str
    tenant_id: int
    job_id: int
    application_id: int

    @property
    def bus(self) -> EventBus:
        bus: EventBus = self.gateway.app.state.bus
        return bus

    @property
    def job_global_id(self) -> str:
        return to_global_id("Job", self.job_id)

    def env(self) -> dict[str, str]:
        """What the clients read (as ``examples/README.md`` has it), and the PATH."""
        return {
            "PATH": os.environ.get("PATH", os.defpath),
            "TALENTGRAPH_URL": self.http_url,
            "TALENTGRAPH_WS_URL": self.ws_url,
            "TALENTGRAPH_TOKEN": self.gateway.token(),
            "TALENTGRAPH_JOB_ID": self.job_global_id,
        }

    async def move_an_application(self) -> None:
        """Publish one of the job's applications moving to Offer, as a sync would."""
        await self.bus.publish(
            Event(
                "application.stage_changed",
                self.tenant_id,
                {
                    "id": self.application_id,
                    "jobId": self.job_id,
                    "candidateId": 1,
                    "stage": "Offer",
                    "previousStage": "Screen",
                    "status": "active",
                },
            )
        )


@contextlib.asynccontextmanager
async def serving_examples(database: Path) -> AsyncIterator[Served]:
    """The gateway with the standard tenants on a SQLite file at ``database``, served on
    a free loopback port until the block ends."""
    async with running_gateway(f"sqlite+aiosqlite:///{database}") as gateway:
        tenant_id = gateway.tenants["demo"].tenant_id
        async with gateway.app.state.session_factory() as session:
            application = (
                await session.execute(
                    sa.select(Application.id, Application.job_id)
                    .where(Application.tenant_id == tenant_id)
                    .order_by(Application.id)
                    .limit(1)
                )
            ).one()
        async with served_on_loopback(gateway.app) as loopback:
            yield Served(
                gateway,
                f"{loopback.url}/graphql",
                f"{loopback.ws_url}/graphql",
                tenant_id,
                application.job_id,
                application.id,
            )


@contextlib.asynccontextmanager
async def subscriptions_opened(bus: EventBus) -> AsyncIterator[asyncio.Queue[int]]:
    """Each bus subscription opened during the block, by its tenant id, put as soon as
    its queue receives events: a test publishes once a client's subscription is really
    there, whatever else opens or closes meanwhile, without polling a count."""
    opened: asyncio.Queue[int] = asyncio.Queue()
    fanout = bus.fanout
    original = fanout.queue

    @contextlib.asynccontextmanager
    async def watched(tenant_id: int) -> AsyncIterator[asyncio.Queue[Event]]:
        async with original(tenant_id) as queue:
            opened.put_nowait(tenant_id)
            yield queue

    fanout.queue = watched  # type: ignore[method-assign]
    try:
        yield opened
    finally:
        del fanout.queue  # the class's own again


async def subscribed(opened: asyncio.Queue[int], served: Served, within: float = 10.0) -> None:
    """Wait for the next subscription of ``subscriptions_opened``: the demo tenant's."""
    try:
        tenant_id = await asyncio.wait_for(opened.get(), within)
    except TimeoutError:
        pytest.fail(f"the client's subscription did not reach the bus within {within}s")
    assert tenant_id == served.tenant_id


class Script:
    """An example client running as a subprocess: its JSON lines as they come. Killed
    when the block ends if it is still running."""

    def __init__(self, argv: Sequence[str], cwd: Path, env: dict[str, str]) -> None:
        self.argv = list(argv)
        self.cwd = cwd
        self.env = env
        self._process: asyncio.subprocess.Process | None = None
        self.lines: list[dict[str, Any]] = []

    async def __aenter__(self) -> Script:
        self._process = await asyncio.create_subprocess_exec(
            *self.argv,
            cwd=self.cwd,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._stop()

    @property
    def process(self) -> asyncio.subprocess.Process:
        assert self._process is not None, "use the script as `async with Script(...)`"
        return self._process

    async def line(self, within: float = 20.0) -> dict[str, Any]:
        assert self.process.stdout is not None
        try:
            raw = await asyncio.wait_for(self.process.stdout.readline(), within)
        except TimeoutError:
            await self.fail(f"no line within {within}s")
        if not raw:
            await self.fail("ended without the line expected")
        try:
            parsed: dict[str, Any] = json.loads(raw)
        except ValueError:
            await self.fail(f"printed a line that is not JSON: {raw!r}")
        self.lines.append(parsed)
        return parsed

    async def finish(self) -> None:
        """Wait for a clean exit with nothing more printed."""
        assert self.process.stdout is not None
        try:
            rest = await asyncio.wait_for(self.process.stdout.read(), 20)
            code = await asyncio.wait_for(self.process.wait(), 20)
        except TimeoutError:
            await self.fail("did not exit")
        if code != 0:
            await self.fail(f"exited {code}")
        assert not rest.strip(), f"printed more than expected: {rest[:2000]!r}"

    async def fail(self, why: str) -> NoReturn:
        await self._stop()
        assert self.process.stderr is not None
        errors = (await self.process.stderr.read()).decode(errors="replace")
        pytest.fail(f"{' '.join(self.argv)} {why}:\n{errors[-3000:]}")

    async def _stop(self) -> None:
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()
            await self._process.wait()
