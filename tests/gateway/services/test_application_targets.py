"""The application a write sees (``load_application``), the refusal of a closed one,
the stage row a move creates once, and the move itself, called directly on the seeded
store (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gateway.errors import NotFound, ValidationFailed
from gateway.services.application_targets import (
    Target,
    load_application,
    record_move,
    require_open,
    stage_row,
)
from gateway.store.base import utcnow
from gateway.store.enums import ApplicationStatus, StageKind, unlisted_position
from gateway.store.models import (
    Application,
    Integration,
    PipelineStage,
    StageTransition,
)
from tests.gateway.services.service_world import World, listening
from tests.support.gateway import Gateway


@pytest.fixture(scope="module")
async def world(gateway: Gateway) -> AsyncIterator[World]:
    async with listening(gateway) as world:
        yield world


async def synced_applications(
    world: World, tenant: str = "demo", status: ApplicationStatus = ApplicationStatus.ACTIVE
) -> list[int]:
    rows = await world.rows(
        sa.select(Application.id)
        .where(
            Application.tenant_id == world.tenant_id(tenant),
            Application.integration_id.is_not(None),
            Application.remote_id.is_not(None),
            Application.remote_deleted_at.is_(None),
            Application.current_stage_id.is_not(None),
            Application.status == status,
        )
        .order_by(Application.id)
    )
    return [int(row.id) for row in rows]


async def test_an_application_of_the_callers_tenant_is_seen_with_its_stage_and_source(
    world: World,
) -> None:
    pk = (await synced_applications(world))[0]
    row: Application = await world.get(Application, pk)
    stage: PipelineStage = await world.get(PipelineStage, row.current_stage_id or 0)
    integration: Integration = await world.get(Integration, row.integration_id or 0)

    target = await load_application(world.write_deps, world.principal("demo"), pk)

    assert target == Target(
        pk,
        world.tenant_id("demo"),
        integration.id,
        row.remote_id or "",
        row.job_id,
        row.candidate_id,
        stage.id,
        stage.name,
        row.status,
        integration.name,
        str(integration.provider),
    )


async def test_another_tenants_application_is_not_found_like_a_missing_one(world: World) -> None:
    theirs = (await synced_applications(world, "other"))[0]
    missing = int(await world.scalar(sa.select(sa.func.max(Application.id)))) + 1000

    for pk in (theirs, missing):
        with pytest.raises(NotFound):
            await load_application(world.write_deps, world.principal("demo"), pk)

    assert (await load_application(world.write_deps, world.principal("other"), theirs)).id == theirs


async def test_an_application_deleted_at_its_source_or_never_synced_is_refused(
    world: World,
) -> None:
    deleted, local = (await synced_applications(world))[-2:]
    async with world.session_factory.begin() as session:
        await session.execute(
            sa.update(Application)
            .where(Application.id == deleted)
            .values(remote_deleted_at=utcnow())
        )
        await session.execute(
            sa.update(Application)
            .where(Application.id == local)
            .values(integration_id=None, remote_id=None)
        )

    for pk, why in ((deleted, "deleted in its source"), (local, "not synced")):
        with pytest.raises(ValidationFailed, match=why) as refused:
            await load_application(world.write_deps, world.principal("demo"), pk)
        assert refused.value.field == "applicationId"


@pytest.mark.parametrize("status", list(ApplicationStatus))
def test_only_a_rejected_or_withdrawn_application_is_closed_to_writes(
    status: ApplicationStatus,
) -> None:
    target = Target(1, 1, 1, "r-1", 1, 1, None, None, status)
    if status in (ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN):
        with pytest.raises(ValidationFailed, match=f"the application is {status}"):
            require_open(target, "applicationId")
    else:
        require_open(target)


async def test_a_new_stage_is_created_once_where_the_sync_would_place_it(world: World) -> None:
    pk = (await synced_applications(world))[0]
    target = await load_application(world.write_deps, world.principal("demo"), pk)

    async with world.session_factory.begin() as session:
        first = await stage_row(
            session, target.tenant_id, target.integration_id, "Final Client Interview"
        )
    async with world.session_factory.begin() as session:
        again = await stage_row(
            session, target.tenant_id, target.integration_id, "Final Client Interview"
        )

    assert again.id == first.id
    assert (first.kind, first.position) == (
        StageKind.INTERVIEW,
        unlisted_position(StageKind.INTERVIEW),
    )
    assert (first.tenant_id, first.remote_id) == (target.tenant_id, "Final Client Interview")
    assert (
        await world.count(
            PipelineStage,
            PipelineStage.integration_id == target.integration_id,
            PipelineStage.remote_id == "Final Client Interview",
        )
        == 1
    )


async def test_a_move_to_a_hired_stage_closes_the_open_transition_and_hires(
    world: World,
) -> None:
    pk = (await synced_applications(world))[1]
    target = await load_application(world.write_deps, world.principal("demo"), pk)
    actor = world.actor("demo")
    when = utcnow().replace(microsecond=0) + timedelta(seconds=1)
    async with world.session_factory.begin() as session:
        session.add(
            StageTransition(
                tenant_id=target.tenant_id,
                application_id=pk,
                integration_id=target.integration_id,
                to_stage_id=target.stage_id,
                to_stage_name=target.stage_name or "",
                entered_at=when - timedelta(days=3),
            )
        )

    async with world.session_factory.begin() as session:
        hired = await stage_row(session, target.tenant_id, target.integration_id, "Hired")
        event = await record_move(session, target, actor, hired, when=when)

    row: Application = await world.get(Application, pk)
    assert (row.status, row.current_stage_id) == (ApplicationStatus.HIRED, hired.id)
    assert row.hired_at is not None and row.stage_entered_at is not None
    transitions = await world.rows(
        sa.select(StageTransition.to_stage_name, StageTransition.left_at)
        .where(StageTransition.application_id == pk)
        .order_by(StageTransition.entered_at.desc(), StageTransition.id.desc())
    )
    assert transitions[0].to_stage_name == "Hired" and transitions[0].left_at is None
    assert all(t.left_at is not None for t in transitions[1:])
    assert event.tenant_id == target.tenant_id
    assert (event.data["stage"], event.data["previousStage"], event.data["status"]) == (
        "Hired",
        target.stage_name,
        "hired",
    )


async def test_an_explicit_status_wins_over_the_stage_kind(world: World) -> None:
    pk = (await synced_applications(world))[2]
    target = await load_application(world.write_deps, world.principal("demo"), pk)
    async with world.session_factory.begin() as session:
        stage = await stage_row(session, target.tenant_id, target.integration_id, "Rejected")
        event = await record_move(
            session,
            target,
            world.actor("demo"),
            stage,
            when=utcnow(),
            status=ApplicationStatus.WITHDRAWN,
        )

    row: Application = await world.get(Application, pk)
    assert row.status is ApplicationStatus.WITHDRAWN and row.hired_at is None
    assert event.data["status"] == "withdrawn"
