"""Webhooks in and out together, on SQLite and PostgreSQL: a Recruiterflow stage-change
webhook comes in, is processed into the store, and the change goes out as a signed
``application.stage_changed`` delivery to a subscriber on a real loopback port, which
verifies it with the ``standardwebhooks`` package; the delivery log shows it."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa

from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.store.models import Job
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from resolvers.relay import to_global_id
from tests.support.gateway import Gateway, running_gateway
from tests.support.integrations import add_recruiterflow
from tests.support.receiver import Receiver, serving
from tests.support.services import Backend

INBOUND_SECRET = "through-inbound-secret-31"

SUBSCRIBE = """mutation($input: WebhookSubscriptionCreateInput!) {
  webhookSubscriptionCreate(input: $input) {
    __typename
    ... on WebhookSubscriptionCreateSuccess { secret webhookSubscription { id } }
  }
}"""

DELIVERIES = """query($id: ID!) { node(id: $id) { ... on WebhookSubscription {
  deliveries(first: 10) { edges { node { event status statusCode attempt } } }
  stats { total succeeded successRate }
} } }"""


@pytest.fixture(scope="module")
async def world(backend: Backend) -> AsyncIterator[tuple[Gateway, FakeRecruiterflow, int, str]]:
    fake = FakeRecruiterflow()
    fake.seed(jobs=2, candidates=3, applications=4)
    client = httpx.AsyncClient(
        mounts={"https://api.recruiterflow.com": httpx.ASGITransport(app=fake.app)}
    )
    receiver = Receiver()
    async with (
        serving(receiver) as base_url,
        running_gateway(
            backend.url,
            http_client=client,
            webhook_allow_private_targets=True,
            webhook_sweep_interval_seconds=0.2,
        ) as gateway,
    ):
        state = gateway.app.state
        tenant_id = gateway.tenants["demo"].tenant_id
        async with state.session_factory.begin() as session:
            integration_id = await add_recruiterflow(
                session,
                state.keyring,
                tenant_id,
                api_key=fake.api_key,
                config={},
                name="RF through",
                webhook_secret=INBOUND_SECRET,
            )
        await sync_integration(state.sync_deps, tenant_id, integration_id, mode=SyncMode.FULL)
        gateway.receiver = receiver  # type: ignore[attr-defined]
        yield gateway, fake, integration_id, base_url
    await client.aclose()


async def test_a_stage_change_in_goes_out_signed_to_subscribers(
    world: tuple[Gateway, FakeRecruiterflow, int, str],
) -> None:
    gateway, fake, integration_id, base_url = world
    receiver: Receiver = gateway.receiver  # type: ignore[attr-defined]
    path = f"/hooks/{uuid.uuid4().hex[:8]}"
    created = await gateway.execute(
        SUBSCRIBE,
        {
            "input": {
                "name": "pipeline",
                "url": base_url + path,
                "events": ["APPLICATION_STAGE_CHANGED"],
            }
        },
    )
    result = created["webhookSubscriptionCreate"]
    assert result["__typename"] == "WebhookSubscriptionCreateSuccess", result
    receiver.expect(path, result["secret"])

    candidate_id, job_id = next(k for k, a in fake.applications.items() if a.stage != "Offer")
    fake._move(fake.applications[candidate_id, job_id], "Offer", fake.now(), fake.owner)
    body = orjson.dumps(
        {
            "id": uuid.uuid4().hex,
            "event": "candidate.stage_changed",
            "data": {"job_id": job_id, "candidate_id": candidate_id, "stage": "Offer"},
        }
    )
    signature = hmac.new(INBOUND_SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = await gateway.client.post(
        f"/webhooks/recruiterflow/{integration_id}",
        content=body,
        headers={"X-Recruiterflow-Signature": signature, "Content-Type": "application/json"},
    )
    assert response.status_code == 202

    deadline = time.monotonic() + 10
    while not receiver.at(path) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    [delivery] = receiver.at(path)
    assert delivery.verified
    assert delivery.headers["x-webhook-event"] == "application.stage_changed"
    payload: dict[str, Any] = delivery.payload
    assert payload["event"] == "application.stage_changed"
    assert payload["data"]["stage"] == "Offer"
    job_pk = await job_pk_of(gateway, integration_id, str(job_id))
    assert payload["data"]["jobId"] == to_global_id("Job", job_pk)

    subscription_id = result["webhookSubscription"]["id"]
    deadline = time.monotonic() + 5
    while True:
        logged = await gateway.execute(DELIVERIES, {"id": subscription_id})
        edges = logged["node"]["deliveries"]["edges"]
        if (edges and edges[0]["node"]["status"] == "SUCCEEDED") or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    assert [e["node"] for e in edges] == [
        {
            "event": "application.stage_changed",
            "status": "SUCCEEDED",
            "statusCode": 200,
            "attempt": 1,
        }
    ]
    assert logged["node"]["stats"]["succeeded"] == 1


async def job_pk_of(gateway: Gateway, integration_id: int, remote_id: str) -> int:
    async with gateway.app.state.session_factory() as session:
        pk = await session.scalar(
            sa.select(Job.id).where(
                Job.integration_id == integration_id, Job.remote_id == remote_id
            )
        )
    assert pk is not None
    return int(pk)
