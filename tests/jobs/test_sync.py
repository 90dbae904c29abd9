"""The sync engine against the Recruiterflow fake, on SQLite and PostgreSQL: full and
incremental runs, zero rewrites when nothing changed, gateway-owned fields kept,
deletes only after complete full runs, failures reported as failures, exclusivity,
and a run killed mid-way resumed without duplicates."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from gateway.locks import LocalLocks
from gateway.metrics import REGISTRY
from gateway.store.base import utcnow
from gateway.store.enums import IntegrationStatus, LogLevel, SyncKind, SyncStatus
from gateway.store.models import (
    Application,
    Candidate,
    Integration,
    Job,
    OperationalLog,
    StageTransition,
    SyncRun,
    TenantSettings,
)
from jobs import sync_phases
from jobs.sync import sync_integration
from jobs.sync_api import SyncDeps, SyncMode
from jobs.sync_job import sync_job
from jobs.sync_schedule import due_syncs
from jobs.sync_tasks import settled
from jobs.task_context import TaskError
from tests.support.worlds import (
    APPLICATIONS,
    CANDIDATES,
    JOBS,
    SyncWorld,
    count,
    full,
    no_sleep,
)
from tests.support.worlds import sync_world as world

__all__ = ["world"]


class Killed(BaseException):
    """Stands for the process dying: nothing in the sync may catch it."""


async def full_through(world: SyncWorld, app: Any) -> Any:
    """A full sync whose requests to the source go through ``app`` (wrapping the fake),
    with a lock table of its own."""
    client = httpx.AsyncClient(
        mounts={"https://api.recruiterflow.com": httpx.ASGITransport(app=app)}
    )
    deps = SyncDeps(
        world.deps.session_factory,
        world.deps.keyring,
        client,
        world.deps.bus,
        world.deps.cache,
        LocalLocks(),
        no_sleep,
    )
    try:
        return await sync_integration(
            deps, world.tenant_id, world.integration_id, mode=SyncMode.FULL
        )
    finally:
        await client.aclose()


async def test_full_sync_brings_everything_with_history_and_events(world: SyncWorld) -> None:
    outcome = await full(world)
    assert outcome.status is SyncStatus.SUCCEEDED, outcome.error
    assert outcome.counts["jobs"]["created"] == JOBS
    assert outcome.counts["candidates"]["created"] == CANDIDATES
    assert outcome.counts["applications"]["created"] == APPLICATIONS
    assert await count(world, Job) == JOBS
    assert await count(world, Candidate) == CANDIDATES
    assert await count(world, Application) == APPLICATIONS
    assert await count(world, StageTransition) >= APPLICATIONS
    kinds = {e.type for e in world.events}
    assert {
        "job.created",
        "candidate.created",
        "application.created",
        "sync.progress",
        "sync.finished",
    } <= kinds
    async with world.deps.session_factory() as session:
        integration = await session.get(Integration, world.integration_id)
        run = await session.get(SyncRun, outcome.run_id)
    assert integration is not None and integration.last_successful_sync_at is not None
    assert run is not None and run.status is SyncStatus.SUCCEEDED and run.duration_ms is not None
    async with world.deps.session_factory() as session:
        [logged] = (
            await session.scalars(sa.select(OperationalLog).where(OperationalLog.source == "sync"))
        ).all()
    assert logged.level is LogLevel.INFO and logged.extra["runId"] == outcome.run_id
    assert logged.message.startswith("Full sync of ") and " created" in logged.message
    assert logged.extra["counts"] == outcome.counts
    assert run.checkpoint and set(run.checkpoint["completed"]) >= {
        "jobs",
        "candidates",
        "applications",
    }


async def test_a_sync_is_measured_run_records_and_vendor_calls(world: SyncWorld) -> None:
    def sample(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    def records() -> float:
        return sum(
            metric.value
            for family in REGISTRY.collect()
            if family.name == "talentgraph_sync_records"
            for metric in family.samples
            if metric.name.endswith("_total") and metric.labels["provider"] == "recruiterflow"
        )

    run = {"provider": "recruiterflow", "kind": "full", "status": "succeeded"}
    calls = {"provider": "recruiterflow", "outcome": "2xx"}
    runs_before = sample("talentgraph_sync_run_seconds_count", **run)
    records_before = records()
    calls_before = sample("talentgraph_connector_call_seconds_count", **calls)

    outcome = await full(world)

    assert outcome.status is SyncStatus.SUCCEEDED, outcome.error
    assert sample("talentgraph_sync_run_seconds_count", **run) == runs_before + 1
    counted = sum(
        number
        for outcomes in outcome.counts.values()
        if isinstance(outcomes, dict)
        for number in outcomes.values()
        if isinstance(number, int) and number > 0
    )
    assert records() == records_before + counted
    assert sample("talentgraph_connector_call_seconds_count", **calls) > calls_before


async def test_a_resync_with_nothing_changed_rewrites_zero_rows(world: SyncWorld) -> None:
    await full(world)
    world.statements.clear()
    outcome = await full(world)
    assert outcome.status is SyncStatus.SUCCEEDED
    for model in ("jobs", "candidates", "applications"):
        counts = outcome.counts[model]
        assert counts["created"] == counts["updated"] == 0, (model, outcome.counts)
        assert outcome.counts[model]["unchanged"] > 0
    synced_tables = ("jobs", "candidates", "applications", "stage_transitions", "pipeline_stages")
    writes = [
        s
        for s in world.statements
        if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and any(
            f" {table}" in s.split("SET")[0] or f"INTO {table}" in s or f"FROM {table}" in s
            for table in synced_tables
        )
    ]
    assert writes == [], writes


async def test_the_gateway_keeps_what_it_owns(world: SyncWorld) -> None:
    await full(world)
    async with world.deps.session_factory.begin() as session:
        job = (
            await session.execute(
                sa.select(Job).where(
                    Job.integration_id == world.integration_id, Job.remote_id == "1001"
                )
            )
        ).scalar_one()
        job.interview_instructions, job.auto_send_interview = "Ask about SQL", True
    world.fake.jobs[1001]["name"] = "Renamed by the ATS"
    world.fake.touch_job(1001)
    outcome = await full(world)
    assert outcome.counts["jobs"]["updated"] == 1
    async with world.deps.session_factory() as session:
        job = (
            await session.execute(
                sa.select(Job).where(
                    Job.integration_id == world.integration_id, Job.remote_id == "1001"
                )
            )
        ).scalar_one()
    assert job.title == "Renamed by the ATS"
    assert (job.interview_instructions, job.auto_send_interview) == ("Ask about SQL", True)
    assert job.score is not None and job.rank is not None, "scored and ranked by the gateway"


async def test_missing_records_are_marked_deleted_never_dropped(world: SyncWorld) -> None:
    await full(world)
    del world.fake.jobs[1002]
    for key in [k for k in world.fake.applications if k[1] == 1002]:
        del world.fake.applications[key]
    outcome = await full(world)
    assert outcome.status is SyncStatus.SUCCEEDED
    assert outcome.counts["jobs"]["deleted"] == 1
    async with world.deps.session_factory() as session:
        job = (
            await session.execute(
                sa.select(Job).where(
                    Job.integration_id == world.integration_id, Job.remote_id == "1002"
                )
            )
        ).scalar_one()
    assert job.remote_deleted_at is not None and job.is_active is False
    assert await count(world, Job) == JOBS

    world.events.clear()
    again = await full(world)
    assert again.counts.get("jobs", {}).get("deleted", 0) == 0, "a deletion is found once"
    assert not [e for e in world.events if e.type == "job.deleted"]
    async with world.deps.session_factory() as session:
        still = await session.get(Job, job.id)
    assert still is not None and still.remote_deleted_at == job.remote_deleted_at


async def test_a_failed_sync_deletes_nothing_and_says_so(world: SyncWorld) -> None:
    await full(world)
    del world.fake.jobs[1003]
    world.fake.faults.server_errors(times=100)
    outcome = await full(world)
    world.fake.faults.reset()
    assert outcome.status in (SyncStatus.FAILED, SyncStatus.PARTIALLY_FAILED)
    assert outcome.error and "ServerError" in outcome.error
    assert await count(world, Job, Job.remote_deleted_at.is_not(None)) == 0
    async with world.deps.session_factory() as session:
        run = await session.get(SyncRun, outcome.run_id)
    assert run is not None and run.status is not SyncStatus.SUCCEEDED and run.error_message


async def test_a_429_storm_is_waited_out(world: SyncWorld) -> None:
    world.fake.faults.rate_limit(times=3, retry_after=0)
    outcome = await full(world)
    assert outcome.status is SyncStatus.SUCCEEDED
    assert await count(world, Application) == APPLICATIONS


async def test_revoked_credentials_fail_authentication(world: SyncWorld) -> None:
    world.fake.api_key = "rotated-elsewhere"
    outcome = await full(world)
    assert outcome.status is SyncStatus.AUTHENTICATION_FAILED
    async with world.deps.session_factory() as session:
        integration = await session.get(Integration, world.integration_id)
    assert integration is not None and integration.status is IntegrationStatus.ERROR


async def test_one_sync_per_integration_at_a_time(world: SyncWorld) -> None:
    world.fake.faults.latency = 0.02
    first, second = await asyncio.gather(full(world), full(world))
    world.fake.faults.latency = 0
    outcomes = sorted([first, second], key=lambda o: o.already_running)
    assert outcomes[0].status is SyncStatus.SUCCEEDED
    assert outcomes[1].already_running
    async with world.deps.session_factory() as session:
        runs = await session.scalar(
            sa.select(sa.func.count())
            .select_from(SyncRun)
            .where(SyncRun.integration_id == world.integration_id)
        )
    assert runs == 1


async def test_a_killed_run_resumes_where_it_stopped(
    world: SyncWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_phases, "BATCH", 3)
    inner = world.fake.app
    requests = 0

    async def dying(scope: Any, receive: Any, send: Any) -> None:
        nonlocal requests
        requests += 1
        if requests == 12:
            raise Killed()
        await inner(scope, receive, send)

    with pytest.raises(Killed):
        await full_through(world, dying)
    async with world.deps.session_factory() as session:
        orphan = (
            await session.execute(
                sa.select(SyncRun).where(SyncRun.integration_id == world.integration_id)
            )
        ).scalar_one()
    assert orphan.status is SyncStatus.RUNNING
    written_before = await count(world, Job) + await count(world, Candidate)
    assert written_before > 0

    outcome = await full(world)
    assert outcome.run_id == orphan.id, "the same run is resumed"
    assert outcome.status is SyncStatus.SUCCEEDED
    assert await count(world, Job) == JOBS
    assert await count(world, Candidate) == CANDIDATES
    assert await count(world, Application) == APPLICATIONS
    assert sum(c.get("updated", 0) for c in outcome.counts.values()) == 0, "nothing written twice"


async def test_a_run_the_source_cut_short_is_resumed_not_replaced(
    world: SyncWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The source answers 500 mid-way, past the connector's retries: the run ends
    resumable, its queued task is retried (not succeeded), the integration shows the
    error; the next sync, even an incremental one, continues that run and clears it."""
    monkeypatch.setattr(sync_phases, "BATCH", 3)
    inner = world.fake.app
    requests = 0

    async def breaking(scope: Any, receive: Any, send: Any) -> None:
        nonlocal requests
        requests += 1
        if requests == 12:
            world.fake.faults.server_errors(times=1_000)
        await inner(scope, receive, send)

    try:
        cut = await full_through(world, breaking)
    finally:
        world.fake.faults.reset()
    assert cut.status is SyncStatus.PARTIALLY_FAILED
    assert cut.details == {"retryable": True, "resumable": True}
    with pytest.raises(TaskError, match="resumes from its checkpoint"):
        settled(cut, "integration")
    async with world.deps.session_factory() as session:
        integration = await session.get(Integration, world.integration_id)
        run = await session.get(SyncRun, cut.run_id)
    assert integration is not None and (integration.last_error or "").startswith("sync: ")
    assert run is not None and (run.error_details or {}).get("resumable") is True
    assert await count(world, Job, Job.remote_deleted_at.is_not(None)) == 0

    resumed = await sync_integration(
        world.deps, world.tenant_id, world.integration_id, mode=SyncMode.INCREMENTAL
    )
    assert resumed.run_id == cut.run_id, "the same run goes on"
    assert resumed.status is SyncStatus.SUCCEEDED
    assert await count(world, Application) == APPLICATIONS
    assert await count(world, Candidate) == CANDIDATES
    assert sum(c.get("updated", 0) for c in resumed.counts.values()) == 0, "nothing twice"
    async with world.deps.session_factory() as session:
        integration = await session.get(Integration, world.integration_id)
        run = await session.get(SyncRun, cut.run_id)
    assert integration is not None and integration.last_error is None
    assert run is not None and run.kind.value == "full" and run.checkpoint["resumed"] == 1


async def test_a_lock_held_by_a_stopped_run_is_waited_for_not_taken_as_done(
    world: SyncWorld,
) -> None:
    """A queued sync that finds the lock of a run whose heartbeat stopped tries again;
    one that finds a live run leaves the work to it."""
    locks = world.deps.locks
    held = locks.lock(f"sync:{world.integration_id}", ttl=60)
    assert await held.acquire()
    try:
        async with world.deps.session_factory.begin() as session:
            run = SyncRun(
                tenant_id=world.tenant_id,
                integration_id=world.integration_id,
                kind=SyncKind.FULL,
                status=SyncStatus.RUNNING,
                started_at=utcnow() - timedelta(minutes=10),
                heartbeat_at=utcnow(),
                counts={},
            )
            session.add(run)
        alive = await full(world)
        assert alive.already_running and alive.run_id == run.id
        assert settled(alive, "integration") is alive
        async with world.deps.session_factory.begin() as session:
            await session.execute(
                sa.update(SyncRun)
                .where(SyncRun.id == run.id)
                .values(heartbeat_at=utcnow() - timedelta(minutes=5))
            )
        stopped = await full(world)
        assert stopped.already_running
        with pytest.raises(TaskError, match="held by a sync that stopped"):
            settled(stopped, "integration")
        due = await due_syncs(world.deps.session_factory)
        assert [(d.integration_id, d.mode) for d in due] == [
            (world.integration_id, SyncMode.FULL)
        ], "a stalled run makes its integration due at once"
    finally:
        await held.release()


async def test_incremental_runs_after_a_full_one_and_due_syncs(world: SyncWorld) -> None:
    first = await sync_integration(world.deps, world.tenant_id, world.integration_id)
    async with world.deps.session_factory() as session:
        run = await session.get(SyncRun, first.run_id)
    assert run is not None and run.kind.value == "full", "no cursor yet: incremental becomes full"
    world.fake.jobs[1004]["name"] = "Changed"
    world.fake.touch_job(1004)
    second = await sync_integration(world.deps, world.tenant_id, world.integration_id)
    assert second.status is SyncStatus.SUCCEEDED
    assert second.counts["jobs"]["updated"] == 1
    assert second.counts["jobs"].get("created", 0) == 0
    due = await due_syncs(world.deps.session_factory)
    assert all(d.integration_id != world.integration_id for d in due), "just synced: not due"


async def test_job_refresh_refetches_one_requisition(world: SyncWorld) -> None:
    await full(world)
    async with world.deps.session_factory() as session:
        job_id = await session.scalar(
            sa.select(Job.id).where(
                Job.integration_id == world.integration_id, Job.remote_id == "1005"
            )
        )
    assert job_id is not None
    world.fake.jobs[1005]["name"] = "Refreshed title"
    world.fake.touch_job(1005)
    outcome = await sync_job(world.deps, world.tenant_id, job_id)
    assert outcome.status is SyncStatus.SUCCEEDED, outcome.error
    async with world.deps.session_factory() as session:
        assert (await session.get(Job, job_id)).title == "Refreshed title"  # type: ignore[union-attr]


async def test_changed_ranks_are_written_back_to_the_configured_custom_field(
    world: SyncWorld,
) -> None:
    async with world.deps.session_factory.begin() as session:
        session.add(TenantSettings(tenant_id=world.tenant_id, rank_custom_field="Current Rank"))
    await full(world)
    rank_writes = [w for w in world.fake.writes if w.path.endswith("/job/update")]
    async with world.deps.session_factory() as session:
        ranked = (
            await session.execute(
                sa.select(Job.remote_id, Job.rank).where(
                    Job.integration_id == world.integration_id, Job.rank.is_not(None)
                )
            )
        ).all()
    assert ranked and len(rank_writes) == len(ranked)
    sent = {str(w.body["job_id"]): w.body["custom_fields"][0]["value"] for w in rank_writes}
    assert sent == {remote_id: rank for remote_id, rank in ranked}
    assert all(w.body["custom_fields"][0]["id"] == 71 for w in rank_writes)

    await full(world)
    assert len([w for w in world.fake.writes if w.path.endswith("/job/update")]) == len(ranked), (
        "an unchanged ranking writes nothing"
    )
    last = max(ranked, key=lambda row: row.rank)
    async with world.deps.session_factory.begin() as session:
        job = (
            await session.execute(
                sa.select(Job).where(
                    Job.integration_id == world.integration_id, Job.remote_id == last.remote_id
                )
            )
        ).scalar_one()
        job.estimated_fee = Decimal("1000000000")
        settings = await session.get(TenantSettings, world.tenant_id)
        assert settings is not None
        settings.score_weight_fee, settings.score_weight_pipeline = 100, 0
        settings.score_weight_time_open = settings.score_weight_analysis = 0
    await full(world)
    moved = [w for w in world.fake.writes if w.path.endswith("/job/update")][len(ranked) :]
    assert moved and str(moved[0].body["job_id"]) in {r.remote_id for r in ranked}
    assert any(
        str(w.body["job_id"]) == last.remote_id and w.body["custom_fields"][0]["value"] == 1
        for w in moved
    )
