"""No cached answer outlives a write, on SQLite and PostgreSQL, with the response cache
on: a read is cached (a second read is a hit), then a write lands by a path that is not
a plain mutation, and the same read must answer what was written.

- a write-back (``gateway.services.writeback``): the ATS is written, the result stored;
- an inbound webhook (``jobs.ingest``): the changed record is refetched and stored by
  the ingestor, outside any request.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa

from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.pubsub import Event
from gateway.store.models import Application, Job
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from resolvers.relay import to_global_id
from tests.support.gateway import Gateway, running_gateway
from tests.support.integrations import add_recruiterflow
from tests.support.services import Backend
from tests.support.worlds import GatewayWorld, gateway_world

RF = "https://api.recruiterflow.com"
SECRET = "invalidation-webhook-secret-1"
JOB_APPLICATIONS = """
query($id: ID!) {
  job(id: $id) { id title applications(first: 50) { edges { node { id status } } } }
}
"""
REJECT = """
mutation($input: ApplicationRejectInput!) {
  applicationReject(input: $input) { __typename }
}
"""


async def cached_read(gateway: Gateway, job_pk: int) -> tuple[str, dict[str, Any]]:
    response = await gateway.post(JOB_APPLICATIONS, {"id": to_global_id("Job", job_pk)})
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    return response.headers.get("x-cache", ""), body["data"]["job"]


async def warm(gateway: Gateway, job_pk: int, within: float = 15.0) -> dict[str, Any]:
    """Read until the answer comes from the cache (the analyses a sync queued drop the
    tenant's cache as they finish, so a first hit may take a moment)."""
    async with asyncio.timeout(within):
        while True:
            status, answer = await cached_read(gateway, job_pk)
            if status == "hit":
                return answer
            await asyncio.sleep(0.05)


def statuses(job: dict[str, Any]) -> dict[str, str]:
    return {e["node"]["id"]: e["node"]["status"] for e in job["applications"]["edges"]}


async def heard(events: list[Event], kind: str, within: float = 15.0) -> Event:
    """The first ``kind`` event on the bus: published after the write committed and
    after the tenant's cache was dropped."""
    async with asyncio.timeout(within):
        while True:
            found = [e for e in events if e.type == kind]
            if found:
                return found[0]
            await asyncio.sleep(0.02)


# --- write-back ------------------------------------------------------------------------


@pytest.fixture
async def rf_world(backend: Backend) -> AsyncIterator[tuple[GatewayWorld, int]]:
    fake = FakeRecruiterflow()
    fake.seed(jobs=3, candidates=4, applications=6)
    async with gateway_world(backend, {RF: fake.app}) as world:
        integration_id = await world.add_integration(
            "recruiterflow", "RF invalidation", {"apiKey": fake.api_key}
        )
        await world.link(world.demo.admin_user_id, integration_id, "10447")
        await world.sync(integration_id)
        yield world, integration_id


async def test_a_write_back_drops_the_cached_answers_it_changes(
    rf_world: tuple[GatewayWorld, int],
) -> None:
    world, integration_id = rf_world
    application = (
        await world.rows(
            sa.select(Application.id, Application.job_id)
            .where(Application.integration_id == integration_id)
            .order_by(Application.id)
            .limit(1)
        )
    )[0]
    gid = to_global_id("Application", application.id)
    before = await warm(world.gateway, application.job_id)
    assert statuses(before)[gid] == "ACTIVE"

    result = await world.mutate(
        REJECT, "applicationReject", {"applicationId": gid, "reason": "Filled elsewhere"}
    )
    assert result["__typename"] == "ApplicationWriteSuccess", result

    status, after = await cached_read(world.gateway, application.job_id)
    assert statuses(after)[gid] == "REJECTED", "the answer cached before the write is not served"
    assert status == "miss"


# --- inbound webhook -------------------------------------------------------------------


@pytest.fixture
async def webhook_world(
    backend: Backend,
) -> AsyncIterator[tuple[Gateway, FakeRecruiterflow, int, list[Event]]]:
    fake = FakeRecruiterflow()
    fake.seed(jobs=3, candidates=4, applications=6)
    client = httpx.AsyncClient(mounts={RF: httpx.ASGITransport(app=fake.app)})
    try:
        async with running_gateway(
            backend.url, http_client=client, webhook_sweep_interval_seconds=0.2
        ) as gateway:
            state = gateway.app.state
            assert state.ingestor is not None, "without Redis, serve processes webhooks"
            tenant_id = gateway.tenants["demo"].tenant_id
            async with state.session_factory.begin() as session:
                integration_id = await add_recruiterflow(
                    session,
                    state.keyring,
                    tenant_id,
                    api_key=fake.api_key,
                    config={},
                    name="RF webhook invalidation",
                    webhook_secret=SECRET,
                )
            await sync_integration(state.sync_deps, tenant_id, integration_id, mode=SyncMode.FULL)
            events: list[Event] = []

            async def listen() -> None:
                async for event in state.bus.subscribe(tenant_id):
                    events.append(event)

            listener = asyncio.create_task(listen())
            await asyncio.sleep(0)
            try:
                yield gateway, fake, integration_id, events
            finally:
                listener.cancel()
    finally:
        await client.aclose()


async def test_a_webhook_driven_write_drops_the_cached_answers_it_changes(
    webhook_world: tuple[Gateway, FakeRecruiterflow, int, list[Event]],
) -> None:
    gateway, fake, integration_id, events = webhook_world
    remote_id = sorted(fake.jobs)[0]
    async with gateway.app.state.session_factory() as session:
        job_pk = await session.scalar(
            sa.select(Job.id).where(
                Job.integration_id == integration_id, Job.remote_id == str(remote_id)
            )
        )
    assert job_pk is not None
    before = await warm(gateway, job_pk)
    assert before["title"] != "Retitled by the ATS"

    fake.jobs[remote_id]["name"] = fake.jobs[remote_id]["title"] = "Retitled by the ATS"
    body = orjson.dumps(
        {"id": uuid.uuid4().hex, "event": "job.updated", "data": {"job_id": remote_id}}
    )
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = await gateway.client.post(
        f"/webhooks/recruiterflow/{integration_id}",
        content=body,
        headers={"X-Recruiterflow-Signature": signature, "Content-Type": "application/json"},
    )
    assert response.status_code == 202, response.text
    await heard(events, "job.updated")

    status, after = await cached_read(gateway, job_pk)
    assert after["title"] == "Retitled by the ATS", (
        "the answer cached before the webhook's write is not served"
    )
    assert status == "miss"
