"""``applicationReprocess``: queue a fresh resume analysis of an application.

Its own module (not ``mutations.py``) while the AI work lands next to the other
application writes; ``resolvers/schema.py`` merges ``ApplicationReprocessMutations``.
The analysis runs as the background job ``analyze_application`` under the key
``analysis:{applicationId}`` (``jobs.tasks``); the payload says whether it was queued now
or was already waiting, and which ``backgroundJob`` follows it.
"""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.permissions import Permission
from gateway.services.analysis import request_reprocess
from resolvers.applications.types import Application, build_application
from resolvers.context import Info
from resolvers.errors import MutationError, mutation_result
from resolvers.mutation import GlobalIdArg, written_row
from resolvers.sync.types import BackgroundJob
from resolvers.write_queue import request_work


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


ApplicationReprocessResult = mutation_result(
    "ApplicationReprocessResult", ApplicationReprocessSuccess
)


@strawberry.type
class ApplicationReprocessMutations:
    @strawberry.mutation(
        description="Re-run the resume analysis of an application as a background job "
        "(admin, recruiter)."
    )
    async def application_reprocess(
        self, info: Info, input: ApplicationReprocessInput
    ) -> ApplicationReprocessResult:  # type: ignore[valid-type]
        application = GlobalIdArg(input.application_id, "Application", field="applicationId")
        queued: dict[str, Any] | MutationError = await request_work(
            info, Permission.APPLICATIONS_REPROCESS, request_reprocess, application, dict
        )
        if not isinstance(queued, dict):
            return queued
        row = await written_row(
            info.context.loaders.application_by_id, application.pk(), "reprocessed application"
        )
        return ApplicationReprocessSuccess(**queued, application=build_application(row))
