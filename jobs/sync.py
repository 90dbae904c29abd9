"""Full and incremental sync of one integration: stream, map, bulk-upsert, detect
deletes, checkpoint, publish.

    outcome = await sync_integration(deps, tenant_id, integration_id, mode=SyncMode.FULL)

One run per integration at a time (an expiring lock, renewed with the run's heartbeat:
``jobs.sync_lease``); a second request while one runs returns ``already_running`` and
does nothing. Records are upserted in batches, each committed with a checkpoint on the
run; a run whose worker died stays ``running`` and the next request for the integration
resumes it, skipping the writes its checkpoint says were committed. So does a run the
source cut short with an error a retry can fix (a 5xx, a timeout, a 429 past its
retries): it ends ``partially_failed`` (or ``failed`` when nothing was written) and
*resumable*, its queued task is retried with backoff, and the retry (or any sync of the
integration within ``RESUME_WITHIN``) continues it from its checkpoint instead of
starting a fresh run. Only a full run that completed every phase without error marks
the records it did not see as deleted; nothing is ever dropped.

A run that does not succeed leaves its error on the integration (``last_error``,
``sync: ...``) until a run succeeds.

Phases run in dependency order: jobs, candidates, applications (with stage history),
interviews, onboarding tasks. What a provider cannot list yields nothing, and an empty
listing never deletes anything.

The run is the actor of what it writes (``ActorType.SYNC``, actor id the run id): each
stage or status change it brings is an activity (``jobs.sync_writer``), and a run that
changed something, or failed, closes with one ``sync.finished`` activity holding its
counts. A run that found nothing new records none.
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
from connectors.errors import AuthError, ConnectorError, NotFoundError
from connectors.models import RecordFailure
from gateway.crypto import CryptoError
from gateway.events import (
    CandidateCreated,
    CandidateUpdated,
    application_deleted,
    candidate_deleted,
    interview_deleted,
    job_deleted,
    onboarding_task_deleted,
    parse,
    sync_finished,
    sync_progress,
)
from gateway.outbox import Outbox, stage
from gateway.pubsub import Event
from gateway.queue import Leases
from gateway.services.activities import Actor, record_activity
from gateway.services.analysis import new_application_ids
from gateway.services.connections import connector_for
from gateway.services.ranking import recompute_ranks, write_back_ranks
from gateway.store.base import Base
from gateway.store.enums import ActorType, IntegrationStatus, SyncKind, SyncStatus
from gateway.store.models import (
    Application,
    Candidate,
    Integration,
    Interview,
    Job,
    OnboardingTask,
    SyncRun,
    TenantSettings,
)
from gateway.store.upsert import mark_missing_deleted
from jobs.sync_activities import sync_activities
from jobs.sync_api import ProgressCallback, SyncDeps, SyncMode, SyncOutcome, SyncProgress
from jobs.sync_lease import RunLease, release
from jobs.sync_owners import link_by_email
from jobs.sync_resumes import sync_resumes
from jobs.sync_stages import save_stage_order
from jobs.sync_writer import RecordWriter, describe_failure

logger = logging.getLogger("talentgraph.jobs.sync")

BATCH = 200
RESUME_WITHIN = timedelta(hours=6)
"""A resumable run that ended this recently is continued by the next sync; an older one
is left as it ended and a fresh run starts."""
CURSOR_OVERLAP = timedelta(minutes=2)
"""Incremental reads start this much before the last success, for clock skew."""

MAX_LISTED_FAILURES = 200
"""Failed records a run lists by entity, id and reason (``SyncRun.failures``)."""

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
    failed_records: list[dict[str, str | None]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """What the run could not do besides records (link recruiters, read the stage list):
    reported with the run, without making it fail."""
    blind: set[str] = field(default_factory=set)
    """Phases with a record that failed without an id: what they did not see may still
    exist at the source, so nothing of theirs is marked deleted."""

    def count(self, model: str, outcome: str, amount: int = 1) -> None:
        if amount:
            bucket = self.counts.setdefault(
                model, {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0, "failed": 0}
            )
            bucket[outcome] += amount

    def fail(self, entity: str, remote_id: str | None, reason: str) -> None:
        self.count(entity, "failed")
        self.failures.append(describe_failure(entity, remote_id, reason))
        if len(self.failed_records) < MAX_LISTED_FAILURES:
            self.failed_records.append(
                {"entity": entity, "remoteId": remote_id, "reason": reason[:500]}
            )

    def record_failure(self, failure: RecordFailure) -> None:
        """A record the connector could not map: listed with the run, kept from deletion
        (it is still at the source), tried again next run."""
        self.fail(failure.entity, failure.remote_id, failure.reason)
        if failure.remote_id is None:
            self.blind.add(failure.entity)
        else:
            self.seen.setdefault(failure.entity, set()).add(failure.remote_id)

    @property
    def processed(self) -> int:
        """Records read and written, whatever the outcome but failure or deletion."""
        written = ("created", "updated", "unchanged")
        return sum(sum(c.get(k, 0) for k in written) for c in self.counts.values())


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
    lock = deps.locks.lock(f"sync:{integration_id}", ttl=Leases.lock_ttl())
    if not await lock.acquire():
        return await _held_elsewhere(deps, integration_id)
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
        lease = RunLease(lock, deps.session_factory, state.run_id)
        async with lease.kept():
            return await _run(deps, integration, state, mode, since, lease, progress)
    finally:
        await release(lock)


async def _held_elsewhere(deps: SyncDeps, integration_id: int) -> SyncOutcome:
    """What a sync that found the lock held reports: the run holding it, and whether that
    run is alive. A lock whose run is stalled (or not there) belongs to a process that
    stopped; it expires shortly, so a queued sync should try again, not count as done."""
    async with deps.session_factory() as session:
        row = (
            await session.execute(
                sa.select(SyncRun.id, SyncRun.heartbeat_at, SyncRun.started_at)
                .where(
                    SyncRun.integration_id == integration_id,
                    SyncRun.status == SyncStatus.RUNNING,
                )
                .order_by(SyncRun.id.desc())
                .limit(1)
            )
        ).first()
    renewed = (row.heartbeat_at or row.started_at) if row is not None else None
    alive = renewed is not None and renewed > _now() - Leases.lease()
    return SyncOutcome(
        run_id=row.id if row is not None else None,
        status=SyncStatus.RUNNING,
        already_running=True,
        details={"holderAlive": alive},
    )


async def _open_run(
    session: AsyncSession, integration: Integration, mode: SyncMode, trigger: str
) -> tuple[RunState, SyncMode, datetime | None]:
    """Resume the run a dead worker left ``running`` or the source cut short (see the
    module doc), or start a new one. An incremental request with no successful run to
    start from becomes a full one."""
    now = _now()
    if mode is SyncMode.INCREMENTAL and integration.last_successful_sync_at is None:
        mode = SyncMode.FULL
    latest = (
        await session.execute(
            sa.select(SyncRun)
            .where(
                SyncRun.integration_id == integration.id,
                SyncRun.kind.in_((SyncKind.FULL, SyncKind.INCREMENTAL)),
            )
            .order_by(SyncRun.id.desc())
            .limit(1)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if latest is not None and _resumable(latest, mode, now):
        run = latest
        run.checkpoint = {
            **(run.checkpoint or {}),
            "resumed": (run.checkpoint or {}).get("resumed", 0) + 1,
        }
        run.status = SyncStatus.RUNNING
        run.finished_at = None
        run.heartbeat_at = now
        mode = SyncMode(run.kind.value)
    else:
        run = SyncRun(
            tenant_id=integration.tenant_id,
            integration_id=integration.id,
            kind=SyncKind(mode.value),
            status=SyncStatus.RUNNING,
            trigger=trigger,
            started_at=now,
            heartbeat_at=now,
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


def _resumable(run: SyncRun, mode: SyncMode, now: datetime) -> bool:
    """A run left ``running`` by a dead process, or one the source cut short recently;
    an incremental one only for an incremental request (a full request wants all)."""
    if run.kind is SyncKind.INCREMENTAL and mode is SyncMode.FULL:
        return False
    if run.status is SyncStatus.RUNNING:
        return True
    return (
        bool((run.error_details or {}).get("resumable"))
        and run.finished_at is not None
        and run.finished_at > now - RESUME_WITHIN
    )


async def _run(
    deps: SyncDeps,
    integration: Integration,
    state: RunState,
    mode: SyncMode,
    since: datetime | None,
    lease: RunLease,
    progress: ProgressCallback | None,
) -> SyncOutcome:
    started = time.perf_counter()
    status = SyncStatus.SUCCEEDED
    error: str | None = None
    retryable = True
    resumable = False
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
        phases = _Phases(deps, connector, integration, state, since, lease, progress)
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
        resumable = exc.retryable
    await _close_run(deps, integration, state, status, error, started, resumable=resumable)
    await _announce(
        deps,
        sync_finished(
            state.tenant_id,
            run_id=state.run_id,
            integration_id=state.integration_id,
            status=status.value,
            counts=state.counts,
            error=error,
        ),
    )
    return SyncOutcome(
        run_id=state.run_id,
        status=status,
        counts=state.counts,
        error=error,
        details={
            "retryable": retryable and status is not SyncStatus.SUCCEEDED,
            "resumable": resumable,
        },
    )


async def _announce(deps: SyncDeps, event: Event) -> None:
    """Progress and outcome events are news, not records: with the bus away the run goes
    on (and its outcome stays readable on the run)."""
    try:
        await deps.bus.publish(event)
    except Exception as exc:
        logger.warning("sync event %s not published: %s", event.type, exc)


def sync_actor(integration: Integration, run_id: int) -> Actor:
    """Who a sync run's writes are by: the run, on behalf of the integration."""
    return Actor(integration.tenant_id, ActorType.SYNC, str(run_id), f"{integration.name} sync")


def _changed(counts: dict[str, dict[str, int]]) -> bool:
    return any(c.get("created") or c.get("updated") or c.get("deleted") for c in counts.values())


def _record_summary(
    session: AsyncSession,
    integration: Integration,
    state: RunState,
    status: SyncStatus,
    error: str | None,
    job_id: int | None,
) -> bool:
    """The run's ``sync.finished`` activity, when it changed something or failed."""
    if status is SyncStatus.SUCCEEDED and not _changed(state.counts):
        return False
    done = {
        outcome: sum(bucket.get(outcome, 0) for bucket in state.counts.values())
        for outcome in ("created", "updated", "deleted", "failed")
    }
    tally = ", ".join(f"{amount} {outcome}" for outcome, amount in done.items() if amount)
    description = f"Sync of {integration.name} {status.value.replace('_', ' ')}"
    record_activity(
        session,
        sync_actor(integration, state.run_id),
        action="sync.finished",
        subject_type="Job" if job_id is not None else "Integration",
        subject_id=job_id if job_id is not None else integration.id,
        description=f"{description}: {tally or 'nothing changed'}"
        + (f" ({error[:200]})" if error else ""),
        job_id=job_id,
        details={
            "runId": state.run_id,
            "integrationId": integration.id,
            "status": status.value,
            "counts": state.counts,
            "error": error,
        },
    )
    return True


async def _close_run(
    deps: SyncDeps,
    integration: Integration,
    state: RunState,
    status: SyncStatus,
    error: str | None,
    started: float,
    *,
    job_id: int | None = None,
    resumable: bool = False,
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
        details: dict[str, Any] = {}
        if state.failures:
            details.update(failures=state.failures[:50], records=state.failed_records)
        if state.warnings:
            details["warnings"] = state.warnings[:20]
        if resumable:
            details["resumable"] = True
        run.error_details = details or None
        if stored is not None:
            _note_on_integration(stored, state, status, error, finished)
        recorded = _record_summary(session, integration, state, status, error, job_id)
    if _changed(state.counts) or recorded:
        await deps.cache.invalidate(state.tenant_id)


SYNC_ERROR_PREFIX = "sync: "


def _note_on_integration(
    integration: Integration,
    state: RunState,
    status: SyncStatus,
    error: str | None,
    finished: datetime,
) -> None:
    """The run's outcome where the integration's users look: a failed or partial run's
    error stays as ``last_error`` until a run succeeds; a refused key also sets the
    status to ``error`` (the health check sets it back)."""
    integration.last_sync_at = finished
    if status is SyncStatus.SUCCEEDED:
        integration.last_successful_sync_at = state.started_at
        integration.sync_cursor = {"since": state.started_at.isoformat()}
        if (integration.last_error or "").startswith(SYNC_ERROR_PREFIX):
            integration.last_error = None
        return
    if status is SyncStatus.AUTHENTICATION_FAILED:
        integration.status = IntegrationStatus.ERROR
    integration.last_error = f"{SYNC_ERROR_PREFIX}{error or status.value}"[:2000]
    integration.last_error_at = finished


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
            if isinstance(exc, AuthError):
                raise
            self.state.warnings.append(f"stage list not read: {exc.message}")
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
        async with contextlib.aclosing(_read_ahead(records, BATCH)) as ahead:
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
        await _announce(
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
                    now=_now(),
                    extra=extra,
                )
                self.state.count(phase, "deleted", len(gone))
                events += [deleted(self.state.tenant_id, i) for i in gone]
            staged = await stage(session, events)
        await Outbox(self.deps.session_factory, self.deps.bus).release(staged)


@dataclass(frozen=True, slots=True)
class DueSync:
    tenant_id: int
    integration_id: int
    mode: SyncMode


async def due_syncs(session_factory: Any, now: datetime | None = None) -> list[DueSync]:
    """Integrations whose interval has passed: incremental every ``sync_interval_minutes``,
    full every ``full_sync_interval_minutes`` (default daily) or when never fully synced.
    A full run that ended partially failed (some records listed as failures) counts as
    the last full one: its failed records are retried by the incremental runs, whose
    cursor stays where the last successful run left it, not by a full run every tick.
    An integration whose run stalled (left ``running``, no heartbeat for ``Leases.lease()``) is
    due at once, whatever its interval: the sync resumes that run."""
    now = now or _now()
    async with session_factory() as session:
        last_full = (
            sa.select(SyncRun.integration_id, sa.func.max(SyncRun.started_at).label("at"))
            .where(
                SyncRun.kind == SyncKind.FULL,
                SyncRun.status.in_((SyncStatus.SUCCEEDED, SyncStatus.PARTIALLY_FAILED)),
            )
            .group_by(SyncRun.integration_id)
            .subquery()
        )
        stalled = (
            sa.select(SyncRun.integration_id, sa.func.min(SyncRun.kind).label("kind"))
            .where(
                SyncRun.status == SyncStatus.RUNNING,
                SyncRun.kind.in_((SyncKind.FULL, SyncKind.INCREMENTAL)),
                sa.func.coalesce(SyncRun.heartbeat_at, SyncRun.started_at) < now - Leases.lease(),
            )
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
                    stalled.c.kind.label("stalled_kind"),
                )
                .outerjoin(last_full, last_full.c.integration_id == Integration.id)
                .outerjoin(stalled, stalled.c.integration_id == Integration.id)
                .where(
                    Integration.status.in_((IntegrationStatus.ACTIVE, IntegrationStatus.PENDING)),
                    Integration.credentials_encrypted.is_not(None),
                )
            )
        ).all()
    due = []
    for row in rows:
        if row.stalled_kind is not None:
            due.append(DueSync(row.tenant_id, row.id, SyncMode(SyncKind(row.stalled_kind).value)))
        elif row.at is None or row.at <= now - timedelta(minutes=row.full_sync_interval_minutes):
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
    lock = deps.locks.lock(f"job-sync:{job_id}", ttl=Leases.lock_ttl())
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
            if found:
                async with deps.session_factory.begin() as session:
                    writer = RecordWriter(state, sync_actor(integration, state.run_id))
                    staged = await stage(session, await writer.write_jobs(session, found))
                await Outbox(deps.session_factory, deps.bus).release(staged)
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
        await _close_run(deps, integration, state, status, error, started, job_id=job_id)
        return SyncOutcome(run_id=state.run_id, status=status, counts=state.counts, error=error)
    finally:
        await release(lock)
