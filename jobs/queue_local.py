"""The queue of the embedded default: tasks run as asyncio tasks in this process.

    queue = InProcessQueue(task_context)
    await queue.enqueue(SYNC_INTEGRATION, key="sync:42", tenant_id=1, payload={...})
    await queue.drain()      # wait until nothing is running or waiting for a retry
    await queue.close()      # cancel what is left

Same records and duplicate rule as ``ArqQueue``. What a stopped process held in memory
is gone, so ``recover()`` at startup runs again what it left active (an attempt it cut
off counts as failed; a sync resumes from its checkpoint); one process owns the queue,
as in the embedded default (no Redis, one ``serve``). A record that could not be
started because the database was away is tried again with a growing pause (1 s
doubling to 30 s) until it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from gateway.queue import Enqueued, is_stalled
from gateway.store.base import utcnow
from gateway.store.enums import BackgroundJobStatus
from jobs.recorded import run_recorded
from jobs.task_context import TaskContext
from jobs.task_registry import task_spec

logger = logging.getLogger("talentgraph.jobs.queue_local")

STORE_RETRY_FIRST = 1.0
STORE_RETRY_MAX = 30.0


class InProcessQueue:
    def __init__(self, context: TaskContext) -> None:
        self.context = context
        self.records = context.records
        self.running: dict[int, asyncio.Task[None]] = {}
        self._lock = asyncio.Lock()
        self._closed = False

    async def enqueue(
        self,
        task: str,
        *,
        key: str,
        tenant_id: int,
        payload: dict[str, Any],
        priority: int = 0,
    ) -> Enqueued:
        """``priority`` is recorded; in process every task starts at once, so there is no
        queue for it to reorder."""
        spec = task_spec(task)
        async with self._lock:
            self._check_open()
            active = await self.records.find_active(tenant_id, key)
            if active is not None:
                if is_stalled(active) and await self.records.take_over(active.id):
                    self._start(active.id)
                    return Enqueued(active.id, duplicate=False)
                return Enqueued(active.id, duplicate=True)
            record = await self.records.create(
                task,
                key=key,
                tenant_id=tenant_id,
                payload=payload,
                max_attempts=spec.max_attempts,
                priority=priority,
            )
            self._start(record.id)
        return Enqueued(record.id, duplicate=False)

    async def recover(self) -> int:
        """At startup: run again what a previous process left pending, running or waiting
        for a retry (at its retry time). Returns how many."""
        left = await self.records.resume_left_behind(
            "cut off: the process running it stopped before it finished"
        )
        async with self._lock:
            for record_id, due in left:
                self._start(record_id, due=due)
        if left:
            logger.warning("%d background job(s) of a previous run queued again", len(left))
        return len(left)

    async def reclaim(self) -> int:
        """Take over the stalled records (none while this process runs them) and start them."""
        reclaimed = 0
        async with self._lock:
            self._check_open()
            for record in await self.records.stalled():
                if record.id not in self.running and await self.records.take_over(record.id):
                    self._start(record.id)
                    reclaimed += 1
        return reclaimed

    async def retry(self, job_record_id: int, *, tenant_id: int) -> Enqueued:
        async with self._lock:
            self._check_open()
            enqueued = await self.records.reset_for_retry(tenant_id, job_record_id)
            if not enqueued.duplicate:
                waiting = self.running.pop(job_record_id, None)
                if waiting is not None:  # sleeping until its retry: run it now instead
                    waiting.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await waiting
                self._start(job_record_id)
        return enqueued

    async def clear(self, tenant_id: int, statuses: Iterable[BackgroundJobStatus]) -> int:
        """Delete the records and cancel their tasks that are waiting (to start, or for a
        retry): none of them runs after this."""
        async with self._lock:
            cleared = await self.records.clear(tenant_id, statuses)
            for record in cleared:
                waiting = self.running.pop(record.id, None)
                if waiting is not None:
                    waiting.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await waiting
        return len(cleared)

    def _start(self, record_id: int, *, due: datetime | None = None) -> None:
        task = asyncio.create_task(self._run(record_id, due), name=f"background-job:{record_id}")
        self.running[record_id] = task

        def forget(done: asyncio.Task[None]) -> None:
            if self.running.get(record_id) is done:
                del self.running[record_id]

        task.add_done_callback(forget)

    async def _run(self, record_id: int, due: datetime | None = None) -> None:
        if due is not None:
            await asyncio.sleep(max(0.0, (due - utcnow()).total_seconds()))
        pause = STORE_RETRY_FIRST
        while True:
            try:
                attempt = await run_recorded(self.context, record_id)
            except Exception as exc:  # the store failed us; the record stays as it was
                logger.warning(
                    "background job %s could not be run (%s); trying again in %.0f s",
                    record_id,
                    exc,
                    pause,
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, STORE_RETRY_MAX)
                continue
            pause = STORE_RETRY_FIRST
            if attempt.status is not BackgroundJobStatus.FAILED or attempt.retry_in is None:
                return
            await asyncio.sleep(attempt.retry_in)

    async def drain(self) -> None:
        """Wait until every queued task has finished, retries included."""
        while self.running:
            await asyncio.gather(*list(self.running.values()), return_exceptions=True)

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the in-process queue is closed")

    async def close(self) -> None:
        """Cancel what runs; its records stay active and the next enqueue of a key settles
        them (see the module docstring)."""
        self._closed = True
        tasks = list(self.running.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.running.clear()
