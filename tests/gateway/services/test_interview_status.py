"""Moves of a self-service interview, in the caller's transaction: the status and its
timestamps change, one activity records the move with the actor, and the events to
stage come back (nothing is published by the move itself, nothing stays if the caller
rolls back). An open interview past its link's expiry becomes expired; one not due, or
already closed, does not move. Another tenant's interview, or a scheduled round, is
not the caller's to move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gateway.errors import NotFound, ValidationFailed
from gateway.services.interview_status import (
    candidate_actor,
    expire_if_due,
    system_actor,
    tenant_interview,
    transition,
)
from gateway.store.base import utcnow
from gateway.store.enums import ActorType, InterviewKind, InterviewStatus
from gateway.store.models import Activity, Application, Interview
from tests.gateway.services.interview_setup import interview_deps, new_interview
from tests.gateway.services.interview_subjects import change
from tests.gateway.services.service_world import World, listening
from tests.support.gateway import Gateway


@pytest.fixture(scope="module")
async def world(gateway: Gateway) -> AsyncIterator[World]:
    async with listening(gateway) as world:
        yield world


async def scheduled(world: World, tenant: str = "demo") -> Interview:
    issued = await new_interview(world, interview_deps(world), tenant)
    interview: Interview = await world.get(Interview, issued.interview_id)
    return interview


async def moves_of(world: World, interview_id: int) -> list[Activity]:
    return [
        row.Activity
        for row in await world.rows(
            sa.select(Activity)
            .where(Activity.subject_type == "Interview", Activity.subject_id == interview_id)
            .where(Activity.action != "interview.created")
            .order_by(Activity.id)
        )
    ]


async def test_starting_records_the_move_and_returns_its_event_unpublished(world: World) -> None:
    interview = await scheduled(world)
    application = await world.get(Application, interview.application_id)
    now = utcnow()
    seen = len(world.events)

    async with world.session_factory.begin() as session:
        row = await tenant_interview(session, interview.tenant_id, interview.id)
        events = await transition(
            session,
            row,
            InterviewStatus.IN_PROGRESS,
            candidate_actor(interview.tenant_id, "Ana Lima"),
            now=now,
            description="Ana Lima started the interview",
        )

    [event] = events
    assert (event.type, event.tenant_id) == ("interview.status_changed", interview.tenant_id)
    assert event.data == {
        "interviewId": interview.id,
        "status": "in_progress",
        "previousStatus": "scheduled",
    }
    assert await world.published(seen) == []
    stored = await world.get(Interview, interview.id)
    assert stored.status is InterviewStatus.IN_PROGRESS
    assert stored.started_at == now
    [move] = await moves_of(world, interview.id)
    assert move.action == "interview.in_progress"
    assert (move.actor_type, move.actor_id, move.actor_name) == (
        ActorType.SYSTEM,
        "candidate",
        "Ana Lima (candidate)",
    )
    assert (move.job_id, move.candidate_id, move.application_id) == (
        application.job_id,
        application.candidate_id,
        application.id,
    )
    assert move.details == {"previousStatus": "scheduled", "status": "in_progress"}


@pytest.mark.parametrize(
    ("status", "ended"),
    [
        (InterviewStatus.COMPLETED, "interview.completed"),
        (InterviewStatus.CANCELLED, "interview.cancelled"),
    ],
)
async def test_ending_adds_the_outbound_event_with_the_application(
    world: World, status: InterviewStatus, ended: str
) -> None:
    interview = await scheduled(world)
    await change(world, Interview, interview.id, status=InterviewStatus.IN_PROGRESS)
    application = await world.get(Application, interview.application_id)
    now = utcnow()

    async with world.session_factory.begin() as session:
        row = await tenant_interview(session, interview.tenant_id, interview.id)
        events = await transition(
            session, row, status, system_actor(interview.tenant_id), now=now, description="Ended"
        )

    assert [e.type for e in events] == ["interview.status_changed", ended]
    assert events[1].data == {
        "id": interview.id,
        "applicationId": application.id,
        "jobId": application.job_id,
        "candidateId": application.candidate_id,
        "kind": "self_service",
        "status": status.value,
        "previousStatus": "in_progress",
    }
    stored = await world.get(Interview, interview.id)
    assert stored.status is status
    assert (stored.completed_at is not None) is (status is InterviewStatus.COMPLETED)


async def test_a_rolled_back_move_leaves_nothing(world: World) -> None:
    interview = await scheduled(world)

    with pytest.raises(RuntimeError, match="caller failed"):
        async with world.session_factory.begin() as session:
            row = await tenant_interview(session, interview.tenant_id, interview.id)
            await transition(
                session,
                row,
                InterviewStatus.CANCELLED,
                system_actor(interview.tenant_id),
                now=utcnow(),
                description="Cancelled",
            )
            raise RuntimeError("caller failed")

    assert (await world.get(Interview, interview.id)).status is InterviewStatus.SCHEDULED
    assert await moves_of(world, interview.id) == []


@pytest.mark.parametrize("status", [InterviewStatus.SCHEDULED, InterviewStatus.IN_PROGRESS])
async def test_an_open_interview_past_its_expiry_expires(
    world: World, status: InterviewStatus
) -> None:
    interview = await scheduled(world)
    expired_at = utcnow() - timedelta(minutes=1)
    await change(world, Interview, interview.id, status=status, token_expires_at=expired_at)

    async with world.session_factory.begin() as session:
        row = await tenant_interview(session, interview.tenant_id, interview.id)
        events = await expire_if_due(session, row, utcnow())

    assert [(e.type, e.data["status"]) for e in events] == [("interview.status_changed", "expired")]
    assert (await world.get(Interview, interview.id)).status is InterviewStatus.EXPIRED
    [move] = await moves_of(world, interview.id)
    assert (move.action, move.actor_type, move.actor_name) == (
        "interview.expired",
        ActorType.SYSTEM,
        "Self-service interview",
    )
    assert move.details["previousStatus"] == status.value
    assert "expiresAt" in move.details


@pytest.mark.parametrize(
    ("status", "expires_in"),
    [
        (InterviewStatus.IN_PROGRESS, timedelta(hours=1)),
        (InterviewStatus.COMPLETED, -timedelta(hours=1)),
        (InterviewStatus.CANCELLED, -timedelta(hours=1)),
    ],
    ids=["open-not-due", "completed-past-expiry", "cancelled-past-expiry"],
)
async def test_an_interview_not_due_or_closed_does_not_expire(
    world: World, status: InterviewStatus, expires_in: timedelta
) -> None:
    interview = await scheduled(world)
    await change(
        world, Interview, interview.id, status=status, token_expires_at=utcnow() + expires_in
    )

    async with world.session_factory.begin() as session:
        row = await tenant_interview(session, interview.tenant_id, interview.id)
        events = await expire_if_due(session, row, utcnow())

    assert events == []
    assert (await world.get(Interview, interview.id)).status is status
    assert await moves_of(world, interview.id) == []


async def test_only_the_tenants_own_self_service_interview_is_handed_out(world: World) -> None:
    theirs = await scheduled(world, "other")
    round_ = await scheduled(world)
    await change(world, Interview, round_.id, kind=InterviewKind.SCHEDULED)
    demo = world.tenant_id("demo")

    async with world.session_factory() as session:
        with pytest.raises(NotFound):
            await tenant_interview(session, demo, theirs.id)
        with pytest.raises(ValidationFailed, match="scheduled round"):
            await tenant_interview(session, demo, round_.id)
        assert (await tenant_interview(session, theirs.tenant_id, theirs.id)).id == theirs.id
