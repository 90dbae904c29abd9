"""Where connectors may call, and what of a provider's answer users see.

An integration's URLs (``config.baseUrl`` and the others a connector calls) must be
https, carry no ``user:password@`` and name a public host, unless the operator allows
private targets (credentials in a URL never pass). Rows saved before that rule, and
names whose DNS answer changes after saving, are refused again when called, before any
connection is opened. A provider's error body never reaches ``lastError``; credentials
in a stored URL are masked for every reader.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.crypto import credentials_context
from gateway.global_ids import to_global_id
from gateway.store.enums import IntegrationStatus, Provider, Role
from gateway.store.models import Integration as IntegrationRow
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from resolvers.relay import pk_of
from tests.support.counting_server import CountingServer, counting_server
from tests.support.fake_dns import fake_dns
from tests.support.gateway import Gateway, running_gateway

CREATE = """
mutation($input: IntegrationCreateInput!) {
  integrationCreate(input: $input) {
    __typename
    ... on IntegrationCreateSuccess { integration { id config } }
    ... on ValidationError { field message }
  }
}
"""
UPDATE = """
mutation($input: IntegrationUpdateInput!) {
  integrationUpdate(input: $input) {
    __typename
    ... on IntegrationUpdateSuccess { integration { id config } }
    ... on ValidationError { field message }
  }
}
"""
TEST = """
mutation($id: ID!) {
  integrationTestConnection(input: {id: $id}) {
    __typename
    ... on IntegrationTestConnectionSuccess { ok detail integration { status lastError } }
  }
}
"""
INTEGRATION = """
query($id: ID!) {
  integration(id: $id) { config lastError lastSync { status errorMessage } }
}
"""
COUNT = "{ integrations { totalCount } }"
SECRET_BODY = '{"error": "db=postgres://admin:Sup3rS3cret-77@10.0.0.9/hr", "trace": "INTERNAL"}'
"""What an internal service or a careless provider might answer; none of it may show."""
SECRET_PARTS = ("Sup3rS3cret", "10.0.0.9", "INTERNAL", "postgres://")
PUBLIC_ADDRESS = "93.184.216.34"


async def no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    return fake_dns(monkeypatch)


@pytest.fixture(scope="module")
async def strict(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    """A gateway as deployed: private targets not allowed, its own HTTP client."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('strict') / 'strict.db'}"
    async with running_gateway(url, connector_allow_private_targets=False) as gateway:
        yield gateway


@pytest.fixture(scope="module")
async def lenient(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gateway]:
    """Private targets allowed (``connector_allow_private_targets``), its own client."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('lenient') / 'lenient.db'}"
    async with running_gateway(url, connector_allow_private_targets=True) as gateway:
        yield gateway


@dataclasses.dataclass
class ScriptedProvider:
    """An ATS at ``https://ats.example.com`` answering every request with ``status``
    and ``body``."""

    status: int = 500
    body: str = SECRET_BODY
    requests: int = 0

    async def answer(self, _request: Request) -> Response:
        self.requests += 1
        return Response(self.body, self.status, media_type="application/json")

    def app(self) -> Starlette:
        methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        return Starlette(routes=[Route("/{path:path}", self.answer, methods=methods)])


@pytest.fixture(scope="module")
async def ats(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[Gateway, ScriptedProvider]]:
    """A strict gateway whose client reaches the scripted ATS in process."""
    provider = ScriptedProvider()
    client = httpx.AsyncClient(
        mounts={"https://ats.example.com": httpx.ASGITransport(app=provider.app())}
    )
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('ats') / 'ats.db'}"
    async with (
        client,
        running_gateway(url, http_client=client, connector_allow_private_targets=False) as gw,
    ):
        yield gw, provider


@pytest.fixture
async def listener() -> AsyncIterator[CountingServer]:
    async with counting_server() as server:
        yield server


async def create(gateway: Gateway, config: dict[str, Any], **fields: Any) -> dict[str, Any]:
    values = {"provider": "RECRUITERFLOW", "name": "ATS", "credentials": {"apiKey": "k"}}
    data = await gateway.execute(CREATE, {"input": {**values, "config": config, **fields}})
    result: dict[str, Any] = data["integrationCreate"]
    return result


async def count(gateway: Gateway) -> int:
    return int((await gateway.execute(COUNT))["integrations"]["totalCount"])


async def stored_row(gateway: Gateway, config: dict[str, Any]) -> tuple[int, str]:
    """An integration written straight to the store, as rows saved before URLs were
    checked are: (primary key, global id)."""
    state = gateway.app.state
    tenant_id = gateway.tenants["demo"].tenant_id
    async with state.session_factory.begin() as session:
        row = IntegrationRow(
            tenant_id=tenant_id,
            provider=Provider.RECRUITERFLOW,
            name="Saved earlier",
            status=IntegrationStatus.ACTIVE,
            config=config,
            credentials_encrypted=state.keyring.encrypt_json(
                {"apiKey": "rf-key"}, context=credentials_context(tenant_id)
            ),
        )
        session.add(row)
        await session.flush()
        pk = row.id
    return pk, to_global_id("Integration", pk)


async def check_connection(gateway: Gateway, global_id: str) -> dict[str, Any]:
    data = await gateway.execute(TEST, {"id": global_id})
    result: dict[str, Any] = data["integrationTestConnection"]
    assert result["__typename"] == "IntegrationTestConnectionSuccess", result
    return result


async def sync(gateway: Gateway, pk: int) -> Any:
    deps = dataclasses.replace(gateway.app.state.sync_deps, sleep=no_sleep)
    tenant_id = gateway.tenants["demo"].tenant_id
    return await sync_integration(deps, tenant_id, pk, mode=SyncMode.FULL)


# --- when saved ---------------------------------------------------------------------

UNSAFE: list[tuple[str, str]] = [
    ("http://127.0.0.1:8080/", "https"),
    ("https://127.0.0.1:8443/", "loopback"),
    ("https://10.1.2.3/api", "private"),
    ("https://169.254.169.254/latest/meta-data/", "link-local"),
    ("https://[::1]/", "loopback"),
    ("https://[::ffff:127.0.0.1]/", "loopback"),
    ("https://localhost/", "loopback"),
    ("https://ats.localhost/", "loopback"),
    ("https://internal.corp.test/", "loopback"),
    ("http://ats.example.com/", "https"),
    ("https://svc:Sup3rS3cret@ats.example.com/", "credentials"),
    ("ftp://ats.example.com/", "http or https"),
]


@pytest.mark.parametrize(("base_url", "reason"), UNSAFE)
async def test_an_unsafe_base_url_is_refused_on_create_and_nothing_is_stored(
    strict: Gateway, dns: dict[str, list[str]], base_url: str, reason: str
) -> None:
    dns["internal.corp.test"] = ["127.0.0.1"]
    before = await count(strict)
    result = await create(strict, {"baseUrl": base_url})
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == "config"
    assert result["message"].startswith("config.baseUrl")
    assert reason in result["message"]
    assert "Sup3rS3cret" not in result["message"]
    assert await count(strict) == before


@pytest.mark.parametrize(("base_url", "reason"), UNSAFE)
async def test_an_unsafe_base_url_is_refused_on_update_and_the_old_one_stays(
    strict: Gateway, dns: dict[str, list[str]], base_url: str, reason: str
) -> None:
    dns["internal.corp.test"] = ["127.0.0.1"]
    created = await create(strict, {"baseUrl": "https://ats.example.com/api"})
    integration_id = created["integration"]["id"]
    data = await strict.execute(
        UPDATE, {"input": {"id": integration_id, "config": {"baseUrl": base_url}}}
    )
    result = data["integrationUpdate"]
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == "config"
    assert result["message"].startswith("config.baseUrl")
    assert reason in result["message"]
    stored = await strict.execute(INTEGRATION, {"id": integration_id})
    assert stored["integration"]["config"] == {"baseUrl": "https://ats.example.com/api"}


@pytest.mark.parametrize(
    ("fields", "field", "name"),
    [
        ({"config": {"tokenUrl": "https://127.0.0.1/token"}}, "config", "config.tokenUrl"),
        (
            {"config": {"onboardingBaseUrl": "http://10.0.0.8/onboarding"}},
            "config",
            "config.onboardingBaseUrl",
        ),
        (
            {
                "provider": "WORKDAY",
                "authType": "OAUTH2",
                "credentials": {
                    "tenantUrl": "https://169.254.169.254",
                    "tenantId": "acme",
                    "clientId": "c",
                    "clientSecret": "s",
                },
            },
            "credentials",
            "credentials.tenantUrl",
        ),
    ],
)
async def test_every_url_a_connector_calls_is_checked(
    strict: Gateway, fields: dict[str, Any], field: str, name: str
) -> None:
    before = await count(strict)
    config = fields.pop("config", {})
    result = await create(strict, config, **fields)
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == field
    assert result["message"].startswith(name)
    assert await count(strict) == before


async def test_public_https_urls_and_unresolvable_names_are_accepted(
    strict: Gateway, dns: dict[str, list[str]]
) -> None:
    dns["ats.example.net"] = [PUBLIC_ADDRESS]
    for base_url in ("https://ats.example.net/api/v1", "https://not-yet-in-dns.invalid/"):
        result = await create(strict, {"baseUrl": base_url})
        assert result["__typename"] == "IntegrationCreateSuccess", result
        assert result["integration"]["config"] == {"baseUrl": base_url}


async def test_with_private_targets_allowed_http_and_loopback_pass_but_credentials_never(
    lenient: Gateway,
) -> None:
    for base_url in ("http://127.0.0.1:8080/", "https://localhost/api", "http://10.0.0.5/"):
        result = await create(lenient, {"baseUrl": base_url})
        assert result["__typename"] == "IntegrationCreateSuccess", result
    before = await count(lenient)
    result = await create(lenient, {"baseUrl": "http://svc:Sup3rS3cret@127.0.0.1:8080/"})
    assert result["__typename"] == "ValidationError"
    assert result["field"] == "config"
    assert "credentials" in result["message"] and "Sup3rS3cret" not in result["message"]
    assert await count(lenient) == before


# --- when called ----------------------------------------------------------------------


def _loopback_urls(port: int) -> list[str]:
    return [
        f"http://127.0.0.1:{port}",
        f"https://127.0.0.1:{port}",
        f"https://localhost:{port}",
        f"https://internal.corp.test:{port}",
        f"https://[::ffff:127.0.0.1]:{port}",
    ]


async def test_a_stored_loopback_base_url_is_refused_when_called_and_nothing_connects(
    strict: Gateway, listener: CountingServer, dns: dict[str, list[str]]
) -> None:
    dns["internal.corp.test"] = ["127.0.0.1"]
    for base_url in _loopback_urls(listener.port):
        pk, global_id = await stored_row(strict, {"baseUrl": base_url})
        checked = await check_connection(strict, global_id)
        assert checked["ok"] is False
        assert checked["detail"].startswith("ForbiddenTargetError: ")
        assert checked["integration"]["status"] == "ERROR"
        assert checked["integration"]["lastError"] == checked["detail"]
        outcome = await sync(strict, pk)
        assert outcome.status == "failed", outcome
        assert "ForbiddenTargetError" in (outcome.error or "")
    assert (listener.connections, listener.requests) == (0, 0)


async def test_with_private_targets_allowed_the_same_rows_are_called(
    lenient: Gateway, listener: CountingServer, dns: dict[str, list[str]]
) -> None:
    """The other side of the test above: the listener counts what reaches it."""
    dns["internal.corp.test"] = ["127.0.0.1"]
    _, global_id = await stored_row(lenient, {"baseUrl": f"http://127.0.0.1:{listener.port}"})
    checked = await check_connection(lenient, global_id)
    assert "ForbiddenTargetError" not in checked["detail"]
    assert listener.requests >= 1


async def test_a_name_that_turns_private_after_saving_is_refused_when_called(
    strict: Gateway, listener: CountingServer, dns: dict[str, list[str]]
) -> None:
    dns["ats.rebinding.test"] = [PUBLIC_ADDRESS, "127.0.0.1"]
    created = await create(strict, {"baseUrl": f"https://ats.rebinding.test:{listener.port}"})
    assert created["__typename"] == "IntegrationCreateSuccess", created
    checked = await check_connection(strict, created["integration"]["id"])
    assert checked["ok"] is False
    assert "resolves to a loopback address" in checked["detail"]
    assert listener.connections == 0


async def test_a_stored_url_with_credentials_is_not_called(
    ats: tuple[Gateway, ScriptedProvider],
) -> None:
    gateway, provider = ats
    calls = provider.requests
    _, global_id = await stored_row(gateway, {"baseUrl": "https://svc:Sup3rS3cret@ats.example.com"})
    checked = await check_connection(gateway, global_id)
    assert checked["ok"] is False
    assert checked["detail"].startswith("ConfigurationError: config.baseUrl contains credentials")
    assert "Sup3rS3cret" not in checked["detail"]
    assert provider.requests == calls


# --- what users see -------------------------------------------------------------------

READERS = (Role.ADMIN, Role.RECRUITER, Role.READONLY)


async def _seen_by_everyone(gateway: Gateway, global_id: str) -> list[dict[str, Any]]:
    return [
        (await gateway.execute(INTEGRATION, {"id": global_id}, role=role))["integration"]
        for role in READERS
    ]


async def test_a_provider_error_body_never_reaches_what_users_see(
    ats: tuple[Gateway, ScriptedProvider],
) -> None:
    gateway, provider = ats
    created = await create(gateway, {"baseUrl": "https://ats.example.com"})
    global_id = created["integration"]["id"]
    pk = pk_of(global_id, "Integration")

    provider.status = 401
    checked = await check_connection(gateway, global_id)
    assert checked["detail"] == "AuthError: HTTP 401: credentials refused"
    for seen in await _seen_by_everyone(gateway, global_id):
        assert seen["lastError"] == "AuthError: HTTP 401: credentials refused"

    provider.status = 500
    outcome = await sync(gateway, pk)
    assert outcome.error == "ServerError: HTTP 500 from the provider"
    for seen in await _seen_by_everyone(gateway, global_id):
        assert seen["lastSync"]["errorMessage"] == "ServerError: HTTP 500 from the provider"

    provider.status = 403
    await sync(gateway, pk)
    for seen in await _seen_by_everyone(gateway, global_id):
        assert seen["lastError"] == "sync: HTTP 403: access denied"
        assert seen["lastSync"] == {
            "status": "AUTHENTICATION_FAILED",
            "errorMessage": "HTTP 403: access denied",
        }
        assert all(part not in str(seen) for part in SECRET_PARTS)
    assert provider.requests >= 3


async def test_credentials_in_a_stored_url_are_masked_for_every_reader(
    ats: tuple[Gateway, ScriptedProvider],
) -> None:
    gateway, _ = ats
    config = {
        "baseUrl": "https://svc:Sup3rS3cret@ats.example.com/api",
        "tokenUrl": "https://client:Sup3rS3cret@id.example.com/token",
        "pageSize": 50,
    }
    _, global_id = await stored_row(gateway, config)
    for role in READERS:
        response = await gateway.post(INTEGRATION, {"id": global_id}, role=role)
        assert "Sup3rS3cret" not in response.text
        assert response.json()["data"]["integration"]["config"] == {
            "baseUrl": "https://***@ats.example.com/api",
            "tokenUrl": "https://***@id.example.com/token",
            "pageSize": 50,
        }
