"""Background work as the core sees it: a queue protocol and the records that show it.

    enqueued = await queue.enqueue(SYNC_INTEGRATION, key=sync_key(42), tenant_id=1,
                                   payload={"integration_id": 42, "mode": "full"})
    enqueued.job_record_id, enqueued.duplicate      # (7, False); enqueue it again: (7, True)

A key names work that must not run twice at once (``sync:{integration_id}``,
``job-sync:{job_id}``): while a record with that key is pending, running or failed
(waiting for its retry), enqueueing the key again reports that record instead of
queueing a second one.

Every enqueued unit has a ``background_jobs`` row, kept by ``JobRecords``:

    pending -> running -> succeeded
                      \\-> failed (a retry is scheduled) -> running -> ...
                      \\-> dead   (out of attempts, or a failure no retry can fix)

A running attempt holds a lease: it renews ``heartbeat_at`` every
``Leases.heartbeat()`` seconds (``beat``); one whose heartbeat is older than
``Leases.lease()`` was left by a worker that died
(or lost the database for that long) and is *stalled*. A stalled record is taken over:
by the next enqueue of its key, by ``backgroundJobRetry``, or by the worker's reclaim
step, which count the lost attempt and queue the record again. The attempt number
fences the old holder: its heartbeat and its outcome are refused once another attempt
started, so it stops instead of overwriting what the new one records.

The core knows no arq: the assembly fills ``TaskQueue`` with ``jobs.queue_arq.ArqQueue``
(Redis configured) or ``jobs.queue_local.InProcessQueue``. What the API and the core
queue through it is in the core too (``gateway.services.sync_requests``); ``jobs.tasks``
runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, Protocol

import sqlalchemy as sa

from gateway import tracing
from gateway.errors import NotFound, ValidationFailed
from gateway.store.base import utcnow
from gateway.store.engine import SessionFactory
from gateway.store.enums import BackgroundJobStatus
from gateway.store.models import BackgroundJob

SYNC_INTEGRATION = "sync_integration"
SYNC_JOB = "sync_job"

ACTIVE_STATUSES = (
    BackgroundJobStatus.PENDING,
    BackgroundJobStatus.RUNNING,
    BackgroundJobStatus.FAILED,
)
"""A record in one of these still stands for queued work: its key is taken."""
RETRYABLE_STATUSES = (BackgroundJobStatus.FAILED, BackgroundJobStatus.DEAD)
CLEARABLE_STATUSES = (
    BackgroundJobStatus.PENDING,
    BackgroundJobStatus.SUCCEEDED,
    BackgroundJobStatus.FAILED,
    BackgroundJobStatus.DEAD,
)
"""Clearing a pending or failed record cancels it (and its retry): the queue drops its
work, and work it missed finds no record when it starts, and stops."""

MAX_ERROR_LENGTH = 4000


class Leases:
    """How long a running attempt's lease lasts: ``TALENTGRAPH_JOB_LEASE_SECONDS``, set
    once per process (``configure``) by ``serve`` and ``worker``. The heartbeat renews
    it six times per lease, and a sync's lock lasts two thirds of it, so by the time a
    run counts as stalled its lock has expired and the taker-over can sync."""

    seconds: ClassVar[float] = 30.0

    @classmethod
    def configure(cls, seconds: float) -> None:
        cls.seconds = seconds

    @classmethod
    def lease(cls) -> timedelta:
        return timedelta(seconds=cls.seconds)

    @classmethod
    def heartbeat(cls) -> float:
        return cls.seconds / 6

    @classmethod
    def lock_ttl(cls) -> float:
        return cls.seconds * 2 / 3


def sync_key(integration_id: int) -> str:
    return f"sync:{integration_id}"


def job_sync_key(job_id: int) -> str:
    return f"job-sync:{job_id}"


@dataclass(frozen=True, slots=True)
class Enqueued:
    job_record_id: int
    duplicate: bool
    """True when work with the same key was already queued: nothing new was queued and
    ``job_record_id`` is that work's record."""


MIN_PRIORITY = 0
MAX_PRIORITY = 100
"""Higher runs first: on arq a job of priority ``p`` is queued as if due ``p`` seconds
earlier (``jobs.queue_arq``), so it goes ahead of work queued up to ``p`` seconds
before it; work already due longer than that keeps its turn."""


class TaskQueue(Protocol):
    async def enqueue(
        self,
        task: str,
        *,
        key: str,
        tenant_id: int,
        payload: dict[str, Any],
        priority: int = 0,
    ) -> Enqueued:
        """Queue ``task`` with ``payload`` (JSON values) unless ``key`` is already queued."""
        ...

    async def clear(self, tenant_id: int, statuses: Iterable[BackgroundJobStatus]) -> int:
        """Delete the tenant's records in ``statuses`` (not running ones) and drop the
        queued work of the pending and failed ones, so none of it runs; how many."""
        ...

    async def retry(self, job_record_id: int, *, tenant_id: int) -> Enqueued:
        """Run a failed or dead record again now, with its attempts reset.

        Raises ``NotFound`` outside the tenant and ``ValidationFailed`` for a record that
        is not failed or dead; reports a duplicate when its key was queued again since.
        """
        ...

    async def reclaim(self) -> int:
        """Queue again what no worker will otherwise run soon (stalled records, records
        the queue lost); how many."""
        ...

    async def close(self) -> None: ...


class JobRecords:
    """The ``background_jobs`` rows: created by the queues, advanced by the task wrapper."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self.session_factory = session_factory

    async def find_active(self, tenant_id: int, key: str) -> BackgroundJob | None:
        """The oldest record holding ``key``, if any."""
        async with self.session_factory() as session:
            found: BackgroundJob | None = await session.scalar(
                sa.select(BackgroundJob)
                .where(
                    BackgroundJob.tenant_id == tenant_id,
                    BackgroundJob.job_key == key,
                    BackgroundJob.status.in_(ACTIVE_STATUSES),
                )
                .order_by(BackgroundJob.id)
                .limit(1)
            )
            return found

    async def newest(self, tenant_id: int, key: str) -> BackgroundJob | None:
        async with self.session_factory() as session:
            found: BackgroundJob | None = await session.scalar(
                sa.select(BackgroundJob)
                .where(BackgroundJob.tenant_id == tenant_id, BackgroundJob.job_key == key)
                .order_by(BackgroundJob.id.desc())
                .limit(1)
            )
            return found

    async def get(self, record_id: int) -> BackgroundJob | None:
        async with self.session_factory() as session:
            return await session.get(BackgroundJob, record_id)

    async def create(
        self,
        task: str,
        *,
        key: str,
        tenant_id: int,
        payload: dict[str, Any],
        max_attempts: int,
        priority: int = 0,
    ) -> BackgroundJob:
        async with self.session_factory.begin() as session:
            record = BackgroundJob(
                tenant_id=tenant_id,
                job_type=task,
                job_key=key,
                priority=priority,
                status=BackgroundJobStatus.PENDING,
                attempts=0,
                max_attempts=max_attempts,
                payload=payload,
                traceparent=tracing.current_traceparent(),
                job_id=_int_or_none(payload.get("job_id")),
                application_id=_int_or_none(payload.get("application_id")),
                created_at=utcnow(),
            )
            session.add(record)
            await session.flush()
        return record

    async def delete(self, record_id: int) -> None:
        async with self.session_factory.begin() as session:
            await session.execute(sa.delete(BackgroundJob).where(BackgroundJob.id == record_id))

    async def mark_dead(self, record_id: int, error: str) -> None:
        async with self.session_factory.begin() as session:
            record = await session.get(BackgroundJob, record_id, with_for_update=True)
            if record is not None and record.status in ACTIVE_STATUSES:
                _finish(record, BackgroundJobStatus.DEAD, error)

    async def resume_left_behind(self, reason: str) -> list[tuple[int, datetime | None]]:
        """Every active record, made ready to run again (a queue that held them in memory
        restarted): a running one's attempt counts as failed, with ``reason``, and is due
        now; pending and failed ones keep their times. Returns (id, due) of each."""
        now = utcnow()
        async with self.session_factory.begin() as session:
            records = await session.scalars(
                sa.select(BackgroundJob)
                .where(BackgroundJob.status.in_(ACTIVE_STATUSES))
                .order_by(BackgroundJob.id)
                .with_for_update()
            )
            left: list[tuple[int, datetime | None]] = []
            for record in records:
                if record.status is BackgroundJobStatus.RUNNING:
                    _finish(
                        record,
                        BackgroundJobStatus.FAILED,
                        _with_previous(reason, record.last_error),
                    )
                    record.scheduled_at = now
                left.append((record.id, record.scheduled_at))
        return left

    async def start_attempt(self, record_id: int) -> BackgroundJob | None:
        """Mark the record running and count the attempt; None when there is nothing to run
        (the record was cleared, has finished, or was out of attempts: then it is dead) or
        another attempt is running it with its lease alive (a second queued job for the
        record, e.g. a retry handed to the queue while a take-over queued one too)."""
        async with self.session_factory.begin() as session:
            record = await session.get(BackgroundJob, record_id, with_for_update=True)
            if record is None or record.status not in ACTIVE_STATUSES:
                return None
            if record.status is BackgroundJobStatus.RUNNING and not is_stalled(record):
                return None
            if record.attempts >= record.max_attempts:
                _finish(record, BackgroundJobStatus.DEAD, record.last_error or "out of attempts")
                return None
            record.status = BackgroundJobStatus.RUNNING
            record.attempts += 1
            record.started_at = record.heartbeat_at = utcnow()
            record.finished_at = None
            record.scheduled_at = None
            return record

    async def beat(self, record_id: int, attempt: int) -> bool:
        """Renew the lease of ``attempt``; False when another attempt took the record over
        (or it was cleared): the caller must stop."""
        async with self.session_factory.begin() as session:
            result = await session.execute(
                sa.update(BackgroundJob)
                .where(
                    BackgroundJob.id == record_id,
                    BackgroundJob.attempts == attempt,
                    BackgroundJob.status == BackgroundJobStatus.RUNNING,
                )
                .values(heartbeat_at=utcnow())
            )
        return bool(getattr(result, "rowcount", 0))

    async def stalled(self, *, now: datetime | None = None) -> list[BackgroundJob]:
        """Running records whose lease ran out."""
        cutoff = (now or utcnow()) - Leases.lease()
        async with self.session_factory() as session:
            found = await session.scalars(
                sa.select(BackgroundJob)
                .where(
                    BackgroundJob.status == BackgroundJobStatus.RUNNING,
                    sa.func.coalesce(BackgroundJob.heartbeat_at, BackgroundJob.started_at) < cutoff,
                )
                .order_by(BackgroundJob.id)
            )
            return list(found)

    async def overdue(self, *, before: datetime) -> list[BackgroundJob]:
        """Pending records created, and failed ones due for their retry, before ``before``:
        the queue should have started them by then."""
        due = sa.func.coalesce(BackgroundJob.scheduled_at, BackgroundJob.created_at)
        async with self.session_factory() as session:
            found = await session.scalars(
                sa.select(BackgroundJob)
                .where(
                    BackgroundJob.status.in_(
                        (BackgroundJobStatus.PENDING, BackgroundJobStatus.FAILED)
                    ),
                    due < before,
                )
                .order_by(BackgroundJob.id)
            )
            return list(found)

    async def take_over(self, record_id: int, *, now: datetime | None = None) -> bool:
        """Count a stalled attempt as failed and make the record due again now; False when
        it is not stalled (any more). The next attempt starts from what the task saved."""
        now = now or utcnow()
        async with self.session_factory.begin() as session:
            record = await session.get(BackgroundJob, record_id, with_for_update=True)
            if record is None or not is_stalled(record, now=now):
                return False
            since = record.heartbeat_at or record.started_at
            _finish(
                record,
                BackgroundJobStatus.FAILED,
                _with_previous(
                    f"attempt {record.attempts} stopped: no heartbeat since "
                    f"{since.isoformat() if since else 'its start'}",
                    record.last_error,
                ),
            )
            record.scheduled_at = now
            return True

    async def succeed(
        self, record_id: int, *, attempt: int | None = None, note: str | None = None
    ) -> bool:
        """``attempt``: only while that attempt still holds the record; ``note``: kept as
        its ``last_error`` (what went wrong although it succeeded). False when nothing was
        written: the record is gone or another attempt took it over."""
        async with self.session_factory.begin() as session:
            record = await session.get(BackgroundJob, record_id, with_for_update=True)
            if record is None or not _held(record, attempt):
                return False
            _finish(record, BackgroundJobStatus.SUCCEEDED, note)
            return True

    async def fail(
        self, record_id: int, error: str, *, retry_at: datetime | None, attempt: int | None = None
    ) -> bool:
        """``failed`` with the retry's time, or ``dead`` when there is no retry;
        ``attempt``: only while that attempt still holds the record. False when nothing
        was written (as ``succeed``): the caller must not queue a retry."""
        async with self.session_factory.begin() as session:
            record = await session.get(BackgroundJob, record_id, with_for_update=True)
            if record is None or not _held(record, attempt):
                return False
            if retry_at is None:
                _finish(record, BackgroundJobStatus.DEAD, error)
            else:
                _finish(record, BackgroundJobStatus.FAILED, error)
                record.scheduled_at = retry_at
            return True

    async def reset_for_retry(self, tenant_id: int, record_id: int) -> Enqueued:
        """Make a failed, dead or stalled record pending again with a fresh budget of
        attempts, unless its key was queued again since: then that record is the
        duplicate. A failed or dead one counts from zero again; a stalled one keeps its
        count (its old attempt may still be running, fenced by its number) and gets as
        many attempts more."""
        async with self.session_factory.begin() as session:
            record = await session.get(BackgroundJob, record_id, with_for_update=True)
            if record is None or record.tenant_id != tenant_id:
                raise NotFound("BackgroundJob", record_id)
            if record.status not in RETRYABLE_STATUSES and not is_stalled(record):
                raise ValidationFailed(
                    "id",
                    "only failed, dead or stalled jobs can be retried; "
                    f"this one is {record.status} and alive",
                )
            if record.job_key is not None:
                other = await session.scalar(
                    sa.select(BackgroundJob.id).where(
                        BackgroundJob.tenant_id == tenant_id,
                        BackgroundJob.job_key == record.job_key,
                        BackgroundJob.status.in_(ACTIVE_STATUSES),
                        BackgroundJob.id != record.id,
                    )
                )
                if other is not None:
                    return Enqueued(other, duplicate=True)
            if record.status is BackgroundJobStatus.RUNNING:
                record.last_error = _with_previous(
                    "taken over: its worker stopped responding", record.last_error
                )[:MAX_ERROR_LENGTH]
                record.max_attempts += record.attempts
            else:
                record.attempts = 0
            record.status = BackgroundJobStatus.PENDING
            record.scheduled_at = None
            record.started_at = record.heartbeat_at = None
            record.finished_at = None
            return Enqueued(record.id, duplicate=False)

    async def clear(
        self, tenant_id: int, statuses: Iterable[BackgroundJobStatus]
    ) -> list[BackgroundJob]:
        """Delete the tenant's records in ``statuses`` (any but running) and return them."""
        wanted = set(statuses)
        refused = wanted - set(CLEARABLE_STATUSES)
        if refused:
            names = ", ".join(sorted(status.name for status in refused))
            raise ValidationFailed("statuses", f"running jobs cannot be cleared: {names}")
        if not wanted:
            return []
        async with self.session_factory.begin() as session:
            records = list(
                await session.scalars(
                    sa.select(BackgroundJob)
                    .where(BackgroundJob.tenant_id == tenant_id, BackgroundJob.status.in_(wanted))
                    .with_for_update()
                )
            )
            if records:
                await session.execute(
                    sa.delete(BackgroundJob).where(
                        BackgroundJob.id.in_([record.id for record in records]),
                        BackgroundJob.status.in_(wanted),
                    )
                )
        return records

    async def expire_stale(
        self,
        *,
        running_cutoff: Callable[[str], datetime],
        waiting_since: datetime,
    ) -> int:
        """Mark dead what no worker will finish: running since before its type's
        ``running_cutoff(job_type)``, or pending/failed and due before ``waiting_since``.
        Returns how many."""
        due = sa.func.coalesce(BackgroundJob.scheduled_at, BackgroundJob.created_at)
        async with self.session_factory.begin() as session:
            candidates = await session.scalars(
                sa.select(BackgroundJob)
                .where(
                    sa.or_(
                        BackgroundJob.status == BackgroundJobStatus.RUNNING,
                        sa.and_(
                            BackgroundJob.status.in_(
                                (BackgroundJobStatus.PENDING, BackgroundJobStatus.FAILED)
                            ),
                            due < waiting_since,
                        ),
                    )
                )
                .with_for_update()
            )
            expired = 0
            for record in candidates:
                if record.status is BackgroundJobStatus.RUNNING:
                    started = record.started_at or record.created_at
                    if started >= running_cutoff(record.job_type):
                        continue
                    reason = "stopped: the worker running it went away"
                else:
                    reason = "expired: no worker picked it up"
                _finish(record, BackgroundJobStatus.DEAD, _with_previous(reason, record.last_error))
                expired += 1
        return expired

    async def prune(self, *, finished_before: datetime) -> int:
        """Delete succeeded and dead records that finished before ``finished_before``."""
        async with self.session_factory.begin() as session:
            result = await session.execute(
                sa.delete(BackgroundJob).where(
                    BackgroundJob.status.in_(
                        (BackgroundJobStatus.SUCCEEDED, BackgroundJobStatus.DEAD)
                    ),
                    BackgroundJob.finished_at < finished_before,
                )
            )
        return int(getattr(result, "rowcount", 0) or 0)


def is_stalled(record: BackgroundJob, *, now: datetime | None = None) -> bool:
    """Running, and its lease ran out."""
    if record.status is not BackgroundJobStatus.RUNNING:
        return False
    renewed = record.heartbeat_at or record.started_at or record.created_at
    return renewed < (now or utcnow()) - Leases.lease()


def _held(record: BackgroundJob, attempt: int | None) -> bool:
    return attempt is None or (
        record.attempts == attempt and record.status is BackgroundJobStatus.RUNNING
    )


def _finish(record: BackgroundJob, status: BackgroundJobStatus, error: str | None) -> None:
    record.status = status
    record.finished_at = utcnow()
    if error is not None or status is BackgroundJobStatus.SUCCEEDED:
        record.last_error = error[:MAX_ERROR_LENGTH] if error is not None else None


def _with_previous(reason: str, previous: str | None) -> str:
    return f"{reason} (last error: {previous})" if previous else reason


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
