"""Greenhouse synced into the store: a full sync takes every job, candidate (with
resume), application, interview and user of the Harvest v3 fake; an incremental sync
afterwards asks Harvest only for what changed since (``updated_at=gte|...``) and
brings a stage move and a rejection made in Greenhouse into the store."""

from __future__ import annotations

from gateway.store.enums import ApplicationStatus
from gateway.store.models import Application, Candidate, Interview, Job
from jobs.sync_api import SyncMode
from tests.connectors.harness.greenhouse import make_harness
from tests.support.services import Backend
from tests.support.synced_provider import provider_sync


async def test_a_full_then_an_incremental_sync_of_greenhouse(backend: Backend) -> None:
    harness = make_harness()
    harness.seed(jobs=3, candidates=5, applications=8)
    fake = harness.fake
    async with provider_sync(backend, harness, config={"pageSize": 3}) as world:
        await world.sync(SyncMode.FULL)
        application_id = min(fake.applications)
        job_id = fake.applications[application_id]["job_id"]
        fake.move(application_id, job_id * 10 + 3, "4081")
        rejected_id = max(fake.applications)
        fake.reject(rejected_id, 9, "Hired another candidate", "4081")
        fake.touch_job(job_id)
        world.seen.clear()
        await world.sync(SyncMode.INCREMENTAL)

        assert await world.count(Job) == 3
        assert await world.count(Candidate) == 5
        assert await world.count(Application) == 8
        assert await world.count(Interview) == len(fake.interviews)
        assert await world.resumes() == 5
        now = await world.applications()

    assert now[str(application_id)] == (ApplicationStatus.ACTIVE, "Onsite")
    assert now[str(rejected_id)][0] is ApplicationStatus.REJECTED
    listed = [(path, query) for path, query in world.seen if path.startswith("/v3/")]
    for resource in ("/v3/jobs", "/v3/candidates", "/v3/applications"):
        firsts = [query for path, query in listed if path == resource and "cursor" not in query]
        assert firsts, f"{resource} was not read"
        assert all("updated_at=gte%7C" in query for query in firsts), firsts
