"""Lever end to end: an integration made through GraphQL (its API key checked against
the fake by ``integrationTestConnection``, an unknown key refused), a full sync of the
Lever fake, a stage move in the fake announced by a webhook whose body carries the
HMAC of ``token + triggeredAt``, reaching the graph, and deliveries signed with the
wrong secret, tampered with, unsigned or stale refused with 401 and nothing stored."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from demo.sandbox.lever import FakeLever
from demo.sandbox.lever.webhooks import sign_lever
from gateway.store.models import Application
from tests.support import ingress
from tests.support.gateway import Gateway
from tests.support.services import Backend

SECRET = "lever-signature-token-7a2f"


@pytest.fixture(scope="module")
async def setup(backend: Backend) -> AsyncIterator[tuple[Gateway, FakeLever]]:
    fake = FakeLever(limiter=None)
    fake.seed(jobs=3, candidates=4, applications=6)
    async with ingress.gateway_over(backend, {"https://api.lever.co": fake.app}) as gateway:
        yield gateway, fake


async def create(gateway: Gateway, api_key: str) -> ingress.Made:
    return await ingress.create_integration(
        gateway, "LEVER", f"Lever {api_key[-4:]}", {"apiKey": api_key}, SECRET
    )


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
    made = await create(gateway, "lever-key-revoked-0000")
    assert (await ingress.connection_test(gateway, made.global_id))["ok"] is False


async def test_a_stage_move_in_lever_reaches_the_graph_by_signed_webhook(
    setup: tuple[Gateway, FakeLever],
) -> None:
    gateway, fake = setup
    made = await create(gateway, fake.api_key)
    pk = made.pk
    sender, path = await ingress.synced_for_webhooks(gateway, made, "lever")
    fake.enable_webhooks(path, SECRET, sender)
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
    assert await ingress.stage_in_graph(gateway, pk, posting, opportunity["id"], "Offer") == "Offer"

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
    await ingress.refused_and_not_stored(gateway, pk, sender, path, [(b, {}) for b in refused])
    assert await ingress.count_stored(gateway, Application, pk) == len(fake.opportunities)
    accepted = await sender.post(
        path, content=json.dumps(good).encode(), headers={"Content-Type": "application/json"}
    )
    assert accepted.status_code == 202
    await sender.aclose()
