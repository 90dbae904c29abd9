"""Workable end to end: an integration made through GraphQL (its token checked against
the fake by ``integrationTestConnection``, a revoked one refused), a full sync of the
SPI v3 fake, a stage move in the fake announced by a ``candidate_moved`` webhook signed
``X-Workable-Signature`` that reaches the graph, and deliveries signed with another
token or in another scheme refused with 401 and nothing stored."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest

from demo.sandbox.workable import FakeWorkable
from demo.sandbox.workable.fake import FILES_URL
from gateway.store.models import Application
from tests.support import ingress
from tests.support.gateway import Gateway
from tests.support.services import Backend


@pytest.fixture(scope="module")
async def setup(backend: Backend) -> AsyncIterator[tuple[Gateway, FakeWorkable]]:
    fake = FakeWorkable()
    fake.seed(jobs=3, candidates=4, applications=6)
    files = urlsplit(FILES_URL)
    origins = (f"https://{fake.subdomain}.workable.com", f"{files.scheme}://{files.netloc}")
    async with ingress.gateway_over(backend, dict.fromkeys(origins, fake.app)) as gateway:
        yield gateway, fake


async def create(gateway: Gateway, fake: FakeWorkable, token: str) -> ingress.Made:
    return await ingress.create_integration(
        gateway,
        "WORKABLE",
        f"Workable {token[-4:]}",
        {"subdomain": fake.subdomain, "accessToken": token},
        fake.access_token,
        {"memberId": fake.member_ids[0]},
    )


async def test_a_revoked_token_fails_the_connection_test(
    setup: tuple[Gateway, FakeWorkable],
) -> None:
    gateway, fake = setup
    made = await create(gateway, fake, "wk-revoked-token-0000")
    assert (await ingress.connection_test(gateway, made.global_id))["ok"] is False


async def test_a_stage_move_in_workable_reaches_the_graph_by_signed_webhook(
    setup: tuple[Gateway, FakeWorkable],
) -> None:
    gateway, fake = setup
    made = await create(gateway, fake, fake.access_token)
    pk = made.pk
    sender, path = await ingress.synced_for_webhooks(gateway, made, "workable")
    fake.enable_webhooks(path, fake.access_token, sender)
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
    job = candidate["job"]["shortcode"]
    assert await ingress.stage_in_graph(gateway, pk, job, candidate["id"], "Offer") == "Offer"

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
    await ingress.refused_and_not_stored(gateway, pk, sender, path, [(body, h) for h in refused])
    assert await ingress.count_stored(gateway, Application, pk) == len(fake.candidates)
    accepted = await sender.post(
        path,
        content=body,
        headers={"Content-Type": "application/json", "X-Workable-Signature": good},
    )
    assert accepted.status_code == 202
    await sender.aclose()
