"""Tenant settings written directly through the service: only the fields given change,
the lookback bounds always hold (min <= default <= max), each knob keeps to its range
with the API's field name on refusal, and a tenant can neither name another tenant's
user as its default recruiter nor touch another tenant's settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.errors import NotFound, ValidationFailed
from gateway.services.settings import update_settings
from gateway.store.models import Activity, TenantSettings
from tests.gateway.services.service_world import World, listening
from tests.support.gateway import Gateway


@pytest.fixture
async def world(gateway: Gateway) -> AsyncIterator[World]:
    async with listening(gateway) as world:
        yield world


async def update(world: World, changes: dict[str, Any], tenant: str = "demo") -> TenantSettings:
    async with world.session_factory.begin() as session:
        return await update_settings(session, world.actor(tenant), changes)


async def stored(world: World, tenant: str = "demo") -> TenantSettings | None:
    async with world.session_factory() as session:
        return await session.get(TenantSettings, world.tenant_id(tenant))


async def reset(world: World, tenant: str = "demo") -> None:
    await update(
        world,
        {
            "lookback_hours_min": 1,
            "lookback_hours_default": 24,
            "lookback_hours_max": 168,
            "stale_stage_days": 14,
        },
        tenant,
    )


async def test_only_the_given_fields_change_and_the_update_is_recorded(world: World) -> None:
    await reset(world)
    await update(world, {"stale_stage_days": 30, "email_from_name": "Talent team"})
    before = await world.activities("settings.updated")

    row = await update(world, {"interview_token_expiry_days": 10, "rank_custom_field": " Rank "})

    assert (row.interview_token_expiry_days, row.rank_custom_field) == (10, "Rank")
    kept = await stored(world)
    assert kept is not None
    assert (kept.stale_stage_days, kept.email_from_name) == (30, "Talent team")
    assert (kept.interview_token_expiry_days, kept.rank_custom_field) == (10, "Rank")
    assert await world.activities("settings.updated") == before + 1
    details = await world.scalar(
        sa.select(Activity.details)
        .where(Activity.tenant_id == world.tenant_id(), Activity.action == "settings.updated")
        .order_by(Activity.id.desc())
        .limit(1)
    )
    assert details == {"fields": ["interview_token_expiry_days", "rank_custom_field"]}


async def test_the_first_update_creates_the_tenants_row(world: World) -> None:
    async with world.session_factory.begin() as session:
        await session.execute(
            sa.delete(TenantSettings).where(TenantSettings.tenant_id == world.tenant_id())
        )

    await update(world, {"stale_stage_days": 21})

    row = await stored(world)
    assert row is not None and row.stale_stage_days == 21
    assert (row.lookback_hours_min, row.lookback_hours_default, row.lookback_hours_max) == (
        1,
        24,
        168,
    ), "the rest at their defaults"


@pytest.mark.parametrize(
    "changes",
    [
        {"lookback_hours_default": 200},
        {"lookback_hours_min": 48},
        {"lookback_hours_max": 12},
        {"lookback_hours_min": 10, "lookback_hours_default": 5, "lookback_hours_max": 20},
    ],
)
async def test_lookback_bounds_that_cross_are_refused_and_nothing_is_kept(
    world: World, changes: dict[str, int]
) -> None:
    await reset(world)
    before = await world.activities("settings.updated")

    with pytest.raises(ValidationFailed) as refused:
        await update(world, {**changes, "stale_stage_days": 99})

    assert refused.value.field == "lookbackHoursDefault"
    row = await stored(world)
    assert row is not None
    assert (row.lookback_hours_min, row.lookback_hours_default, row.lookback_hours_max) == (
        1,
        24,
        168,
    )
    assert row.stale_stage_days == 14
    assert await world.activities("settings.updated") == before


async def test_bounds_moved_together_are_judged_together(world: World) -> None:
    await reset(world)

    row = await update(
        world, {"lookback_hours_min": 200, "lookback_hours_default": 300, "lookback_hours_max": 400}
    )

    assert (row.lookback_hours_min, row.lookback_hours_default, row.lookback_hours_max) == (
        200,
        300,
        400,
    )
    await reset(world)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lookback_hours_min": 0}, "lookbackHoursMin"),
        ({"lookback_hours_max": 24 * 365 + 1}, "lookbackHoursMax"),
        ({"lookback_hours_default": None}, "lookbackHoursDefault"),
        ({"interview_token_expiry_days": 91}, "interviewTokenExpiryDays"),
        ({"interview_token_expiry_days": 0}, "interviewTokenExpiryDays"),
        ({"stale_stage_days": 366}, "staleStageDays"),
        ({"email_from_address": "not-an-address"}, "emailFromAddress"),
        ({"email_from_name": "x" * 256}, "emailFromName"),
        ({"rank_custom_field": "x" * 256}, "rankCustomField"),
    ],
)
async def test_a_value_out_of_range_is_refused_by_its_api_name(
    world: World, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await update(world, changes)
    assert refused.value.field == field


async def test_the_sender_address_is_normalised_and_cleared_when_empty(world: World) -> None:
    row = await update(world, {"email_from_address": "Talent@Example.COM"})
    assert row.email_from_address == "talent@example.com"

    row = await update(world, {"email_from_address": "", "email_from_name": "   "})
    assert row.email_from_address is None and row.email_from_name is None


async def test_the_default_recruiter_must_be_one_of_the_tenants_users(world: World) -> None:
    ours = world.gateway.tenants["demo"].recruiter_user_ids[0]
    theirs = world.gateway.tenants["other"].recruiter_user_ids[0]
    await update(world, {"default_recruiter_id": ours})

    with pytest.raises(NotFound):
        await update(world, {"default_recruiter_id": theirs})
    row = await stored(world)
    assert row is not None and row.default_recruiter_id == ours

    cleared = await update(world, {"default_recruiter_id": None})
    assert cleared.default_recruiter_id is None


async def test_one_tenants_update_never_touches_anothers_settings(world: World) -> None:
    await update(world, {"stale_stage_days": 40, "email_from_name": "Theirs"}, tenant="other")
    their_activities = await world.activities("settings.updated", tenant="other")

    await update(world, {"stale_stage_days": 7, "email_from_name": "Ours"})

    theirs = await stored(world, "other")
    assert theirs is not None and (theirs.stale_stage_days, theirs.email_from_name) == (
        40,
        "Theirs",
    )
    assert await world.activities("settings.updated", tenant="other") == their_activities
