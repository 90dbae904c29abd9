"""Integration management through GraphQL, against the providers' fake servers:
create with encrypted credentials, test connection and health, update, delete, the
OAuth 2.0 flow with PKCE, and the periodic health check."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
import pytest
import sqlalchemy as sa

from demo.sandbox.declaration import demo_sandboxes
from gateway.services.integrations import check_due_integrations
from gateway.store.enums import Role
from gateway.store.models import Integration as IntegrationRow
from tests.connectors.harness.recruiterflow import RecruiterflowHarness
from tests.connectors.harness.recruiterflow import make_harness as recruiterflow
from tests.connectors.harness.workday import WorkdayHarness
from tests.connectors.harness.workday import make_harness as workday
from tests.support.gateway import Gateway, running_gateway

WORKDAY_HOST = "https://wd2-impl-services1.workday.com"

CREATE = """
mutation($input: IntegrationCreateInput!) {
  integrationCreate(input: $input) {
    __typename
    ... on IntegrationCreateSuccess {
      integration { id provider name status hasCredentials credentialsHint hasWebhookSecret config }
    }
    ... on ValidationError { field message }
    ... on PermissionDeniedError { permission }
  }
}
"""
UPDATE = """
mutation($input: IntegrationUpdateInput!) {
  integrationUpdate(input: $input) {
    __typename
    ... on IntegrationUpdateSuccess { integration { id name status credentialsHint } }
    ... on ValidationError { field message }
  }
}
"""
TEST = """
mutation($id: ID!) {
  integrationTestConnection(input: {id: $id}) {
    __typename
    ... on IntegrationTestConnectionSuccess {
      ok detail integration { status lastHealthCheckAt lastError lastErrorAt }
    }
    ... on UserError { message }
  }
}
"""
DELETE = """
mutation($id: ID!) { integrationDelete(input: {id: $id}) { __typename } }
"""
OAUTH_START = """
mutation($id: ID!, $redirect: String) {
  integrationOAuthStart(input: {id: $id, redirectUri: $redirect}) {
    __typename
    ... on IntegrationOAuthStartSuccess { authorizationUrl expiresAt }
    ... on ValidationError { field message }
    ... on PermissionDeniedError { permission }
  }
}
"""
INTEGRATION = """
query($id: ID!) { integration(id: $id) { status lastError hasCredentials credentialsHint } }
"""


@dataclass
class Setup:
    gateway: Gateway
    recruiterflow: RecruiterflowHarness
    workday: WorkdayHarness


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    rf, wd = recruiterflow(), workday()
    rf.seed(jobs=3, candidates=3, applications=3)
    wd.seed(jobs=3, candidates=3, applications=3)
    client = httpx.AsyncClient(
        mounts={
            "https://api.recruiterflow.com": httpx.ASGITransport(app=rf.app),
            WORKDAY_HOST: httpx.ASGITransport(app=wd.app),
        },
        transport=httpx.ASGITransport(app=_refuse),
    )
    url = f"sqlite+aiosqlite:///{tmp_path / 'integrations.db'}"
    async with (
        client,
        running_gateway(url, http_client=client, public_url="https://tg.example.com") as gw,
    ):
        yield Setup(gw, rf, wd)


async def _refuse(scope: Any, receive: Any, send: Any) -> None:
    """Any host other than the fakes: the tests must never leave this machine."""
    raise AssertionError(f"unexpected request to {scope.get('server')}")


async def create(setup: Setup, **fields: Any) -> dict[str, Any]:
    data = await setup.gateway.execute(CREATE, {"input": fields})
    result: dict[str, Any] = data["integrationCreate"]
    return result


async def test_create_stores_credentials_encrypted_and_never_returns_them(setup: Setup) -> None:
    key = setup.recruiterflow.good_credentials["apiKey"]
    result = await create(
        setup,
        provider="RECRUITERFLOW",
        name="RF production",
        credentials={"apiKey": key},
        webhookSecret="whsec-very-secret-value",
        config={"feeCustomField": "Fee"},
    )
    assert result["__typename"] == "IntegrationCreateSuccess"
    integration = result["integration"]
    assert integration["hasCredentials"] is True
    assert integration["hasWebhookSecret"] is True
    assert integration["status"] == "PENDING"
    assert integration["credentialsHint"].endswith(key[-4:])
    listing = await setup.gateway.post(
        "{ integrations { edges { node { id credentialsHint config } } } }"
    )
    for secret in (key, "whsec-very-secret-value"):
        assert secret not in orjson.dumps(result).decode()
        assert secret not in listing.text
    async with setup.gateway.app.state.session_factory() as session:
        stored = (
            (await session.execute(sa.select(IntegrationRow.credentials_encrypted))).scalars().all()
        )
    assert stored and all(key not in (value or "") for value in stored)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"provider": "RECRUITERFLOW", "name": "No key", "credentials": {}}, "credentials"),
        ({"provider": "JOBVITE", "name": "Half", "credentials": {"apiKey": "k"}}, "credentials"),
        ({"provider": "BPOC", "name": "Blank", "credentials": {"apiKey": "  "}}, "credentials"),
        ({"provider": "BPOC", "name": "List", "credentials": ["apiKey"]}, "credentials"),
        (
            {
                "provider": "BPOC",
                "name": "Bad URL",
                "credentials": {"apiKey": "k"},
                "config": {"baseUrl": "ftp://x"},
            },
            "config",
        ),
        ({"provider": "BPOC", "name": " ", "credentials": {"apiKey": "k"}}, "name"),
    ],
)
async def test_invalid_integrations_are_refused_and_nothing_is_stored(
    setup: Setup, fields: dict[str, Any], field: str
) -> None:
    result = await create(setup, **fields)
    assert result["__typename"] == "ValidationError"
    assert result["field"] == field
    total = await setup.gateway.execute("{ integrations { totalCount } }")
    seeded = len(demo_sandboxes())
    assert total["integrations"]["totalCount"] == seeded, "only the seeded demo integrations"


async def test_only_admins_manage_integrations(setup: Setup) -> None:
    for role in (Role.RECRUITER, Role.READONLY):
        data = await setup.gateway.execute(
            CREATE,
            {"input": {"provider": "BPOC", "name": "Nope", "credentials": {"apiKey": "k"}}},
            role=role,
        )
        assert data["integrationCreate"]["__typename"] == "PermissionDeniedError"


async def test_test_connection_records_health_both_ways(setup: Setup) -> None:
    created = await create(
        setup,
        provider="RECRUITERFLOW",
        name="RF",
        credentials=dict(setup.recruiterflow.good_credentials),
    )
    integration_id = created["integration"]["id"]
    ok = (await setup.gateway.execute(TEST, {"id": integration_id}))["integrationTestConnection"]
    assert ok["ok"] is True
    assert ok["integration"]["status"] == "ACTIVE"
    assert ok["integration"]["lastHealthCheckAt"]

    changed = await setup.gateway.execute(
        UPDATE,
        {"input": {"id": integration_id, "credentials": dict(setup.recruiterflow.bad_credentials)}},
    )
    assert changed["integrationUpdate"]["integration"]["status"] == "PENDING"
    failed = (await setup.gateway.execute(TEST, {"id": integration_id}))[
        "integrationTestConnection"
    ]
    assert failed["ok"] is False
    assert "AuthError" in failed["detail"]
    assert failed["integration"]["status"] == "ERROR"
    assert failed["integration"]["lastError"] and failed["integration"]["lastErrorAt"]
    assert setup.recruiterflow.bad_credentials["apiKey"] not in failed["detail"]


async def test_credentials_merge_on_update_and_removal_needs_a_replacement(setup: Setup) -> None:
    created = await create(
        setup,
        provider="JOBVITE",
        name="JV",
        credentials={"apiKey": "key-1234567890", "apiSecret": "sec-1234567890"},
    )
    integration_id = created["integration"]["id"]
    renamed = await setup.gateway.execute(
        UPDATE, {"input": {"id": integration_id, "name": "Jobvite EU"}}
    )
    assert renamed["integrationUpdate"]["integration"]["name"] == "Jobvite EU"
    removed = await setup.gateway.execute(
        UPDATE, {"input": {"id": integration_id, "credentials": {"apiSecret": None}}}
    )
    assert removed["integrationUpdate"]["__typename"] == "ValidationError"
    still = await setup.gateway.execute(INTEGRATION, {"id": integration_id})
    assert still["integration"]["hasCredentials"] is True


async def test_disable_and_delete(setup: Setup) -> None:
    created = await create(
        setup, provider="BPOC", name="BPOC", credentials={"apiKey": "bpoc-key-123456"}
    )
    integration_id = created["integration"]["id"]
    disabled = await setup.gateway.execute(
        UPDATE, {"input": {"id": integration_id, "status": "INACTIVE"}}
    )
    assert disabled["integrationUpdate"]["integration"]["status"] == "INACTIVE"
    active = await setup.gateway.execute(
        UPDATE, {"input": {"id": integration_id, "status": "ACTIVE"}}
    )
    assert active["integrationUpdate"]["__typename"] == "ValidationError"
    assert (await setup.gateway.execute(DELETE, {"id": integration_id}))["integrationDelete"][
        "__typename"
    ] == "IntegrationDeleteSuccess"
    assert (await setup.gateway.execute(INTEGRATION, {"id": integration_id}))["integration"] is None


async def test_periodic_health_check_covers_due_integrations(setup: Setup) -> None:
    created = await create(
        setup,
        provider="RECRUITERFLOW",
        name="RF cron",
        credentials=dict(setup.recruiterflow.good_credentials),
    )
    state = setup.gateway.app.state
    results = await check_due_integrations(
        state.session_factory, state.keyring, state.http, interval=timedelta(minutes=5)
    )
    assert list(results.values()) == [True]
    again = await check_due_integrations(
        state.session_factory, state.keyring, state.http, interval=timedelta(minutes=5)
    )
    assert again == {}, "a fresh check is not repeated before the interval"
    status = await setup.gateway.execute(INTEGRATION, {"id": created["integration"]["id"]})
    assert status["integration"]["status"] == "ACTIVE"


async def test_oauth_flow_end_to_end(setup: Setup) -> None:
    fake = setup.workday.fake
    created = await create(
        setup,
        provider="WORKDAY",
        name="Workday",
        credentials={
            "tenantUrl": WORKDAY_HOST,
            "tenantId": fake.tenant,
            "clientId": fake.client_id,
            "clientSecret": fake.client_secret,
        },
    )
    assert created["__typename"] == "IntegrationCreateSuccess", created
    integration_id = created["integration"]["id"]
    started = (await setup.gateway.execute(OAUTH_START, {"id": integration_id}))[
        "integrationOAuthStart"
    ]
    url = started["authorizationUrl"]
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == ["https://tg.example.com/oauth/callback"]
    assert url.startswith(f"{WORKDAY_HOST}/{fake.tenant}/authorize")

    approval = await setup.gateway.app.state.http.get(url)
    assert approval.status_code in (302, 303, 307)
    callback = urlsplit(approval.headers["location"])
    answer = await setup.gateway.client.get(f"/oauth/callback?{callback.query}")
    assert answer.status_code == 200, answer.text
    assert "authorized" in answer.text

    status = await setup.gateway.execute(INTEGRATION, {"id": integration_id})
    assert status["integration"]["status"] == "ACTIVE"
    tested = (await setup.gateway.execute(TEST, {"id": integration_id}))[
        "integrationTestConnection"
    ]
    assert tested["ok"] is True, tested

    replay = await setup.gateway.client.get(f"/oauth/callback?{callback.query}")
    assert replay.status_code == 400, "a state is single-use"


async def test_oauth_callback_refuses_forged_state_and_provider_errors(setup: Setup) -> None:
    forged = await setup.gateway.client.get("/oauth/callback?code=abc&state=forged")
    assert forged.status_code == 400
    refused = await setup.gateway.client.get("/oauth/callback?error=access_denied")
    assert refused.status_code == 400
    missing = await setup.gateway.client.get("/oauth/callback")
    assert missing.status_code == 400


async def test_oauth_start_needs_an_oauth_integration(setup: Setup) -> None:
    created = await create(
        setup, provider="BPOC", name="Key only", credentials={"apiKey": "bpoc-key-123456"}
    )
    result = (await setup.gateway.execute(OAUTH_START, {"id": created["integration"]["id"]}))[
        "integrationOAuthStart"
    ]
    assert result["__typename"] == "ValidationError"


async def test_failed_refresh_sets_the_integration_to_error(setup: Setup) -> None:
    fake = setup.workday.fake
    created = await create(
        setup,
        provider="WORKDAY",
        name="Workday revoked",
        credentials={
            **setup.workday.bad_credentials,
            "tenantUrl": WORKDAY_HOST,
            "tenantId": fake.tenant,
        },
    )
    tested = (await setup.gateway.execute(TEST, {"id": created["integration"]["id"]}))[
        "integrationTestConnection"
    ]
    assert tested["ok"] is False
    assert tested["integration"]["status"] == "ERROR"


async def test_an_oauth_integration_still_needs_its_client_and_tenant(setup: Setup) -> None:
    result = await create(
        setup, provider="WORKDAY", name="Half Workday", credentials={"clientId": "abc"}
    )
    assert result["__typename"] == "ValidationError"
    assert "tenantUrl" in result["message"] and "refreshToken" not in result["message"]
