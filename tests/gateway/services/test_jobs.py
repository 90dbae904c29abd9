"""The fields of a requisition the gateway owns, changed directly in the caller's
transaction: only those fields, only in the caller's tenant, checked, and recorded in
the timeline with what they were before."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.errors import NotFound, ValidationFailed
from gateway.services.jobs import update_job_local_fields
from gateway.store.models import Activity, Job
from tests.gateway.services.service_world import World, listening
from tests.support.gateway import Gateway


@pytest.fixture(scope="module")
async def world(gateway: Gateway) -> AsyncIterator[World]:
    async with listening(gateway) as world:
        yield world


async def job_of(world: World, tenant: str, index: int = 0) -> Job:
    pk = await world.scalar(
        sa.select(Job.id)
        .where(Job.tenant_id == world.tenant_id(tenant))
        .order_by(Job.id)
        .offset(index)
        .limit(1)
    )
    found: Job = await world.get(Job, pk)
    return found


async def update(world: World, job_id: int, changes: dict[str, Any], tenant: str = "demo") -> Job:
    async with world.session_factory.begin() as session:
        return await update_job_local_fields(session, world.actor(tenant), job_id, changes)


async def test_local_fields_change_and_the_timeline_keeps_what_they_were(world: World) -> None:
    job = await job_of(world, "demo")
    recruiter = world.gateway.tenants["demo"].recruiter_user_ids[1]
    title, remote_status = job.title, job.remote_status

    await update(
        world,
        job.id,
        {
            "recruiter_id": recruiter,
            "interview_instructions": "  Ask about night shifts.  ",
            "min_check_interval": 60,
            "is_active": False,
        },
    )

    after: Job = await world.get(Job, job.id)
    assert (after.recruiter_id, after.min_check_interval, after.is_active) == (recruiter, 60, False)
    assert after.interview_instructions == "Ask about night shifts."
    assert (after.title, after.remote_status) == (title, remote_status)
    [activity] = await world.rows(
        sa.select(Activity.details, Activity.tenant_id, Activity.actor_id)
        .where(Activity.action == "job.updated", Activity.subject_id == job.id)
        .order_by(Activity.id.desc())
        .limit(1)
    )
    assert activity.tenant_id == world.tenant_id("demo")
    assert activity.details["fields"] == [
        "interview_instructions",
        "is_active",
        "min_check_interval",
        "recruiter_id",
    ]
    assert activity.details["before"]["min_check_interval"] == job.min_check_interval
    assert activity.details["before"]["is_active"] is job.is_active


async def test_a_field_the_source_owns_is_refused_and_nothing_changes(world: World) -> None:
    job = await job_of(world, "demo", 1)
    activities = await world.activities("job.updated")

    with pytest.raises(ValueError, match="not a local job field"):
        await update(world, job.id, {"title": "Renamed", "is_active": False})

    after: Job = await world.get(Job, job.id)
    assert (after.title, after.is_active) == (job.title, job.is_active)
    assert await world.activities("job.updated") == activities


async def test_another_tenants_job_or_recruiter_is_not_found(world: World) -> None:
    theirs = await job_of(world, "other")
    mine = await job_of(world, "demo", 2)
    their_recruiter = world.gateway.tenants["other"].recruiter_user_ids[0]

    with pytest.raises(NotFound) as job_refused:
        await update(world, theirs.id, {"is_active": False})
    with pytest.raises(NotFound) as recruiter_refused:
        await update(world, mine.id, {"recruiter_id": their_recruiter})

    assert (job_refused.value.entity, recruiter_refused.value.entity) == ("Job", "Recruiter")
    assert (await world.get(Job, theirs.id)).is_active is theirs.is_active
    assert (await world.get(Job, mine.id)).recruiter_id == mine.recruiter_id


async def test_values_out_of_range_are_refused(world: World) -> None:
    job = await job_of(world, "demo", 3)

    for changes in (
        {"min_check_interval": 0},
        {"min_check_interval": 7 * 24 * 60 + 1},
        {"interview_instructions": "x" * 20_001},
    ):
        with pytest.raises(ValidationFailed):
            await update(world, job.id, dict(changes))

    after: Job = await world.get(Job, job.id)
    assert after.min_check_interval == job.min_check_interval
    assert after.interview_instructions == job.interview_instructions


async def test_none_leaves_a_flag_alone_but_clears_the_recruiter(world: World) -> None:
    job = await job_of(world, "demo", 4)
    await update(world, job.id, {"recruiter_id": world.gateway.tenants["demo"].admin_user_id})

    await update(world, job.id, {"is_active": None, "auto_send_interview": None})
    await update(world, job.id, {"recruiter_id": None})
    with pytest.raises(ValidationFailed, match="cannot be null"):
        await update(world, job.id, {"min_check_interval": None})

    after: Job = await world.get(Job, job.id)
    assert (after.is_active, after.auto_send_interview, after.min_check_interval) == (
        job.is_active,
        job.auto_send_interview,
        job.min_check_interval,
    )
    assert after.recruiter_id is None
