"""Ashby synced into the store: a full sync takes every job, candidate (with its
resume, from ``file.info``), application with its stage history, interview schedule and
user of the fake; an incremental sync afterwards (through the ``syncToken`` each list
left at the end of the last successful run) writes only what changed and brings a stage
move and an archive made in Ashby into the store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from gateway.store.enums import ApplicationStatus
from gateway.store.models import (
    Application,
    Candidate,
    Integration,
    Interview,
    Job,
    StageTransition,
)
from jobs.sync_api import SyncMode
from tests.connectors.harness.ashby import make_harness
from tests.support.services import Backend
from tests.support.synced_provider import provider_sync


def _stage(fake: Any, application_id: str, title: str) -> str:
    plan = fake.applications[application_id]["currentInterviewStage"]["interviewPlanId"]
    return next(s["id"] for s in fake.plan_stages(plan) if s["title"] == title)


async def test_a_full_then_an_incremental_sync_of_ashby(backend: Backend) -> None:
    harness = make_harness()
    harness.seed(jobs=3, candidates=5, applications=8)
    fake = harness.fake
    async with provider_sync(backend, harness, config={"pageSize": 3}) as world:
        await world.sync(SyncMode.FULL)
        paths = [path for path, _query in world.seen]
        assert "/application.list" in paths and "/file.info" in paths

        moved_id = sorted(fake.applications)[0]
        fake.change_stage(moved_id, _stage(fake, moved_id, "Offer"), None)
        archived_id = sorted(fake.applications)[-1]
        reason = next(iter(fake.archive_reasons))
        fake.change_stage(archived_id, _stage(fake, archived_id, "Archived"), reason)
        fake.touch_job(fake.applications[moved_id]["job"]["id"])
        incremental = await world.sync(SyncMode.INCREMENTAL)

        assert await world.count(Job) == 3
        assert await world.count(Candidate) == 5
        assert await world.count(Application) == 8
        assert await world.count(Interview) == len(fake.schedules)
        assert await world.resumes() == 5
        now = await world.applications()
        async with world.engine.connect() as conn:
            history = await conn.scalar(
                sa.select(sa.func.count())
                .select_from(StageTransition)
                .join(Application, Application.id == StageTransition.application_id)
                .where(Application.remote_id == moved_id)
            )

    assert now[moved_id] == (ApplicationStatus.ACTIVE, "Offer")
    assert now[archived_id][0] is ApplicationStatus.REJECTED
    assert history == len(fake.applications[moved_id]["applicationHistory"])
    written = {
        entity: sum(
            incremental.counts.get(entity, {}).get(kind, 0)
            for kind in ("created", "updated", "unchanged")
        )
        for entity in ("jobs", "applications", "candidates")
    }
    assert written == {"jobs": 1, "applications": 2, "candidates": 0}, incremental.counts


INCREMENTAL_ENDPOINTS = ("job.list", "candidate.list", "application.list", "interviewSchedule.list")


async def _kept_tokens(world: Any) -> dict[str, str]:
    async with world.engine.connect() as conn:
        cursor = await conn.scalar(
            sa.select(Integration.sync_cursor).where(Integration.id == world.integration_id)
        )
    return dict((cursor or {}).get("source") or {})


def _tokens_sent(world: Any) -> dict[str, object]:
    sent: dict[str, object] = {}
    for path, body in world.bodies:
        endpoint = path.removeprefix("/")
        if endpoint in INCREMENTAL_ENDPOINTS:
            sent.setdefault(endpoint, json.loads(body or b"{}").get("syncToken"))
    return sent


async def test_incremental_syncs_of_ashby_go_through_the_kept_sync_tokens(
    backend: Backend,
) -> None:
    """A successful run keeps each list's last ``syncToken`` on the integration; the
    next incremental run sends them and reads only what changed since, and keeps the
    newer ones. An expired token costs one whole read of that list, not the run."""
    harness = make_harness()
    harness.seed(jobs=3, candidates=5, applications=8)
    fake = harness.fake
    async with provider_sync(backend, harness, config={"pageSize": 3}) as world:
        await world.sync(SyncMode.FULL)
        full = await _kept_tokens(world)
        assert sorted(full) == sorted(INCREMENTAL_ENDPOINTS)

        fake.now = lambda: datetime.now(UTC) + timedelta(seconds=1)
        touched = sorted(fake.jobs)[0]
        fake.touch_job(touched)
        world.bodies.clear()
        incremental = await world.sync(SyncMode.INCREMENTAL)
        assert _tokens_sent(world) == full
        assert (
            incremental.counts["jobs"]["updated"] + incremental.counts["jobs"].get("unchanged", 0)
            == 1
        ), incremental.counts
        later = await _kept_tokens(world)
        assert sorted(later) == sorted(INCREMENTAL_ENDPOINTS) and later != full

        fake.sync_token_ttl = timedelta(0)
        fake.now = lambda: datetime.now(UTC) + timedelta(seconds=2)
        world.bodies.clear()
        await world.sync(SyncMode.INCREMENTAL)
        job_reads = [json.loads(b or b"{}") for p, b in world.bodies if p == "/job.list"]
        assert job_reads[0].get("syncToken") == later["job.list"]
        assert any("syncToken" not in body for body in job_reads[1:]), "read again in whole"
        assert await world.count(Job) == 3
