"""Greenhouse end to end: an integration made through GraphQL (its client credentials
checked against the fake by ``integrationTestConnection``, a bad secret refused), a
full sync of the Harvest v3 fake, a stage move in the fake announced by a webhook
signed ``Signature: sha256 <hex>`` that reaches the graph, and deliveries signed with
the wrong secret or in another scheme refused with 401 and nothing stored."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from demo.sandbox.greenhouse import FakeGreenhouse
from gateway.store.models import Application
from tests.support import ingress
from tests.support.gateway import Gateway
from tests.support.services import Backend

SECRET = "greenhouse-hook-secret-51c2"


@pytest.fixture(scope="module")
async def setup(backend: Backend) -> AsyncIterator[tuple[Gateway, FakeGreenhouse]]:
    fake = FakeGreenhouse()
    fake.seed(jobs=3, candidates=4, applications=6)
    origins = ("https://harvest.greenhouse.io", "https://auth.greenhouse.io")
    async with ingress.gateway_over(backend, dict.fromkeys(origins, fake.app)) as gateway:
        yield gateway, fake


async def create(gateway: Gateway, fake: FakeGreenhouse, secret: str) -> ingress.Made:
    credentials = {"clientId": fake.client_id, "clientSecret": secret, "userId": "4080"}
    return await ingress.create_integration(
        gateway, "GREENHOUSE", f"Greenhouse {secret[-4:]}", credentials, SECRET
    )


async def test_bad_client_credentials_fail_the_connection_test(
    setup: tuple[Gateway, FakeGreenhouse],
) -> None:
    gateway, fake = setup
    made = await create(gateway, fake, "gh-secret-revoked-0000")
    assert (await ingress.connection_test(gateway, made.global_id))["ok"] is False


async def test_a_stage_move_in_greenhouse_reaches_the_graph_by_signed_webhook(
    setup: tuple[Gateway, FakeGreenhouse],
) -> None:
    gateway, fake = setup
    made = await create(gateway, fake, fake.client_secret)
    pk = made.pk
    sender, path = await ingress.synced_for_webhooks(gateway, made, "greenhouse")
    fake.enable_webhooks(path, SECRET, sender)
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
    job, moved_id = str(application["job_id"]), str(application["id"])
    assert await ingress.stage_in_graph(gateway, pk, job, moved_id, "Offer") == "Offer"

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
    await ingress.refused_and_not_stored(gateway, pk, sender, path, [(body, h) for h in refused])
    assert await ingress.count_stored(gateway, Application, pk) == len(fake.applications)
    accepted = await sender.post(
        path,
        content=body,
        headers={
            "Content-Type": "application/json",
            "Signature": f"sha256 {good}",
            "Greenhouse-Event-ID": "evt-1",
        },
    )
    assert accepted.status_code == 202
    await sender.aclose()
