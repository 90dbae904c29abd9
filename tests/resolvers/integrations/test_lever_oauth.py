"""A Lever integration authorized through OAuth 2.0 from GraphQL: made with only its
client (``authType: OAUTH2``), sent to ``auth.lever.co/authorize`` with the API
``audience``, its code traded with the client in the form, and then tested with the
refresh token the flow stored; an API-key integration still needs its key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from demo.sandbox.lever import FakeLever
from tests.resolvers.integrations.test_integrations import CREATE, INTEGRATION, OAUTH_START, TEST
from tests.support.gateway import Gateway, running_gateway


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[tuple[Gateway, FakeLever]]:
    fake = FakeLever(limiter=None)
    fake.seed(jobs=2, candidates=2, applications=2)
    transport = httpx.ASGITransport(app=fake.app)
    client = httpx.AsyncClient(
        mounts={"https://auth.lever.co": transport, "https://api.lever.co": transport}
    )
    url = f"sqlite+aiosqlite:///{tmp_path / 'lever-oauth.db'}"
    async with (
        client,
        running_gateway(url, http_client=client, public_url="https://tg.example.com") as gw,
    ):
        yield gw, fake


async def create(gateway: Gateway, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await gateway.execute(CREATE, {"input": fields}))["integrationCreate"]
    return result


async def test_the_oauth_flow_authorizes_a_lever_integration(
    setup: tuple[Gateway, FakeLever],
) -> None:
    gateway, fake = setup
    created = await create(
        gateway,
        provider="LEVER",
        name="Lever OAuth",
        authType="OAUTH2",
        credentials={"clientId": fake.client_id, "clientSecret": fake.client_secret},
    )
    assert created["__typename"] == "IntegrationCreateSuccess", created
    integration_id = created["integration"]["id"]
    started = (await gateway.execute(OAUTH_START, {"id": integration_id}))["integrationOAuthStart"]
    url = started["authorizationUrl"]
    assert url.startswith("https://auth.lever.co/authorize?")
    query = parse_qs(urlsplit(url).query)
    assert query["audience"] == ["https://api.lever.co/v1/"]
    assert query["client_id"] == [fake.client_id]

    approval = await gateway.app.state.http.get(url)
    assert approval.status_code == 302, approval.text
    callback = urlsplit(approval.headers["location"])
    answer = await gateway.client.get(f"/oauth/callback?{callback.query}")
    assert answer.status_code == 200, answer.text

    status = await gateway.execute(INTEGRATION, {"id": integration_id})
    assert status["integration"]["status"] == "ACTIVE"
    tested = (await gateway.execute(TEST, {"id": integration_id}))["integrationTestConnection"]
    assert tested["ok"] is True, tested


async def test_each_mode_asks_for_its_own_credentials(setup: tuple[Gateway, FakeLever]) -> None:
    gateway, _fake = setup
    half = await create(
        gateway, provider="LEVER", name="Half", authType="OAUTH2", credentials={"clientId": "c"}
    )
    assert half["__typename"] == "ValidationError"
    assert "clientSecret" in half["message"] and "apiKey" not in half["message"]
    assert "refreshToken" not in half["message"], "the flow stores it"
    keyless = await create(gateway, provider="LEVER", name="Keyless", credentials={"x": "y"})
    assert keyless["__typename"] == "ValidationError"
    assert "apiKey" in keyless["message"]
