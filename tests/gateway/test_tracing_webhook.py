"""One webhook, one trace: the ingress request, its processing (a task of its own, after
the 202), the connector's call back to the source, the store writes, the push to a live
subscriber and the outbound webhook delivery (whose receiver is sent the trace on) all
belong to the trace the sender started (its ``traceparent``). Queued work is traced the
same way: a sync a request queues runs in that request's trace. SQLite, in-process
processing and queue, a WebSocket subscriber and a webhook receiver on loopback ports;
spans from the SDK's in-memory exporter."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway import tracing
from gateway.store.models import Job
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from resolvers.relay import to_global_id
from tests.support.gateway import Gateway
from tests.support.receiver import Receiver, serving
from tests.support.services import Backend
from tests.support.serving import served_on_loopback
from tests.support.worlds import gateway_world

SECRET = "traced-inbound-secret-77"
TRACE = "0af7651916cd43dd8448eb211c80319c"
TRACEPARENT = f"00-{TRACE}-b7ad6b7169203331-01"
PIPELINE = "subscription($jobId: ID!) { pipelineUpdates(jobId: $jobId) { kind stage } }"
SUBSCRIBE = """mutation($input: WebhookSubscriptionCreateInput!) {
  webhookSubscriptionCreate(input: $input) {
    ... on WebhookSubscriptionCreateSuccess { secret }
  }
}"""
HOOK_PATH = "/hooks/traced"


@dataclass
class World:
    gateway: Gateway
    fake: FakeRecruiterflow
    integration_id: int
    ws_url: str
    exporter: InMemorySpanExporter
    receiver: Receiver


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    tracing.use(provider)
    yield exported
    tracing.use(None)


@pytest.fixture(scope="module")
async def world(
    exporter: InMemorySpanExporter, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    path: Path = tmp_path_factory.mktemp("traced-webhook") / "gateway.db"
    fake = FakeRecruiterflow()
    fake.seed(jobs=2, candidates=3, applications=4)
    backend = Backend("sqlite", f"sqlite+aiosqlite:///{path}")
    receiver = Receiver()
    async with (
        serving(receiver) as receiver_url,
        gateway_world(
            backend,
            {"https://api.recruiterflow.com": fake.app},
            webhook_allow_private_targets=True,
            webhook_sweep_interval_seconds=0.2,
        ) as traced,
    ):
        integration_id = await traced.add_integration(
            "recruiterflow",
            "RF traced",
            {"apiKey": fake.api_key},
            {"rateLimitPerSecond": 10_000},
            webhook_secret=SECRET,
        )
        gateway = traced.gateway
        state = gateway.app.state
        await sync_integration(
            state.sync_deps, traced.tenant_id, integration_id, mode=SyncMode.FULL
        )
        created = await gateway.execute(
            SUBSCRIBE,
            {
                "input": {
                    "name": "traced",
                    "url": receiver_url + HOOK_PATH,
                    "events": ["APPLICATION_STAGE_CHANGED"],
                }
            },
        )
        receiver.expect(HOOK_PATH, created["webhookSubscriptionCreate"]["secret"])
        async with served_on_loopback(gateway.app) as loopback:
            yield World(
                gateway, fake, integration_id, f"{loopback.ws_url}/graphql", exporter, receiver
            )


def in_trace(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [
        span
        for span in exporter.get_finished_spans()
        if span.context is not None and format(span.context.trace_id, "032x") == TRACE
    ]


async def test_a_webhook_is_one_trace_from_ingress_to_the_subscriber(world: World) -> None:
    fake, gateway = world.fake, world.gateway
    candidate_id, remote_job = next(k for k, a in fake.applications.items() if a.stage != "Offer")
    async with gateway.app.state.session_factory() as session:
        job_pk = await session.scalar(
            sa.select(Job.id).where(
                Job.integration_id == world.integration_id, Job.remote_id == str(remote_job)
            )
        )
    assert job_pk is not None
    bus = gateway.app.state.bus
    before = bus.fanout.count()
    async with connect(world.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(
            orjson.dumps(
                {
                    "type": "connection_init",
                    "payload": {"authorization": f"Bearer {gateway.token()}"},
                }
            ).decode()
        )
        assert orjson.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(
            orjson.dumps(
                {
                    "type": "subscribe",
                    "id": "p",
                    "payload": {
                        "query": PIPELINE,
                        "variables": {"jobId": to_global_id("Job", job_pk)},
                    },
                }
            ).decode()
        )
        deadline = time.monotonic() + 10
        while bus.fanout.count() <= before:
            assert time.monotonic() < deadline, "the subscription never started"
            await asyncio.sleep(0.02)

        world.exporter.clear()
        fake._move(fake.applications[candidate_id, remote_job], "Offer", fake.now(), fake.owner)
        body = orjson.dumps(
            {
                "id": uuid.uuid4().hex,
                "event": "candidate.stage_changed",
                "data": {"job_id": remote_job, "candidate_id": candidate_id, "stage": "Offer"},
            }
        )
        signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        response = await gateway.client.post(
            f"/webhooks/recruiterflow/{world.integration_id}",
            content=body,
            headers={
                "X-Recruiterflow-Signature": signature,
                "Content-Type": "application/json",
                "traceparent": TRACEPARENT,
            },
        )
        assert response.status_code == 202
        pushed = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
        assert pushed["type"] == "next", pushed

    deadline = time.monotonic() + 10
    while not {"subscription.push", "webhook.process", "webhook.deliver"} <= {
        s.name for s in in_trace(world.exporter)
    }:
        assert time.monotonic() < deadline, sorted({s.name for s in in_trace(world.exporter)})
        await asyncio.sleep(0.05)
    spans = in_trace(world.exporter)
    names = {span.name for span in spans}
    assert any(span.kind is SpanKind.SERVER for span in spans), "the ingress request"
    assert "webhook.process" in names
    assert any(span.kind is SpanKind.CLIENT and "db.query" not in span.name for span in spans), (
        f"the connector's call to the source: {sorted(names)}"
    )
    writes = [
        span
        for span in spans
        if span.name == "db.query"
        and str(span.attributes["db.statement"]).lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    assert writes, "the store writes"
    assert "subscription.push" in names
    [delivery] = world.receiver.at(HOOK_PATH)
    assert delivery.verified
    assert delivery.headers["traceparent"].split("-")[1] == TRACE, "the receiver continues it"
