"""Greenhouse end to end: an integration made through GraphQL (its client credentials
checked against the fake by ``integrationTestConnection``, a bad secret refused), a
full sync of the Harvest v3 fake, a stage move in the fake announced by a webhook
signed ``Signature: sha256 <hex>`` that reaches the graph, and deliveries signed with
the wrong secret or in another scheme refused with 401 and nothing stored."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa

from demo.sandbox.greenhouse import FakeGreenhouse
from gateway.store.models import Application, Job, WebhookEvent
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from resolvers.relay import from_global_id, to_global_id
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import Backend

SECRET = "greenhouse-hook-secret-51c2"
CREATE = """mutation($input: IntegrationCreateInput!) { integrationCreate(input: $input) {
    __typename ... on IntegrationCreateSuccess { integration { id webhookUrls } } } }"""
TEST = """mutation($id: ID!) { integrationTestConnection(input: {id: $id}) {
    __typename ... on IntegrationTestConnectionSuccess { ok detail } } }"""


@pytest.fixture(scope="module")
async def setup(backend: Backend) -> AsyncIterator[tuple[Gateway, FakeGreenhouse]]:
    fake = FakeGreenhouse()
    fake.seed(jobs=3, candidates=4, applications=6)
    transport = httpx.ASGITransport(app=fake.app)
    client = httpx.AsyncClient(
        mounts={
            "https://harvest.greenhouse.io": transport,
            "https://auth.greenhouse.io": transport,
        }
    )
    async with running_gateway(
        backend.url, http_client=client, public_url="https://gw.example.com/"
    ) as gateway:
        yield gateway, fake
    await client.aclose()


async def create(gateway: Gateway, fake: FakeGreenhouse, secret: str) -> tuple[str, int, list[str]]:
    created = await gateway.execute(
        CREATE,
        {
            "input": {
                "provider": "GREENHOUSE",
                "name": f"Greenhouse {secret[-4:]}",
                "credentials": {
                    "clientId": fake.client_id,
                    "clientSecret": secret,
                    "userId": "4080",
                },
                "webhookSecret": SECRET,
                "config": {"rateLimitPerSecond": 10000},
            }
        },
    )
    integration = created["integrationCreate"]["integration"]
    return integration["id"], from_global_id(integration["id"])[1], integration["webhookUrls"]


async def test_bad_client_credentials_fail_the_connection_test(
    setup: tuple[Gateway, FakeGreenhouse],
) -> None:
    gateway, fake = setup
    global_id, _pk, _urls = await create(gateway, fake, "gh-secret-revoked-0000")
    tested = (await gateway.execute(TEST, {"id": global_id}))["integrationTestConnection"]
    assert tested["ok"] is False


async def test_a_stage_move_in_greenhouse_reaches_the_graph_by_signed_webhook(
    setup: tuple[Gateway, FakeGreenhouse],
) -> None:
    gateway, fake = setup
    global_id, pk, urls = await create(gateway, fake, fake.client_secret)
    assert urls == [
        f"https://gw.example.com/webhooks/greenhouse/{pk}",
        f"https://gw.example.com/webhooks/standard/{pk}",
    ]
    tested = (await gateway.execute(TEST, {"id": global_id}))["integrationTestConnection"]
    assert tested["ok"] is True, tested
    tenant_id = gateway.tenants["demo"].tenant_id
    await sync_integration(gateway.app.state.sync_deps, tenant_id, pk, mode=SyncMode.FULL)

    to_gateway = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=gateway.app), base_url="https://gw.example.com"
    )
    path = urlsplit(urls[0]).path
    fake.enable_webhooks(path, SECRET, to_gateway)
    application = next(a for a in fake.applications.values() if a["stage_name"] != "Offer")
    offer = application["job_id"] * 10 + 4
    token = fake.mint_token("4081")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as recruiter:
        moved = await recruiter.post(
            f"https://harvest.greenhouse.io/v3/applications/{application['id']}/move",
            headers={"Authorization": f"Bearer {token}"},
            json={"from_stage_id": application["stage_id"], "to_stage_id": offer},
        )
    assert moved.status_code == 204
    sent = await fake.webhooks.drain()  # type: ignore[union-attr]
    assert [(d.event, d.status) for d in sent] == [("candidate_stage_change", 202)]
    assert sent[0].headers["Signature"].startswith("sha256 ")

    async with gateway.app.state.session_factory() as session:
        job_pk = await session.scalar(
            sa.select(Job.id).where(
                Job.integration_id == pk, Job.remote_id == str(application["job_id"])
            )
        )
    query = """query($id: ID!) { node(id: $id) { ... on Job {
        applications(first: 50) { edges { node { remoteId currentStage { name } } } } } } }"""
    deadline = time.monotonic() + 10
    stage = None
    while time.monotonic() < deadline:
        data = await gateway.execute(query, {"id": to_global_id("Job", job_pk)})
        stages = {
            e["node"]["remoteId"]: (e["node"]["currentStage"] or {}).get("name")
            for e in data["node"]["applications"]["edges"]
        }
        stage = stages.get(str(application["id"]))
        if stage == "Offer":
            break
        await asyncio.sleep(0.05)
    assert stage == "Offer"

    body = json.dumps({"action": "candidate_stage_change", "payload": {}}).encode()
    good = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    wrong = hmac.new(b"another-secret", body, hashlib.sha256).hexdigest()
    refused = [
        {"Signature": f"sha256 {wrong}"},
        {"Signature": f"sha1 {good}"},
        {"Signature": good},
        {"X-Recruiterflow-Signature": good},
        {},
    ]
    async with gateway.app.state.session_factory() as session:
        before = await session.scalar(
            sa.select(sa.func.count())
            .select_from(WebhookEvent)
            .where(WebhookEvent.integration_id == pk)
        )
    for headers in refused:
        answer = await to_gateway.post(
            path, content=body, headers={"Content-Type": "application/json", **headers}
        )
        assert answer.status_code == 401, headers
    async with gateway.app.state.session_factory() as session:
        after = await session.scalar(
            sa.select(sa.func.count())
            .select_from(WebhookEvent)
            .where(WebhookEvent.integration_id == pk)
        )
        applications = await session.scalar(
            sa.select(sa.func.count())
            .select_from(Application)
            .where(Application.integration_id == pk)
        )
    assert after == before, "nothing refused is stored"
    assert applications == len(fake.applications)
    accepted = await to_gateway.post(
        path,
        content=body,
        headers={
            "Content-Type": "application/json",
            "Signature": f"sha256 {good}",
            "Greenhouse-Event-ID": "evt-1",
        },
    )
    assert accepted.status_code == 202
    await to_gateway.aclose()
