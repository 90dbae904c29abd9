"""Ashby end to end: an integration made through GraphQL (its API key checked against
the fake by ``integrationTestConnection``, a wrong key refused), a full sync of the
fake, a stage change made in Ashby announced by a webhook signed
``Ashby-Signature: sha256=<hex>`` that reaches the graph, the same delivery sent again
taken once, and deliveries signed with the wrong secret or in another scheme refused
with 401 and nothing stored."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from demo.sandbox.ashby import FakeAshby
from gateway.store.models import Application, WebhookEvent
from tests.support import ingress
from tests.support.gateway import Gateway
from tests.support.services import Backend

SECRET = "ashby-hook-secret-7e1d"


@pytest.fixture(scope="module")
async def setup(backend: Backend) -> AsyncIterator[tuple[Gateway, FakeAshby]]:
    fake = FakeAshby()
    fake.seed(jobs=3, candidates=4, applications=6)
    origins = ("https://api.ashbyhq.com", "https://ashby-sandbox.s3.example")
    async with ingress.gateway_over(backend, dict.fromkeys(origins, fake.app)) as gateway:
        yield gateway, fake


async def create(gateway: Gateway, key: str) -> ingress.Made:
    return await ingress.create_integration(
        gateway, "ASHBY", f"Ashby {key[-4:]}", {"apiKey": key}, SECRET
    )


async def test_a_wrong_api_key_fails_the_connection_test(
    setup: tuple[Gateway, FakeAshby],
) -> None:
    gateway, _fake = setup
    made = await create(gateway, "ashby-key-revoked-0000")
    assert (await ingress.connection_test(gateway, made.global_id))["ok"] is False


async def test_a_stage_change_in_ashby_reaches_the_graph_by_signed_webhook(
    setup: tuple[Gateway, FakeAshby],
) -> None:
    gateway, fake = setup
    made = await create(gateway, fake.api_key)
    pk = made.pk
    sender, path = await ingress.synced_for_webhooks(gateway, made, "ashby")
    fake.enable_webhooks(path, SECRET, sender)
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
    job = application["job"]["id"]
    assert await ingress.stage_in_graph(gateway, pk, job, application["id"], "Offer") == "Offer"

    stored = await ingress.count_stored(gateway, WebhookEvent, pk)
    again = await sender.post(path, content=sent[0].body, headers=dict(sent[0].headers))
    assert again.status_code in (200, 202)
    assert await ingress.count_stored(gateway, WebhookEvent, pk) == stored, (
        "a redelivery is taken once"
    )

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
    deliveries: list[tuple[bytes, dict[str, str]]] = [(body, headers) for headers in refused]
    tampered = (body.replace(b"a-2", b"a-3"), {"Ashby-Signature": f"sha256={good}"})
    await ingress.refused_and_not_stored(gateway, pk, sender, path, [*deliveries, tampered])
    assert await ingress.count_stored(gateway, Application, pk) == len(fake.applications)
    accepted = await sender.post(
        path,
        content=body,
        headers={"Content-Type": "application/json", "Ashby-Signature": f"sha256={good}"},
    )
    assert accepted.status_code == 202
    await sender.aclose()
