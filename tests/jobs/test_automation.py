"""The interview automation from end to end, on SQLite and PostgreSQL: an admin turns
``autoSendInterview`` on for a demo requisition with a trigger stage, an application
reaches that stage, and one tick of the schedule (``schedule_tick`` on the in-process
queue) invites it exactly once: one interview, its invitation, the activities, the
``interview.created`` event, a ``check_requisition`` job in the queue and a line in the
operational log. Later checks do not invite it again; applications outside the
lookback, or at another stage, are left alone; one failing application fails alone and
is retried by the next check."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.services.automation import check_requisition
from gateway.services.interview_deps import InterviewConfig, InterviewDeps
from gateway.store.base import utcnow
from gateway.store.enums import ApplicationStatus, InterviewKind, JobStatus
from gateway.store.models import Activity, Application, Candidate, Interview, Job, PipelineStage
from jobs.sync_tasks import schedule_tick
from resolvers.relay import to_global_id
from tests.support.services import Backend
from tests.support.worlds import GatewayWorld, gateway_world

JOB_UPDATE = """mutation($input: JobUpdateInput!) {
  jobUpdate(input: $input) {
    __typename
    ... on JobUpdateSuccess {
      job { autoSendInterview autoSendOnStatus lookbackHours lastCheckedAt }
    }
    ... on ValidationError { field message }
  }
}"""
LOGS = """query($filter: LogFilter) {
  logs(first: 20, filter: $filter) {
    totalCount
    nodes { level source message extra job { id } application { id } }
  }
}"""
QUEUE = """query {
  backgroundJobs(filter: { jobType: "check_requisition" }) {
    items(first: 20) { nodes { status jobType lastError } }
  }
}"""


TRIGGER = "Client Interview"
PARKED = "Offer"


@dataclass
class Requisition:
    job_id: int
    stage_name: str
    stage_id: int
    application_ids: list[int]


@pytest.fixture
async def world(backend: Backend) -> AsyncIterator[GatewayWorld]:
    async with gateway_world(backend, {}) as made:
        yield made


async def _requisition(world: GatewayWorld) -> Requisition:
    """A demo requisition (active, open) with active applications, all parked at the demo
    pipeline's Offer stage, their dates pushed two days back (outside a one-hour
    lookback); the demo's own automation settings cleared on every requisition."""
    rows = await world.rows(
        sa.select(Job.id, Job.integration_id, sa.func.count(Application.id))
        .join(Application, Application.job_id == Job.id)
        .where(
            Job.tenant_id == world.tenant_id,
            Job.integration_id.is_not(None),
            Application.status == ApplicationStatus.ACTIVE,
        )
        .group_by(Job.id, Job.integration_id)
        .having(sa.func.count(Application.id) >= 2)
        .order_by(Job.id)
    )
    job_id, integration_id, _ = rows[0]
    old = utcnow() - timedelta(days=2)
    async with world.gateway.app.state.session_factory.begin() as session:
        await session.execute(
            sa.update(Job).values(
                auto_send_interview=False, auto_send_on_status=None, lookback_hours=None
            )
        )
        await session.execute(
            sa.update(Job)
            .where(Job.id == job_id)
            .values(is_active=True, status=JobStatus.OPEN, last_checked_at=None)
        )
        await session.execute(
            sa.update(Application)
            .where(Application.job_id == job_id)
            .values(stage_entered_at=old, applied_at=old, created_at=old)
        )
        await session.execute(
            sa.delete(Interview).where(
                Interview.application_id.in_(
                    sa.select(Application.id).where(Application.job_id == job_id)
                )
            )
        )
    stages = {
        name: stage_id
        for stage_id, name in await world.rows(
            sa.select(PipelineStage.id, PipelineStage.name).where(
                PipelineStage.integration_id == integration_id
            )
        )
    }
    async with world.gateway.app.state.session_factory.begin() as session:
        await session.execute(
            sa.update(Application)
            .where(Application.job_id == job_id)
            .values(current_stage_id=stages[PARKED])
        )
    ids = [
        row[0]
        for row in await world.rows(
            sa.select(Application.id)
            .where(Application.job_id == job_id, Application.status == ApplicationStatus.ACTIVE)
            .order_by(Application.id)
        )
    ]
    stage_name, stage_id = TRIGGER, stages[TRIGGER]
    return Requisition(job_id, stage_name, stage_id, ids)


async def _move(world: GatewayWorld, application_id: int, stage_id: int) -> None:
    """What a sync or webhook does when the source says the application moved."""
    async with world.gateway.app.state.session_factory.begin() as session:
        await session.execute(
            sa.update(Application)
            .where(Application.id == application_id)
            .values(current_stage_id=stage_id, stage_entered_at=utcnow())
        )


async def _tick(world: GatewayWorld) -> dict[str, int]:
    state = world.gateway.app.state
    report = await schedule_tick(state.session_factory, state.queue)
    await asyncio.wait_for(state.queue.drain(), timeout=30)
    await world.settle()
    return report


async def _turn_on(world: GatewayWorld, job_id: int, **fields: Any) -> dict[str, Any]:
    return await world.mutate(
        JOB_UPDATE,
        "jobUpdate",
        {"id": to_global_id("Job", job_id), "autoSendInterview": True, **fields},
    )


async def _interviews(world: GatewayWorld, application_id: int) -> list[Any]:
    return await world.rows(
        sa.select(Interview.id, Interview.invite_sent_at).where(
            Interview.application_id == application_id,
            Interview.kind == InterviewKind.SELF_SERVICE,
        )
    )


async def test_moving_an_application_to_the_trigger_sends_one_invitation_in_one_tick(
    world: GatewayWorld,
) -> None:
    requisition = await _requisition(world)
    moved, other = requisition.application_ids[:2]
    updated = await _turn_on(
        world, requisition.job_id, autoSendOnStatus=requisition.stage_name.upper(), lookbackHours=1
    )
    assert updated["__typename"] == "JobUpdateSuccess", updated
    assert updated["job"]["autoSendOnStatus"] == requisition.stage_name, "stored as the source"
    assert updated["job"]["lastCheckedAt"] is None, "due at the next tick"

    first = await _tick(world)
    assert first["checks_queued"] == 1
    assert await _interviews(world, moved) == [], "nothing at the trigger yet"

    await _move(world, moved, requisition.stage_id)
    await world.mutate(
        JOB_UPDATE, "jobUpdate", {"id": to_global_id("Job", requisition.job_id), "lookbackHours": 2}
    )  # a change of the automation's settings makes the requisition due again
    since = len(world.events)
    assert (await _tick(world))["checks_queued"] == 1

    [(interview_id, invite_sent_at)] = await _interviews(world, moved)
    assert invite_sent_at is not None
    assert await _interviews(world, other) == []
    created = world.published(since, "interview.created")
    assert [event.data["applicationId"] for event in created] == [moved]
    timeline = await world.rows(
        sa.select(Activity.action, Activity.actor_name).where(Activity.application_id == moved)
    )
    assert ("interview.created", "Interview automation") in timeline
    assert ("interview.invite_queued", "Interview automation") in timeline

    logs = (await world.gateway.execute(LOGS, {"filter": {"source": ["automation"]}}))["logs"]
    invited = [n for n in logs["nodes"] if n["application"] is not None]
    assert [n["application"]["id"] for n in invited] == [to_global_id("Application", moved)]
    assert invited[0]["level"] == "INFO"
    assert invited[0]["extra"]["interviewId"] == interview_id
    assert invited[0]["job"]["id"] == to_global_id("Job", requisition.job_id)
    queue = (await world.gateway.execute(QUEUE))["backgroundJobs"]["items"]["nodes"]
    assert [n["status"] for n in queue] == ["SUCCEEDED", "SUCCEEDED"]

    assert (await _tick(world))["checks_queued"] == 0, "minCheckInterval not passed"
    async with world.gateway.app.state.session_factory.begin() as session:
        await session.execute(
            sa.update(Job)
            .where(Job.id == requisition.job_id)
            .values(last_checked_at=utcnow() - timedelta(hours=1))
        )
    assert (await _tick(world))["checks_queued"] == 1
    assert len(await _interviews(world, moved)) == 1, "invited once"
    assert (
        await world.count(
            Activity,
            Activity.application_id == moved,
            Activity.action == "interview.invite_queued",
        )
        == 1
    )


async def test_new_applications_trigger_when_no_status_is_set_within_the_lookback(
    world: GatewayWorld,
) -> None:
    requisition = await _requisition(world)
    fresh, stale = requisition.application_ids[:2]
    async with world.gateway.app.state.session_factory.begin() as session:
        await session.execute(
            sa.update(Application)
            .where(Application.id.in_([fresh, stale]))
            .values(current_stage_id=None)
        )
        await session.execute(
            sa.update(Application)
            .where(Application.id == fresh)
            .values(applied_at=utcnow() - timedelta(hours=3))
        )
    await _turn_on(world, requisition.job_id, lookbackHours=6)
    await _tick(world)
    assert len(await _interviews(world, fresh)) == 1
    assert await _interviews(world, stale) == [], "applied two days ago: outside the lookback"


async def test_off_inactive_or_closed_requisitions_are_never_checked(world: GatewayWorld) -> None:
    requisition = await _requisition(world)
    await _move(world, requisition.application_ids[0], requisition.stage_id)
    await world.mutate(
        JOB_UPDATE,
        "jobUpdate",
        {
            "id": to_global_id("Job", requisition.job_id),
            "autoSendOnStatus": requisition.stage_name,
            "isActive": False,
            "autoSendInterview": True,
        },
    )
    assert (await _tick(world))["checks_queued"] == 0
    assert await _interviews(world, requisition.application_ids[0]) == []


async def test_one_failing_application_fails_alone_and_is_retried(world: GatewayWorld) -> None:
    requisition = await _requisition(world)
    broken, fine = requisition.application_ids[:2]
    for application_id in (broken, fine):
        await _move(world, application_id, requisition.stage_id)
    candidate_id = await world.scalar(
        sa.select(Application.candidate_id).where(Application.id == broken)
    )
    async with world.gateway.app.state.session_factory.begin() as session:
        await session.execute(
            sa.update(Candidate).where(Candidate.id == candidate_id).values(email=None)
        )
    await _turn_on(world, requisition.job_id, autoSendOnStatus=requisition.stage_name)
    await _tick(world)
    [(_, sent)] = await _interviews(world, broken)
    assert sent is None, "created, not sent: no address"
    [(_, sent)] = await _interviews(world, fine)
    assert sent is not None
    warnings = (
        await world.gateway.execute(
            LOGS,
            {
                "filter": {
                    "minLevel": "WARNING",
                    "applicationId": to_global_id("Application", broken),
                }
            },
        )
    )["logs"]["nodes"]
    assert warnings and "sending the invitation" in warnings[0]["message"]

    async with world.gateway.app.state.session_factory.begin() as session:
        await session.execute(
            sa.update(Candidate).where(Candidate.id == candidate_id).values(email="ada@example.com")
        )
        await session.execute(
            sa.update(Job).where(Job.id == requisition.job_id).values(last_checked_at=None)
        )
    await _tick(world)
    [(_, sent)] = await _interviews(world, broken)
    assert sent is not None, "the next check sent the invitation it could not send"
    assert len(await _interviews(world, fine)) == 1


async def test_two_checks_at_once_invite_once(world: GatewayWorld) -> None:
    requisition = await _requisition(world)
    moved = requisition.application_ids[0]
    await _move(world, moved, requisition.stage_id)
    await _turn_on(world, requisition.job_id, autoSendOnStatus=requisition.stage_name)
    state = world.gateway.app.state
    deps = InterviewDeps(
        state.session_factory,
        state.bus,
        state.locks,
        InterviewConfig.from_settings(world.gateway.settings),
    )
    reports = await asyncio.gather(
        *(check_requisition(deps, world.tenant_id, requisition.job_id) for _ in range(3))
    )
    assert sum(len(report.invited) for report in reports) == 1, reports
    assert len(await _interviews(world, moved)) == 1


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"autoSendOnStatus": "No Such Stage"}, "autoSendOnStatus"),
        ({"autoSendOnStatus": "x" * 129}, "autoSendOnStatus"),
        ({"autoSendOnStatus": "screen\ninterview"}, "autoSendOnStatus"),
        ({"lookbackHours": 0}, "lookbackHours"),
        ({"lookbackHours": 100_000}, "lookbackHours"),
    ],
)
async def test_bad_automation_settings_are_refused_with_the_field(
    world: GatewayWorld, fields: dict[str, Any], field: str
) -> None:
    requisition = await _requisition(world)
    result = await _turn_on(world, requisition.job_id, **fields)
    assert result["__typename"] == "ValidationError"
    assert result["field"] == field
    stored = await world.scalar(
        sa.select(Job.auto_send_interview).where(Job.id == requisition.job_id)
    )
    assert stored is False, "nothing of a refused update is kept"


async def test_a_stage_kind_is_a_trigger_and_null_clears_it(world: GatewayWorld) -> None:
    requisition = await _requisition(world)
    result = await _turn_on(world, requisition.job_id, autoSendOnStatus="Interview")
    assert result["job"]["autoSendOnStatus"] == "interview"
    cleared = await _turn_on(world, requisition.job_id, autoSendOnStatus=None, lookbackHours=None)
    assert (cleared["job"]["autoSendOnStatus"], cleared["job"]["lookbackHours"]) == (None, None)
