"""For every registered provider whose fake sends webhooks: a stage move made in the
fake is announced by a webhook signed the way that vendor signs, received on the
route the registry derives for it, and pushed to a GraphQL subscriber of the job's
pipeline over a real WebSocket. A new provider is covered by registering it."""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import AsyncIterator

import httpx
import orjson
import pytest
import sqlalchemy as sa
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from connectors.base import Capability, ConnectorBase
from connectors.errors import ConnectorError
from connectors.kit.provider import WebhookRoute
from connectors.registry import PACKAGES, provider_spec
from demo.sandbox.webhook_sender import WebhookSource
from gateway.store.models import Application, Job, PipelineStage
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from resolvers.relay import to_global_id
from tests.connectors.harness.base import ProviderHarness
from tests.support.gateway import running_gateway
from tests.support.services import Backend
from tests.support.serving import served_on_loopback
from tests.support.worlds import GatewayWorld

SECRET = "hook-secret-for-every-provider"
PIPELINE = "subscription($jobId: ID!) { pipelineUpdates(jobId: $jobId) { kind stage } }"


def _announcing(slug: str) -> ProviderHarness | None:
    """The provider's harness when its fake sends webhooks a route by integration
    receives and its connector can move a stage; else None."""
    spec = provider_spec(slug)
    if spec.webhook is None or spec.webhook_route is not WebhookRoute.BY_INTEGRATION:
        return None
    if Capability.MOVE_STAGE not in spec.connector.capabilities:
        return None
    harness: ProviderHarness = importlib.import_module(
        f"tests.connectors.harness.{slug}"
    ).make_harness()
    return harness if isinstance(getattr(harness, "fake", None), WebhookSource) else None


ANNOUNCING = [slug for slug in PACKAGES if _announcing(slug) is not None]


async def no_sleep(_seconds: float) -> None:
    return None


async def _move(connector: ConnectorBase, application: str, targets: list[str]) -> str:
    """Move to the first stage the application's job has (stages are stored per
    integration; a provider may keep them per job)."""
    for target in targets:
        try:
            await connector.move_stage(application, target, None)
        except ConnectorError:
            continue
        return target
    raise AssertionError(f"no stage of {targets} takes {application}")


@pytest.fixture(params=ANNOUNCING)
async def world(
    request: pytest.FixtureRequest, backend: Backend
) -> AsyncIterator[tuple[str, ProviderHarness, GatewayWorld, httpx.AsyncClient]]:
    harness = _announcing(request.param)
    assert harness is not None
    harness.seed(jobs=2, candidates=3, applications=4)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=harness.app))
    try:
        async with running_gateway(backend.url, http_client=client) as gateway:
            yield request.param, harness, GatewayWorld(gateway, []), client
    finally:
        await client.aclose()


async def test_a_signed_webhook_from_the_fake_reaches_a_subscriber(
    world: tuple[str, ProviderHarness, GatewayWorld, httpx.AsyncClient],
) -> None:
    slug, harness, gw, client = world
    gateway = gw.gateway
    integration_id = await gw.add_integration(
        slug, f"{slug} hooks", harness.good_credentials, webhook_secret=SECRET
    )
    await sync_integration(
        gateway.app.state.sync_deps, gw.tenant_id, integration_id, mode=SyncMode.FULL
    )
    async with gateway.app.state.session_factory() as session:
        application, job_pk, current = (
            await session.execute(
                sa.select(Application.remote_id, Application.job_id, PipelineStage.name)
                .join(PipelineStage, PipelineStage.id == Application.current_stage_id)
                .where(Application.integration_id == integration_id)
                .order_by(Application.id)
                .limit(1)
            )
        ).one()
        names = (
            await session.scalars(
                sa.select(PipelineStage.name)
                .where(PipelineStage.integration_id == integration_id)
                .order_by(PipelineStage.position)
            )
        ).all()
    targets = [name for name in names if name != current]

    to_gateway = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=gateway.app), base_url="http://gateway"
    )
    fake = harness.fake  # type: ignore[attr-defined]
    fake.enable_webhooks(f"/webhooks/{slug}/{integration_id}", SECRET, to_gateway)
    bus = gateway.app.state.bus
    before = bus.fanout.count()
    async with (
        served_on_loopback(gateway.app) as loopback,
        connect(
            f"{loopback.ws_url}/graphql", subprotocols=[Subprotocol("graphql-transport-ws")]
        ) as ws,
    ):
        await ws.send(
            orjson.dumps(
                {
                    "type": "connection_init",
                    "payload": {"authorization": f"Bearer {gateway.token()}"},
                }
            ).decode()
        )
        assert orjson.loads(await ws.recv())["type"] == "connection_ack"
        variables = {"jobId": to_global_id("Job", job_pk)}
        await ws.send(
            orjson.dumps(
                {
                    "type": "subscribe",
                    "id": "p",
                    "payload": {"query": PIPELINE, "variables": variables},
                }
            ).decode()
        )
        deadline = time.monotonic() + 10
        while bus.fanout.count() <= before:
            assert time.monotonic() < deadline, "the subscription never started"
            await asyncio.sleep(0.02)

        connector = harness.connector(client, sleep=no_sleep)
        target = await _move(connector, application, targets)
        sent = await fake.webhooks.drain()
        assert sent and all(
            status == 202 for _event, status in [(d.event, d.status) for d in sent]
        ), sent

        pushed = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
    await to_gateway.aclose()
    assert pushed["type"] == "next", pushed
    assert pushed["payload"]["data"]["pipelineUpdates"]["stage"] == target
    async with gateway.app.state.session_factory() as session:
        assert await session.scalar(sa.select(Job.id).where(Job.id == job_pk)) == job_pk
