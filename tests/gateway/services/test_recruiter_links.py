"""Recruiter links made and removed directly, against the BPOC fake served over real HTTP:
an id checked with the agency's recruiter list and stored in one spelling, relinking
that changes nothing recording nothing, one remote id per user, every refusal leaving
the links as they were, and no reach into another tenant's users or integrations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from demo.sandbox.bpoc import (
    ADMIN_ID,
    INACTIVE_RECRUITER_ID,
    MAIN_API_KEY,
    MANAGER_ID,
    OTHER_AGENCY_RECRUITER_ID,
    UNKNOWN_RECRUITER_ID,
    BpocFake,
)
from gateway.errors import NotFound, RecruiterRejected, ValidationFailed
from gateway.services.recruiter_links import Linked, link_recruiter, unlink_recruiter
from gateway.store.enums import IntegrationStatus
from gateway.store.models import Activity, Integration, RecruiterLink
from tests.gateway.services.service_world import (
    World,
    add_integration,
    bpoc_agency,
)
from tests.support.gateway import Gateway


@dataclass
class Links:
    world: World
    fake: BpocFake
    integration_id: int

    @property
    def free_user(self) -> int:
        """A demo user the fixture left unlinked."""
        return self.world.gateway.tenants["demo"].readonly_user_id

    async def link(
        self, remote_id: str, user_id: int | None = None, tenant: str = "demo", **kw: int
    ) -> Linked:
        return await link_recruiter(
            self.world.write_deps,
            self.world.actor(tenant),
            user_id=user_id or self.free_user,
            integration_id=kw.get("integration_id", self.integration_id),
            remote_id=remote_id,
        )

    async def unlink(self, user_id: int, tenant: str = "demo") -> Linked:
        async with self.world.session_factory.begin() as session:
            return await unlink_recruiter(
                session,
                self.world.actor(tenant),
                user_id=user_id,
                integration_id=self.integration_id,
            )

    async def links(self) -> dict[int, str]:
        rows = await self.world.rows(
            sa.select(RecruiterLink.user_id, RecruiterLink.remote_id).where(
                RecruiterLink.integration_id == self.integration_id
            )
        )
        return {int(row.user_id): str(row.remote_id) for row in rows}

    async def recorded(self, action: str, user_id: int) -> list[Activity]:
        async with self.world.session_factory() as session:
            return list(
                await session.scalars(
                    sa.select(Activity)
                    .where(
                        Activity.action == action,
                        Activity.subject_type == "Recruiter",
                        Activity.subject_id == user_id,
                    )
                    .order_by(Activity.id)
                )
            )

    async def clear(self) -> None:
        async with self.world.session_factory.begin() as session:
            await session.execute(
                sa.delete(RecruiterLink).where(
                    RecruiterLink.integration_id == self.integration_id,
                    RecruiterLink.user_id == self.free_user,
                )
            )


@pytest.fixture(scope="module")
async def links(gateway: Gateway) -> AsyncIterator[Links]:
    async with bpoc_agency(gateway, jobs=2, candidates=2, applications=2) as agency:
        yield Links(agency.world, agency.fake, agency.integration_id)


async def test_a_listed_recruiter_is_linked_in_one_spelling_with_its_email(links: Links) -> None:
    await links.clear()

    linked = await links.link(MANAGER_ID.upper())

    assert linked.previous_remote_id is None
    assert linked.link.remote_id == MANAGER_ID.lower()
    assert linked.link.remote_email == links.fake.recruiters[MANAGER_ID]["email"]
    assert (await links.links())[links.free_user] == MANAGER_ID.lower()
    [activity] = await links.recorded("recruiter.linked", links.free_user)
    assert activity.tenant_id == links.world.tenant_id()
    assert activity.details is not None and activity.details["remoteId"] == MANAGER_ID.lower()

    again = await links.link(MANAGER_ID)
    assert again.previous_remote_id == MANAGER_ID.lower()
    assert len(await links.recorded("recruiter.linked", links.free_user)) == 1, (
        "linking to the same id again records nothing"
    )


@pytest.mark.parametrize(
    ("remote_id", "reason"),
    [
        (UNKNOWN_RECRUITER_ID, "not_in_agency"),
        (OTHER_AGENCY_RECRUITER_ID, "not_in_agency"),
        (INACTIVE_RECRUITER_ID, "unknown_recruiter"),
        ("not-a-uuid", "unknown_recruiter"),
    ],
)
async def test_an_id_the_source_would_refuse_is_rejected_and_nothing_changes(
    links: Links, remote_id: str, reason: str
) -> None:
    await links.clear()
    before = await links.links()

    with pytest.raises(RecruiterRejected) as rejected:
        await links.link(remote_id)

    assert rejected.value.reason == reason
    assert await links.links() == before


async def test_a_remote_id_belongs_to_one_user_and_a_second_link_replaces_the_first(
    links: Links,
) -> None:
    await links.clear()
    admin = links.world.gateway.tenants["demo"].admin_user_id

    with pytest.raises(ValidationFailed) as taken:
        await links.link(ADMIN_ID)
    assert taken.value.field == "remoteId"
    assert (await links.links())[admin] == ADMIN_ID
    assert links.free_user not in await links.links()

    await links.link(MANAGER_ID)
    await links.unlink(admin)
    try:
        moved = await links.link(ADMIN_ID)
    finally:
        await links.clear()
        await links.link(ADMIN_ID, user_id=admin)
    assert moved.previous_remote_id == MANAGER_ID
    assert moved.link.remote_id == ADMIN_ID
    [*_, last] = await links.recorded("recruiter.linked", links.free_user)
    assert last.details is not None and last.details["previousRemoteId"] == MANAGER_ID


async def test_another_tenants_user_or_integration_is_not_found(links: Links) -> None:
    await links.clear()
    their_user = links.world.gateway.tenants["other"].admin_user_id
    their_integration = await add_integration(
        links.world, "bpoc", credentials={"apiKey": MAIN_API_KEY}, config={}, tenant="other"
    )
    before = await links.links()

    with pytest.raises(NotFound):
        await links.link(MANAGER_ID, user_id=their_user)
    with pytest.raises(NotFound):
        await links.link(MANAGER_ID, integration_id=their_integration)
    with pytest.raises(NotFound):
        await links.link(MANAGER_ID, tenant="other", user_id=their_user)
    with pytest.raises(NotFound):
        await links.unlink(links.world.gateway.tenants["demo"].admin_user_id, tenant="other")

    assert await links.links() == before
    assert (
        await links.world.count(RecruiterLink, RecruiterLink.integration_id == their_integration)
        == 0
    )


async def test_a_disabled_integration_takes_no_link(links: Links) -> None:
    await links.clear()
    async with links.world.session_factory.begin() as session:
        integration = await session.get(Integration, links.integration_id)
        assert integration is not None
        integration.status = IntegrationStatus.INACTIVE
    try:
        with pytest.raises(ValidationFailed) as refused:
            await links.link(MANAGER_ID)
    finally:
        async with links.world.session_factory.begin() as session:
            integration = await session.get(Integration, links.integration_id)
            assert integration is not None
            integration.status = IntegrationStatus.ACTIVE
    assert refused.value.field == "integrationId"
    assert links.free_user not in await links.links()


async def test_unlinking_removes_the_link_once_and_records_it(links: Links) -> None:
    await links.clear()
    await links.link(MANAGER_ID)

    unlinked = await links.unlink(links.free_user)

    assert unlinked.previous_remote_id == MANAGER_ID
    assert links.free_user not in await links.links()
    [activity] = (await links.recorded("recruiter.unlinked", links.free_user))[-1:]
    assert activity.details is not None and activity.details["remoteId"] == MANAGER_ID
    with pytest.raises(NotFound):
        await links.unlink(links.free_user)
