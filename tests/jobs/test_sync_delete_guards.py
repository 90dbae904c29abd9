"""Delete detection only after a complete full run, on SQLite and PostgreSQL, against the
Recruiterflow fake on a real loopback port: a listing that breaks in any phase (even
after earlier phases completed, even on a later page of the first phase) leaves every
record undeleted; a phase whose listing comes back empty deletes nothing of that phase;
an incremental run deletes nothing. The failures come from the fake's own server over
HTTP, so the connector, its retries and the sync see what a real outage looks like."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from starlette.types import ASGIApp, Receive, Scope, Send

from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.store.enums import SyncStatus
from gateway.store.models import Application, Candidate, Job
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode, SyncOutcome
from tests.support.services import Backend
from tests.support.serving import served_on_loopback
from tests.support.worlds import APPLICATIONS, CANDIDATES, JOBS, SyncWorld, recruiterflow_sync

PAGE_SIZE = 4

Rule = Callable[[str, str], bool]
"""(path, query string) -> whether the fake answers this request with a 503."""


@dataclass
class Outage:
    """ASGI middleware: requests a rule of ``rules`` matches get 503 every time (retries
    included); those an ``empties`` rule matches get a well-formed empty page."""

    app: ASGIApp
    rules: list[Rule] = field(default_factory=list)
    empties: list[Rule] = field(default_factory=list)
    refused: int = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"").decode()
            if any(rule(scope["path"], query) for rule in self.rules):
                self.refused += 1
                await _answer(send, 503, b'{"error": "down"}')
                return
            if any(rule(scope["path"], query) for rule in self.empties):
                await _answer(send, 200, b'{"data": [], "total_items": 0}')
                return
        await self.app(scope, receive, send)


async def _answer(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@dataclass
class World(SyncWorld):
    outage: Outage

    async def full(self) -> SyncOutcome:
        return await sync_integration(
            self.deps, self.tenant_id, self.integration_id, mode=SyncMode.FULL
        )

    async def deleted(self, model: Any) -> list[str]:
        async with self.deps.session_factory() as session:
            rows = await session.scalars(
                sa.select(model.remote_id).where(
                    model.integration_id == self.integration_id,
                    model.remote_deleted_at.is_not(None),
                )
            )
            return sorted(rows)

    async def all_deleted(self) -> dict[str, list[str]]:
        return {
            "jobs": await self.deleted(Job),
            "candidates": await self.deleted(Candidate),
            "applications": await self.deleted(Application),
        }

    async def inactive_jobs(self) -> int:
        async with self.deps.session_factory() as session:
            return int(
                await session.scalar(
                    sa.select(sa.func.count())
                    .select_from(Job)
                    .where(Job.integration_id == self.integration_id, Job.is_active.is_(False))
                )
                or 0
            )

    def delete_at_source(self, job: int, candidate: int) -> None:
        """One requisition and one candidate (with their applications) gone from the ATS."""
        del self.fake.jobs[job]
        del self.fake.candidates[candidate]
        for key in [k for k in self.fake.applications if job in k or candidate == k[0]]:
            del self.fake.applications[key]


@pytest.fixture
async def world(backend: Backend) -> AsyncIterator[World]:
    fake = FakeRecruiterflow()
    fake.seed(jobs=JOBS, candidates=CANDIDATES, applications=APPLICATIONS)
    outage = Outage(fake.app)
    async with (
        served_on_loopback(outage) as loopback,
        recruiterflow_sync(
            backend,
            fake,
            slug="delete-guards",
            client=httpx.AsyncClient(),
            config={"baseUrl": loopback.url, "pageSize": PAGE_SIZE},
        ) as synced,
    ):
        yield World(**vars(synced), outage=outage)


def listing(path_end: str, *, page: int | None = None) -> Rule:
    def rule(path: str, query: str) -> bool:
        if not path.endswith(path_end):
            return False
        return page is None or f"current_page={page}" in query.split("&")

    return rule


BROKEN_PHASES = {
    "jobs, second page": listing("/job/list", page=2),
    "candidates, after jobs completed": listing("/candidate/list"),
    "candidates, second page": listing("/candidate/list", page=2),
    "applications, after jobs and candidates completed": listing("/stage-movement/list"),
}


@pytest.mark.parametrize("broken", list(BROKEN_PHASES), ids=list(BROKEN_PHASES))
async def test_a_full_run_broken_mid_way_deletes_nothing(world: World, broken: str) -> None:
    first = await world.full()
    assert first.status is SyncStatus.SUCCEEDED, first.error
    world.delete_at_source(job=1002, candidate=sorted(world.fake.candidates)[-1])

    world.outage.rules.append(BROKEN_PHASES[broken])
    outcome = await world.full()
    world.outage.rules.clear()

    assert world.outage.refused > 0, "the outage was hit"
    assert outcome.status in (SyncStatus.FAILED, SyncStatus.PARTIALLY_FAILED), outcome
    assert outcome.error
    assert await world.all_deleted() == {"jobs": [], "candidates": [], "applications": []}, (
        "a run that did not complete every phase marks nothing deleted"
    )
    assert await world.inactive_jobs() == 0
    assert not [e for e in world.events if e.type.endswith(".deleted")]

    healed = await world.full()
    assert healed.status is SyncStatus.SUCCEEDED, healed.error
    deleted = await world.all_deleted()
    assert deleted["jobs"] == ["1002"], "the next complete run does delete what is gone"
    assert len(deleted["candidates"]) == 1


@pytest.mark.parametrize("emptied", ["jobs", "candidates", "everything"])
async def test_an_empty_listing_on_a_rerun_deletes_nothing_of_that_phase(
    world: World, emptied: str
) -> None:
    first = await world.full()
    assert first.status is SyncStatus.SUCCEEDED, first.error
    if emptied in ("jobs", "everything"):
        world.outage.empties.append(listing("/job/list"))
    if emptied in ("candidates", "everything"):
        world.outage.empties.append(listing("/candidate/list"))

    outcome = await world.full()

    assert outcome.status is SyncStatus.SUCCEEDED, outcome.error
    deleted = await world.all_deleted()
    if emptied in ("jobs", "everything"):
        assert deleted["jobs"] == [], "an empty jobs listing deletes no requisition"
        assert await world.inactive_jobs() == 0
    if emptied in ("candidates", "everything"):
        assert deleted["candidates"] == [], "an empty candidates listing deletes no candidate"
        assert deleted["applications"] == [], "no listed application: none deleted"
    assert sum(bucket.get("deleted", 0) for bucket in outcome.counts.values()) == 0


async def test_an_incremental_run_deletes_nothing(world: World) -> None:
    first = await world.full()
    assert first.status is SyncStatus.SUCCEEDED, first.error
    world.delete_at_source(job=1003, candidate=sorted(world.fake.candidates)[0])
    world.fake.jobs[1004]["name"] = "Changed"
    world.fake.touch_job(1004)

    outcome = await sync_integration(
        world.deps, world.tenant_id, world.integration_id, mode=SyncMode.INCREMENTAL
    )

    assert outcome.status is SyncStatus.SUCCEEDED, outcome.error
    assert outcome.counts["jobs"]["updated"] == 1, "the incremental run did run"
    assert await world.all_deleted() == {"jobs": [], "candidates": [], "applications": []}
