"""Workable end to end: an integration made through GraphQL (its token checked against
the fake by ``integrationTestConnection``, a revoked one refused), a full sync of the
SPI v3 fake, a stage move in the fake announced by a ``candidate_moved`` webhook signed
``X-Workable-Signature`` that reaches the graph, and deliveries signed with another
token or in another scheme refused with 401 and nothing stored."""

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

from demo.sandbox.workable import FakeWorkable
from demo.sandbox.workable.fake import FILES_URL
from gateway.store.models import Application, Job, WebhookEvent
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from resolvers.relay import from_global_id, to_global_id
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import Backend

CREATE = """mutation($input: IntegrationCreateInput!) { integrationCreate(input: $input) {
    __typename ... on IntegrationCreateSuccess { integration { id webhookUrls } } } }"""
TEST = """mutation($id: ID!) { integrationTestConnection(input: {id: $id}) {
    __typename ... on IntegrationTestConnectionSuccess { ok detail } } }"""


@pytest.fixture(scope="module")
async def setup(backend: Backend) -> AsyncIterator[tuple[Gateway, FakeWorkable]]:
    fake = FakeWorkable()
    fake.seed(jobs=3, candidates=4, applications=6)
    transport = httpx.ASGITransport(app=fake.app)
    files = urlsplit(FILES_URL)
    client = httpx.AsyncClient(
        mounts={
            f"https://{fake.subdomain}.workable.com": transport,
            f"{files.scheme}://{files.netloc}": transport,
        }
    )
    async with running_gateway(
        backend.url, http_client=client, public_url="https://gw.example.com/"
    ) as gateway:
        yield gateway, fake
    await client.aclose()


async def create(gateway: Gateway, fake: FakeWorkable, token: str) -> tuple[str, int, list[str]]:
    created = await gateway.execute(
        CREATE,
        {
            "input": {
                "provider": "WORKABLE",
                "name": f"Workable {token[-4:]}",
                "credentials": {"subdomain": fake.subdomain, "accessToken": token},
                "webhookSecret": fake.access_token,
                "config": {"rateLimitPerSecond": 10000, "memberId": fake.member_ids[0]},
            }
        },
    )
    integration = created["integrationCreate"]["integration"]
    return integration["id"], from_global_id(integration["id"])[1], integration["webhookUrls"]


async def test_a_revoked_token_fails_the_connection_test(
    setup: tuple[Gateway, FakeWorkable],
) -> None:
    gateway, fake = setup
    global_id, _pk, _urls = await create(gateway, fake, "wk-revoked-token-0000")
    tested = (await gateway.execute(TEST, {"id": global_id}))["integrationTestConnection"]
    assert tested["ok"] is False


async def test_a_stage_move_in_workable_reaches_the_graph_by_signed_webhook(
    setup: tuple[Gateway, FakeWorkable],
) -> None:
    gateway, fake = setup
    global_id, pk, urls = await create(gateway, fake, fake.access_token)
    assert urls == [
        f"https://gw.example.com/webhooks/workable/{pk}",
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
    fake.enable_webhooks(path, fake.access_token, to_gateway)
    candidate = next(c for c in fake.candidates.values() if c["stage"] != "Offer")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as recruiter:
        moved = await recruiter.post(
            f"{fake.base_url}/candidates/{candidate['id']}/move",
            headers={"Authorization": f"Bearer {fake.access_token}"},
            json={"member_id": fake.member_ids[1], "target_stage": "offer"},
        )
    assert moved.status_code == 200
    sent = await fake.webhooks.drain()  # type: ignore[union-attr]
    assert [(d.event, d.status) for d in sent] == [("candidate_moved", 202)]
    assert len(sent[0].headers["X-Workable-Signature"]) == 64

    async with gateway.app.state.session_factory() as session:
        job_pk = await session.scalar(
            sa.select(Job.id).where(
                Job.integration_id == pk, Job.remote_id == candidate["job"]["shortcode"]
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
        stage = stages.get(candidate["id"])
        if stage == "Offer":
            break
        await asyncio.sleep(0.05)
    assert stage == "Offer"

    body = json.dumps({"event_type": "candidate_moved", "data": {"id": candidate["id"]}}).encode()
    good = hmac.new(fake.access_token.encode(), body, hashlib.sha256).hexdigest()
    wrong = hmac.new(b"another-token", body, hashlib.sha256).hexdigest()
    refused = [
        {"X-Workable-Signature": wrong},
        {"X-Workable-Signature": f"sha256={good}"},
        {"Signature": f"sha256 {good}"},
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
    assert applications == len(fake.candidates)
    accepted = await to_gateway.post(
        path,
        content=body,
        headers={"Content-Type": "application/json", "X-Workable-Signature": good},
    )
    assert accepted.status_code == 202
    await to_gateway.aclose()
