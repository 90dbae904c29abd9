"""Source activities on candidates' timelines: read for the candidates a run found new
or changed, stored once, a candidate whose log cannot be read failing alone."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from gateway.store.enums import SyncStatus
from gateway.store.models import Activity
from jobs.sync_activities import ACTIONS
from tests.support.worlds import CANDIDATES, SyncWorld, count, full
from tests.support.worlds import sync_world as world

__all__ = ["world"]


async def source_activities(world: SyncWorld) -> int:
    return await count(world, Activity, Activity.action.in_(ACTIONS))


async def test_every_source_activity_is_on_its_candidates_timeline_once(world: SyncWorld) -> None:
    logged = sum(len(entries) for entries in world.fake.activities.values())
    assert logged >= CANDIDATES
    outcome = await full(world)
    assert outcome.status is SyncStatus.SUCCEEDED, outcome.error
    assert outcome.counts["activities"]["created"] == logged
    assert await source_activities(world) == logged

    again = await full(world)
    assert "activities" not in again.counts or again.counts["activities"]["created"] == 0
    assert await source_activities(world) == logged

    candidate_id = next(iter(world.fake.candidates))
    user = world.fake.users[10447]
    world.fake._log(candidate_id, None, "note", datetime(2026, 11, 30, 12, tzinfo=UTC), user)
    third = await full(world)
    assert third.counts["activities"]["created"] == 1
    async with world.deps.session_factory() as session:
        newest = await session.scalar(
            sa.select(Activity.description)
            .where(Activity.tenant_id == world.tenant_id, Activity.action.in_(ACTIONS))
            .order_by(Activity.created_at.desc())
            .limit(1)
        )
    assert newest is not None and "note added" in newest.lower()


async def test_an_activity_that_cannot_be_read_fails_alone(world: SyncWorld) -> None:
    broken = next(iter(world.fake.candidates))
    entries = world.fake.activities[broken]
    entries[0] = {**entries[0], "activity_id": 1.5, "id": None}
    outcome = await full(world)
    assert outcome.status is SyncStatus.PARTIALLY_FAILED, outcome.error
    assert outcome.counts["activities"]["failed"] == 1
    logged = sum(len(entries) for entries in world.fake.activities.values())
    assert await source_activities(world) == logged - 1
