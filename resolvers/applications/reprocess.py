"""``applicationReprocess``: queue a fresh resume analysis of an application.

Its own module (not ``mutations.py``) while the AI work lands next to the other
application writes; ``resolvers/schema.py`` merges ``ApplicationReprocessMutations``.
The analysis runs as the background job ``analyze_application`` under the key
``analysis:{applicationId}`` (``jobs.tasks``); the payload says whether it was queued now
or was already waiting, and which ``backgroundJob`` follows it.
"""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
import strawberry

from gateway.auth import Principal
from gateway.permissions import Permission
from gateway.queue import Enqueued
from gateway.services.analysis import request_reprocess
from gateway.store.base import table_of
from gateway.store.models import BackgroundJob as BackgroundJobModel
from resolvers.applications.types import Application, build_application
from resolvers.context import Info
from resolvers.dataloaders import light_columns
from resolvers.errors import NotFoundError, PermissionDeniedError, ValidationError
from resolvers.mutation import guarded_mutation
from resolvers.relay import pk_of
from resolvers.sync.types import BackgroundJob, build_background_job


@strawberry.input(description="Analyse the application's resume again, in the background.")
class ApplicationReprocessInput:
    application_id: strawberry.ID


@strawberry.type(
    description="`queued`: a new analysis was queued. `alreadyRunning`: one was already "
    "queued, running or waiting for its retry, and `backgroundJob` is that one. The new "
    "analysis becomes `application.analysis` when the job succeeds."
)
class ApplicationReprocessSuccess:
    queued: bool
    already_running: bool
    background_job: BackgroundJob | None
    application: Application


ApplicationReprocessResult = Annotated[
    ApplicationReprocessSuccess | NotFoundError | ValidationError | PermissionDeniedError,
    strawberry.union("ApplicationReprocessResult"),
]


async def _background_job(info: Info, record_id: int) -> BackgroundJob | None:
    table = table_of(BackgroundJobModel)
    row = await info.context.reader.one_or_none(
        sa.select(*light_columns(table)).where(
            table.c.id == record_id, table.c.tenant_id == info.context.tenant_id
        )
    )
    return build_background_job(row) if row is not None else None


@strawberry.type
class ApplicationReprocessMutations:
    @strawberry.mutation(
        description="Re-run the resume analysis of an application as a background job "
        "(admin, recruiter)."
    )
    async def application_reprocess(
        self, info: Info, input: ApplicationReprocessInput
    ) -> ApplicationReprocessResult:
        context = info.context
        application_id: int | None = None

        async def action(principal: Principal) -> Enqueued:
            nonlocal application_id
            application_id = pk_of(input.application_id, "Application", field="applicationId")
            return await request_reprocess(
                context.session_factory,
                context.require_queue(),
                principal.tenant_id,
                application_id,
                requested_by=principal.user_id,
            )

        result = await guarded_mutation(info, Permission.APPLICATIONS_REPROCESS, action)
        if not isinstance(result, Enqueued):
            return result
        assert application_id is not None
        row = await context.loaders.application_by_id.load(application_id)
        assert row is not None, "a reprocessed application vanished"
        return ApplicationReprocessSuccess(
            queued=not result.duplicate,
            already_running=result.duplicate,
            background_job=await _background_job(info, result.job_record_id),
            application=build_application(row),
        )
