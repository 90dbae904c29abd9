"""Live updates cross processes: two ``talentgraph serve`` processes and a ``talentgraph
worker`` share PostgreSQL and Redis.

A signed Recruiterflow stage-change webhook posted to one gateway is processed by the
worker, and the move reaches WebSocket subscribers connected to either gateway. A
subscriber that never reads (a tiny receive window, so its socket really fills up)
holds up nobody: a live subscriber on the same process gets every event of a flood
while the stalled one loses its oldest (the process's dropped-events counter says
so), and once the stalled socket goes away its bus queue is gone too.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import os
import socket
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson
import sqlalchemy as sa
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.crypto import credentials_context, webhook_secret_context
from gateway.events import application_stage_changed
from gateway.pubsub import RedisEventBus
from gateway.store.enums import IntegrationStatus
from gateway.store.models import Application, Integration, Job
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from resolvers.relay import to_global_id
from tests.support.gateway import running_gateway
from tests.support.processes import (
    process_env,
    processes,
    served_recruiterflow,
    talentgraph,
    until_ready,
)
from tests.support.serving import free_port

SECRET = "fanout-webhook-secret-17"
PIPELINE = """subscription($jobId: ID!, $kinds: [PipelineUpdateKind!]) {
  pipelineUpdates(jobId: $jobId, kinds: $kinds) { kind stage applicationId }
}"""
FLOOD = 2500
BATCH = 250
PADDING = 3000
"""Random (incompressible) bytes per flood event: 2,500 of them outgrow the socket
buffers (the kernel's grow to 4 MiB) and then the stalled subscriber's bus queue."""


def noise() -> str:
    return base64.b64encode(os.urandom(PADDING)).decode()


async def metric(http: httpx.AsyncClient, port: int, name: str) -> float:
    text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


async def until_metric(
    http: httpx.AsyncClient, port: int, name: str, value: float, within: float = 10
) -> None:
    deadline = time.monotonic() + within
    while (found := await metric(http, port, name)) != value:
        assert time.monotonic() < deadline, f"{name} on :{port} is {found}, not {value}"
        await asyncio.sleep(0.05)


SUBSCRIBERS = "talentgraph_event_bus_subscribers"
DROPPED = "talentgraph_event_bus_dropped_total"
OPENED = "talentgraph_event_bus_subscriptions_opened_total"


async def subscribe(
    port: int,
    token: str,
    job_id: int,
    kinds: list[str],
    *,
    sock: socket.socket | None = None,
) -> ClientConnection:
    url = f"ws://127.0.0.1:{port}/graphql"
    extra: dict[str, Any] = {}
    if sock is not None:  # and no compression: what is sent takes as much room as it can
        extra = {"sock": sock, "max_queue": 1, "compression": None}
    client = await connect(url, subprotocols=[Subprotocol("graphql-transport-ws")], **extra)
    await client.send(
        orjson.dumps(
            {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
        ).decode()
    )
    assert orjson.loads(await client.recv()) == {"type": "connection_ack"}
    variables = {"jobId": to_global_id("Job", job_id), "kinds": kinds}
    message = {
        "type": "subscribe",
        "id": "1",
        "payload": {"query": PIPELINE, "variables": variables},
    }
    await client.send(orjson.dumps(message).decode())
    return client


async def update(client: ClientConnection, within: float = 15) -> dict[str, Any]:
    message = orjson.loads(await asyncio.wait_for(client.recv(), within))
    assert message["type"] == "next" and "errors" not in message["payload"], message
    found: dict[str, Any] = message["payload"]["data"]["pipelineUpdates"]
    return found


def stalled_socket(port: int) -> socket.socket:
    """A connected socket whose receive window stays tiny, so that a client that stops
    reading soon stops the server's sends to it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.setblocking(False)
    return sock


async def test_events_reach_subscribers_of_every_gateway_and_a_stalled_one_holds_up_none(
    private_postgres_url: str,
    redis_url: str,
    redis_prefix: str,
    tmp_path: Path,
) -> None:
    postgres_url = private_postgres_url
    async with served_recruiterflow(jobs=2, candidates=3, applications=4) as (fake, rf_port):
        await _fan_out(postgres_url, redis_url, redis_prefix, fake, rf_port, tmp_path)


async def _fan_out(
    postgres_url: str,
    redis_url: str,
    redis_prefix: str,
    fake: FakeRecruiterflow,
    rf_port: int,
    tmp_path: Path,
) -> None:
    prefix = f"{redis_prefix}fanout-{uuid.uuid4().hex[:6]}"
    async with running_gateway(postgres_url, redis_url=redis_url, redis_prefix=prefix) as local:
        state = local.app.state
        tenant_id = local.tenants["demo"].tenant_id
        async with state.session_factory.begin() as session:
            integration = Integration(
                tenant_id=tenant_id,
                provider="recruiterflow",
                name="RF fan-out",
                status=IntegrationStatus.ACTIVE,
                config={"baseUrl": f"http://127.0.0.1:{rf_port}", "rateLimitPerSecond": 10_000},
                credentials_encrypted=state.keyring.encrypt_json(
                    {"apiKey": fake.api_key}, context=credentials_context(tenant_id)
                ),
                webhook_secret_encrypted=state.keyring.encrypt(
                    SECRET.encode(), context=webhook_secret_context(tenant_id)
                ),
            )
            session.add(integration)
            await session.flush()
            integration_id = integration.id
        await sync_integration(state.sync_deps, tenant_id, integration_id, mode=SyncMode.FULL)
        (candidate_rf, job_rf), target = next(
            (key, a) for key, a in fake.applications.items() if a.stage != "Offer"
        )
        async with state.session_factory() as session:
            job_id = await session.scalar(
                sa.select(Job.id).where(
                    Job.integration_id == integration_id, Job.remote_id == str(job_rf)
                )
            )
            application_ids = set(
                await session.scalars(sa.select(Application.id).where(Application.job_id == job_id))
            )
        assert job_id is not None
        token = local.token()

    env = process_env(postgres_url, redis_url, prefix)
    first, second = free_port(), free_port()
    logs = [tmp_path / name for name in ("serve-a.log", "serve-b.log", "worker.log")]
    gateway_a = talentgraph(["serve", "--port", str(first)], env, logs[0])
    gateway_b = talentgraph(["serve", "--port", str(second)], env, logs[1])
    worker = talentgraph(["worker"], env, logs[2])
    bus = RedisEventBus(redis_url, f"{prefix}:events")
    with processes(gateway_a, gateway_b, worker):
        async with httpx.AsyncClient(timeout=10) as http, contextlib.AsyncExitStack() as sockets:
            await until_ready(http, first, logs[0])
            await until_ready(http, second, logs[1])
            on_a = await subscribe(first, token, job_id, ["MOVED"])
            sockets.push_async_callback(on_a.close)
            on_b = await subscribe(second, token, job_id, ["MOVED", "HIRED"])
            sockets.push_async_callback(on_b.close)
            stalled = await subscribe(
                second, token, job_id, ["MOVED", "HIRED"], sock=stalled_socket(second)
            )
            sockets.push_async_callback(stalled.close)
            await until_metric(http, first, SUBSCRIBERS, 1)
            await until_metric(http, second, SUBSCRIBERS, 2)
            assert await metric(http, second, OPENED) == 2

            # a webhook posted to A, processed by the worker, reaches both gateways
            fake._move(target, "Offer", fake.now(), fake.owner)
            body = orjson.dumps(
                {
                    "id": uuid.uuid4().hex,
                    "event": "candidate.stage_changed",
                    "data": {"job_id": job_rf, "candidate_id": candidate_rf, "stage": "Offer"},
                }
            )
            signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            response = await http.post(
                f"http://127.0.0.1:{first}/webhooks/recruiterflow/{integration_id}",
                content=body,
                headers={
                    "X-Recruiterflow-Signature": signature,
                    "Content-Type": "application/json",
                },
            )
            assert response.status_code == 202, response.text
            for client in (on_b, on_a):
                moved = await update(client, within=30)
                assert moved["kind"] == "MOVED" and moved["stage"] == "Offer", moved
            moved_id = base64.b64decode(moved["applicationId"]).decode().partition(":")[2]
            assert int(moved_id) in application_ids

            # a flood from this process: the live subscriber on B keeps up, the stalled
            # one (also on B) loses its oldest events instead of slowing anything down
            await bus.start()
            try:
                application_id = min(application_ids)
                worst = 0.0
                for start in range(0, FLOOD, BATCH):
                    events = [
                        application_stage_changed(
                            tenant_id,
                            application_id=application_id,
                            job_id=job_id,
                            candidate_id=1,
                            stage=f"{n} {noise()}",
                            previous_stage=None,
                            status="hired",
                        )
                        for n in range(start, start + BATCH)
                    ]
                    sent = time.monotonic()
                    await bus.publish_many(events)
                    for n in range(start, start + BATCH):
                        got = await update(on_b, within=10)
                        assert got["stage"].split()[0] == str(n), "in order, none lost"
                    worst = max(worst, time.monotonic() - sent)
                assert worst < 5, f"a batch of {BATCH} took {worst:.2f} s to reach the live one"
                dropped = await metric(http, second, DROPPED)
                assert dropped > 0, "the stalled socket did fill up"
            finally:
                await bus.close()

            # the stalled client goes away: its operation ends and its queue is freed
            stalled.transport.abort()
            await until_metric(http, second, SUBSCRIBERS, 1)
            await on_a.close()
            await until_metric(http, first, SUBSCRIBERS, 0)
            await on_b.close()
            await until_metric(http, second, SUBSCRIBERS, 0)
