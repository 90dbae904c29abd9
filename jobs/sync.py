"""Full and incremental sync of one integration: stream, map, bulk-upsert, detect
deletes, checkpoint, publish.

    outcome = await sync_integration(deps, tenant_id, integration_id, mode=SyncMode.FULL)

One run per integration at a time (an expiring lock); a second request while one runs
returns ``already_running`` and does nothing. Records are upserted in batches, each
committed with a checkpoint on the run; a run whose worker died stays ``running`` and
the next request for the integration resumes it, skipping the writes its checkpoint
says were committed. Only a full run that completed every phase without error marks
the records it did not see as deleted; nothing is ever dropped.

Phases run in dependency order: jobs, candidates, applications (with stage history),
interviews, onboarding tasks. What a provider cannot list yields nothing, and an empty
listing never deletes anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import ConnectorBase
from connectors.errors import AuthError, ConnectorError
from connectors.models import (
    RemoteApplication,
    RemoteCandidate,
    RemoteInterview,
    RemoteJob,
    RemoteOnboardingTask,
)
from gateway.crypto import CryptoError
from gateway.pubsub import Event
from gateway.services.connections import connector_for
from gateway.services.ranking import recompute_ranks, write_back_ranks
from gateway.store.base import Base, table_of
from gateway.store.enums import IntegrationStatus, SyncKind, SyncStatus
from gateway.store.models import (
    Application,
    Candidate,
    Integration,
    Interview,
    Job,
    OnboardingTask,
    PipelineStage,
    StageTransition,
    SyncRun,
    TenantSettings,
)
from gateway.store.upsert import UpsertResult, chunks, mark_missing_deleted, upsert_synced
from jobs.sync_api import ProgressCallback, SyncDeps, SyncMode, SyncOutcome, SyncProgress
from jobs.sync_mapping import (
    application_row,
    candidate_row,
    interview_row,
    job_row,
    onboarding_row,
    stage_kind,
)

logger = logging.getLogger("talentgraph.jobs.sync")

BATCH = 200
LOCK_TTL = 120.0
CURSOR_OVERLAP = timedelta(minutes=2)
"""Incremental reads start this much before the last success, for clock skew."""

PHASES = ("jobs", "candidates", "applications", "interviews", "onboarding_tasks")

ANALYZE_FROM = 1_000
"""PostgreSQL: a synced table this run has inserted this many rows into is analyzed, and
again each time that number doubles. The batch lookups by ``(integration_id, remote_id)``
need statistics: without them (a first sync into empty tables, autovacuum not yet
around) the planner takes the integration's rows for a few, reads all of them through
the ``integration_id`` index on every batch, and the sync turns quadratic."""
ANALYZED_TABLES = frozenset(
    {"jobs", "candidates", "applications", "stage_transitions", "interviews", "onboarding_tasks"}
)


class SyncFailed(Exception):
    def __init__(self, status: SyncStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class RunState:
    """What one run has done so far; ``counts`` is what the run row records."""

    run_id: int
    tenant_id: int
    integration_id: int
    started_at: datetime
    checkpoint: dict[str, Any]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    seen: dict[str, set[str]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def count(self, model: str, outcome: str, amount: int = 1) -> None:
        if amount:
            bucket = self.counts.setdefault(
                model, {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0, "failed": 0}
            )
            bucket[outcome] += amount

    @property
    def processed(self) -> int:
        return sum(sum(v for k, v in c.items() if k != "deleted") for c in self.counts.values())


def _now() -> datetime:
    return datetime.now(UTC)


async def _read_ahead(records: AsyncIterator[Any], size: int) -> AsyncGenerator[Any, None]:
    """``records`` in order, read up to ``size`` ahead by a task of their own, so the
    source keeps answering while a batch is written. Its failure is raised where it
    happened in the sequence; leaving early stops the reading."""
    queue: asyncio.Queue[tuple[bool, Any]] = asyncio.Queue(size)

    async def read() -> None:
        try:
            async for record in records:
                await queue.put((True, record))
            await queue.put((False, None))
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # handed over, the consumer raises it
            await queue.put((False, exc))
        finally:
            close = getattr(records, "aclose", None)
            if close is not None:
                await close()

    reader = asyncio.create_task(read())
    try:
        while True:
            more, item = await queue.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        reader.cancel()
        await asyncio.wait([reader])
        if not reader.cancelled():
            reader.exception()  # closing the source failed: nothing left to tell


async def sync_integration(
    deps: SyncDeps,
    tenant_id: int,
    integration_id: int,
    *,
    mode: SyncMode = SyncMode.INCREMENTAL,
    trigger: str = "manual",
    progress: ProgressCallback | None = None,
) -> SyncOutcome:
    lock = deps.locks.lock(f"sync:{integration_id}", ttl=LOCK_TTL)
    if not await lock.acquire():
        running = await _running_run(deps, integration_id)
        return SyncOutcome(run_id=running, status=SyncStatus.RUNNING, already_running=True)
    try:
        async with deps.session_factory.begin() as session:
            integration = await session.get(Integration, integration_id)
            if integration is None or integration.tenant_id != tenant_id:
                return SyncOutcome(
                    run_id=None,
                    status=None,
                    error="integration not found",
                    details={"retryable": False},
                )
            state, mode, since = await _open_run(session, integration, mode, trigger)
        return await _run(deps, integration, state, mode, since, lock, progress)
    finally:
        await lock.release()


async def _running_run(deps: SyncDeps, integration_id: int) -> int | None:
    async with deps.session_factory() as session:
        return await session.scalar(
            sa.select(SyncRun.id)
            .where(SyncRun.integration_id == integration_id, SyncRun.status == SyncStatus.RUNNING)
            .order_by(SyncRun.id.desc())
            .limit(1)
        )


async def _open_run(
    session: AsyncSession, integration: Integration, mode: SyncMode, trigger: str
) -> tuple[RunState, SyncMode, datetime | None]:
    """Resume the run a dead worker left ``running``, or start a new one. An
    incremental request with no successful run to start from becomes a full one."""
    now = _now()
    if mode is SyncMode.INCREMENTAL and integration.last_successful_sync_at is None:
        mode = SyncMode.FULL
    orphan = (
        await session.execute(
            sa.select(SyncRun)
            .where(SyncRun.integration_id == integration.id, SyncRun.status == SyncStatus.RUNNING)
            .order_by(SyncRun.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if orphan is not None:
        run = orphan
        run.checkpoint = {
            **(run.checkpoint or {}),
            "resumed": (run.checkpoint or {}).get("resumed", 0) + 1,
        }
        mode = SyncMode(run.kind.value) if run.kind.value in ("full", "incremental") else mode
    else:
        run = SyncRun(
            tenant_id=integration.tenant_id,
            integration_id=integration.id,
            kind=SyncKind(mode.value),
            status=SyncStatus.RUNNING,
            trigger=trigger,
            started_at=now,
            counts={},
            checkpoint={"phase": PHASES[0], "done": 0, "completed": []},
        )
        session.add(run)
    await session.flush()
    since = None
    if mode is SyncMode.INCREMENTAL and integration.last_successful_sync_at is not None:
        since = integration.last_successful_sync_at - CURSOR_OVERLAP
    state = RunState(
        run_id=run.id,
        tenant_id=integration.tenant_id,
        integration_id=integration.id,
        started_at=run.started_at or now,
        checkpoint=dict(run.checkpoint or {}),
        counts={k: dict(v) for k, v in (run.counts or {}).items()},
    )
    return state, mode, since


async def _run(
    deps: SyncDeps,
    integration: Integration,
    state: RunState,
    mode: SyncMode,
    since: datetime | None,
    lock: Any,
    progress: ProgressCallback | None,
) -> SyncOutcome:
    started = time.perf_counter()
    status = SyncStatus.SUCCEEDED
    error: str | None = None
    retryable = True
    try:
        try:
            connector = connector_for(
                integration,
                deps.keyring,
                deps.http,
                session_factory=deps.session_factory,
                sleep=deps.sleep,
            )
        except (ConnectorError, CryptoError) as exc:
            raise SyncFailed(SyncStatus.FAILED, f"cannot build the connector: {exc}") from exc
        phases = _Phases(deps, connector, integration, state, since, lock, progress)
        await phases.run_all()
        if mode is SyncMode.FULL:
            await phases.detect_deletes()
        await _rank_and_write_back(deps, connector, state)
        if state.failures:
            status = SyncStatus.PARTIALLY_FAILED
            error = f"{len(state.failures)} record(s) failed; first: {state.failures[0]}"
    except SyncFailed as failure:
        status, error, retryable = failure.status, failure.message, False
    except AuthError as exc:
        status, error, retryable = SyncStatus.AUTHENTICATION_FAILED, exc.message, False
    except ConnectorError as exc:
        status = SyncStatus.PARTIALLY_FAILED if state.processed else SyncStatus.FAILED
        error, retryable = f"{type(exc).__name__}: {exc.message}", exc.retryable
    await _close_run(deps, integration, state, status, error, started)
    await deps.bus.publish(
        Event(
            "sync.finished",
            state.tenant_id,
            {
                "runId": state.run_id,
                "integrationId": state.integration_id,
                "status": status.value,
                "counts": state.counts,
                "error": error,
            },
        )
    )
    return SyncOutcome(
        run_id=state.run_id,
        status=status,
        counts=state.counts,
        error=error,
        details={"retryable": retryable and status is not SyncStatus.SUCCEEDED},
    )


async def _close_run(
    deps: SyncDeps,
    integration: Integration,
    state: RunState,
    status: SyncStatus,
    error: str | None,
    started: float,
) -> None:
    finished = _now()
    async with deps.session_factory.begin() as session:
        run = await session.get(SyncRun, state.run_id, with_for_update=True)
        stored = await session.get(Integration, integration.id, with_for_update=True)
        assert run is not None
        run.status = status
        run.counts = state.counts
        run.finished_at = finished
        run.duration_ms = int((time.perf_counter() - started) * 1000)
        run.error_message = error
        run.error_details = {"failures": state.failures[:50]} if state.failures else None
        if stored is not None:
            stored.last_sync_at = finished
            if status is SyncStatus.SUCCEEDED:
                stored.last_successful_sync_at = state.started_at
                stored.sync_cursor = {"since": state.started_at.isoformat()}
            if status is SyncStatus.AUTHENTICATION_FAILED:
                stored.status = IntegrationStatus.ERROR
                stored.last_error = f"sync: {error}"[:2000]
                stored.last_error_at = finished
    if any(c.get("created") or c.get("updated") or c.get("deleted") for c in state.counts.values()):
        await deps.cache.invalidate(state.tenant_id)


async def _rank_and_write_back(deps: SyncDeps, connector: ConnectorBase, state: RunState) -> None:
    """After the records landed: re-rank the tenant's jobs and send changed ranks to
    the ATS's configured job custom field (``settings.rankCustomField``)."""
    async with deps.session_factory.begin() as session:
        await recompute_ranks(session, state.tenant_id)
        settings = await session.get(TenantSettings, state.tenant_id)
    field_name = settings.rank_custom_field if settings is not None else None
    if not field_name:
        return
    report = await write_back_ranks(
        connector,
        deps.session_factory,
        state.tenant_id,
        state.integration_id,
        field_name=field_name,
    )
    if report.written or report.failed:
        state.count("rank_writeback", "updated", report.written)
        state.count("rank_writeback", "failed", report.failed)
        state.failures.extend(report.errors[:10])


Publish = Callable[[list[Event]], Awaitable[None]]


class _Phases:
    def __init__(
        self,
        deps: SyncDeps,
        connector: ConnectorBase,
        integration: Integration,
        state: RunState,
        since: datetime | None,
        lock: Any,
        progress: ProgressCallback | None,
    ) -> None:
        self.deps = deps
        self.connector = connector
        self.integration = integration
        self.state = state
        self.since = since
        self.lock = lock
        self.progress = progress
        self.stage_ids: dict[str, int] = {}
        self.analyzed_at: dict[str, int] = {}

    async def run_all(self) -> None:
        completed = set(self.state.checkpoint.get("completed", []))
        steps: dict[str, Callable[[], AsyncIterator[Any]]] = {
            "jobs": lambda: self.connector.jobs(updated_since=self.since),
            "candidates": lambda: self.connector.candidates(updated_since=self.since),
            "applications": lambda: self.connector.applications(updated_since=self.since),
            "interviews": lambda: self.connector.interviews(updated_since=self.since),
            "onboarding_tasks": lambda: self.connector.onboarding_tasks(updated_since=self.since),
        }
        for phase in PHASES:
            resume_at = 0
            if self.state.checkpoint.get("phase") == phase:
                resume_at = int(self.state.checkpoint.get("done", 0))
            await self._phase(
                phase, steps[phase](), skip_writes=phase in completed, resume_at=resume_at
            )

    async def _phase(
        self, phase: str, records: AsyncIterator[Any], *, skip_writes: bool, resume_at: int
    ) -> None:
        seen = self.state.seen.setdefault(phase, set())
        done = 0
        batch: list[Any] = []
        async with contextlib.aclosing(_read_ahead(records, BATCH)) as ahead:
            async for record in ahead:
                seen.add(record.remote_id)
                done += 1
                if skip_writes or done <= resume_at:
                    continue
                batch.append(record)
                if len(batch) >= BATCH:
                    await self._commit(phase, batch, done)
                    batch = []
        if batch:
            await self._commit(phase, batch, done)
        await self._checkpoint(phase, done, completed=True)

    async def _checkpoint(self, phase: str, done: int, *, completed: bool = False) -> None:
        async with self.deps.session_factory.begin() as session:
            await self._save_checkpoint(session, phase, done, completed=completed)

    async def _save_checkpoint(
        self, session: AsyncSession, phase: str, done: int, *, completed: bool = False
    ) -> None:
        """Record how far the run got (and its counts) in the caller's transaction."""
        checkpoint = self.state.checkpoint
        finished = set(checkpoint.get("completed", []))
        if completed:
            finished.add(phase)
        checkpoint.update({"phase": phase, "done": done, "completed": sorted(finished)})
        await session.execute(
            sa.update(SyncRun)
            .where(SyncRun.id == self.state.run_id)
            .values(checkpoint=dict(checkpoint), counts=self.state.counts)
        )

    async def _commit(self, phase: str, batch: list[Any], done: int) -> None:
        """Upsert one batch and move the checkpoint past it, in one transaction."""
        events: list[Event] = []
        async with self.deps.session_factory.begin() as session:
            write = getattr(self, f"_write_{phase}")
            events = await write(session, batch)
            await self._save_checkpoint(session, phase, done)
        await self._analyze_grown_tables()
        await self.lock.extend()
        await self.deps.bus.publish_many(events)
        report = SyncProgress(
            run_id=self.state.run_id,
            integration_id=self.state.integration_id,
            phase=phase,
            processed=self.state.processed,
            counts={k: dict(v) for k, v in self.state.counts.items()},
        )
        await self.deps.bus.publish(
            Event(
                "sync.progress",
                self.state.tenant_id,
                {
                    "runId": report.run_id,
                    "integrationId": report.integration_id,
                    "phase": phase,
                    "processed": report.processed,
                    "counts": report.counts,
                },
            )
        )
        if self.progress is not None:
            self.progress(report)

    async def _analyze_grown_tables(self) -> None:
        """See ``ANALYZE_FROM``; nothing on SQLite."""
        grown = {
            table: bucket.get("created", 0)
            for table, bucket in self.state.counts.items()
            if table in ANALYZED_TABLES
            and bucket.get("created", 0) >= max(ANALYZE_FROM, 2 * self.analyzed_at.get(table, 0))
        }
        if not grown:
            return
        self.analyzed_at.update(grown)
        async with self.deps.session_factory.begin() as session:
            if session.get_bind().dialect.name == "postgresql":
                for table in sorted(grown):
                    await session.execute(sa.text(f"ANALYZE {table}"))

    def _record(self, model: str, result: UpsertResult) -> None:
        self.state.count(model, "created", len(result.created))
        self.state.count(model, "updated", len(result.updated))
        self.state.count(model, "unchanged", len(result.unchanged))

    def _events(
        self, kind: str, result: UpsertResult, extra: dict[str, dict[str, Any]] | None = None
    ) -> list[Event]:
        tenant = self.state.tenant_id
        events = [
            Event(
                f"{kind}.created",
                tenant,
                {"id": result.ids[r], "remoteId": r, **(extra or {}).get(r, {})},
            )
            for r in result.created
            if r in result.ids
        ]
        events += [
            Event(
                f"{kind}.updated",
                tenant,
                {"id": result.ids[r], "remoteId": r, **(extra or {}).get(r, {})},
            )
            for r in result.updated
            if r in result.ids
        ]
        return events

    async def _upsert(
        self, session: AsyncSession, model: type[Base], rows: list[dict[str, Any]], **kwargs: Any
    ) -> UpsertResult:
        return await upsert_synced(
            session,
            model,
            tenant_id=self.state.tenant_id,
            integration_id=self.state.integration_id,
            rows=rows,
            now=_now(),
            **kwargs,
        )

    async def _write_jobs(self, session: AsyncSession, batch: list[RemoteJob]) -> list[Event]:
        rows = [job_row(job) for job in batch]
        result = await self._upsert(session, Job, rows, restore={"is_active": True})
        self._record("jobs", result)
        return self._events("job", result)

    async def _write_candidates(
        self, session: AsyncSession, batch: list[RemoteCandidate]
    ) -> list[Event]:
        result = await self._upsert(session, Candidate, [candidate_row(c) for c in batch])
        self._record("candidates", result)
        return self._events("candidate", result)

    async def _ids(
        self, session: AsyncSession, model: type[Base], remote_ids: set[str]
    ) -> dict[str, int]:
        table = table_of(model)
        found: dict[str, int] = {}
        for part in chunks(sorted(remote_ids)):
            rows = await session.execute(
                sa.select(table.c.remote_id, table.c.id).where(
                    table.c.integration_id == self.state.integration_id, table.c.remote_id.in_(part)
                )
            )
            found.update({row.remote_id: row.id for row in rows})
        return found

    async def _stages(self, session: AsyncSession, names: set[str]) -> dict[str, int]:
        missing = {name for name in names if name not in self.stage_ids}
        if missing:
            existing = await self._ids(session, PipelineStage, missing)
            new = sorted(missing - existing.keys())
            if new:
                created = await session.execute(
                    sa.insert(table_of(PipelineStage)).returning(
                        PipelineStage.remote_id, PipelineStage.id
                    ),
                    [
                        {
                            "tenant_id": self.state.tenant_id,
                            "integration_id": self.state.integration_id,
                            "remote_id": name,
                            "name": name[:255],
                            "kind": stage_kind(name),
                            "position": 0,
                        }
                        for name in new
                    ],
                )
                existing.update({row.remote_id: row.id for row in created})
            self.stage_ids.update(existing)
        return {name: self.stage_ids[name] for name in names if name in self.stage_ids}

    async def _write_applications(
        self, session: AsyncSession, batch: list[RemoteApplication]
    ) -> list[Event]:
        jobs = await self._ids(session, Job, {a.job_remote_id for a in batch})
        candidates = await self._ids(session, Candidate, {a.candidate_remote_id for a in batch})
        names = {a.current_stage for a in batch if a.current_stage}
        names |= {t.to_stage for a in batch for t in a.transitions}
        names |= {t.from_stage for a in batch for t in a.transitions if t.from_stage}
        stages = await self._stages(session, names)
        rows, kept = [], []
        for application in batch:
            job_id = jobs.get(application.job_remote_id)
            candidate_id = candidates.get(application.candidate_remote_id)
            if job_id is None or candidate_id is None:
                self.state.count("applications", "failed")
                self.state.failures.append(
                    f"application {application.remote_id}: unknown job or candidate"
                )
                continue
            stage = application.current_stage or (
                application.transitions[-1].to_stage if application.transitions else None
            )
            rows.append(application_row(application, job_id, candidate_id, stages.get(stage or "")))
            kept.append(application)
        previous = await self._current_stages(session, [a.remote_id for a in kept])
        result = await self._upsert(session, Application, rows)
        self._record("applications", result)
        changed = set(result.created) | set(result.updated)
        await self._replace_transitions(
            session, [a for a in kept if a.remote_id in changed], result.ids, stages
        )
        events = self._events("application", result)
        for application in kept:
            if application.remote_id in result.updated and application.remote_id in previous:
                stage_id = stages.get(application.current_stage or "")
                if previous[application.remote_id] != stage_id:
                    events.append(
                        Event(
                            "application.stage_changed",
                            self.state.tenant_id,
                            {
                                "id": result.ids[application.remote_id],
                                "jobId": jobs[application.job_remote_id],
                                "stage": application.current_stage,
                                "status": application.status,
                            },
                        )
                    )
        return events

    async def _current_stages(
        self, session: AsyncSession, remote_ids: list[str]
    ) -> dict[str, int | None]:
        found: dict[str, int | None] = {}
        for part in chunks(remote_ids):
            rows = await session.execute(
                sa.select(Application.remote_id, Application.current_stage_id).where(
                    Application.integration_id == self.state.integration_id,
                    Application.remote_id.in_(part),
                )
            )
            found.update({row.remote_id: row.current_stage_id for row in rows})
        return found

    async def _replace_transitions(
        self,
        session: AsyncSession,
        applications: list[RemoteApplication],
        ids: dict[str, int],
        stages: dict[str, int],
    ) -> None:
        """The source owns the pipeline: a changed application's history is replaced."""
        local = [ids[a.remote_id] for a in applications if a.remote_id in ids]
        for part in chunks(local):
            await session.execute(
                sa.delete(StageTransition).where(StageTransition.application_id.in_(part))
            )
        rows = [
            {
                "tenant_id": self.state.tenant_id,
                "application_id": ids[a.remote_id],
                "integration_id": self.state.integration_id,
                "from_stage_id": stages.get(t.from_stage or ""),
                "to_stage_id": stages.get(t.to_stage),
                "from_stage_name": t.from_stage,
                "to_stage_name": t.to_stage,
                "entered_at": t.entered_at,
                "left_at": t.left_at,
                "moved_by_name": (t.moved_by.name or t.moved_by.email) if t.moved_by else None,
            }
            for a in applications
            if a.remote_id in ids
            for t in a.transitions
        ]
        for part in chunks(rows):
            await session.execute(sa.insert(table_of(StageTransition)), list(part))
        if rows:
            self.state.count("stage_transitions", "created", len(rows))

    async def _write_interviews(
        self, session: AsyncSession, batch: list[RemoteInterview]
    ) -> list[Event]:
        applications = await self._ids(
            session,
            Application,
            {i.application_remote_id for i in batch if i.application_remote_id},
        )
        rows = []
        for interview in batch:
            application_id = applications.get(interview.application_remote_id or "")
            if application_id is None:
                self.state.count("interviews", "failed")
                self.state.failures.append(f"interview {interview.remote_id}: unknown application")
                continue
            rows.append(interview_row(interview, application_id))
        result = await self._upsert(session, Interview, rows)
        self._record("interviews", result)
        return self._events("interview", result)

    async def _write_onboarding_tasks(
        self, session: AsyncSession, batch: list[RemoteOnboardingTask]
    ) -> list[Event]:
        applications = await self._ids(
            session,
            Application,
            {t.application_remote_id for t in batch if t.application_remote_id},
        )
        candidates = await self._ids(
            session, Candidate, {t.candidate_remote_id for t in batch if t.candidate_remote_id}
        )
        rows = []
        for task in batch:
            application_id = applications.get(task.application_remote_id or "")
            candidate_id = candidates.get(task.candidate_remote_id or "")
            if application_id is None and candidate_id is None:
                self.state.count("onboarding_tasks", "failed")
                self.state.failures.append(f"onboarding task {task.remote_id}: unknown application")
                continue
            rows.append(onboarding_row(task, application_id, candidate_id))
        result = await self._upsert(session, OnboardingTask, rows)
        self._record("onboarding_tasks", result)
        return self._events("onboarding_task", result)

    async def detect_deletes(self) -> None:
        """Only after every phase completed: what the source no longer lists is deleted."""
        models: dict[str, tuple[type[Base], dict[str, Any], str]] = {
            "jobs": (Job, {"is_active": False}, "job"),
            "candidates": (Candidate, {}, "candidate"),
            "applications": (Application, {}, "application"),
            "interviews": (Interview, {}, "interview"),
            "onboarding_tasks": (OnboardingTask, {}, "onboarding_task"),
        }
        events: list[Event] = []
        async with self.deps.session_factory.begin() as session:
            for phase, (model, extra, kind) in models.items():
                seen = self.state.seen.get(phase, set())
                if not seen:
                    continue
                gone = await mark_missing_deleted(
                    session,
                    model,
                    integration_id=self.state.integration_id,
                    seen=seen,
                    now=_now(),
                    extra=extra,
                )
                self.state.count(phase, "deleted", len(gone))
                events += [Event(f"{kind}.deleted", self.state.tenant_id, {"id": i}) for i in gone]
        await self.deps.bus.publish_many(events)


@dataclass(frozen=True, slots=True)
class DueSync:
    tenant_id: int
    integration_id: int
    mode: SyncMode


async def due_syncs(session_factory: Any, now: datetime | None = None) -> list[DueSync]:
    """Integrations whose interval has passed: incremental every ``sync_interval_minutes``,
    full every ``full_sync_interval_minutes`` (default daily) or when never fully synced."""
    now = now or _now()
    async with session_factory() as session:
        last_full = (
            sa.select(SyncRun.integration_id, sa.func.max(SyncRun.started_at).label("at"))
            .where(SyncRun.kind == SyncKind.FULL, SyncRun.status == SyncStatus.SUCCEEDED)
            .group_by(SyncRun.integration_id)
            .subquery()
        )
        rows = (
            await session.execute(
                sa.select(
                    Integration.id,
                    Integration.tenant_id,
                    Integration.last_sync_at,
                    Integration.sync_interval_minutes,
                    Integration.full_sync_interval_minutes,
                    last_full.c.at,
                )
                .outerjoin(last_full, last_full.c.integration_id == Integration.id)
                .where(
                    Integration.status.in_((IntegrationStatus.ACTIVE, IntegrationStatus.PENDING)),
                    Integration.credentials_encrypted.is_not(None),
                )
            )
        ).all()
    due = []
    for row in rows:
        if row.at is None or row.at <= now - timedelta(minutes=row.full_sync_interval_minutes):
            due.append(DueSync(row.tenant_id, row.id, SyncMode.FULL))
        elif row.last_sync_at is None or row.last_sync_at <= now - timedelta(
            minutes=row.sync_interval_minutes
        ):
            due.append(DueSync(row.tenant_id, row.id, SyncMode.INCREMENTAL))
    return due


async def sync_job(
    deps: SyncDeps, tenant_id: int, job_id: int, *, trigger: str = "manual"
) -> SyncOutcome:
    """Refetch one requisition from its source now (the manual refresh button).

    Only the job record is refetched: no provider offers "applications of one job",
    so its pipeline follows with the next sync of the integration.
    """
    async with deps.session_factory() as session:
        job = await session.get(Job, job_id)
        if (
            job is None
            or job.tenant_id != tenant_id
            or job.integration_id is None
            or not job.remote_id
        ):
            return SyncOutcome(
                run_id=None,
                status=None,
                error="job not found or not synced",
                details={"retryable": False},
            )
        integration = await session.get(Integration, job.integration_id)
    assert integration is not None
    lock = deps.locks.lock(f"job-sync:{job_id}", ttl=LOCK_TTL)
    if not await lock.acquire():
        return SyncOutcome(run_id=None, status=SyncStatus.RUNNING, already_running=True)
    started = time.perf_counter()
    try:
        async with deps.session_factory.begin() as session:
            run = SyncRun(
                tenant_id=tenant_id,
                integration_id=integration.id,
                kind=SyncKind.JOB,
                status=SyncStatus.RUNNING,
                trigger=trigger,
                job_id=job_id,
                started_at=_now(),
                counts={},
            )
            session.add(run)
            await session.flush()
            state = RunState(run.id, tenant_id, integration.id, run.started_at or _now(), {})
        status, error = SyncStatus.SUCCEEDED, None
        try:
            connector = connector_for(
                integration,
                deps.keyring,
                deps.http,
                session_factory=deps.session_factory,
                sleep=deps.sleep,
            )
            found = await connector.get_jobs([job.remote_id])
            phases = _Phases(deps, connector, integration, state, None, lock, None)
            if found:
                async with deps.session_factory.begin() as session:
                    events = await phases._write_jobs(session, found)
                await deps.bus.publish_many(events)
            else:
                async with deps.session_factory.begin() as session:
                    gone = await session.get(Job, job_id, with_for_update=True)
                    if gone is not None and gone.remote_deleted_at is None:
                        gone.remote_deleted_at, gone.is_active = _now(), False
                        state.count("jobs", "deleted")
        except AuthError as exc:
            status, error = SyncStatus.AUTHENTICATION_FAILED, exc.message
        except (ConnectorError, CryptoError) as exc:
            status, error = SyncStatus.FAILED, str(exc)
        await _close_run(deps, integration, state, status, error, started)
        return SyncOutcome(run_id=state.run_id, status=status, counts=state.counts, error=error)
    finally:
        await lock.release()
