"""The synced applications as the demo's own records need them, in an order no database
id decides, so the same sandboxes give the same demo records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from gateway.store.enums import ApplicationStatus, StageKind
from gateway.store.models import (
    Application,
    Candidate,
    Integration,
    Job,
    PipelineStage,
    StageTransition,
)


@dataclass(frozen=True, slots=True)
class SyncedApplication:
    """A synced application with what the demo's own records need of it."""

    id: int
    status: ApplicationStatus
    first_name: str
    title: str
    client: str
    recruiter_id: int | None
    currency: str | None
    kinds: tuple[StageKind, ...]
    """The kinds of the stages it passed through, oldest first."""


async def synced_applications(session: Any, tenant_id: int) -> list[SyncedApplication]:
    """In an order no database id decides (provider, then remote id), so the same
    sandboxes give the same demo records."""
    rows = (
        await session.execute(
            sa.select(
                Application.id,
                Application.status,
                Candidate.name,
                Candidate.first_name,
                Job.title,
                Job.client_name,
                Job.recruiter_id,
                Job.currency,
                Integration.provider,
                Application.remote_id,
            )
            .join(Candidate, Candidate.id == Application.candidate_id)
            .join(Job, Job.id == Application.job_id)
            .join(Integration, Integration.id == Application.integration_id)
            .where(Application.tenant_id == tenant_id)
        )
    ).all()
    moves = (
        await session.execute(
            sa.select(StageTransition.application_id, PipelineStage.kind)
            .join(PipelineStage, PipelineStage.id == StageTransition.to_stage_id)
            .where(StageTransition.tenant_id == tenant_id)
            .order_by(StageTransition.application_id, StageTransition.entered_at)
        )
    ).all()
    kinds: dict[int, list[StageKind]] = {}
    for application_id, kind in moves:
        kinds.setdefault(application_id, []).append(StageKind(kind))
    found = [
        (
            str(row.provider),
            str(row.remote_id or ""),
            SyncedApplication(
                id=row.id,
                status=ApplicationStatus(row.status),
                first_name=row.first_name or (row.name or "there").split()[0],
                title=row.title,
                client=row.client_name or "Demo Agency",
                recruiter_id=row.recruiter_id,
                currency=row.currency,
                kinds=tuple(kinds.get(row.id, ())),
            ),
        )
        for row in rows
    ]
    return [synced for _p, _r, synced in sorted(found, key=lambda item: item[:2])]
