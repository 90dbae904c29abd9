"""The dashboard's figures (the design's ``GET /metrics``), in one statement.

    figures = await dashboard_figures(reader, tenant_id, now=utcnow())
    figures.applications_total, figures.applications_by_status["active"]   # (1500, 1200)
    figures.interviews_by_status["completed"], figures.last_processed       # (750, datetime)

What counts:

- Applications: every application of the tenant still at its source (a record marked
  deleted there, ``remote_deleted_at``, is left out), whatever its status. "Last 24 h"
  and "last 7 d" go by when the candidate applied (``applied_at``), or when the gateway
  first stored the application when the source gave no date.
- Interviews: of those applications, by status.
- Last processed: when the newest resume analysis of those applications was made (the
  design's "processor" is the analysis of applications).

``Scope`` narrows all three to the requisitions one recruiter owns (as the activity
timeline does for a recruiter) and/or to one requisition. The three figures are one
``UNION ALL`` of grouped counts: one round trip whatever the size of the tenant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from gateway.store.base import table_of
from gateway.store.criteria import owned_requisition
from gateway.store.models import Analysis, Application, Interview
from gateway.store.reader import Reader

LAST_DAY = timedelta(hours=24)
LAST_WEEK = timedelta(days=7)

_APPLICATIONS = "applications"
_INTERVIEWS = "interviews"
_PROCESSED = "processed"


@dataclass(frozen=True, slots=True)
class Scope:
    """Which applications count: the tenant's, of one owner's requisitions, of one."""

    tenant_id: int
    recruiter_id: int | None = None
    job_id: int | None = None

    def applications(self) -> list[Any]:
        applications = table_of(Application).c
        conditions: list[Any] = [
            applications.tenant_id == self.tenant_id,
            applications.remote_deleted_at.is_(None),
        ]
        if self.job_id is not None:
            conditions.append(applications.job_id == self.job_id)
        if self.recruiter_id is not None:
            conditions.append(
                owned_requisition(applications.job_id, self.tenant_id, self.recruiter_id)
            )
        return conditions


@dataclass(frozen=True, slots=True)
class DashboardFigures:
    applications_total: int = 0
    applications_last_24h: int = 0
    applications_last_7d: int = 0
    applications_by_status: dict[str, int] = field(default_factory=dict)
    interviews_total: int = 0
    interviews_by_status: dict[str, int] = field(default_factory=dict)
    last_processed: datetime | None = None


def dashboard_statement(scope: Scope, *, now: datetime) -> sa.CompoundSelect[Any]:
    """Rows of (figure, status, count, last 24 h, last 7 d, newest analysis)."""
    applications = table_of(Application)
    interviews = table_of(Interview).c
    analyses = table_of(Analysis).c
    in_scope = sa.select(applications.c.id).where(*scope.applications())
    received = sa.func.coalesce(applications.c.applied_at, applications.c.created_at)

    def since(moment: datetime) -> Any:
        return sa.func.sum(sa.case((received >= moment, 1), else_=0))

    processed = sa.select(
        sa.literal(_PROCESSED).label("figure"),
        sa.null().label("status"),
        sa.literal(0).label("n"),
        sa.literal(0).label("last_day"),
        sa.literal(0).label("last_week"),
        sa.func.max(analyses.created_at).label("newest"),
    ).where(analyses.tenant_id == scope.tenant_id, analyses.application_id.in_(in_scope))
    by_application_status = (
        sa.select(
            sa.literal(_APPLICATIONS),
            sa.cast(applications.c.status, sa.String),
            sa.func.count(),
            since(now - LAST_DAY),
            since(now - LAST_WEEK),
            sa.null(),
        )
        .where(*scope.applications())
        .group_by(applications.c.status)
    )
    by_interview_status = (
        sa.select(
            sa.literal(_INTERVIEWS),
            sa.cast(interviews.status, sa.String),
            sa.func.count(),
            sa.literal(0),
            sa.literal(0),
            sa.null(),
        )
        .where(interviews.tenant_id == scope.tenant_id, interviews.application_id.in_(in_scope))
        .group_by(interviews.status)
    )
    return sa.union_all(processed, by_application_status, by_interview_status)


async def dashboard_figures(reader: Reader, scope: Scope, *, now: datetime) -> DashboardFigures:
    rows = await reader.all(dashboard_statement(scope, now=now))
    applications: dict[str, int] = {}
    interviews: dict[str, int] = {}
    last_day = last_week = 0
    last_processed: datetime | None = None
    for row in rows:
        if row.figure == _PROCESSED:
            last_processed = row.newest
        elif row.figure == _APPLICATIONS:
            applications[str(row.status)] = int(row.n)
            last_day += int(row.last_day or 0)
            last_week += int(row.last_week or 0)
        else:
            interviews[str(row.status)] = int(row.n)
    return DashboardFigures(
        applications_total=sum(applications.values()),
        applications_last_24h=last_day,
        applications_last_7d=last_week,
        applications_by_status=applications,
        interviews_total=sum(interviews.values()),
        interviews_by_status=interviews,
        last_processed=last_processed,
    )
