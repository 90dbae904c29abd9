"""The source's side of recruiter links, against the BPOC fake served over real HTTP:
BPOC ids kept in one spelling and malformed ones refused, the agency's user list read
with its inactive members marked, a source that refuses or cannot be reached reported
as a remote failure, and lookups that never reach another tenant's rows."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from connectors.models import RemoteUser
from demo.sandbox.bpoc import (
    ADMIN_ID,
    INACTIVE_RECRUITER_ID,
    MAIN_AGENCY_ID,
    MAIN_API_KEY,
    OTHER_AGENCY_RECRUITER_ID,
    BpocFake,
)
from gateway.crypto import credentials_context
from gateway.errors import NotFound, RemoteWriteFailed, ValidationFailed
from gateway.services.recruiter_source import (
    LinkDeps,
    active,
    connector_of,
    email_key,
    id_rules,
    lenient,
    list_users,
    require_enabled,
    tenant_integration,
    tenant_user,
)
from gateway.store.enums import IntegrationStatus
from gateway.store.models import Integration
from jobs.sync_api import SyncDeps
from tests.gateway.services.service_world import World, add_integration, listening
from tests.support.gateway import Gateway
from tests.support.serving import served_on_loopback


async def no_sleep(_seconds: float) -> None:
    return None


@dataclasses.dataclass
class Source:
    world: World
    fake: BpocFake
    url: str

    @property
    def deps(self) -> LinkDeps:
        """The gateway's own task dependencies, retrying without waiting."""
        sync_deps: SyncDeps = self.world.gateway.app.state.sync_deps
        return dataclasses.replace(sync_deps, sleep=no_sleep)

    async def integration(self, api_key: str = MAIN_API_KEY, tenant: str = "demo") -> Integration:
        integration_id = await add_integration(
            self.world,
            "bpoc",
            credentials={"apiKey": api_key},
            config={"baseUrl": self.url},
            tenant=tenant,
        )
        integration: Integration = await self.world.get(Integration, integration_id)
        return integration

    async def users(self, integration: Integration) -> list[RemoteUser]:
        return await list_users(connector_of(self.deps, integration), integration)


@pytest.fixture(scope="module")
async def source(gateway: Gateway) -> AsyncIterator[Source]:
    fake = BpocFake()
    async with listening(gateway) as world, served_on_loopback(fake.app) as loopback:
        yield Source(world, fake, loopback.url + "/api/v1")


async def test_bpoc_ids_are_lower_case_uuids_and_other_ids_are_trimmed(source: Source) -> None:
    bpoc = id_rules(await source.integration())
    other_id = await add_integration(
        source.world, "recruiterflow", credentials={"apiKey": "k"}, config={}
    )
    other = id_rules(await source.world.get(Integration, other_id))

    assert bpoc.agency_scoped and not other.agency_scoped
    assert bpoc.normalize(ADMIN_ID.upper()) == ADMIN_ID
    with pytest.raises(ValueError):
        bpoc.normalize("not-a-uuid")
    assert lenient(bpoc, "not-a-uuid") == "not-a-uuid"
    assert lenient(bpoc, f"{{{ADMIN_ID.upper()}}}") == ADMIN_ID
    assert other.normalize("  42 ") == "42"


def test_only_a_user_marked_inactive_is_inactive_and_emails_compare_folded() -> None:
    def user(raw: dict[str, object]) -> RemoteUser:
        return RemoteUser(remote_id="1", raw=raw, email=None, name=None, role=None)

    assert not active(user({"isActive": False}))
    assert active(user({"isActive": True}))
    assert active(user({})), "a source that never says is taken as active"
    assert email_key("  Ana.Cruz@Agency.PH ") == "ana.cruz@agency.ph"
    assert email_key("   ") is None
    assert email_key(None) is None


async def test_the_agency_list_is_read_over_http_with_its_inactive_members(
    source: Source,
) -> None:
    integration = await source.integration()

    users = await source.users(integration)

    mine = {r["id"] for r in source.fake.recruiters.values() if r["agencyId"] == MAIN_AGENCY_ID}
    assert {u.remote_id for u in users} == mine
    assert OTHER_AGENCY_RECRUITER_ID not in {u.remote_id for u in users}
    assert {u.remote_id for u in users if not active(u)} == {INACTIVE_RECRUITER_ID}
    admin = next(u for u in users if u.remote_id == ADMIN_ID)
    assert admin.email == source.fake.recruiters[ADMIN_ID]["email"]


async def test_a_refused_key_is_a_remote_failure_not_worth_retrying(source: Source) -> None:
    integration = await source.integration(api_key="not-a-key")

    with pytest.raises(RemoteWriteFailed) as failed:
        await source.users(integration)

    assert failed.value.status_code == 401
    assert not failed.value.retryable
    assert integration.name in str(failed.value)


async def test_a_source_that_keeps_failing_is_a_remote_failure_worth_retrying(
    source: Source,
) -> None:
    integration = await source.integration()
    source.fake.faults.server_errors(times=50)
    try:
        with pytest.raises(RemoteWriteFailed) as failed:
            await source.users(integration)
    finally:
        source.fake.faults.reset()

    assert failed.value.retryable
    assert failed.value.status_code == 503


async def test_settings_that_cannot_be_used_are_refused_before_any_call(source: Source) -> None:
    requests = source.fake.faults.requests
    missing = await source.integration()
    missing.credentials_encrypted = None
    foreign = await source.integration()
    foreign.credentials_encrypted = source.world.runtime.keyring.encrypt_json(
        {"apiKey": MAIN_API_KEY}, context=credentials_context(source.world.tenant_id("other"))
    )

    for unusable in (missing, foreign):
        with pytest.raises(RemoteWriteFailed) as failed:
            connector_of(source.deps, unusable)
        assert not failed.value.retryable
        assert "stored settings" in str(failed.value)
    assert source.fake.faults.requests == requests


async def test_lookups_find_the_tenants_own_rows_and_no_one_elses(source: Source) -> None:
    mine = await source.integration()
    theirs = await source.integration(tenant="other")
    demo, other = source.world.gateway.tenants["demo"], source.world.gateway.tenants["other"]
    demo_id, other_id = demo.tenant_id, other.tenant_id

    async with source.world.session_factory() as session:
        assert (await tenant_integration(session, demo_id, mine.id)).id == mine.id
        assert (await tenant_user(session, demo_id, demo.admin_user_id)).id == demo.admin_user_id
        for tenant_id, integration_id in ((demo_id, theirs.id), (other_id, mine.id)):
            with pytest.raises(NotFound) as missing:
                await tenant_integration(session, tenant_id, integration_id)
            assert missing.value.entity == "Integration"
        with pytest.raises(NotFound):
            await tenant_integration(session, demo_id, 10**9)
        for tenant_id, user_id in ((demo_id, other.admin_user_id), (other_id, demo.admin_user_id)):
            with pytest.raises(NotFound) as missing:
                await tenant_user(session, tenant_id, user_id)
            assert missing.value.entity == "Recruiter"


async def test_a_disabled_integration_is_refused(source: Source) -> None:
    integration = await source.integration()
    require_enabled(integration)

    integration.status = IntegrationStatus.INACTIVE
    with pytest.raises(ValidationFailed) as refused:
        require_enabled(integration)

    assert refused.value.field == "integrationId"
