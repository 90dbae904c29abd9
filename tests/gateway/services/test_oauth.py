"""The OAuth 2.0 authorization-code flow, called directly against the fake Workday
tenant served over loopback HTTP: PKCE and a hashed single-use state, tokens merged
into the encrypted credentials, and every way the callback refuses to complete."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa

from demo.sandbox.workday import WorkdayFake
from gateway.crypto import Keyring
from gateway.errors import NotFound, ValidationFailed
from gateway.services.activities import Actor
from gateway.services.connections import decrypted_credentials
from gateway.services.integrations import store_credentials
from gateway.services.oauth import (
    STATE_TTL,
    OAuthFlowError,
    complete_authorization,
    start_authorization,
)
from gateway.store.engine import SessionFactory
from gateway.store.enums import ActorType, AuthType, IntegrationStatus, Provider
from gateway.store.models import Activity, Integration, OAuthState
from tests.support.gateway import Gateway
from tests.support.serving import served_on_loopback

REDIRECT = "https://tg.example.com/oauth/callback"


@dataclass
class Flow:
    factory: SessionFactory
    keyring: Keyring
    fake: WorkdayFake
    tenant_url: str
    http: httpx.AsyncClient
    demo: Actor
    other: Actor

    async def add_workday(self, actor: Actor, **credentials: str) -> int:
        values = {
            "tenantUrl": self.tenant_url,
            "tenantId": self.fake.tenant,
            "clientId": self.fake.client_id,
            "clientSecret": self.fake.client_secret,
            **credentials,
        }
        async with self.factory.begin() as session:
            integration = Integration(
                tenant_id=actor.tenant_id,
                provider=Provider.WORKDAY,
                name="Workday",
                auth_type=AuthType.OAUTH2,
                status=IntegrationStatus.PENDING,
                config={},
            )
            store_credentials(integration, self.keyring, values)
            session.add(integration)
            await session.flush()
            return integration.id

    async def start(self, actor: Actor, integration_id: int, **kwargs: datetime) -> str:
        async with self.factory.begin() as session:
            url, _ = await start_authorization(
                session, actor, self.keyring, integration_id, redirect_uri=REDIRECT, **kwargs
            )
        return url

    async def consent(self, url: str) -> tuple[str, str]:
        """The ``(state, code)`` the provider's consent redirects back with."""
        answer = await self.http.get(url)
        assert answer.status_code == 302, answer.text
        query = parse_qs(urlsplit(answer.headers["location"]).query)
        return query["state"][0], query["code"][0]

    async def complete(self, state: str, code: str, **kwargs: datetime) -> Integration:
        return await complete_authorization(
            self.factory, self.keyring, self.http, state=state, code=code, **kwargs
        )

    async def integration(self, integration_id: int) -> Integration:
        async with self.factory() as session:
            row = await session.get(Integration, integration_id)
            assert row is not None
            return row

    async def actions(self, integration_id: int) -> list[str]:
        async with self.factory() as session:
            return list(
                await session.scalars(
                    sa.select(Activity.action)
                    .where(
                        Activity.subject_type == "Integration",
                        Activity.subject_id == integration_id,
                    )
                    .order_by(Activity.id)
                )
            )

    async def pending_states(self, integration_id: int) -> list[OAuthState]:
        async with self.factory() as session:
            return list(
                await session.scalars(
                    sa.select(OAuthState).where(OAuthState.integration_id == integration_id)
                )
            )


def actor_of(gateway: Gateway, slug: str) -> Actor:
    demo = gateway.tenants[slug]
    return Actor(
        demo.tenant_id, ActorType.USER, str(demo.admin_user_id), "Admin", demo.admin_user_id
    )


@pytest.fixture
async def flow(gateway: Gateway) -> AsyncIterator[Flow]:
    fake = WorkdayFake()
    async with served_on_loopback(fake.app) as served, httpx.AsyncClient() as http:
        yield Flow(
            gateway.app.state.session_factory,
            gateway.app.state.keyring,
            fake,
            served.url,
            http,
            actor_of(gateway, "demo"),
            actor_of(gateway, "other"),
        )


async def test_the_code_is_exchanged_with_pkce_and_the_tokens_are_stored(flow: Flow) -> None:
    integration_id = await flow.add_workday(flow.demo)
    url = await flow.start(flow.demo, integration_id)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{flow.tenant_url}/{flow.fake.tenant}/authorize")
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [REDIRECT]

    state, code = await flow.consent(url)
    [pending] = await flow.pending_states(integration_id)
    assert pending.state_hash == hashlib.sha256(state.encode()).hexdigest()
    assert pending.tenant_id == flow.demo.tenant_id

    completed = await flow.complete(state, code)

    assert completed.id == integration_id
    stored = await flow.integration(integration_id)
    assert stored.status is IntegrationStatus.ACTIVE
    credentials = decrypted_credentials(stored, flow.keyring)
    assert credentials["accessToken"] in flow.fake.access_tokens
    assert credentials["refreshToken"] in flow.fake.refresh_tokens
    assert "accessTokenExpiresAt" in credentials
    assert credentials["clientSecret"] == flow.fake.client_secret, "merged, not replaced"
    assert await flow.pending_states(integration_id) == []
    assert await flow.actions(integration_id) == [
        "integration.oauth_started",
        "integration.oauth_completed",
    ]


async def test_a_state_is_single_use(flow: Flow) -> None:
    integration_id = await flow.add_workday(flow.demo)
    state, code = await flow.consent(await flow.start(flow.demo, integration_id))
    await flow.complete(state, code)
    requests = flow.fake.token_requests

    with pytest.raises(OAuthFlowError):
        await flow.complete(state, code)
    assert flow.fake.token_requests == requests, "a replayed state never reaches the provider"


async def test_an_expired_or_unknown_state_is_refused_and_consumed(flow: Flow) -> None:
    integration_id = await flow.add_workday(flow.demo)
    state, code = await flow.consent(await flow.start(flow.demo, integration_id))
    later = datetime.now(UTC) + STATE_TTL + timedelta(seconds=5)

    with pytest.raises(OAuthFlowError):
        await flow.complete(state, code, now=later)
    assert await flow.pending_states(integration_id) == []
    with pytest.raises(OAuthFlowError):
        await flow.complete("forged-state", code)
    assert flow.fake.token_requests == 0
    assert (await flow.integration(integration_id)).status is IntegrationStatus.PENDING


async def test_a_refused_exchange_marks_the_integration_in_error(flow: Flow) -> None:
    integration_id = await flow.add_workday(flow.demo)
    state, _ = await flow.consent(await flow.start(flow.demo, integration_id))

    with pytest.raises(OAuthFlowError, match="refused"):
        await flow.complete(state, "not-the-code-the-provider-issued")

    stored = await flow.integration(integration_id)
    assert stored.status is IntegrationStatus.ERROR
    assert stored.last_error is not None and "invalid_grant" in stored.last_error
    assert "accessToken" not in decrypted_credentials(stored, flow.keyring)
    assert await flow.pending_states(integration_id) == [], "consumed even on failure"
    assert (await flow.actions(integration_id))[-1] == "integration.oauth_failed"


async def test_start_refuses_another_tenants_integration(flow: Flow) -> None:
    theirs = await flow.add_workday(flow.other)

    with pytest.raises(NotFound):
        await flow.start(flow.demo, theirs)
    assert await flow.pending_states(theirs) == []
    assert await flow.actions(theirs) == []


async def test_start_refuses_integrations_that_cannot_authorize(flow: Flow) -> None:
    no_client = await flow.add_workday(flow.demo, clientSecret="")
    with pytest.raises(ValidationFailed) as refused:
        await flow.start(flow.demo, no_client)
    assert refused.value.field == "credentials"

    api_key = await flow.add_workday(flow.demo)
    async with flow.factory.begin() as session:
        row = await session.get(Integration, api_key)
        assert row is not None
        row.auth_type = AuthType.API_KEY
    with pytest.raises(ValidationFailed) as refused:
        await flow.start(flow.demo, api_key)
    assert refused.value.field == "id"
    assert await flow.pending_states(no_client) == await flow.pending_states(api_key) == []


async def test_starting_again_clears_expired_states(flow: Flow) -> None:
    integration_id = await flow.add_workday(flow.demo)
    long_ago = datetime.now(UTC) - STATE_TTL * 3
    await flow.start(flow.demo, integration_id, now=long_ago)
    await flow.start(flow.demo, integration_id)

    [left] = await flow.pending_states(integration_id)
    assert left.expires_at.replace(tzinfo=UTC) > datetime.now(UTC)
