"""Workable synced into the store: a full sync takes every job, candidate (with
resume), application (with its stage moves), interview and member of the SPI v3 fake;
an incremental sync afterwards asks Workable only for what changed since
(``updated_after=...``) and brings a stage move and a disqualification made in
Workable into the store."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.store.enums import ApplicationStatus, Role
from gateway.store.models import Application, Candidate, Interview, Job, User
from jobs.sync_api import SyncMode
from tests.connectors.harness.workable import make_harness
from tests.support.services import Backend
from tests.support.synced_provider import provider_sync


async def test_a_full_then_an_incremental_sync_of_workable(backend: Backend) -> None:
    harness = make_harness()
    harness.seed(jobs=3, candidates=5, applications=8)
    fake = harness.fake
    async with provider_sync(backend, harness, config=harness.config(3)) as world:
        await world.sync(SyncMode.FULL)
        moved_id = min(fake.candidates)
        fake.move(moved_id, "offer", fake.member_ids[1])
        rejected_id = max(fake.candidates)
        fake.disqualify(rejected_id, {"disqualify_note": "No work permit"}, fake.member_ids[2])
        fake.touch_job(fake.candidates[moved_id]["job"]["shortcode"])
        world.seen.clear()
        await world.sync(SyncMode.INCREMENTAL)

        assert await world.count(Job) == 3
        assert await world.count(Candidate) == 8
        assert await world.count(Application) == 8
        assert await world.count(Interview) == len(fake.events)
        assert await world.resumes() == 8
        now = await world.applications()

    assert now[moved_id] == (ApplicationStatus.ACTIVE, "Offer")
    assert now[rejected_id][0] is ApplicationStatus.REJECTED
    listed = [(path, query) for path, query in world.seen if path.startswith("/spi/v3/")]
    for resource in ("/spi/v3/jobs", "/spi/v3/candidates"):
        firsts = [query for path, query in listed if path == resource and "since_id" not in query]
        assert firsts, f"{resource} was not read"
        assert all("updated_after=" in query for query in firsts), firsts
    candidates_read = {path for path, _query in listed if path.startswith("/spi/v3/candidates/")}
    assert candidates_read <= {
        f"/spi/v3/candidates/{moved_id}",
        f"/spi/v3/candidates/{moved_id}/activities",
        f"/spi/v3/candidates/{rejected_id}",
        f"/spi/v3/candidates/{rejected_id}/activities",
    }, "only what changed is read in detail"


async def test_workable_jobs_come_owned_by_their_hiring_teams_recruiter(backend: Backend) -> None:
    """Each job's ``GET /jobs/:shortcode/members`` names its recruiter; the tenant's user
    with that member's email owns the job after a full sync."""
    harness = make_harness()
    harness.seed(jobs=3, candidates=2, applications=2)
    fake = harness.fake
    kate = fake.member_ids[0]
    async with provider_sync(backend, harness, config=harness.config(3)) as world:
        async with world.engine.begin() as conn:
            owner_id = await conn.scalar(
                sa.insert(User)
                .values(
                    tenant_id=world.tenant_id,
                    email=str(fake.members[kate]["email"]).upper(),
                    name="Kate",
                    role=Role.RECRUITER,
                    is_active=True,
                )
                .returning(User.id)
            )
        await world.sync(SyncMode.FULL)
        async with world.engine.connect() as conn:
            owners = dict(
                (
                    await conn.execute(
                        sa.select(Job.remote_id, Job.recruiter_id).where(
                            Job.integration_id == world.integration_id
                        )
                    )
                ).all()
            )
    recruited_by_kate = {
        code for code, team in fake.hiring_teams.items() if team.get(kate) == "recruiter"
    }
    assert recruited_by_kate and recruited_by_kate < set(owners)
    assert {code for code, user in owners.items() if user == owner_id} == recruited_by_kate
