"""What the webhook ingress tests of every provider do around their own signatures: a
gateway whose HTTP client routes to the provider's fake, an integration made through
GraphQL, a full sync, a client posting to the gateway as the provider would, the graph
watched until a moved application shows its new stage, and counts of what was stored.

    async with gateway_over(backend, {"https://api.lever.co": fake.app}) as gateway:
        made = await create_integration(gateway, "LEVER", "Lever", {"apiKey": key}, SECRET)
        sender, path = await synced_for_webhooks(gateway, made, "lever")
        ...  # a change in the fake, delivered to ``path`` through ``sender``
        assert await stage_in_graph(gateway, made.pk, job_id, application_id, "Offer")
        await refused_and_not_stored(gateway, made.pk, sender, path, [(body, headers)])
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import sqlalchemy as sa
from starlette.types import ASGIApp

from gateway.store.models import Job, WebhookEvent
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from resolvers.relay import from_global_id, to_global_id
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import Backend

PUBLIC_URL = "https://gw.example.com"
CREATE = """mutation($input: IntegrationCreateInput!) { integrationCreate(input: $input) {
    __typename ... on IntegrationCreateSuccess { integration { id webhookUrls } } } }"""
TEST = """mutation($id: ID!) { integrationTestConnection(input: {id: $id}) {
    __typename ... on IntegrationTestConnectionSuccess { ok detail } } }"""
STAGES = """query($id: ID!) { node(id: $id) { ... on Job {
    applications(first: 50) { edges { node { remoteId currentStage { name } } } } } } }"""


@asynccontextmanager
async def gateway_over(backend: Backend, fakes: Mapping[str, ASGIApp]) -> AsyncIterator[Gateway]:
    """A running gateway at ``PUBLIC_URL`` whose HTTP client sends each origin of
    ``fakes`` to its app."""
    client = httpx.AsyncClient(
        mounts={origin: httpx.ASGITransport(app=app) for origin, app in fakes.items()}
    )
    try:
        async with running_gateway(
            backend.url, http_client=client, public_url=f"{PUBLIC_URL}/"
        ) as gateway:
            yield gateway
    finally:
        await client.aclose()


@dataclass(frozen=True)
class Made:
    global_id: str
    pk: int
    webhook_urls: list[str]


async def create_integration(
    gateway: Gateway,
    provider: str,
    name: str,
    credentials: Mapping[str, str],
    webhook_secret: str,
    config: Mapping[str, Any] | None = None,
) -> Made:
    """An integration made by ``integrationCreate``, not rate-limited."""
    created = await gateway.execute(
        CREATE,
        {
            "input": {
                "provider": provider,
                "name": name,
                "credentials": dict(credentials),
                "webhookSecret": webhook_secret,
                "config": {"rateLimitPerSecond": 10000, **(config or {})},
            }
        },
    )
    integration = created["integrationCreate"]["integration"]
    global_id = integration["id"]
    return Made(global_id, from_global_id(global_id)[1], integration["webhookUrls"])


async def connection_test(gateway: Gateway, global_id: str) -> dict[str, Any]:
    """What ``integrationTestConnection`` answers: ``ok`` and its ``detail``."""
    answer = await gateway.execute(TEST, {"id": global_id})
    return dict(answer["integrationTestConnection"])


async def full_sync(gateway: Gateway, pk: int) -> None:
    tenant_id = gateway.tenants["demo"].tenant_id
    await sync_integration(gateway.app.state.sync_deps, tenant_id, pk, mode=SyncMode.FULL)


def to_gateway(gateway: Gateway) -> httpx.AsyncClient:
    """A client that posts to the gateway as a provider would; the caller closes it."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway.app), base_url=PUBLIC_URL)


async def synced_for_webhooks(
    gateway: Gateway, made: Made, provider: str
) -> tuple[httpx.AsyncClient, str]:
    """Where every ingress test starts: the integration's webhook URLs are the provider's
    own and the standard one, its connection test passes and a full sync has run. A
    client posting to the gateway (the caller closes it) and the path of the provider's
    URL."""
    assert made.webhook_urls == [
        f"{PUBLIC_URL}/webhooks/{provider}/{made.pk}",
        f"{PUBLIC_URL}/webhooks/standard/{made.pk}",
    ]
    tested = await connection_test(gateway, made.global_id)
    assert tested["ok"] is True, tested
    await full_sync(gateway, made.pk)
    return to_gateway(gateway), urlsplit(made.webhook_urls[0]).path


async def refused_and_not_stored(
    gateway: Gateway,
    pk: int,
    sender: httpx.AsyncClient,
    path: str,
    deliveries: Iterable[tuple[bytes, Mapping[str, str]]],
) -> None:
    """Each (body, headers) posted as JSON is refused with 401, and none is stored."""
    before = await count_stored(gateway, WebhookEvent, pk)
    for body, headers in deliveries:
        answer = await sender.post(
            path, content=body, headers={"Content-Type": "application/json", **headers}
        )
        assert answer.status_code == 401, (body[:200], headers)
    assert await count_stored(gateway, WebhookEvent, pk) == before, "nothing refused is stored"


async def count_stored(gateway: Gateway, model: Any, pk: int) -> int:
    """How many rows of ``model`` integration ``pk`` has."""
    async with gateway.app.state.session_factory() as session:
        found = await session.scalar(
            sa.select(sa.func.count()).select_from(model).where(model.integration_id == pk)
        )
    return int(found or 0)


async def stage_in_graph(
    gateway: Gateway, pk: int, job: str, application: str, expected: str, seconds: float = 10
) -> str | None:
    """The current stage the graph shows for ``application`` of ``job`` (remote ids),
    asked until it is ``expected`` or ``seconds`` have passed."""
    async with gateway.app.state.session_factory() as session:
        job_pk = await session.scalar(
            sa.select(Job.id).where(Job.integration_id == pk, Job.remote_id == job)
        )
    deadline = time.monotonic() + seconds
    stage = None
    while time.monotonic() < deadline:
        data = await gateway.execute(STAGES, {"id": to_global_id("Job", job_pk)})
        stages = {
            e["node"]["remoteId"]: (e["node"]["currentStage"] or {}).get("name")
            for e in data["node"]["applications"]["edges"]
        }
        stage = stages.get(application)
        if stage == expected:
            break
        await asyncio.sleep(0.05)
    return stage
