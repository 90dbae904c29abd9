"""Pipeline writes on applications called directly, against the Recruiterflow and BPOC
fakes served over real HTTP: the source is written first and as the caller, the store,
activity and events follow only then and only for the caller's tenant, and the rules
about state refuse before any request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from demo.sandbox.bpoc import ADMIN_ID, MAIN_API_KEY, BpocFake
from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.errors import NotFound, Unsupported, ValidationFailed
from gateway.services.application_writes import add_to_job, move_stage, reject, release
from gateway.store.enums import ApplicationStatus, JobStatus
from gateway.store.models import Application, Candidate, Job, PipelineStage, StageTransition
from tests.gateway.services.service_world import World, listening, vendor_integration
from tests.support.gateway import Gateway

RF_ADMIN = "10447"


@dataclass
class Sources:
    world: World
    rf: FakeRecruiterflow
    rf_id: int
    bpoc: BpocFake
    bpoc_id: int

    async def applications(
        self, integration_id: int, status: ApplicationStatus = ApplicationStatus.ACTIVE
    ) -> list[int]:
        rows = await self.world.rows(
            sa.select(Application.id)
            .where(Application.integration_id == integration_id, Application.status == status)
            .order_by(Application.id)
        )
        return [int(row.id) for row in rows]

    async def stage_of(self, pk: int) -> str:
        return str(
            await self.world.scalar(
                sa.select(PipelineStage.name)
                .join(Application, Application.current_stage_id == PipelineStage.id)
                .where(Application.id == pk)
            )
        )


@pytest.fixture(scope="module")
async def sources(gateway: Gateway) -> AsyncIterator[Sources]:
    rf, bpoc = FakeRecruiterflow(), BpocFake()
    rf.seed(jobs=3, candidates=6, applications=8)
    bpoc.seed(jobs=3, candidates=6, applications=10)
    admin = gateway.tenants["demo"].admin_user_id
    async with (
        listening(gateway) as world,
        vendor_integration(
            world,
            "recruiterflow",
            rf.app,
            credentials={"apiKey": rf.api_key},
            links={admin: RF_ADMIN},
        ) as rf_id,
        vendor_integration(
            world,
            "bpoc",
            bpoc.app,
            credentials={"apiKey": MAIN_API_KEY},
            links={admin: ADMIN_ID},
            api_path="/api/v1",
        ) as bpoc_id,
    ):
        yield Sources(world, rf, rf_id, bpoc, bpoc_id)


async def test_a_stage_move_is_sent_as_the_caller_then_stored_and_announced(
    sources: Sources,
) -> None:
    world = sources.world
    pk = (await sources.applications(sources.rf_id))[0]
    before = await sources.stage_of(pk)
    writes, seen = len(sources.rf.writes), len(world.events)
    moved = await world.activities("application.stage_moved")

    written = await move_stage(
        world.write_deps,
        world.principal("demo"),
        application_id=pk,
        stage="  Client Interview ",
        idempotency_key=None,
    )

    assert (written.ids, written.replayed) == ({"application": pk}, False)
    [write] = sources.rf.writes[writes:]
    assert write.body["user_id"] == int(RF_ADMIN)
    assert await sources.stage_of(pk) == "Client Interview"
    [last] = await world.rows(
        sa.select(StageTransition.from_stage_name, StageTransition.to_stage_name).where(
            StageTransition.application_id == pk, StageTransition.left_at.is_(None)
        )
    )
    assert tuple(last) == (before, "Client Interview")
    assert await world.activities("application.stage_moved") == moved + 1
    [event] = await world.published(seen, "application.stage_changed")
    assert event.tenant_id == world.tenant_id("demo")
    assert (event.data["stage"], event.data["previousStage"]) == ("Client Interview", before)


async def test_another_tenants_application_is_not_found_and_nothing_is_sent(
    sources: Sources,
) -> None:
    world = sources.world
    theirs = await world.scalar(
        sa.select(Application.id)
        .where(
            Application.tenant_id == world.tenant_id("other"),
            Application.remote_id.is_not(None),
        )
        .limit(1)
    )
    status = (await world.get(Application, theirs)).status
    writes, seen = len(sources.rf.writes) + len(sources.bpoc.writes), len(world.events)

    with pytest.raises(NotFound):
        await move_stage(
            world.write_deps,
            world.principal("demo"),
            application_id=theirs,
            stage="Offer",
            idempotency_key=None,
        )
    with pytest.raises(NotFound):
        await reject(
            world.write_deps,
            world.principal("demo"),
            application_id=theirs,
            reason="Not a fit",
            idempotency_key=None,
        )

    assert len(sources.rf.writes) + len(sources.bpoc.writes) == writes
    assert (await world.get(Application, theirs)).status is status
    assert await world.published(seen) == []


async def test_a_rejection_is_a_disqualification_once_and_a_repeated_key_replays_it(
    sources: Sources,
) -> None:
    world = sources.world
    pk = (await sources.applications(sources.rf_id))[1]
    writes = len(sources.rf.writes)

    first = await reject(
        world.write_deps,
        world.principal("demo"),
        application_id=pk,
        reason="Salary too high",
        idempotency_key="reject-once",
    )
    again = await reject(
        world.write_deps,
        world.principal("demo"),
        application_id=pk,
        reason="Salary too high",
        idempotency_key="reject-once",
    )

    assert (first.replayed, again.replayed, again.ids) == (False, True, first.ids)
    assert len(sources.rf.writes) == writes + 1
    row: Application = await world.get(Application, pk)
    assert (row.status, row.rejection_reason) == (ApplicationStatus.REJECTED, "Salary too high")
    assert await sources.stage_of(pk) == "Disqualified"

    with pytest.raises(ValidationFailed, match="already rejected"):
        await reject(
            world.write_deps,
            world.principal("demo"),
            application_id=pk,
            reason="Salary too high",
            idempotency_key=None,
        )
    assert len(sources.rf.writes) == writes + 1


async def test_input_is_checked_before_the_application_is_looked_up(sources: Sources) -> None:
    world = sources.world
    pk = (await sources.applications(sources.rf_id))[0]
    writes = len(sources.rf.writes)

    with pytest.raises(ValidationFailed) as blank:
        await move_stage(
            world.write_deps,
            world.principal("demo"),
            application_id=pk,
            stage="   ",
            idempotency_key=None,
        )
    with pytest.raises(ValidationFailed) as empty_reason:
        await reject(
            world.write_deps,
            world.principal("demo"),
            application_id=pk,
            reason="",
            idempotency_key=None,
        )

    assert (blank.value.field, empty_reason.value.field) == ("stage", "reason")
    assert len(sources.rf.writes) == writes


async def test_a_release_moves_a_bpoc_application_to_released_to_client(
    sources: Sources,
) -> None:
    world = sources.world
    pk = (await sources.applications(sources.bpoc_id))[0]
    remote_id = (await world.get(Application, pk)).remote_id
    writes = len(sources.bpoc.writes)

    await release(
        world.write_deps,
        world.principal("demo"),
        application_id=pk,
        notes="Strong communicator",
        idempotency_key=None,
    )

    [write] = sources.bpoc.writes[writes:]
    assert write.path == f"/applications/{remote_id}/release"
    assert write.body == {"notes": "Strong communicator", "releasedBy": ADMIN_ID}
    row: Application = await world.get(Application, pk)
    assert row.status is ApplicationStatus.RELEASED and row.released_at is not None
    assert await sources.stage_of(pk) == "Released to Client"

    with pytest.raises(ValidationFailed, match="already released"):
        await release(
            world.write_deps,
            world.principal("demo"),
            application_id=pk,
            notes=None,
            idempotency_key=None,
        )
    assert len(sources.bpoc.writes) == writes + 1


async def test_a_release_is_unsupported_by_recruiterflow_before_any_request(
    sources: Sources,
) -> None:
    world = sources.world
    pk = (await sources.applications(sources.rf_id))[0]
    writes = len(sources.rf.writes)

    with pytest.raises(Unsupported):
        await release(
            world.write_deps,
            world.principal("demo"),
            application_id=pk,
            notes=None,
            idempotency_key=None,
        )

    assert len(sources.rf.writes) == writes
    assert (await world.get(Application, pk)).status is ApplicationStatus.ACTIVE


async def free_pair(sources: Sources) -> tuple[int, int]:
    integration = sources.rf_id
    candidates = await sources.world.rows(
        sa.select(Candidate.id).where(Candidate.integration_id == integration)
    )
    jobs = await sources.world.rows(
        sa.select(Job.id).where(Job.integration_id == integration, Job.status == JobStatus.OPEN)
    )
    taken = {
        (r.candidate_id, r.job_id)
        for r in await sources.world.rows(
            sa.select(Application.candidate_id, Application.job_id).where(
                Application.integration_id == integration
            )
        )
    }
    return next(
        (c.id, j.id) for c in sorted(candidates) for j in sorted(jobs) if (c.id, j.id) not in taken
    )


async def test_a_candidate_added_to_a_job_starts_in_sourced_and_only_once(
    sources: Sources,
) -> None:
    world = sources.world
    candidate, job = await free_pair(sources)
    writes, seen = len(sources.rf.writes), len(world.events)

    written = await add_to_job(
        world.write_deps,
        world.principal("demo"),
        candidate_id=candidate,
        job_id=job,
        idempotency_key=None,
    )

    pk = written.ids["application"]
    row: Application = await world.get(Application, pk)
    assert (row.tenant_id, row.candidate_id, row.job_id, row.status) == (
        world.tenant_id("demo"),
        candidate,
        job,
        ApplicationStatus.ACTIVE,
    )
    assert await sources.stage_of(pk) == "Sourced"
    assert len(sources.rf.writes) == writes + 1
    [event] = await world.published(seen, "application.created")
    assert (event.data["id"], event.data["stage"]) == (pk, "Sourced")

    with pytest.raises(ValidationFailed, match="already in this job"):
        await add_to_job(
            world.write_deps,
            world.principal("demo"),
            candidate_id=candidate,
            job_id=job,
            idempotency_key=None,
        )
    assert len(sources.rf.writes) == writes + 1


async def test_a_candidate_and_job_of_different_sources_are_refused(sources: Sources) -> None:
    world = sources.world
    candidate, _ = await free_pair(sources)
    bpoc_job = await world.scalar(
        sa.select(Job.id).where(Job.integration_id == sources.bpoc_id).limit(1)
    )
    other_job = await world.scalar(
        sa.select(Job.id).where(Job.tenant_id == world.tenant_id("other")).limit(1)
    )

    with pytest.raises(ValidationFailed, match="different source systems"):
        await add_to_job(
            world.write_deps,
            world.principal("demo"),
            candidate_id=candidate,
            job_id=bpoc_job,
            idempotency_key=None,
        )
    with pytest.raises(NotFound):
        await add_to_job(
            world.write_deps,
            world.principal("demo"),
            candidate_id=candidate,
            job_id=other_job,
            idempotency_key=None,
        )
