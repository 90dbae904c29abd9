"""A real sender end to end: an integration made through GraphQL tells where webhooks
go; the Recruiterflow fake, after a stage move made through its own API, signs and
posts a webhook there over HTTP; within seconds the graph shows the move."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest

from demo.sandbox.recruiterflow import API, FakeRecruiterflow
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from resolvers.relay import from_global_id, to_global_id
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import Backend

SECRET = "real-sender-secret-7d1e"


@pytest.fixture(scope="module")
async def setup(backend: Backend) -> AsyncIterator[tuple[Gateway, FakeRecruiterflow]]:
    fake = FakeRecruiterflow()
    fake.seed(jobs=3, candidates=4, applications=6)
    client = httpx.AsyncClient(
        mounts={"https://api.recruiterflow.com": httpx.ASGITransport(app=fake.app)}
    )
    async with running_gateway(
        backend.url, http_client=client, public_url="https://gw.example.com/"
    ) as gateway:
        yield gateway, fake
    await client.aclose()


async def test_a_stage_move_in_the_source_reaches_the_graph_by_webhook(
    setup: tuple[Gateway, FakeRecruiterflow],
) -> None:
    gateway, fake = setup
    created = await gateway.execute(
        """mutation($input: IntegrationCreateInput!) { integrationCreate(input: $input) {
             __typename ... on IntegrationCreateSuccess { integration { id webhookUrls } } } }""",
        {
            "input": {
                "provider": "RECRUITERFLOW",
                "name": "RF live",
                "credentials": {"apiKey": fake.api_key},
                "webhookSecret": SECRET,
                "config": {"rateLimitPerSecond": 10000},
            }
        },
    )
    integration = created["integrationCreate"]["integration"]
    pk = from_global_id(integration["id"])[1]
    assert integration["webhookUrls"] == [
        f"https://gw.example.com/webhooks/recruiterflow/{pk}",
        f"https://gw.example.com/webhooks/standard/{pk}",
    ]
    state = gateway.app.state
    tenant_id = gateway.tenants["demo"].tenant_id
    await sync_integration(state.sync_deps, tenant_id, pk, mode=SyncMode.FULL)

    to_gateway = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=gateway.app), base_url="https://gw.example.com"
    )
    fake.enable_webhooks(urlsplit(integration["webhookUrls"][0]).path, SECRET, to_gateway)
    candidate_id, job_id = next(
        key for key, app in fake.applications.items() if app.stage != "Offer"
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fake.app), base_url="https://api.recruiterflow.com"
    ) as recruiter:
        moved = await recruiter.post(
            f"{API}/candidate/move-to-stage",
            headers={"RF-Api-Key": fake.api_key},
            json={"id": candidate_id, "job_id": job_id, "stage": {"name": "Offer"}},
        )
    assert moved.status_code == 200
    sent = await fake.webhooks.drain()
    assert [(d.event, d.status) for d in sent] == [("candidate.stage_changed", 202)]

    query = """query($id: ID!) { node(id: $id) { ... on Job {
        applications(first: 50) { edges { node { candidate { remoteId } currentStage { name } } } }
    } } }"""
    job_global = await job_node_id(gateway, pk, str(job_id))
    deadline = time.monotonic() + 10
    stage = None
    while time.monotonic() < deadline:
        data = await gateway.execute(query, {"id": job_global})
        stages = {
            e["node"]["candidate"]["remoteId"]: (e["node"]["currentStage"] or {}).get("name")
            for e in data["node"]["applications"]["edges"]
        }
        stage = stages.get(str(candidate_id))
        if stage == "Offer":
            break
        await asyncio.sleep(0.05)
    assert stage == "Offer"
    await to_gateway.aclose()


async def job_node_id(gateway: Gateway, integration_id: int, remote_id: str) -> str:
    from sqlalchemy import select

    from gateway.store.models import Job

    async with gateway.app.state.session_factory() as session:
        pk = await session.scalar(
            select(Job.id).where(Job.integration_id == integration_id, Job.remote_id == remote_id)
        )
    assert pk is not None
    return to_global_id("Job", pk)
