"""Running one attempt of a queued record and keeping its ``background_jobs`` record.

    attempt = await run_recorded(ctx, record_id=7)   # one attempt; the record follows it
    attempt.status, attempt.retry_in                 # FAILED, 20.0 (seconds to the retry)

arq (``jobs.worker``) and the in-process queue (``jobs.queue_local``) both run queued
work through ``run_recorded``; they differ only in how they wait for a retry. A failed
attempt is retried with exponential backoff (``task_retry_base_seconds``, doubling,
capped at ten minutes) until the record's ``max_attempts``; then, or at once for a
failure no retry can fix (``PermanentTaskError``, a ``DomainError``), it is dead.

An attempt holds the record's lease while it runs (a heartbeat every
``Leases.heartbeat()`` seconds) and stops when another attempt took the record
over. Its outcome is recorded even through a short database outage (tried again for
about half a minute); if it still cannot be, ``run_recorded`` raises and the queue
runs the record again later, so a logged "retrying in N s" always happens.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from gateway import tracing
from gateway.errors import DomainError
from gateway.queue import JobRecords, Leases
from gateway.store.base import utcnow
from gateway.store.enums import BackgroundJobStatus, SyncStatus
from jobs.sync_api import SyncOutcome
from jobs.task_context import PermanentTaskError, TaskContext, TaskError
from jobs.task_registry import TASKS, TaskSpec

logger = logging.getLogger("talentgraph.jobs.tasks")

MAX_RETRY_DELAY = 600.0
RECORDING_PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
"""Pauses between tries to record an attempt's outcome while the database is away."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """How one ``run_recorded`` call ended. ``status`` None: there was nothing to run."""

    record_id: int
    status: BackgroundJobStatus | None
    retry_in: float | None = None
    error: str | None = None


def retry_delay(base: float, attempt: int) -> float:
    """``base * 2**(attempt-1)``, capped, with up to 10% jitter so retries spread out."""
    delay = min(MAX_RETRY_DELAY, base * 2.0 ** max(attempt - 1, 0))
    return delay * (1 + random.random() / 10)


class LeaseLost(Exception):
    """Another attempt took the record over: this one stopped."""


async def run_recorded(ctx: TaskContext, record_id: int) -> Attempt:
    """Run one attempt of a queued record and write how it went to the record."""
    records = ctx.records
    record = await records.start_attempt(record_id)
    if record is None:
        return Attempt(record_id, None)
    attempt = record.attempts
    spec = TASKS.get(record.job_type)
    if spec is None:
        error = f"no task named {record.job_type!r}"
        await records.fail(record_id, error, retry_at=None, attempt=attempt)
        return Attempt(record_id, BackgroundJobStatus.DEAD, None, error)
    try:
        with tracing.continued(record.traceparent, f"task {spec.name}") as span:
            span.set_attribute("task.record_id", record_id)
            span.set_attribute("task.attempt", attempt)
            async with asyncio.timeout(spec.timeout):
                result = await _holding_lease(
                    records,
                    record_id,
                    attempt,
                    spec.run(ctx, record.tenant_id, dict(record.payload or {})),
                )
    except LeaseLost:
        return _taken_over(spec, record_id, attempt, "stopped")
    except Exception as exc:
        return await _record_failure(
            records,
            spec,
            record_id,
            exc,
            attempt=attempt,
            max_attempts=record.max_attempts,
            retry_base=ctx.settings.task_retry_base_seconds,
        )
    note = _note_of(result)
    if not await _recorded(lambda: records.succeed(record_id, attempt=attempt, note=note)):
        return _taken_over(spec, record_id, attempt, "finished")
    return Attempt(record_id, BackgroundJobStatus.SUCCEEDED, error=note)


def _taken_over(spec: TaskSpec, record_id: int, attempt: int, what: str) -> Attempt:
    """The attempt lost the record to a newer one: its outcome is not the record's, and
    the queue must not run it again (the newer attempt's job does)."""
    logger.warning(
        "%s (record %s) attempt %d %s: another attempt took it over",
        spec.name,
        record_id,
        attempt,
        what,
    )
    return Attempt(record_id, None, None, "taken over")


async def _record_failure(
    records: JobRecords,
    spec: TaskSpec,
    record_id: int,
    exc: Exception,
    *,
    attempt: int,
    max_attempts: int,
    retry_base: float,
) -> Attempt:
    """Record a failed attempt: dead when no retry can help or none is left, else due
    again after ``retry_delay``."""
    error = _describe(exc, spec)
    permanent = isinstance(exc, PermanentTaskError | DomainError)
    if permanent or attempt >= max_attempts:
        logger.warning(
            "%s (record %s) is dead after %d attempt(s): %s",
            spec.name,
            record_id,
            attempt,
            error,
        )
        if not await _recorded(
            lambda: records.fail(record_id, error, retry_at=None, attempt=attempt)
        ):
            return _taken_over(spec, record_id, attempt, "failed")
        return Attempt(record_id, BackgroundJobStatus.DEAD, None, error)
    delay = retry_delay(retry_base, attempt)
    if not await _recorded(
        lambda: records.fail(
            record_id, error, retry_at=utcnow() + timedelta(seconds=delay), attempt=attempt
        )
    ):
        return _taken_over(spec, record_id, attempt, "failed")
    logger.info(
        "%s (record %s) attempt %d/%d failed, retrying in %.1fs: %s",
        spec.name,
        record_id,
        attempt,
        max_attempts,
        delay,
        error,
    )
    return Attempt(record_id, BackgroundJobStatus.FAILED, delay, error)


def _note_of(result: object) -> str | None:
    """What a succeeded record still tells: a sync that finished with records it could
    not map (listed with its run; retrying would not help, the next sync tries them)."""
    if isinstance(result, SyncOutcome) and result.status is SyncStatus.PARTIALLY_FAILED:
        return f"finished with failed records: {result.error}"
    return None


async def _holding_lease(
    records: JobRecords, record_id: int, attempt: int, work: Awaitable[object]
) -> object:
    """Await ``work`` while renewing the lease of ``attempt``; raise ``LeaseLost`` (having
    cancelled the work) when another attempt took the record over. A renewal the
    database refuses is skipped: the lease may then run out and the record be taken
    over, which the next renewal notices."""
    running = asyncio.ensure_future(work)
    lost = False

    async def renew() -> None:
        nonlocal lost
        while True:
            await asyncio.sleep(Leases.heartbeat())
            try:
                held = await records.beat(record_id, attempt)
            except Exception as exc:
                logger.warning("record %s: heartbeat not recorded: %s", record_id, exc)
                continue
            if not held:
                lost = True
                running.cancel()
                return

    renewer = asyncio.create_task(renew(), name=f"lease:{record_id}")
    try:
        return await running
    except asyncio.CancelledError:
        if lost:
            raise LeaseLost() from None
        raise
    finally:
        renewer.cancel()
        await asyncio.wait([renewer])


async def _recorded(write: Callable[[], Awaitable[bool]]) -> bool:
    """``write`` an outcome, trying again while the database is away; whether the
    attempt still held the record (False: another attempt took it over and the outcome
    was not written). Raises the last error if it never could be written (the queue
    then runs the record again)."""
    for pause in RECORDING_PAUSES:
        try:
            return await write()
        except Exception as exc:
            logger.warning("outcome not recorded (%s); trying again in %.1f s", exc, pause)
            await asyncio.sleep(pause)
    return await write()


def _describe(exc: BaseException, spec: TaskSpec) -> str:
    if isinstance(exc, TimeoutError) and not str(exc):
        return f"timed out after {spec.timeout:g}s"
    if isinstance(exc, TaskError | PermanentTaskError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
