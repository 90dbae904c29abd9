"""Ashby end to end: an integration made through GraphQL (its API key checked against
the fake by ``integrationTestConnection``, a wrong key refused), a full sync of the
fake, a stage change made in Ashby announced by a webhook signed
``Ashby-Signature: sha256=<hex>`` that reaches the graph, the same delivery sent again
taken once, and deliveries signed with the wrong secret or in another scheme refused
with 401 and nothing stored."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa

from demo.sandbox.ashby import FakeAshby
from gateway.store.models import Application, Job, WebhookEvent
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from resolvers.relay import from_global_id, to_global_id
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import Backend

SECRET = "ashby-hook-secret-7e1d"
CREATE = """mutation($input: IntegrationCreateInput!) { integrationCreate(input: $input) {
    __typename ... on IntegrationCreateSuccess { integration { id webhookUrls } } } }"""
TEST = """mutation($id: ID!) { integrationTestConnection(input: {id: $id}) {
    __typename ... on IntegrationTestConnectionSuccess { ok detail } } }"""


@pytest.fixture(scope="module")
async def setup(backend: Backend) -> AsyncIterator[tuple[Gateway, FakeAshby]]:
    fake = FakeAshby()
    fake.seed(jobs=3, candidates=4, applications=6)
    transport = httpx.ASGITransport(app=fake.app)
    client = httpx.AsyncClient(
        mounts={
            "https://api.ashbyhq.com": transport,
            "https://ashby-sandbox.s3.example": transport,
        }
    )
    async with running_gateway(
        backend.url, http_client=client, public_url="https://gw.example.com/"
    ) as gateway:
        yield gateway, fake
    await client.aclose()


async def create(gateway: Gateway, key: str) -> tuple[str, int, list[str]]:
    created = await gateway.execute(
        CREATE,
        {
            "input": {
                "provider": "ASHBY",
                "name": f"Ashby {key[-4:]}",
                "credentials": {"apiKey": key},
                "webhookSecret": SECRET,
                "config": {"rateLimitPerSecond": 10000},
            }
        },
    )
    integration = created["integrationCreate"]["integration"]
    return integration["id"], from_global_id(integration["id"])[1], integration["webhookUrls"]


async def test_a_wrong_api_key_fails_the_connection_test(
    setup: tuple[Gateway, FakeAshby],
) -> None:
    gateway, _fake = setup
    global_id, _pk, _urls = await create(gateway, "ashby-key-revoked-0000")
    tested = (await gateway.execute(TEST, {"id": global_id}))["integrationTestConnection"]
    assert tested["ok"] is False


async def _count(gateway: Gateway, model: Any, pk: int) -> int:
    async with gateway.app.state.session_factory() as session:
        found = await session.scalar(
            sa.select(sa.func.count()).select_from(model).where(model.integration_id == pk)
        )
    return int(found or 0)


async def test_a_stage_change_in_ashby_reaches_the_graph_by_signed_webhook(
    setup: tuple[Gateway, FakeAshby],
) -> None:
    gateway, fake = setup
    global_id, pk, urls = await create(gateway, fake.api_key)
    assert urls == [
        f"https://gw.example.com/webhooks/ashby/{pk}",
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
    application = next(
        a for a in fake.applications.values() if a["currentInterviewStage"]["title"] != "Offer"
    )
    plan = application["currentInterviewStage"]["interviewPlanId"]
    offer = next(s["id"] for s in fake.plan_stages(plan) if s["title"] == "Offer")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as recruiter:
        moved = await recruiter.post(
            "https://api.ashbyhq.com/application.changeStage",
            auth=(fake.api_key, ""),
            json={"applicationId": application["id"], "interviewStageId": offer},
        )
    assert moved.status_code == 200 and moved.json()["success"] is True
    sent = await fake.webhooks.drain()  # type: ignore[union-attr]
    assert [(d.event, d.status) for d in sent] == [("candidateStageChange", 202)]
    assert sent[0].headers["Ashby-Signature"].startswith("sha256=")

    async with gateway.app.state.session_factory() as session:
        job_pk = await session.scalar(
            sa.select(Job.id).where(
                Job.integration_id == pk, Job.remote_id == application["job"]["id"]
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
        stage = stages.get(application["id"])
        if stage == "Offer":
            break
        await asyncio.sleep(0.05)
    assert stage == "Offer"

    stored = await _count(gateway, WebhookEvent, pk)
    again = await to_gateway.post(path, content=sent[0].body, headers=dict(sent[0].headers))
    assert again.status_code in (200, 202)
    assert await _count(gateway, WebhookEvent, pk) == stored, "a redelivery is taken once"

    body = json.dumps({"webhookActionId": "a-2", "action": "candidateStageChange"}).encode()
    good = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    wrong = hmac.new(b"another-secret", body, hashlib.sha256).hexdigest()
    refused = [
        {"Ashby-Signature": f"sha256={wrong}"},
        {"Ashby-Signature": f"sha1={good}"},
        {"Ashby-Signature": good},
        {"Signature": f"sha256 {good}"},
        {},
    ]
    before = await _count(gateway, WebhookEvent, pk)
    for headers in refused:
        answer = await to_gateway.post(
            path, content=body, headers={"Content-Type": "application/json", **headers}
        )
        assert answer.status_code == 401, headers
    tampered = await to_gateway.post(
        path,
        content=body.replace(b"a-2", b"a-3"),
        headers={"Content-Type": "application/json", "Ashby-Signature": f"sha256={good}"},
    )
    assert tampered.status_code == 401
    assert await _count(gateway, WebhookEvent, pk) == before, "nothing refused is stored"
    assert await _count(gateway, Application, pk) == len(fake.applications)
    accepted = await to_gateway.post(
        path,
        content=body,
        headers={"Content-Type": "application/json", "Ashby-Signature": f"sha256={good}"},
    )
    assert accepted.status_code == 202
    await to_gateway.aclose()
