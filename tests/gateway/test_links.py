"""Printed links follow the address the gateway is reached at, unless ``PUBLIC_URL`` says
otherwise: ``webhookUrls``, ``interviewCreate.publicUrl`` and the OAuth redirect URI of a
real server on a port other than 8000 carry that port; a client's Host header shapes the
links in its own answer, but the invitation mailed to a candidate and the copy the
timeline keeps come from the server's own address (or ``PUBLIC_URL``), whatever Host a
client forges."""

from __future__ import annotations

import email
import email.policy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from starlette.requests import HTTPConnection

from gateway import links
from gateway.app import create_app
from gateway.crypto import credentials_context
from gateway.services.interview_deps import InterviewConfig
from gateway.settings import Settings
from gateway.store.enums import Provider, Role
from gateway.store.models import Activity, Integration
from resolvers.relay import from_global_id
from tests.resolvers.interviews.test_self_service_interviews import SmtpSink
from tests.support.gateway import Gateway, running_gateway
from tests.support.serving import free_port, served_on_loopback

INTEGRATIONS = "{ integrations { nodes { id provider webhookUrls } } }"
APPLICATIONS = """
{ applications(first: 100, filter: {status: [ACTIVE]}) {
    nodes { id candidate { email } interviews { status kind } } } }
"""
CREATE = """
mutation($input: InterviewCreateInput!) {
  interviewCreate(input: $input) {
    __typename
    ... on InterviewCreateSuccess { token publicUrl interview { id } }
    ... on UserError { message }
  }
}
"""
INVITE = """
mutation($input: InterviewSendInviteInput!) {
  interviewSendInvite(input: $input) {
    __typename
    ... on InterviewSendInviteSuccess { delivery token publicUrl }
    ... on UserError { message }
  }
}
"""
OAUTH_START = """
mutation($id: ID!) {
  integrationOAuthStart(input: {id: $id}) {
    __typename
    ... on IntegrationOAuthStartSuccess { authorizationUrl }
    ... on UserError { message }
  }
}
"""


class Client:
    """GraphQL over ``http``, as the demo tenant's admin, with the headers given."""

    def __init__(self, gateway: Gateway, http: httpx.AsyncClient) -> None:
        self.gateway, self.http = gateway, http
        self.used: set[str] = set()

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, /, **headers: str
    ) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={**self.gateway.headers(role=Role.ADMIN), **headers},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def webhook_urls(self, **headers: str) -> list[str]:
        nodes = (await self.execute(INTEGRATIONS, **headers))["integrations"]["nodes"]
        return [url for node in nodes for url in node["webhookUrls"]]

    async def create_interview(self, **headers: str) -> dict[str, Any]:
        applications = (await self.execute(APPLICATIONS))["applications"]["nodes"]
        application = next(
            a
            for a in applications
            if a["id"] not in self.used
            and a["candidate"]["email"]
            and not any(i["status"] in ("SCHEDULED", "IN_PROGRESS") for i in a["interviews"])
        )
        self.used.add(application["id"])
        data = await self.execute(
            CREATE, {"input": {"applicationId": application["id"]}}, **headers
        )
        created: dict[str, Any] = data["interviewCreate"]
        assert created["__typename"] == "InterviewCreateSuccess", created
        return created

    async def invite(self, created: dict[str, Any], **headers: str) -> dict[str, Any]:
        data = await self.execute(
            INVITE,
            {"input": {"interviewId": created["interview"]["id"], "token": created["token"]}},
            **headers,
        )
        invited: dict[str, Any] = data["interviewSendInvite"]
        assert invited["__typename"] == "InterviewSendInviteSuccess", invited
        return invited

    async def oauth_redirect_uri(self, **headers: str) -> str:
        nodes = (await self.execute(INTEGRATIONS))["integrations"]["nodes"]
        workday = next(node["id"] for node in nodes if node["provider"] == "WORKDAY")
        data = await self.execute(OAUTH_START, {"id": workday}, **headers)
        started = data["integrationOAuthStart"]
        assert started["__typename"] == "IntegrationOAuthStartSuccess", started
        (redirect_uri,) = parse_qs(urlsplit(started["authorizationUrl"]).query)["redirect_uri"]
        return str(redirect_uri)


async def _oauth_ready(gateway: Gateway) -> None:
    """The demo's Workday integration, given the client credentials OAuth starts with."""
    state = gateway.app.state
    tenant_id = gateway.tenants["demo"].tenant_id
    async with state.session_factory.begin() as session:
        workday = await session.scalar(
            sa.select(Integration).where(
                Integration.tenant_id == tenant_id, Integration.provider == Provider.WORKDAY
            )
        )
        assert workday is not None
        workday.credentials_encrypted = state.keyring.encrypt_json(
            {
                "clientId": "tg-client",
                "clientSecret": "tg-secret",
                "tenantUrl": "https://wd.example.com",
                "tenantId": "acme",
            },
            context=credentials_context(tenant_id),
        )


def mailed(sink: SmtpSink) -> str:
    """The text of the one message the sink received."""
    ((_, _, raw),) = sink.received
    body = email.message_from_string(raw, policy=email.policy.default).get_body()
    assert body is not None
    return str(body.get_content())


async def stored_invitation(gateway: Gateway, interview_id: str) -> str:
    """The invitation the timeline keeps for the interview."""
    _, pk = from_global_id(interview_id)
    async with gateway.app.state.session_factory() as session:
        details = await session.scalar(
            sa.select(Activity.details).where(
                Activity.subject_type == "Interview",
                Activity.subject_id == pk,
                Activity.action.like("interview.invite_%"),
            )
        )
    assert details is not None
    return str(details["body"])


@asynccontextmanager
async def gateway_at(tmp_path: Path, name: str, **overrides: Any) -> AsyncIterator[Gateway]:
    url = f"sqlite+aiosqlite:///{tmp_path / f'{name}.db'}"
    async with running_gateway(url, **overrides) as gateway:
        await _oauth_ready(gateway)
        yield gateway


@asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[int]:
    """A second gateway over the same store on a real loopback port (not 8000)."""
    port = free_port()
    assert port != 8000
    app = create_app(settings)
    async with served_on_loopback(
        app, port=port, lifespan="auto", proxy_headers=False, server_header=False
    ):
        yield port


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpSink]:
    async with SmtpSink() as sink:
        yield sink


async def test_a_real_server_on_another_port_prints_links_with_that_port(
    tmp_path: Path, smtp: SmtpSink
) -> None:
    async with gateway_at(tmp_path, "real") as gateway:
        settings = gateway.settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_starttls": False}
        )
        async with (
            served(settings) as port,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http,
        ):
            client = Client(gateway, http)
            base = f"http://127.0.0.1:{port}"

            urls = await client.webhook_urls()
            assert urls and all(url.startswith(f"{base}/webhooks/") for url in urls), urls
            created = await client.create_interview()
            assert created["publicUrl"] == f"{base}/interview/{created['token']}"
            assert await client.oauth_redirect_uri() == f"{base}/oauth/callback"

            invited = await client.invite(created)
            assert invited["delivery"] == "SMTP"
            assert invited["publicUrl"] == created["publicUrl"]
            assert created["publicUrl"] in mailed(smtp)


async def test_a_forged_host_shapes_only_the_forgers_own_answer(
    tmp_path: Path, smtp: SmtpSink
) -> None:
    """The Host header is the client's word: it may shape links shown to that client,
    never the link mailed to a candidate or kept in the timeline for every reader."""
    forged = {"host": "attacker.example:666"}
    async with gateway_at(tmp_path, "forged") as gateway:
        settings = gateway.settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_starttls": False}
        )
        async with (
            served(settings) as port,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http,
        ):
            client = Client(gateway, http)
            own = f"http://127.0.0.1:{port}"

            urls = await client.webhook_urls(**forged)
            assert all(url.startswith("http://attacker.example:666/webhooks/") for url in urls)
            assert all(url.startswith(f"{own}/webhooks/") for url in await client.webhook_urls())

            created = await client.create_interview(**forged)
            invited = await client.invite(created, **forged)
            assert invited["publicUrl"] == f"{own}/interview/{created['token']}"
            body = mailed(smtp)
            assert f"{own}/interview/{created['token']}" in body
            assert "attacker" not in body
            stored = await stored_invitation(gateway, created["interview"]["id"])
            assert f"{own}/interview/" in stored and "attacker" not in stored


@pytest.mark.parametrize(
    "host", ["evil.example/x?y=", "a b", "evil.example:66666x", "user@evil.example"]
)
async def test_a_host_header_that_is_no_host_is_ignored(tmp_path: Path, host: str) -> None:
    async with gateway_at(tmp_path, "garbled") as gateway:
        client = Client(gateway, gateway.client)
        urls = await client.webhook_urls(host=host)
        assert all(url.startswith("http://testserver/webhooks/") for url in urls), urls


async def test_links_follow_the_host_header_and_a_trusted_proxys_scheme(tmp_path: Path) -> None:
    async with gateway_at(tmp_path, "host", trusted_proxies="127.0.0.1") as gateway:
        client = Client(gateway, gateway.client)
        headers = {"host": "gw.internal:9123"}
        assert all(
            url.startswith("http://gw.internal:9123/webhooks/")
            for url in await client.webhook_urls(**headers)
        )
        created = await client.create_interview(**headers)
        assert created["publicUrl"] == f"http://gw.internal:9123/interview/{created['token']}"
        assert (
            await client.oauth_redirect_uri(**headers) == "http://gw.internal:9123/oauth/callback"
        )
        # the ASGI test client's peer is 127.0.0.1: trusted here, so its scheme is believed
        secure = {"host": "gw.example.com", "x-forwarded-proto": "https"}
        assert all(
            url.startswith("https://gw.example.com/webhooks/")
            for url in await client.webhook_urls(**secure)
        )


async def test_a_public_url_wins_everywhere(tmp_path: Path) -> None:
    async with gateway_at(tmp_path, "public", public_url="https://tg.example.com/") as gateway:
        client = Client(gateway, gateway.client)
        forged = {"host": "attacker.example:666"}
        urls = await client.webhook_urls(**forged)
        assert urls and all(url.startswith("https://tg.example.com/webhooks/") for url in urls)
        created = await client.create_interview(**forged)
        assert created["publicUrl"] == f"https://tg.example.com/interview/{created['token']}"
        invited = await client.invite(created, **forged)
        assert invited["delivery"] == "QUEUED"
        assert invited["publicUrl"] == created["publicUrl"]
        stored = await stored_invitation(gateway, created["interview"]["id"])
        assert "https://tg.example.com/interview/" in stored
        assert await client.oauth_redirect_uri(**forged) == "https://tg.example.com/oauth/callback"


def test_outside_a_request_links_use_the_public_url_or_the_address_serve_was_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(links.LISTEN_URL_ENV, "")  # restored after the test
    assert InterviewConfig.from_settings(Settings()).link("iv_x") == (
        "http://127.0.0.1:8000/interview/iv_x"
    )
    links.record_listen_address("0.0.0.0", 9137)
    assert InterviewConfig.from_settings(Settings()).link("iv_x") == (
        "http://127.0.0.1:9137/interview/iv_x"
    )
    links.record_listen_address("::", 9137)
    assert links.outside_request(Settings()) == "http://[::1]:9137"
    links.record_listen_address("tg.internal", 80)
    assert links.outside_request(Settings()) == "http://tg.internal"
    configured = Settings(public_url="https://tg.example.com/")
    assert InterviewConfig.from_settings(configured).link("iv_x") == (
        "https://tg.example.com/interview/iv_x"
    )


def test_a_websocket_links_to_its_http_twin() -> None:
    """Subscriptions resolve fields too: a ``wss`` connection's links are ``https``."""
    scope = {
        "type": "websocket",
        "scheme": "wss",
        "server": ("10.0.0.7", 8443),
        "root_path": "",
        "path": "/graphql",
        "headers": [(b"host", b"gw.example.com:8443")],
    }
    connection = HTTPConnection(scope)
    assert links.for_caller(connection, Settings()) == "https://gw.example.com:8443"
    assert links.for_others(connection, Settings()) == "https://10.0.0.7:8443"
    configured = Settings(public_url="https://tg.example.com")
    assert links.for_others(connection, configured) == "https://tg.example.com"
