"""``integrations`` and ``integration``: the four seeded ATS connections per tenant, their
filters, tenancy, and that no field of the Integration type can expose a secret."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import sqlalchemy as sa

from demo.sandbox.declaration import demo_sandboxes
from gateway.store.enums import Role
from gateway.store.models import Integration
from tests.support.gateway import Gateway

INTEGRATION_FIELDS = """
  id provider name environment authType status externalAccountId config
  hasCredentials credentialsHint hasWebhookSecret
  syncIntervalMinutes fullSyncIntervalMinutes
  lastSyncAt lastSuccessfulSyncAt lastHealthCheckAt lastError lastErrorAt
  createdAt updatedAt
"""

ALL_INTEGRATIONS = (
    """
{
  integrations(first: 100) {
    totalCount
    nodes {"""
    + INTEGRATION_FIELDS
    + """}
  }
}
"""
)

FILTERED_INTEGRATIONS = """
query FilteredIntegrations($filter: IntegrationFilter) {
  integrations(first: 100, filter: $filter) {
    totalCount
    nodes { id provider status }
  }
}
"""

INTEGRATION = (
    """
query Integration($id: ID!) {
  integration(id: $id) {"""
    + INTEGRATION_FIELDS
    + """}
}
"""
)

JOBS_WITH_INTEGRATION = """
{ jobs(first: 100) { nodes { id integration { id provider } } } }
"""

INTEGRATION_TYPE = """
{
  __type(name: "Integration") {
    name
    fields { name type { name kind ofType { name kind } } }
  }
}
"""

INPUT_TYPES = """
{ __schema { types { name kind inputFields { name } fields { name } } } }
"""

ALLOWED_SECRET_LOOKING = {"hasCredentials", "credentialsHint", "hasWebhookSecret"}
ALLOWED_ELSEWHERE = {
    "Interview.tokenExpiresAt",
    "Settings.interviewTokenExpiryDays",
    "WebhookSubscription.hasSecret",
    "WebhookSubscription.secretHint",
    "WebhookSubscriptionCreateSuccess.secret",
    "InterviewCreateSuccess.token",
    "InterviewSendInviteSuccess.token",
    "RecruiterInviteSuccess.inviteToken",
    "Mutation.recruiterTokensRevoke",
}
"""When a token expires is not the token; a webhook subscription's flag and masked hint
are what an integration shows; the signing secret the gateway generates is returned
once, in the create payload (there is no other way to learn it), and never again; so is
a self-service interview's link token (only its hash is stored), and a BPOC team
invitation's token (kept nowhere: the agency puts it in its own invitation e-mail).
Revoking a user's tokens returns the user, not a token."""
SECRET_WORDS = ("secret", "password", "token", "credential", "apikey", "privatekey")


def global_id(type_name: str, key: int) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def codes(errors: list[dict[str, Any]]) -> list[str | None]:
    return [(error.get("extensions") or {}).get("code") for error in errors]


SEEDED = {sandbox.slug.upper() for sandbox in demo_sandboxes()}
"""The providers the demo seed connects (each whose fake declares ``SANDBOX``)."""


def pk(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().partition(":")[2])


def looks_secret(name: str) -> bool:
    folded = name.lower().replace("_", "")
    return any(word in folded for word in SECRET_WORDS)


async def all_integrations(gateway: Gateway, tenant: str = "demo") -> list[dict[str, Any]]:
    data = await gateway.execute(ALL_INTEGRATIONS, tenant=tenant)
    nodes: list[dict[str, Any]] = data["integrations"]["nodes"]
    assert data["integrations"]["totalCount"] == len(nodes)
    return nodes


@pytest.mark.parametrize("tenant", ["demo", "other"])
async def test_each_tenant_has_its_seeded_integrations(gateway: Gateway, tenant: str) -> None:
    integrations = await all_integrations(gateway, tenant)
    assert len(integrations) == len(SEEDED)
    assert {"RECRUITERFLOW", "JOBVITE", "BPOC", "GREENHOUSE", "WORKDAY"} <= SEEDED
    assert {i["provider"] for i in integrations} == SEEDED
    for integration in integrations:
        assert integration["status"] == "ACTIVE"
        assert integration["hasCredentials"] is False
        assert integration["credentialsHint"] is None
        assert integration["hasWebhookSecret"] is False
        assert isinstance(integration["config"], dict)


async def test_tenants_never_see_each_others_integrations(gateway: Gateway) -> None:
    demo = {i["id"] for i in await all_integrations(gateway, "demo")}
    other = {i["id"] for i in await all_integrations(gateway, "other")}
    assert len(demo) == len(other) == len(SEEDED)
    assert not demo & other
    for integration_id in other:
        data = await gateway.execute(INTEGRATION, {"id": integration_id})
        assert data["integration"] is None


async def test_integrations_are_listed_oldest_first_and_page(gateway: Gateway) -> None:
    integrations = await all_integrations(gateway)
    walked: list[str] = []
    after = None
    while True:
        data = await gateway.execute(
            "query($after: String) { integrations(first: 1, after: $after) "
            "{ nodes { id } pageInfo { hasNextPage endCursor } } }",
            {"after": after},
        )
        walked += [node["id"] for node in data["integrations"]["nodes"]]
        if not data["integrations"]["pageInfo"]["hasNextPage"]:
            break
        after = data["integrations"]["pageInfo"]["endCursor"]
    assert walked == [i["id"] for i in integrations]


@pytest.mark.parametrize(
    "integration_filter",
    [
        {"provider": ["JOBVITE"]},
        {"provider": ["BPOC", "WORKDAY"]},
        {"status": ["ACTIVE"]},
        {"status": ["ERROR", "INACTIVE"]},
        {"provider": ["RECRUITERFLOW"], "status": ["ACTIVE"]},
        {"provider": ["RECRUITERFLOW"], "status": ["PENDING"]},
        {},
    ],
)
async def test_filters(gateway: Gateway, integration_filter: dict[str, list[str]]) -> None:
    integrations = await all_integrations(gateway)
    expected = {
        i["id"]
        for i in integrations
        if all(i[key] in values for key, values in integration_filter.items())
    }
    data = await gateway.execute(FILTERED_INTEGRATIONS, {"filter": integration_filter})
    assert {node["id"] for node in data["integrations"]["nodes"]} == expected
    assert data["integrations"]["totalCount"] == len(expected)


async def test_integration_by_id_and_from_a_job(gateway: Gateway) -> None:
    integrations = {i["id"]: i for i in await all_integrations(gateway)}
    for integration_id, integration in integrations.items():
        found = await gateway.execute(INTEGRATION, {"id": integration_id})
        assert found["integration"] == integration
    jobs = (await gateway.execute(JOBS_WITH_INTEGRATION))["jobs"]["nodes"]
    for job in jobs:
        linked = job["integration"]
        assert linked["id"] in integrations
        assert integrations[linked["id"]]["provider"] == linked["provider"]


async def test_integration_by_id_of_another_type_is_null(gateway: Gateway) -> None:
    jobs = (await gateway.execute(JOBS_WITH_INTEGRATION))["jobs"]["nodes"]
    for missing in (jobs[0]["id"], global_id("Integration", 10**9)):
        assert (await gateway.execute(INTEGRATION, {"id": missing}))["integration"] is None
    errors = await gateway.errors(INTEGRATION, {"id": "::"})
    assert codes(errors) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("role", list(Role))
async def test_every_role_reads_integrations_without_secrets(gateway: Gateway, role: Role) -> None:
    data = await gateway.execute(ALL_INTEGRATIONS, role=role)
    assert data["integrations"]["totalCount"] == len(SEEDED)


# -- secrets -----------------------------------------------------------------------------------


async def test_no_integration_field_exposes_a_secret(gateway: Gateway) -> None:
    data = await gateway.execute(INTEGRATION_TYPE)
    fields = {field["name"] for field in data["__type"]["fields"]}
    assert {"id", "provider", "name"} <= fields
    assert fields >= ALLOWED_SECRET_LOOKING
    exposed = {name for name in fields - ALLOWED_SECRET_LOOKING if looks_secret(name)}
    assert exposed == set()


async def test_the_secret_looking_fields_are_only_flags_and_a_hint(gateway: Gateway) -> None:
    data = await gateway.execute(INTEGRATION_TYPE)
    types = {field["name"]: field["type"] for field in data["__type"]["fields"]}

    def scalar(field: str) -> str:
        kind = types[field]
        return kind["name"] if kind["kind"] != "NON_NULL" else kind["ofType"]["name"]

    assert scalar("hasCredentials") == "Boolean"
    assert scalar("hasWebhookSecret") == "Boolean"
    assert scalar("credentialsHint") == "String"


async def test_no_output_type_anywhere_exposes_a_secret(gateway: Gateway) -> None:
    """Secrets may be written (input types) but no output type has a field to read one."""
    data = await gateway.execute(INPUT_TYPES)
    leaks = []
    for graphql_type in data["__schema"]["types"]:
        if graphql_type["name"].startswith("__") or graphql_type["kind"] != "OBJECT":
            continue
        for field in graphql_type["fields"] or ():
            qualified = f"{graphql_type['name']}.{field['name']}"
            if qualified in ALLOWED_ELSEWHERE or field["name"] in ALLOWED_SECRET_LOOKING:
                continue
            if looks_secret(field["name"]):
                leaks.append(qualified)
    assert leaks == []


async def test_integration_responses_carry_no_secret_material(gateway: Gateway) -> None:
    for tenant in ("demo", "other"):
        integrations = await all_integrations(gateway, tenant)
        text = json.dumps(integrations).lower()
        for word in ("encrypted", "password", "secret_", "bearer", "-----begin"):
            assert word not in text, word


async def test_stored_secrets_show_only_as_flags_and_the_hint(gateway: Gateway) -> None:
    integration = (await all_integrations(gateway))[0]
    stored_credentials = "v1:kid-7:c2VjcmV0LWNpcGhlcnRleHQtb2YtdGhlLWFwaS1rZXk="
    stored_webhook = "v1:kid-7:d2ViaG9vay1zaWduaW5nLXNlY3JldC1jaXBoZXJ0ZXh0"
    table = Integration.__table__
    row = table.c.id == pk(integration["id"])
    async with gateway.app.state.engine.begin() as conn:
        await conn.execute(
            sa.update(table)
            .where(row)
            .values(
                credentials_encrypted=stored_credentials,
                credentials_hint="****9f2c",
                webhook_secret_encrypted=stored_webhook,
            )
        )
    try:
        for query, variables in (
            (ALL_INTEGRATIONS, None),
            (INTEGRATION, {"id": integration["id"]}),
            (
                "query($id: ID!) { node(id: $id) { ... on Integration { hasCredentials } } }",
                {"id": integration["id"]},
            ),
        ):
            response = await gateway.post(query, variables)
            assert response.status_code == 200
            assert "errors" not in response.json()
            assert "kid-7" not in response.text
            assert stored_credentials not in response.text
            assert stored_webhook not in response.text
        found = (await gateway.execute(INTEGRATION, {"id": integration["id"]}))["integration"]
        assert found["hasCredentials"] is True
        assert found["hasWebhookSecret"] is True
        assert found["credentialsHint"] == "****9f2c"
    finally:
        async with gateway.app.state.engine.begin() as conn:
            await conn.execute(
                sa.update(table)
                .where(row)
                .values(
                    credentials_encrypted=None,
                    credentials_hint=None,
                    webhook_secret_encrypted=None,
                )
            )
