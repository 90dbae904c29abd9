"""Write-back through GraphQL, on SQLite and PostgreSQL, against the Recruiterflow fake:
the source is written first as the caller's recruiter, then the store, the activity and
the event; a failed, refused, unsupported or repeated write leaves no trace but a typed
error; a burst queues behind the per-integration limit instead of failing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.types import ASGIApp, Receive, Scope, Send

from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.store.enums import Role
from gateway.store.models import (
    Activity,
    Application,
    Integration,
    PipelineStage,
    RecruiterLink,
    StageTransition,
)
from resolvers.relay import to_global_id
from tests.support.graphql_fragments import WRITE_ERRORS
from tests.support.services import Backend
from tests.support.worlds import GatewayWorld, gateway_world, new_key

MOVE = f"""mutation($input: ApplicationMoveStageInput!) {{
  applicationMoveStage(input: $input) {{
    __typename
    ... on ApplicationWriteSuccess {{ replayed application {{ id currentStage {{ name }} }} }}
    {WRITE_ERRORS}
  }}
}}"""
LIMIT = 4


class InFlight:
    """ASGI middleware counting requests the fake is answering at once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.now = 0
        self.peak = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            await self.app(scope, receive, send)
        finally:
            self.now -= 1


@dataclass
class World(GatewayWorld):
    fake: FakeRecruiterflow
    meter: InFlight
    integration_id: int

    async def application(self, offset: int = 0) -> tuple[int, str]:
        async with self.gateway.app.state.session_factory() as session:
            row = (
                await session.execute(
                    sa.select(Application.id, Application.remote_id)
                    .where(Application.integration_id == self.integration_id)
                    .order_by(Application.id)
                    .offset(offset)
                    .limit(1)
                )
            ).one()
        return int(row.id), str(row.remote_id)

    async def move(self, application_id: int, stage: str, **extra: Any) -> dict[str, Any]:
        role = extra.pop("role", Role.ADMIN)
        data = await self.gateway.execute(
            MOVE,
            {
                "input": {
                    "applicationId": to_global_id("Application", application_id),
                    "stage": stage,
                    **extra,
                }
            },
            role=role,
        )
        result: dict[str, Any] = data["applicationMoveStage"]
        return result

    async def counts(self, application_id: int) -> tuple[int, int]:
        activities = await self.scalar(
            sa.select(sa.func.count())
            .select_from(Activity)
            .where(Activity.application_id == application_id)
        )
        transitions = await self.scalar(
            sa.select(sa.func.count())
            .select_from(StageTransition)
            .where(StageTransition.application_id == application_id)
        )
        return int(activities), int(transitions)


@pytest.fixture(scope="module")
async def world(backend: Backend) -> AsyncIterator[World]:
    fake = FakeRecruiterflow()
    fake.seed(jobs=3, candidates=6, applications=10)
    meter = InFlight(fake.app)
    async with gateway_world(
        backend, {"https://api.recruiterflow.com": meter}, max_writes_in_flight=LIMIT
    ) as base:
        integration_id = await base.add_integration(
            "recruiterflow", "RF writes", {"apiKey": fake.api_key}
        )
        await base.link(base.demo.admin_user_id, integration_id, "10447")
        await base.sync(integration_id)
        yield World(**vars(base), fake=fake, meter=meter, integration_id=integration_id)


async def test_a_move_lands_in_the_source_as_the_recruiter_then_here(world: World) -> None:
    application_id, remote_id = await world.application()
    before = await world.counts(application_id)
    writes = len(world.fake.writes)
    seen = len(world.events)

    result = await world.move(application_id, "Client Interview")

    assert result["__typename"] == "ApplicationWriteSuccess", result
    assert result["replayed"] is False
    assert result["application"]["currentStage"]["name"] == "Client Interview"
    [write] = world.fake.writes[writes:]
    candidate, job = remote_id.split(":")
    assert write.path.endswith("/candidate/move-to-stage")
    assert write.body == {
        "id": int(candidate),
        "job_id": int(job),
        "stage": {"name": "Client Interview"},
        "user_id": 10447,
    }
    assert world.fake.applications[int(candidate), int(job)].stage == "Client Interview"
    activities, transitions = await world.counts(application_id)
    assert (activities, transitions) == (before[0] + 1, before[1] + 1)
    action = await world.scalar(
        sa.select(Activity.action)
        .where(Activity.application_id == application_id)
        .order_by(Activity.id.desc())
        .limit(1)
    )
    assert action == "application.stage_moved"
    moved = [e for e in world.events[seen:] if e.type == "application.stage_changed"]
    assert [e.data["stage"] for e in moved] == ["Client Interview"]


async def test_a_failing_source_changes_nothing_here_and_says_retry(world: World) -> None:
    application_id, _ = await world.application(1)
    stage_before = await world.scalar(
        sa.select(Application.current_stage_id).where(Application.id == application_id)
    )
    before = await world.counts(application_id)
    world.fake.faults.server_errors(times=1, status=503)
    try:
        result = await world.move(application_id, "Offer")
    finally:
        world.fake.faults.reset()
    assert result["__typename"] == "ConnectorError", result
    assert result["retryable"] is True
    assert await world.counts(application_id) == before
    assert (
        await world.scalar(
            sa.select(Application.current_stage_id).where(Application.id == application_id)
        )
        == stage_before
    )


async def test_an_idempotency_key_returns_the_first_result_and_writes_once(world: World) -> None:
    application_id, _ = await world.application(2)
    key = new_key("move")
    writes = len(world.fake.writes)

    first = await world.move(application_id, "Offer", idempotencyKey=key)
    again = await world.move(application_id, "Offer", idempotencyKey=key)
    other = await world.move(application_id, "Hired", idempotencyKey=key)

    assert first["__typename"] == again["__typename"] == "ApplicationWriteSuccess"
    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["application"]["id"] == first["application"]["id"]
    assert len(world.fake.writes) == writes + 1
    assert other["__typename"] == "IdempotencyConflictError"
    assert other["code"] == "IDEMPOTENCY_CONFLICT"


async def test_a_failed_write_frees_its_idempotency_key(world: World) -> None:
    application_id, _ = await world.application(3)
    key = new_key("move")
    world.fake.faults.server_errors(times=1, status=503)
    try:
        failed = await world.move(application_id, "Offer", idempotencyKey=key)
    finally:
        world.fake.faults.reset()
    retried = await world.move(application_id, "Offer", idempotencyKey=key)
    assert failed["__typename"] == "ConnectorError"
    assert retried["__typename"] == "ApplicationWriteSuccess"
    assert retried["replayed"] is False


async def test_without_a_recruiter_link_the_error_names_the_fix(world: World) -> None:
    application_id, _ = await world.application(4)
    writes = len(world.fake.writes)
    result = await world.move(application_id, "Offer", role=Role.RECRUITER)
    assert result["__typename"] == "RecruiterLinkMissingError", result
    assert "recruiterLink" in result["message"] and "recruiterSync" in result["message"]
    assert result["integrationId"] == to_global_id("Integration", world.integration_id)
    assert len(world.fake.writes) == writes


async def test_a_recruiter_id_the_source_does_not_know_is_its_own_error(world: World) -> None:
    application_id, _ = await world.application(5)
    recruiter = world.gateway.tenants["demo"].recruiter_user_ids[0]
    async with world.gateway.app.state.session_factory.begin() as session:
        link = RecruiterLink(
            tenant_id=world.tenant_id,
            user_id=recruiter,
            integration_id=world.integration_id,
            remote_id="999999",
        )
        session.add(link)
    try:
        result = await world.move(application_id, "Offer", role=Role.RECRUITER)
    finally:
        async with world.gateway.app.state.session_factory.begin() as session:
            await session.execute(
                sa.delete(RecruiterLink).where(RecruiterLink.remote_id == "999999")
            )
    assert result["__typename"] == "RecruiterRejectedError", result
    assert result["reason"] == "unknown_recruiter"


async def test_readonly_users_cannot_write(world: World) -> None:
    application_id, _ = await world.application()
    result = await world.move(application_id, "Offer", role=Role.READONLY)
    assert result["__typename"] == "PermissionDeniedError"


async def test_another_tenants_application_is_not_found(world: World) -> None:
    async with world.gateway.app.state.session_factory() as session:
        other = await session.scalar(
            sa.select(Application.id)
            .where(Application.tenant_id == world.gateway.tenants["other"].tenant_id)
            .limit(1)
        )
    result = await world.move(int(other), "Offer")
    assert result["__typename"] == "NotFoundError"


async def test_a_provider_without_the_capability_answers_unsupported(world: World) -> None:
    async with world.gateway.app.state.session_factory() as session:
        bpoc = await session.scalar(
            sa.select(Application.id)
            .join(Integration, Integration.id == Application.integration_id)
            .where(Integration.tenant_id == world.tenant_id, Integration.provider == "bpoc")
            .limit(1)
        )
    assert bpoc is not None, "the demo tenant has BPOC applications"
    result = await world.move(int(bpoc), "Offer")
    assert result["__typename"] == "UnsupportedOperationError", result
    assert (result["provider"], result["operation"]) == ("bpoc", "applicationMoveStage")


async def test_hostile_stage_names_are_refused_before_any_request(world: World) -> None:
    application_id, _ = await world.application()
    writes = len(world.fake.writes)
    for stage in ("", "   ", "x" * 256):
        result = await world.move(application_id, stage)
        assert result["__typename"] == "ValidationError", result
    assert len(world.fake.writes) == writes


async def test_a_burst_queues_behind_the_limit_and_every_write_lands(world: World) -> None:
    world.fake.faults.latency = 0.05
    world.meter.peak = 0
    try:
        targets = [await world.application(n % 10) for n in range(3 * LIMIT)]
        results = await asyncio.gather(
            *[world.move(app_id, "Recruiter Screen") for app_id, _ in targets]
        )
    finally:
        world.fake.faults.latency = 0.0
    assert {r["__typename"] for r in results} == {"ApplicationWriteSuccess"}
    assert world.meter.peak == LIMIT
    stages = await world.scalar(
        sa.select(sa.func.count(sa.distinct(Application.id)))
        .join(PipelineStage, PipelineStage.id == Application.current_stage_id)
        .where(
            PipelineStage.name == "Recruiter Screen",
            Application.integration_id == world.integration_id,
        )
    )
    assert stages == len({app_id for app_id, _ in targets})


async def test_the_same_key_sent_twice_at_once_writes_once(world: World) -> None:
    application_id, _ = await world.application(6)
    key = new_key("move")
    writes = len(world.fake.writes)
    world.fake.faults.latency = 0.1
    try:
        results = await asyncio.gather(
            world.move(application_id, "Offer", idempotencyKey=key),
            world.move(application_id, "Offer", idempotencyKey=key),
        )
    finally:
        world.fake.faults.latency = 0.0
    assert sorted(r["__typename"] for r in results) == [
        "ApplicationWriteSuccess",
        "IdempotencyConflictError",
    ]
    assert len(world.fake.writes) == writes + 1
    later = await world.move(application_id, "Offer", idempotencyKey=key)
    assert later["replayed"] is True


async def test_idempotency_keys_are_checked(world: World) -> None:
    application_id, _ = await world.application()
    for key in ("", " ", "k" * 256, "line\nbreak"):
        result = await world.move(application_id, "Offer", idempotencyKey=key)
        assert result["__typename"] == "ValidationError", (key, result)
