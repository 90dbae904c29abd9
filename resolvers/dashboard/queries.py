"""``dashboard``: the design's metrics in one field, cached like ``pipelineMetrics``."""

from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.services.dashboard import Scope, dashboard_figures
from gateway.store.base import utcnow
from resolvers.activities.filters import visible_activities
from resolvers.context import Info
from resolvers.dashboard.types import Dashboard, build_dashboard
from resolvers.permissions import require
from resolvers.relay import pk_of


@strawberry.type
class DashboardQueries:
    @strawberry.field(
        description="Applications (total, last 24 h, last 7 d, by status), interviews by "
        "status and the last processing, in one read. A recruiter counts the requisitions "
        "they own (as on the activity timeline); `jobId` narrows to one requisition. "
        "Responses are cached until any write to the tenant (or the dashboard cache TTL)."
    )
    async def dashboard(self, info: Info, job_id: strawberry.ID | None = None) -> Dashboard:
        principal = require(info, Permission.APPLICATIONS_READ)
        require(info, Permission.INTERVIEWS_READ)
        scope = Scope(
            principal.tenant_id,
            recruiter_id=visible_activities(info),
            job_id=pk_of(job_id, "Job", field="jobId") if job_id is not None else None,
        )
        figures = await dashboard_figures(info.context.reader, scope, now=utcnow())
        return build_dashboard(figures)
