"""Lever end to end: an integration made through GraphQL (its API key checked against
the fake by ``integrationTestConnection``, an unknown key refused), a full sync of the
Lever fake, a stage move in the fake announced by a webhook whose body carries the
HMAC of ``token + triggeredAt``, reaching the graph, and deliveries signed with the
wrong secret, tampered with, unsigned or stale refused with 401 and nothing stored."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa

from demo.sandbox.lever import FakeLever
from demo.sandbox.lever.webhooks import sign_lever
from gateway.store.models import Application, Job, WebhookEvent
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from resolvers.relay import from_global_id, to_global_id
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import Backend

SECRET = "lever-signature-token-7a2f"
CREATE = """mutation($input: IntegrationCreateInput!) { integrationCreate(input: $input) {
    __typename ... on IntegrationCreateSuccess { integration { id webhookUrls } } } }"""
TEST = """mutation($id: ID!) { integrationTestConnection(input: {id: $id}) {
    __typename ... on IntegrationTestConnectionSuccess { ok detail } } }"""


@pytest.fixture(scope="module")
async def setup(backend: Backend) -> AsyncIterator[tuple[Gateway, FakeLever]]:
    fake = FakeLever(limiter=None)
    fake.seed(jobs=3, candidates=4, applications=6)
    client = httpx.AsyncClient(mounts={"https://api.lever.co": httpx.ASGITransport(app=fake.app)})
    async with running_gateway(
        backend.url, http_client=client, public_url="https://gw.example.com/"
    ) as gateway:
        yield gateway, fake
    await client.aclose()


async def create(gateway: Gateway, api_key: str) -> tuple[str, int, list[str]]:
    created = await gateway.execute(
        CREATE,
        {
            "input": {
                "provider": "LEVER",
                "name": f"Lever {api_key[-4:]}",
                "credentials": {"apiKey": api_key},
                "webhookSecret": SECRET,
                "config": {"rateLimitPerSecond": 10000},
            }
        },
    )
    integration = created["integrationCreate"]["integration"]
    return integration["id"], from_global_id(integration["id"])[1], integration["webhookUrls"]


def signed(token: str, triggered: int, secret: str = SECRET, **changes: Any) -> bytes:
    body: dict[str, Any] = {
        "token": token,
        "triggeredAt": triggered,
        "signature": sign_lever(secret, token, triggered),
        "event": "candidateStageChange",
        "data": {},
    }
    body.update(changes)
    return json.dumps(body).encode()


async def test_an_unknown_key_fails_the_connection_test(
    setup: tuple[Gateway, FakeLever],
) -> None:
    gateway, _fake = setup
    global_id, _pk, _urls = await create(gateway, "lever-key-revoked-0000")
    tested = (await gateway.execute(TEST, {"id": global_id}))["integrationTestConnection"]
    assert tested["ok"] is False


async def test_a_stage_move_in_lever_reaches_the_graph_by_signed_webhook(
    setup: tuple[Gateway, FakeLever],
) -> None:
    gateway, fake = setup
    global_id, pk, urls = await create(gateway, fake.api_key)
    assert urls == [
        f"https://gw.example.com/webhooks/lever/{pk}",
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
    opportunity = next(
        o for o in fake.opportunities.values() if o["stage"] != "offer" and not o["archived"]
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as recruiter:
        moved = await recruiter.put(
            f"https://api.lever.co/v1/opportunities/{opportunity['id']}/stage",
            params={"perform_as": fake.user_ids[1]},
            auth=(fake.api_key, ""),
            json={"stage": "offer"},
        )
    assert moved.status_code == 200
    sent = await fake.webhooks.drain()  # type: ignore[union-attr]
    assert [(d.event, d.status) for d in sent] == [("candidateStageChange", 202)]
    assert sent[0].json()["data"]["contactId"] == opportunity["contact"]

    posting = fake.posting_of(opportunity)
    async with gateway.app.state.session_factory() as session:
        job_pk = await session.scalar(
            sa.select(Job.id).where(Job.integration_id == pk, Job.remote_id == posting)
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
        stage = stages.get(opportunity["id"])
        if stage == "Offer":
            break
        await asyncio.sleep(0.05)
    assert stage == "Offer"

    now = int(time.time() * 1000)
    good = json.loads(signed("tok-1", now))
    refused = [
        signed("tok-2", now, secret="another-secret"),
        json.dumps({**good, "token": "tok-forged"}).encode(),
        json.dumps({**good, "triggeredAt": now + 1}).encode(),
        json.dumps({k: v for k, v in good.items() if k != "signature"}).encode(),
        signed("tok-3", now - 3_600_000),
        b"not json",
    ]
    async with gateway.app.state.session_factory() as session:
        before = await session.scalar(
            sa.select(sa.func.count())
            .select_from(WebhookEvent)
            .where(WebhookEvent.integration_id == pk)
        )
    for body in refused:
        answer = await to_gateway.post(
            path, content=body, headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 401, body
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
    assert applications == len(fake.opportunities)
    accepted = await to_gateway.post(
        path, content=json.dumps(good).encode(), headers={"Content-Type": "application/json"}
    )
    assert accepted.status_code == 202
    await to_gateway.aclose()
