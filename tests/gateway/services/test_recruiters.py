"""Recruiters (the tenant's users) created, changed, deleted and signed out directly:
one spelling and one user per email in a tenant, no changing one's own role or deleting
oneself, every change recorded, a change that matters to sign-in announced as
``user.changed`` once it commits (and never when it does not), and no reach into
another tenant's users."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.errors import NotFound, ValidationFailed
from gateway.events import UserChanged, read
from gateway.services.recruiters import (
    create_recruiter,
    delete_recruiter,
    revoke_tokens,
    update_recruiter,
)
from gateway.store.enums import Role
from gateway.store.models import Activity, User
from tests.gateway.services.service_world import World, listening
from tests.support.gateway import Gateway


@pytest.fixture(scope="module")
async def world(gateway: Gateway) -> AsyncIterator[World]:
    async with listening(gateway) as world:
        yield world


def fresh_email(domain: str = "demo.example") -> str:
    return f"new-{uuid.uuid4().hex[:10]}@{domain}"


async def create(world: World, tenant: str = "demo", **fields: Any) -> User:
    async with world.session_factory.begin() as session:
        return await create_recruiter(
            session, world.actor(tenant), {"email": fresh_email(), "name": "Ana Cruz", **fields}
        )


async def update(world: World, user_id: int, tenant: str = "demo", **changes: Any) -> User:
    async with world.session_factory.begin() as session:
        return await update_recruiter(session, world.actor(tenant), user_id, changes)


async def recorded(world: World, action: str, user_id: int) -> list[Activity]:
    async with world.session_factory() as session:
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


async def changed(world: World, since: int, user: User) -> list[int]:
    """The tenant of each ``user.changed`` about ``user`` the bus carried since ``since``."""
    announced = []
    for event in await world.published(since, "user.changed"):
        payload = read(event, UserChanged)
        assert payload is not None, event
        if payload.user_id == user.id:
            announced.append(event.tenant_id)
    return announced


async def test_a_recruiter_is_created_in_one_spelling_and_recorded(world: World) -> None:
    address = fresh_email()

    user = await create(world, email=f"  {address.upper()} ", name="  Ana Cruz ", phone=" ")

    stored = await world.get(User, user.id)
    assert (stored.tenant_id, stored.email, stored.name) == (world.tenant_id(), address, "Ana Cruz")
    assert stored.role is Role.RECRUITER and stored.is_active
    assert stored.phone is None
    [activity] = await recorded(world, "recruiter.created", user.id)
    assert activity.tenant_id == world.tenant_id()
    assert address in activity.description


async def test_an_email_belongs_to_one_user_of_a_tenant(world: World) -> None:
    first = await create(world)
    second = await create(world)
    users = await world.count(User, User.tenant_id == world.tenant_id())

    with pytest.raises(ValidationFailed) as taken:
        await create(world, email=first.email.upper())
    assert taken.value.field == "email"
    with pytest.raises(ValidationFailed) as taken_on_update:
        await update(world, second.id, email=first.email)
    assert taken_on_update.value.field == "email"
    for bad in ({"email": "not-an-email"}, {"name": "   "}):
        with pytest.raises(ValidationFailed) as invalid:
            await create(world, **bad)
        assert invalid.value.field == next(iter(bad))

    assert await world.count(User, User.tenant_id == world.tenant_id()) == users
    assert (await world.get(User, second.id)).email == second.email
    elsewhere = await create(world, tenant="other", email=first.email)
    assert elsewhere.tenant_id == world.tenant_id("other"), "another tenant may use it"


async def test_an_update_changes_the_fields_given_and_records_which(world: World) -> None:
    user = await create(world, phone="+63 917 555 0100", title="Recruiter")
    address = fresh_email()

    await update(world, user.id, email=address.upper(), title="  Lead  ", phone=None)

    stored = await world.get(User, user.id)
    assert (stored.email, stored.title, stored.phone, stored.name) == (
        address,
        "Lead",
        None,
        "Ana Cruz",
    )
    [activity] = await recorded(world, "recruiter.updated", user.id)
    assert activity.details == {"fields": ["email", "phone", "title"]}


async def test_nobody_changes_their_own_role_or_deletes_themselves(world: World) -> None:
    admin_id = world.gateway.tenants["demo"].admin_user_id

    with pytest.raises(ValidationFailed) as own_role:
        await update(world, admin_id, role=Role.RECRUITER)
    assert own_role.value.field == "role"
    with pytest.raises(ValidationFailed) as own_deletion:
        async with world.session_factory.begin() as session:
            await delete_recruiter(session, world.actor(), admin_id)
    assert own_deletion.value.field == "id"

    admin = await world.get(User, admin_id)
    assert admin.role is Role.ADMIN and admin.is_active
    await update(world, admin_id, role=Role.ADMIN, title=admin.title)


async def test_another_tenants_user_is_not_found_and_left_alone(world: World) -> None:
    theirs = await create(world, tenant="other")
    actor = world.actor()

    with pytest.raises(NotFound):
        await update(world, theirs.id, name="Taken Over", role=Role.READONLY)
    for call in (delete_recruiter, revoke_tokens):
        with pytest.raises(NotFound):
            async with world.session_factory.begin() as session:
                await call(session, actor, theirs.id)

    stored = await world.get(User, theirs.id)
    assert (stored.name, stored.role, stored.token_version) == (
        theirs.name,
        Role.RECRUITER,
        theirs.token_version,
    )
    assert await world.activities("recruiter.updated", tenant="other") == 0


async def test_a_change_that_matters_to_sign_in_is_announced_once_committed(
    world: World,
) -> None:
    user = await create(world)
    since = len(world.events)

    await update(world, user.id, name="Ana Reyes", title="Lead")
    assert await changed(world, since, user) == [], "a new name does not change who may sign in"

    with pytest.raises(ValidationFailed):
        await update(world, user.id, role=Role.READONLY, name="  ")
    assert await changed(world, since, user) == [], "a refused change announces nothing"

    async with world.session_factory.begin() as session:
        await update_recruiter(session, world.actor(), user.id, {"role": Role.READONLY})
        assert await changed(world, since, user) == [], "not before it commits"
    assert await changed(world, since, user) == [world.tenant_id()]

    await update(world, user.id, is_active=False)
    assert (await world.get(User, user.id)).is_active is False
    assert await changed(world, since, user) == [world.tenant_id()] * 2


async def test_revoking_tokens_raises_the_version_and_is_announced(world: World) -> None:
    user = await create(world)
    since = len(world.events)

    async with world.session_factory.begin() as session:
        revoked = await revoke_tokens(session, world.actor(), user.id)

    assert revoked.token_version == user.token_version + 1
    assert (await world.get(User, user.id)).token_version == user.token_version + 1
    [activity] = await recorded(world, "recruiter.tokens_revoked", user.id)
    assert activity.details == {"token_version": user.token_version + 1}
    assert await changed(world, since, user) == [world.tenant_id()]


async def test_a_deleted_recruiter_is_gone_recorded_and_announced(world: World) -> None:
    user = await create(world)
    since = len(world.events)

    async with world.session_factory.begin() as session:
        await delete_recruiter(session, world.actor(), user.id)

    assert await world.count(User, User.id == user.id) == 0
    [activity] = await recorded(world, "recruiter.deleted", user.id)
    assert activity.tenant_id == world.tenant_id() and user.email in activity.description
    assert await changed(world, since, user) == [world.tenant_id()]
    with pytest.raises(NotFound):
        async with world.session_factory.begin() as session:
            await delete_recruiter(session, world.actor(), user.id)
