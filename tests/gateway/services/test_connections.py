"""From a stored integration to a live connector, called directly: credentials opened
only for the integration's own tenant, a refresh token the provider rotates saved at
once (sealed again for that tenant), URLs carrying ``user:password@`` never called, and
one rate limiter per integration. The Workday fake is served over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from connectors.errors import ConfigurationError
from demo.sandbox.workday import WorkdayFake
from gateway.crypto import CryptoError, credentials_context
from gateway.services.connections import (
    DEFAULT_RATE_PER_SECOND,
    connector_config,
    connector_for,
    decrypted_credentials,
    rate_limiter,
)
from gateway.store.enums import IntegrationEnvironment, Provider
from gateway.store.models import Integration
from tests.gateway.services.service_world import World, add_integration, listening
from tests.support.gateway import Gateway
from tests.support.serving import ServedApp, served_on_loopback


@dataclass
class Workday:
    world: World
    fake: WorkdayFake
    loopback: ServedApp

    def credentials(self, **changes: str) -> dict[str, str]:
        return {
            "tenantUrl": self.loopback.url,
            "tenantId": self.fake.tenant,
            "clientId": self.fake.client_id,
            "clientSecret": self.fake.client_secret,
            "refreshToken": self.fake.refresh_token,
            **changes,
        }

    async def integration(self, tenant: str = "demo", **config: object) -> Integration:
        """Stored with a refresh token of its own, so one test's rotation spares the next."""
        token = f"refresh-of-{len(self.fake.refresh_tokens)}-{self.fake.token_requests}"
        self.fake.refresh_tokens.add(token)
        pk = await add_integration(
            self.world,
            "workday",
            credentials=self.credentials(refreshToken=token),
            config=config,
            tenant=tenant,
        )
        found: Integration = await self.world.get(Integration, pk)
        return found


@pytest.fixture(scope="module")
async def workday(gateway: Gateway) -> AsyncIterator[Workday]:
    fake = WorkdayFake(rotate_refresh_tokens=True)
    fake.seed(jobs=3, candidates=2, applications=2)
    async with listening(gateway) as world, served_on_loopback(fake.app) as loopback:
        yield Workday(world, fake, loopback)


async def test_a_rotated_refresh_token_is_saved_for_the_next_connector(workday: Workday) -> None:
    world = workday.world
    integration = await workday.integration()
    keyring = world.runtime.keyring

    connector = connector_for(
        integration, keyring, world.runtime.http, session_factory=world.session_factory
    )
    assert (await connector.check()).ok

    stored: Integration = await world.get(Integration, integration.id)
    first = decrypted_credentials(integration, keyring)["refreshToken"]
    saved = decrypted_credentials(stored, keyring)
    assert first not in workday.fake.refresh_tokens
    assert saved["refreshToken"] != first
    assert saved["refreshToken"] in workday.fake.refresh_tokens
    assert {k: v for k, v in saved.items() if k != "refreshToken"} == {
        k: v for k, v in workday.credentials().items() if k != "refreshToken"
    }
    assert (await connector_for(stored, keyring, world.runtime.http).check()).ok


async def test_without_a_session_factory_a_rotated_token_is_not_stored(workday: Workday) -> None:
    world = workday.world
    integration = await workday.integration()
    before = integration.credentials_encrypted

    assert (await connector_for(integration, world.runtime.keyring, world.runtime.http).check()).ok

    assert (await world.get(Integration, integration.id)).credentials_encrypted == before


async def test_credentials_sealed_for_one_tenant_do_not_open_for_another(
    workday: Workday,
) -> None:
    world = workday.world
    integration = await workday.integration(tenant="demo")
    integration.tenant_id = world.tenant_id("other")
    calls = workday.fake.token_requests

    with pytest.raises(CryptoError):
        connector_for(integration, world.runtime.keyring, world.runtime.http)
    assert workday.fake.token_requests == calls


def integration_row(pk: int, **config: object) -> Integration:
    return Integration(
        id=pk,
        tenant_id=1,
        provider=Provider.RECRUITERFLOW,
        name="RF",
        environment=IntegrationEnvironment.STAGE,
        config=dict(config),
        credentials_encrypted=None,
    )


async def test_a_url_carrying_credentials_is_refused_before_any_call(workday: Workday) -> None:
    world = workday.world
    keyring = world.runtime.keyring
    leaky = integration_row(9_001, baseUrl="https://admin:hunter2@api.recruiterflow.example")
    with pytest.raises(ConfigurationError, match=r"config\.baseUrl contains credentials"):
        connector_for(leaky, keyring, world.runtime.http)

    integration = await workday.integration()
    async with world.session_factory.begin() as session:
        row = await session.get(Integration, integration.id)
        assert row is not None
        row.credentials_encrypted = keyring.encrypt_json(
            workday.credentials(tenantUrl=workday.loopback.url.replace("//", "//u:p@")),
            context=credentials_context(row.tenant_id),
        )
    stored: Integration = await world.get(Integration, integration.id)
    calls = workday.fake.token_requests
    with pytest.raises(ConfigurationError, match=r"credentials\.tenantUrl contains credentials"):
        connector_for(stored, keyring, world.runtime.http)
    assert workday.fake.token_requests == calls


def test_each_integration_has_one_limiter_at_its_configured_rate() -> None:
    first = rate_limiter(integration_row(9_101, rateLimitPerSecond=4))
    assert rate_limiter(integration_row(9_101, rateLimitPerSecond=4)) is first
    assert first.max_rate == 4
    assert rate_limiter(integration_row(9_102, rateLimitPerSecond=4)) is not first

    slower = rate_limiter(integration_row(9_101, rateLimitPerSecond=2))
    assert slower is not first and slower.max_rate == 2
    assert rate_limiter(integration_row(9_103)).max_rate == DEFAULT_RATE_PER_SECOND


def test_the_connector_config_names_the_environment() -> None:
    row = integration_row(9_201, pageSize=5)
    assert connector_config(row) == {"pageSize": 5, "environment": "stage"}
