"""The background tasks: plain async functions over a typed context, one module per
family, and the wrapper that keeps each queued one's ``background_jobs`` record.

    ctx = TaskContext(sync_deps, settings)
    await sync_integration_task(ctx, tenant_id=1, integration_id=42, mode=SyncMode.FULL)
    attempt = await run_recorded(ctx, record_id=7)   # one attempt; the record follows it

    jobs.task_context     TaskContext, TaskError, PermanentTaskError
    jobs.sync_tasks       integration and job syncs, the schedule that queues them
    jobs.recruiter_tasks  the daily recruiter sync
    jobs.analysis_tasks   resume analyses
    jobs.maintenance      health checks and the hourly clean-up
    jobs.task_registry    every task that can be queued, by name (``TASKS``)
    jobs.recorded         one attempt of a queued record: lease, timeout, retry, outcome

This module names what the assembly (``gateway.app``, ``gateway.cli``) uses, so it
need not know where each part lives.
"""

from __future__ import annotations

from jobs.maintenance import maintenance_task as maintenance_task
from jobs.recruiter_tasks import RECRUITER_SYNC_EVERY as RECRUITER_SYNC_EVERY
from jobs.recruiter_tasks import enqueue_recruiter_syncs as enqueue_recruiter_syncs
from jobs.sync import sync_integration as sync_integration
from jobs.sync_tasks import schedule_tick as schedule_tick
from jobs.task_context import TaskContext as TaskContext
