"""The phases of one sync run: stream each kind of record from the connector, write it
in batches that each commit with the run's checkpoint, announce progress, and (after a
full run) mark deleted what the source no longer lists.

    phases = SyncPhases(deps, connector, integration, state, since, lease, progress)
    await phases.run_all()
    await phases.detect_deletes()      # full runs only
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import ConnectorBase, is_optional_refusal
from connectors.errors import AuthError, ConnectorError, NotFoundError
from gateway.events import (
    CandidateCreated,
    CandidateUpdated,
    application_deleted,
    candidate_deleted,
    interview_deleted,
    job_deleted,
    onboarding_task_deleted,
    parse,
    sync_progress,
)
from gateway.outbox import Outbox, stage
from gateway.ports import HasBus, HasCache, HasConnectorClient, HasSessions
from gateway.pubsub import Event
from gateway.services.analysis import NewApplicationAnalyses, new_application_ids
from gateway.store.base import Base, utcnow
from gateway.store.models import (
    Application,
    Candidate,
    Integration,
    Interview,
    Job,
    OnboardingTask,
    SyncRun,
)
from gateway.store.upsert import mark_missing_deleted
from jobs.sync_activities import sync_activities
from jobs.sync_api import ProgressCallback, SyncProgress
from jobs.sync_close import announce
from jobs.sync_lease import RunLease
from jobs.sync_owners import link_by_email
from jobs.sync_resumes import sync_resumes
from jobs.sync_stages import save_stage_order
from jobs.sync_state import RunState, sync_actor
from jobs.sync_writer import RecordWriter

logger = logging.getLogger("talentgraph.jobs.sync")

BATCH = 200
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


async def read_ahead(records: AsyncIterator[Any], size: int) -> AsyncGenerator[Any, None]:
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


class RunsPhases(HasSessions, HasBus, HasCache, HasConnectorClient, Protocol):
    """The records' writes and events, the resumes, and the recruiter links by email
    (``link_by_email``, which reaches the source and drops cached responses).
    ``SyncDeps`` and ``Runtime`` fit."""

    @property
    def new_applications(self) -> NewApplicationAnalyses | None: ...


class SyncPhases:
    """The phases of one run, in dependency order (``PHASES``)."""

    def __init__(
        self,
        deps: RunsPhases,
        connector: ConnectorBase,
        integration: Integration,
        state: RunState,
        since: datetime | None,
        lease: RunLease,
        progress: ProgressCallback | None,
    ) -> None:
        self.deps = deps
        self.connector = connector
        self.integration = integration
        self.state = state
        self.since = since
        self.lease = lease
        self.progress = progress
        self.writer = RecordWriter(state, sync_actor(integration, state.run_id))
        self.analyzed_at: dict[str, int] = {}
        connector.on_failure = state.record_failure
        connector.on_warning = state.warn
        self.changed_candidates: set[str] = set()
        self.resume_urls: dict[str, str] = {}
        """The resume links the candidates listing gave this run (see ``sync_resumes``)."""

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
            if phase == "jobs" and "jobs" not in completed:
                await self._link_owners()
            if phase == "applications" and "applications" not in completed:
                await self._stage_order()
            resume_at = 0
            if self.state.checkpoint.get("phase") == phase:
                resume_at = int(self.state.checkpoint.get("done", 0))
            await self._phase(
                phase, steps[phase](), skip_writes=phase in completed, resume_at=resume_at
            )
            if phase == "candidates":
                await sync_resumes(
                    self.deps,
                    self.connector,
                    self.state,
                    fresh_urls=self.resume_urls,
                )
        await sync_activities(
            self.deps.session_factory,
            self.connector,
            self.state,
            sync_actor(self.integration, self.state.run_id),
            self._activities_due(),
        )

    def _activities_due(self) -> set[str]:
        """The candidates whose activity logs the run reads: those it wrote and, once
        resumed, every one it saw, since an earlier attempt may have written candidates
        (whose writes are skipped now) without reading their logs. What is stored
        already is not stored again."""
        if self.state.checkpoint.get("resumed"):
            return self.changed_candidates | self.state.seen.get("candidates", set())
        return self.changed_candidates

    async def _link_owners(self) -> None:
        """Recruiter links by email first, so the jobs find their owners."""
        problem = await link_by_email(
            self.deps, self.integration, sync_actor(self.integration, self.state.run_id)
        )
        if problem is not None:
            self.state.warnings.append(f"recruiters not linked by email: {problem}")

    async def _stage_order(self) -> None:
        """The source's pipeline order, before the applications that use the stages."""
        try:
            stages = await self.connector.stages()
        except NotFoundError:
            logger.info("integration %s lists no stages", self.state.integration_id)
            return
        except ConnectorError as exc:
            if isinstance(exc, AuthError) and not is_optional_refusal(exc):
                raise
            self.state.warn(f"stage list not read: {exc.message}")
            return
        async with self.deps.session_factory.begin() as session:
            created, moved = await save_stage_order(
                session,
                tenant_id=self.state.tenant_id,
                integration_id=self.state.integration_id,
                stages=stages,
            )
        self.state.count("pipeline_stages", "created", created)
        self.state.count("pipeline_stages", "updated", moved)

    async def _phase(
        self, phase: str, records: AsyncIterator[Any], *, skip_writes: bool, resume_at: int
    ) -> None:
        seen = self.state.seen.setdefault(phase, set())
        done = 0
        batch: list[Any] = []
        async with contextlib.aclosing(read_ahead(records, BATCH)) as ahead:
            async for record in ahead:
                seen.add(record.remote_id)
                done += 1
                if phase == "candidates" and getattr(record, "resume_url", None):
                    self.resume_urls[record.remote_id] = record.resume_url
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
        async with self.deps.session_factory.begin() as session:
            write = getattr(self.writer, f"write_{phase}")
            staged = await stage(session, await write(session, batch))
            await self._save_checkpoint(session, phase, done)
        if phase == "candidates":
            self.changed_candidates.update(
                record.remote_id
                for record in map(parse, staged.events)
                if isinstance(record, CandidateCreated | CandidateUpdated) and record.remote_id
            )
        await self._analyze_grown_tables()
        await Outbox(self.deps.session_factory, self.deps.bus).release(staged)
        if phase == "applications" and self.deps.new_applications is not None:
            await self.deps.new_applications(
                self.state.tenant_id,
                new_application_ids(staged.events),
                trigger="sync",
                full_sync=self.since is None,
            )
        report = SyncProgress(
            run_id=self.state.run_id,
            integration_id=self.state.integration_id,
            phase=phase,
            processed=self.state.processed,
            counts={k: dict(v) for k, v in self.state.counts.items()},
        )
        await announce(
            self.deps,
            sync_progress(
                self.state.tenant_id,
                run_id=report.run_id,
                integration_id=report.integration_id,
                phase=phase,
                processed=report.processed,
                counts=report.counts,
            ),
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

    async def detect_deletes(self) -> None:
        """Only after every phase completed: what the source no longer lists is deleted."""
        models: dict[str, tuple[type[Base], dict[str, Any], Callable[[int, int], Event]]] = {
            "jobs": (Job, {"is_active": False}, lambda t, i: job_deleted(t, job_id=i)),
            "candidates": (Candidate, {}, lambda t, i: candidate_deleted(t, candidate_id=i)),
            "applications": (
                Application,
                {},
                lambda t, i: application_deleted(t, application_id=i),
            ),
            "interviews": (Interview, {}, lambda t, i: interview_deleted(t, interview_id=i)),
            "onboarding_tasks": (
                OnboardingTask,
                {},
                lambda t, i: onboarding_task_deleted(t, task_id=i),
            ),
        }
        events: list[Event] = []
        async with self.deps.session_factory.begin() as session:
            for phase, (model, extra, deleted) in models.items():
                seen = self.state.seen.get(phase, set())
                if not seen or phase in self.state.blind:
                    continue
                gone = await mark_missing_deleted(
                    session,
                    model,
                    integration_id=self.state.integration_id,
                    seen=seen,
                    now=utcnow(),
                    extra=extra,
                )
                self.state.count(phase, "deleted", len(gone))
                events += [deleted(self.state.tenant_id, i) for i in gone]
            staged = await stage(session, events)
        await Outbox(self.deps.session_factory, self.deps.bus).release(staged)
