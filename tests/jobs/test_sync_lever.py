"""Lever synced into the store: a full sync takes every posting, contact (with resume),
opportunity, interview and user of the Lever fake; an incremental sync afterwards asks
Lever only for the opportunities changed since (``updated_at_start``, epoch ms) and
brings a stage move and an archiving made in Lever into the store."""

from __future__ import annotations

from gateway.store.enums import ApplicationStatus
from gateway.store.models import Application, Candidate, Interview, Job
from jobs.sync_api import SyncMode
from tests.connectors.harness.lever import make_harness
from tests.support.services import Backend
from tests.support.synced_provider import provider_sync


async def test_a_full_then_an_incremental_sync_of_lever(backend: Backend) -> None:
    harness = make_harness()
    harness.seed(jobs=3, candidates=5, applications=8)
    fake = harness.fake
    async with provider_sync(backend, harness, config={"pageSize": 3}) as world:
        await world.sync(SyncMode.FULL)
        active = [o for o, r in fake.opportunities.items() if not r["archived"]]
        application_id, rejected_id = active[0], active[-1]
        mover = fake.user_ids[1]
        fake.move(application_id, "offer", mover)
        fake.archive(rejected_id, "c0d3e8f2-63b4-4b0f-a0e4-1f5e2c9d2e11", mover)
        fake.touch_posting(fake.posting_of(fake.opportunities[application_id]))
        world.seen.clear()
        await world.sync(SyncMode.INCREMENTAL)

        assert await world.count(Job) == 3
        assert await world.count(Candidate) == 5
        assert await world.count(Application) == 8
        assert await world.count(Interview) == sum(map(len, fake.interviews.values()))
        assert await world.resumes() == 5
        now = await world.applications()

    assert now[application_id] == (ApplicationStatus.ACTIVE, "Offer")
    assert now[rejected_id][0] is ApplicationStatus.REJECTED
    firsts = [
        query for path, query in world.seen if path == "/v1/opportunities" and "offset" not in query
    ]
    assert firsts, "opportunities were not read"
    assert all("updated_at_start=" in query for query in firsts), firsts
