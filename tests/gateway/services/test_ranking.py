"""Job ranks computed and written back directly, against the Recruiterflow fake served
over real HTTP: the order the ranking promises, no rank for a job that is not open,
only moved ranks written (to the "Current Rank" field) and only once, a refused write
kept for the next time, and neither step reaching another tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from connectors.base import ConnectorBase
from connectors.registry import connector_class
from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.services.connections import connector_for
from gateway.services.ranking import recompute_ranks, write_back_ranks
from gateway.store.enums import JobStatus
from gateway.store.models import Integration, Job
from tests.gateway.services.service_world import World, listening, vendor_integration
from tests.support.gateway import Gateway

FIELD = "Current Rank"
RANK_FIELD_ID = 71
OPENED = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass
class Ranking:
    world: World
    fake: FakeRecruiterflow
    integration_id: int
    connector: ConnectorBase

    async def recompute(self, tenant: str = "demo") -> list[int]:
        async with self.world.session_factory.begin() as session:
            return await recompute_ranks(session, self.world.tenant_id(tenant))

    async def write_back(self, tenant: str = "demo") -> Any:
        return await write_back_ranks(
            self.connector,
            self.world.session_factory,
            self.world.tenant_id(tenant),
            self.integration_id,
            field_name=FIELD,
        )

    async def jobs(self, tenant: str = "demo") -> list[int]:
        rows = await self.world.rows(
            sa.select(Job.id).where(Job.tenant_id == self.world.tenant_id(tenant)).order_by(Job.id)
        )
        return [int(row.id) for row in rows]

    async def synced_jobs(self) -> dict[int, str]:
        rows = await self.world.rows(
            sa.select(Job.id, Job.remote_id)
            .where(Job.integration_id == self.integration_id)
            .order_by(Job.id)
        )
        return {int(row.id): str(row.remote_id) for row in rows}

    async def set(self, job_ids: list[int], **values: Any) -> None:
        async with self.world.session_factory.begin() as session:
            await session.execute(sa.update(Job).where(Job.id.in_(job_ids)).values(**values))

    async def ranks(self, tenant: str = "demo") -> dict[int, int | None]:
        rows = await self.world.rows(
            sa.select(Job.id, Job.rank).where(Job.tenant_id == self.world.tenant_id(tenant))
        )
        return {int(row.id): row.rank for row in rows}

    async def written(self) -> dict[int, int | None]:
        rows = await self.world.rows(
            sa.select(Job.id, Job.rank_written).where(Job.integration_id == self.integration_id)
        )
        return {int(row.id): row.rank_written for row in rows}

    def rank_writes(self) -> list[tuple[str, Any]]:
        return [
            (str(w.body["job_id"]), w.body["custom_fields"][0])
            for w in self.fake.writes
            if w.path.endswith("/job/update")
        ]

    async def level(self, tenant: str = "demo") -> None:
        """Every job of ``tenant`` open, active and unscored, so a test decides the order."""
        await self.set(
            await self.jobs(tenant),
            status=JobStatus.OPEN,
            is_active=True,
            remote_deleted_at=None,
            score=None,
            estimated_fee=None,
            opened_at=OPENED,
        )


@pytest.fixture(scope="module")
async def ranking(gateway: Gateway) -> AsyncIterator[Ranking]:
    fake = FakeRecruiterflow()
    fake.seed(jobs=4, candidates=4, applications=6)
    admin = gateway.tenants["demo"].admin_user_id
    async with (
        listening(gateway) as world,
        vendor_integration(
            world,
            "recruiterflow",
            fake.app,
            credentials={"apiKey": fake.api_key},
            links={admin: "10447"},
        ) as integration_id,
        httpx.AsyncClient() as http,
    ):
        integration = await world.get(Integration, integration_id)
        connector = connector_for(integration, world.runtime.keyring, http)
        yield Ranking(world, fake, integration_id, connector)


async def test_open_jobs_rank_by_score_then_fee_then_age(ranking: Ranking) -> None:
    await ranking.level()
    await ranking.recompute()
    top, rich, richer_newer, richer_older, closed, inactive, deleted, *rest = await ranking.jobs()
    await ranking.set([top], score=90.0)
    await ranking.set([rich, richer_newer, richer_older], score=50.0)
    await ranking.set([rich], estimated_fee=Decimal("1000"))
    await ranking.set([richer_newer, richer_older], estimated_fee=Decimal("2000"))
    await ranking.set([richer_newer], opened_at=OPENED + timedelta(days=3))
    await ranking.set([closed], status=JobStatus.CLOSED, score=99.0)
    await ranking.set([inactive], is_active=False, score=99.0)
    await ranking.set([deleted], remote_deleted_at=OPENED, score=99.0)

    changed = await ranking.recompute()

    ranks = await ranking.ranks()
    assert [ranks[top], ranks[richer_older], ranks[richer_newer], ranks[rich]] == [1, 2, 3, 4]
    assert ranks[closed] is ranks[inactive] is ranks[deleted] is None
    assert [ranks[job] for job in rest] == list(range(5, 5 + len(rest))), "then by id"
    assert {rich, closed, inactive, deleted} <= set(changed), "every moved rank is reported"
    assert top not in changed, "still first: not reported"
    assert await ranking.recompute() == [], "an unchanged ranking changes nothing"


async def test_only_the_jobs_whose_rank_moved_are_reported(ranking: Ranking) -> None:
    await ranking.level()
    await ranking.recompute()
    first, second, *_ = await ranking.jobs()

    await ranking.set([second], score=10.0)

    assert sorted(await ranking.recompute()) == sorted([first, second])
    ranks = await ranking.ranks()
    assert (ranks[second], ranks[first]) == (1, 2)


async def test_ranking_one_tenant_leaves_the_other_alone(ranking: Ranking) -> None:
    await ranking.level("other")
    await ranking.recompute("other")
    theirs = await ranking.ranks("other")
    their_last = max(theirs, key=lambda job: theirs[job] or 0)
    await ranking.set([their_last], score=1000.0)
    await ranking.level()

    changed = await ranking.recompute()

    assert not set(changed) & set(theirs)
    assert await ranking.ranks("other") == theirs, "their new score waits for their own ranking"
    assert min(r for r in (await ranking.ranks()).values() if r is not None) == 1


async def test_moved_ranks_are_written_once_to_the_rank_field(ranking: Ranking) -> None:
    synced = await ranking.synced_jobs()
    await ranking.level()
    await ranking.recompute()
    await ranking.set(list(synced), rank_written=None)
    before = len(ranking.rank_writes())

    report = await ranking.write_back()

    ranks = await ranking.ranks()
    sent = ranking.rank_writes()[before:]
    assert report.written == len(synced) and report.failed == 0
    assert {remote: entry["value"] for remote, entry in sent} == {
        synced[job]: ranks[job] for job in synced
    }
    assert {entry["id"] for _, entry in sent} == {RANK_FIELD_ID}
    assert await ranking.written() == {job: ranks[job] for job in synced}

    again = await ranking.write_back()
    assert again.written == again.failed == 0
    assert len(ranking.rank_writes()) == before + len(synced), "unchanged ranks cost no request"

    moved = next(iter(synced))
    await ranking.set([moved], score=500.0)
    await ranking.recompute()
    await ranking.write_back()
    assert (synced[moved], 1) in [
        (remote, entry["value"]) for remote, entry in ranking.rank_writes()
    ]


async def test_a_refused_write_is_reported_and_tried_again_later(ranking: Ranking) -> None:
    synced = await ranking.synced_jobs()
    gone, *kept = synced
    await ranking.level()
    await ranking.recompute()
    await ranking.set(list(synced), rank_written=None)
    record = ranking.fake.jobs.pop(int(synced[gone]))
    try:
        report = await ranking.write_back()
    finally:
        ranking.fake.jobs[int(synced[gone])] = record

    assert (report.written, report.failed) == (len(kept), 1)
    assert report.errors and report.errors[0].startswith(f"job {synced[gone]}:")
    written = await ranking.written()
    assert written[gone] is None, "not marked written: the next write-back sends it"
    assert all(written[job] is not None for job in kept)

    retried = await ranking.write_back()
    assert (retried.written, retried.failed) == (1, 0)


async def test_write_back_sends_nothing_for_another_tenant(ranking: Ranking) -> None:
    await ranking.level()
    await ranking.recompute()
    await ranking.set(list(await ranking.synced_jobs()), rank_written=None)
    before = len(ranking.rank_writes())

    report = await ranking.write_back("other")

    assert report.written == report.failed == 0
    assert len(ranking.rank_writes()) == before
    assert set((await ranking.written()).values()) == {None}


async def test_a_source_without_custom_fields_is_never_called(ranking: Ranking) -> None:
    await ranking.level()
    await ranking.recompute()
    await ranking.set(list(await ranking.synced_jobs()), rank_written=None)
    async with httpx.AsyncClient() as http:
        bpoc = connector_class("bpoc").create(
            http,
            {"apiKey": "unused"},
            {"baseUrl": "http://127.0.0.1:9/api/v1"},
            integration="test:bpoc",
        )
        report = await write_back_ranks(
            bpoc,
            ranking.world.session_factory,
            ranking.world.tenant_id(),
            ranking.integration_id,
            field_name=FIELD,
        )

    assert report.written == report.failed == 0 and report.errors == []
    assert set((await ranking.written()).values()) == {None}
