"""The clients of ``examples/node`` run against a gateway served on a loopback port, as
real frontends would: Apollo Client with persisted queries, batching and relay
pagination; graphql-ws on one socket; graphql-sse; graphql-http's conformance audit.
Skipped, with the reason, where Node or the examples' packages (``cd examples/node &&
npm ci``, which ``.ci/run`` does) are missing.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.pubsub import Event
from gateway.store.models import Application
from resolvers.relay import to_global_id
from tests.support.gateway import Gateway, running_gateway
from tests.support.paths import REPO_ROOT
from tests.support.serving import served_on_loopback

EXAMPLES = REPO_ROOT / "examples" / "node"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
    pytest.mark.skipif(
        not (EXAMPLES / "node_modules").is_dir(),
        reason="the examples' packages are not installed: cd examples/node && npm ci",
    ),
]


@dataclass
class Served:
    gateway: Gateway
    http_url: str
    ws_url: str
    tenant_id: int
    job_id: int
    application_id: int

    def env(self) -> dict[str, str]:
        return {
            "PATH": str(Path(NODE or "node").parent),
            "TALENTGRAPH_URL": self.http_url,
            "TALENTGRAPH_WS_URL": self.ws_url,
            "TALENTGRAPH_TOKEN": self.gateway.token(),
            "TALENTGRAPH_JOB_ID": to_global_id("Job", self.job_id),
        }


@pytest.fixture(scope="module")
async def served(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Served]:
    path = tmp_path_factory.mktemp("clients") / "clients.db"
    async with running_gateway(f"sqlite+aiosqlite:///{path}") as gateway:
        tenant_id = gateway.tenants["demo"].tenant_id
        async with gateway.app.state.session_factory() as session:
            application = (
                await session.execute(
                    sa.select(Application.id, Application.job_id)
                    .where(Application.tenant_id == tenant_id)
                    .limit(1)
                )
            ).one()
        async with served_on_loopback(gateway.app) as loopback:
            yield Served(
                gateway,
                f"http://127.0.0.1:{loopback.port}/graphql",
                f"{loopback.ws_url}/graphql",
                tenant_id,
                application.job_id,
                application.id,
            )


class Script:
    """A running example script: its JSON lines as they come."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, name: str, served: Served) -> Script:
        assert NODE is not None
        process = await asyncio.create_subprocess_exec(
            NODE,
            name,
            cwd=EXAMPLES,
            env=served.env(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(process)

    async def line(self, within: float = 20.0) -> dict[str, Any]:
        assert self.process.stdout is not None
        raw = await asyncio.wait_for(self.process.stdout.readline(), within)
        if not raw:
            await self.fail("ended without the line expected")
        parsed: dict[str, Any] = json.loads(raw)
        return parsed

    async def finish(self) -> None:
        code = await asyncio.wait_for(self.process.wait(), 20)
        if code != 0:
            await self.fail(f"exited {code}")

    async def fail(self, why: str) -> None:
        assert self.process.stderr is not None
        errors = (await self.process.stderr.read()).decode(errors="replace")
        pytest.fail(f"{why}:\n{errors[-3000:]}")


async def publish_a_move(served: Served, subscribers_before: int) -> None:
    """Once the script's subscription holds a bus queue, move one application."""
    bus = served.gateway.app.state.bus
    deadline = time.monotonic() + 10
    while bus.fanout.count() <= subscribers_before:
        assert time.monotonic() < deadline, "the client's subscription never arrived"
        await asyncio.sleep(0.02)
    await bus.publish(
        Event(
            "application.stage_changed",
            served.tenant_id,
            {
                "id": served.application_id,
                "jobId": served.job_id,
                "candidateId": 1,
                "stage": "Offer",
                "previousStage": "Screen",
                "status": "active",
            },
        )
    )


async def test_apollo_client_with_persisted_queries_batching_and_relay_paging(
    served: Served,
) -> None:
    script = await Script.start("apollo.mjs", served)
    paged = await script.line()
    batch = await script.line()
    await script.finish()
    assert paged["paged"] == paged["distinct"] == paged["totalCount"] > 2
    assert paged["hashOnly"] >= 2, "later pages went by hash alone"
    assert paged["withQuery"] == 1, "the text was sent once, after PersistedQueryNotFound"
    assert batch["requests"] == 1 and batch["operationsInFirst"] == 2
    assert batch["email"] and batch["candidates"] > 0


async def test_graphql_ws_runs_everything_over_one_socket(served: Served) -> None:
    bus = served.gateway.app.state.bus
    script = await Script.start("graphql-ws.mjs", served)
    query = await script.line()
    assert query["data"]["jobs"]["totalCount"] > 0
    mutation = await script.line()
    persona = mutation["data"]["personaCreate"]
    assert persona["persona"]["name"] == "Made over graphql-ws"
    before = bus.fanout.count()
    assert (await script.line())["check"] == "subscribed"
    await publish_a_move(served, before)
    update = await script.line()
    await script.finish()
    assert update["data"]["pipelineUpdates"]["jobId"] == to_global_id("Job", served.job_id)


async def test_graphql_sse_streams_a_query_and_a_subscription(served: Served) -> None:
    bus = served.gateway.app.state.bus
    script = await Script.start("graphql-sse.mjs", served)
    query = await script.line()
    assert query["data"]["jobs"]["totalCount"] > 0
    before = bus.fanout.count()
    assert (await script.line())["check"] == "subscribed"
    await publish_a_move(served, before)
    update = await script.line()
    await script.finish()
    assert update["data"]["pipelineUpdates"]["status"] == "ACTIVE"


async def test_the_graphql_over_http_audit_passes_clean(served: Served) -> None:
    """graphql-http's conformance audit of the GraphQL over HTTP specification: no error
    and no warning (Strawberry as shipped has warnings; batching, persisted queries and
    event streams must not bring any)."""
    script = await Script.start("audit.mjs", served)
    audit = await script.line(within=60)
    await script.finish()
    assert audit["ok"] > 30
    assert audit["error"] == 0 and audit["warn"] == 0, audit["failures"]
