"""Refetching what an inbound webhook notice names: the connector is asked for the
records (never trusting the notice's own data), a job the source no longer has is
marked deleted, and what no targeted refetch covers is left to a sync.

    fetched = await refetch(connector, notice, integration_id, session_factory)
    if fetched.needs_sync: ...   # queue the integration's incremental sync
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import ConnectorBase
from connectors.errors import UnsupportedOperationError
from connectors.models import RemoteApplication, RemoteCandidate, RemoteJob
from connectors.webhooks import Notice
from gateway.events import job_deleted
from gateway.pubsub import Event
from gateway.store.base import utcnow
from gateway.store.engine import SessionFactory
from gateway.store.models import Job
from jobs.sync_writer import describe_failure


@dataclass
class WebhookTally:
    """What one event's writes did, by model and outcome; kept in the event's result."""

    tenant_id: int
    integration_id: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def count(self, model: str, outcome: str, amount: int = 1) -> None:
        if amount:
            bucket = self.counts.setdefault(model, {})
            bucket[outcome] = bucket.get(outcome, 0) + amount

    def fail(self, entity: str, remote_id: str | None, reason: str) -> None:
        self.count(entity, "failed")
        self.failures.append(describe_failure(entity, remote_id, reason))


@dataclass
class Fetched:
    jobs: list[RemoteJob] = field(default_factory=list)
    gone_jobs: list[str] = field(default_factory=list)
    candidates: list[RemoteCandidate] = field(default_factory=list)
    applications: list[RemoteApplication] = field(default_factory=list)
    needs_sync: bool = False
    """The provider cannot refetch one candidate's applications: sync instead."""


async def refetch(
    connector: ConnectorBase,
    notice: Notice,
    integration_id: int,
    session_factory: SessionFactory,
) -> Fetched:
    """The records the notice names, as the source has them now, with the jobs of their
    applications that are not stored yet."""
    fetched = Fetched()
    if notice.job_ids:
        fetched.jobs = await connector.get_jobs(list(notice.job_ids))
    if notice.candidate_ids:
        fetched.candidates = await connector.get_candidates(list(notice.candidate_ids))
        try:
            fetched.applications = await connector.get_applications(list(notice.candidate_ids))
        except UnsupportedOperationError:
            fetched.needs_sync = True
    found = {job.remote_id for job in fetched.jobs}
    if not notice.candidate_ids:
        fetched.gone_jobs = [j for j in notice.job_ids if j not in found]
    wanted = {a.job_remote_id for a in fetched.applications} - found
    if wanted:
        async with session_factory() as session:
            known = set(
                await session.scalars(
                    sa.select(Job.remote_id).where(
                        Job.integration_id == integration_id, Job.remote_id.in_(wanted)
                    )
                )
            )
        if wanted - known:
            fetched.jobs += await connector.get_jobs(sorted(wanted - known))
    return fetched


async def mark_gone(
    session: AsyncSession, tally: WebhookTally, remote_ids: list[str]
) -> list[Event]:
    """A job the notice names that the source no longer has is deleted, never dropped."""
    if not remote_ids:
        return []
    rows = (
        await session.execute(
            sa.update(Job)
            .where(
                Job.integration_id == tally.integration_id,
                Job.remote_id.in_(remote_ids),
                Job.remote_deleted_at.is_(None),
            )
            .values(remote_deleted_at=utcnow(), is_active=False)
            .returning(Job.id)
        )
    ).all()
    tally.count("jobs", "deleted", len(rows))
    return [job_deleted(tally.tenant_id, job_id=row.id) for row in rows]
