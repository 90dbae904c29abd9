"""The housekeeping tasks the schedule runs: the integrations' health checks
(``health_task``) and the hourly clean-up of what expired or is long finished
(``maintenance_task``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa

from gateway.oplog import prune_logs
from gateway.services.interview_lifecycle import InterviewConfig, sweep_interviews
from gateway.store.base import utcnow
from gateway.store.enums import DeliveryStatus, WebhookEventStatus
from gateway.store.models import IdempotencyKey, OAuthState, WebhookDelivery, WebhookEvent
from jobs.health import HealthDeps, check_health
from jobs.task_context import TaskContext
from jobs.task_registry import task_timeout

logger = logging.getLogger("talentgraph.jobs.tasks")

STALE_GRACE = timedelta(minutes=10)
"""A running record older than its task's timeout plus this is one whose worker died."""
WAITING_TTL = timedelta(days=1)
"""A pending record not started within this is one no worker will pick up (arq's expiry)."""
KEEP_FINISHED = timedelta(days=7)
"""Succeeded and dead records are pruned after this."""
KEEP_WEBHOOKS = timedelta(days=30)
"""Settled inbound events and finished outbound deliveries are pruned after this (well
past the one-day duplicate window of inbound events)."""

SETTLED_EVENTS = (
    WebhookEventStatus.PROCESSED,
    WebhookEventStatus.IGNORED,
    WebhookEventStatus.FAILED,
)


async def health_task(ctx: TaskContext) -> dict[int, bool]:
    """Check the integrations whose health check is due; integration id -> healthy."""
    interval = ctx.settings.health_check_interval_seconds or 300
    deps = HealthDeps(
        ctx.session_factory, ctx.deps.keyring, ctx.deps.http, timedelta(seconds=interval)
    )
    return await check_health(deps)


async def maintenance_task(ctx: TaskContext, *, now: datetime | None = None) -> dict[str, int]:
    """Delete expired OAuth states, mark dead the records no worker will finish, prune
    old finished records, webhook events and deliveries, and expired idempotency keys,
    and abandon idle self-service interviews and expire those past their link's expiry.
    Returns how many of each."""
    now = now or utcnow()
    async with ctx.session_factory.begin() as session:
        result = await session.execute(sa.delete(OAuthState).where(OAuthState.expires_at < now))
    report = {"oauth_states_deleted": _rowcount(result)}
    report.update(await _settle_job_records(ctx, now))
    report.update(await _prune_webhooks_and_keys(ctx, now))
    report["logs_pruned"] = await prune_logs(
        ctx.session_factory, before=now - timedelta(days=ctx.settings.log_retention_days)
    )
    report.update(
        await sweep_interviews(
            ctx.session_factory,
            ctx.deps.bus,
            now=now,
            abandon_after=InterviewConfig.from_settings(ctx.settings).abandon_after,
        )
    )
    if any(report.values()):
        logger.info("maintenance: %s", report)
    return report


async def _settle_job_records(ctx: TaskContext, now: datetime) -> dict[str, int]:
    """Mark dead the background job records no worker will finish; prune old finished ones."""

    def running_cutoff(job_type: str) -> datetime:
        return now - timedelta(seconds=task_timeout(job_type)) - STALE_GRACE

    records = ctx.records
    dead = await records.expire_stale(
        running_cutoff=running_cutoff, waiting_since=now - WAITING_TTL
    )
    pruned = await records.prune(finished_before=now - KEEP_FINISHED)
    return {"jobs_marked_dead": dead, "jobs_pruned": pruned}


async def _prune_webhooks_and_keys(ctx: TaskContext, now: datetime) -> dict[str, int]:
    """Prune settled inbound events, finished outbound deliveries and expired
    idempotency keys."""
    async with ctx.session_factory.begin() as session:
        events = await session.execute(
            sa.delete(WebhookEvent).where(
                WebhookEvent.status.in_(SETTLED_EVENTS),
                WebhookEvent.received_at < now - KEEP_WEBHOOKS,
            )
        )
        keys = await session.execute(
            sa.delete(IdempotencyKey).where(IdempotencyKey.expires_at < now)
        )
        deliveries = await session.execute(
            sa.delete(WebhookDelivery).where(
                WebhookDelivery.status.in_((DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED)),
                WebhookDelivery.created_at < now - KEEP_WEBHOOKS,
            )
        )
    return {
        "webhook_events_pruned": _rowcount(events),
        "webhook_deliveries_pruned": _rowcount(deliveries),
        "idempotency_keys_pruned": _rowcount(keys),
    }


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
