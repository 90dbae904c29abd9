"""``applicationResolveHumanRequest``: a recruiter closes a candidate's request for a
person (``gateway.services.human_requests``); ``resolvers/schema.py`` merges
``ApplicationHumanRequestMutations``."""

from __future__ import annotations

import strawberry

from gateway.auth import Principal
from gateway.outbox import Outbox
from gateway.permissions import Permission
from gateway.services import human_requests
from resolvers.applications.types import Application, build_application
from resolvers.context import Info
from resolvers.errors import MutationError, mutation_result
from resolvers.mutation import GlobalIdArg, guarded_mutation, written_row


@strawberry.input(description="Close the candidate's request to speak with a person.")
class ApplicationResolveHumanRequestInput:
    application_id: strawberry.ID
    note: str | None = strawberry.field(
        default=None, description="What was done, for the timeline; at most 2,000 characters."
    )


@strawberry.type
class ApplicationResolveHumanRequestSuccess:
    application: Application


ApplicationResolveHumanRequestResult = mutation_result(
    "ApplicationResolveHumanRequestResult", ApplicationResolveHumanRequestSuccess
)


@strawberry.type
class ApplicationHumanRequestMutations:
    @strawberry.mutation(
        description="Resolve a candidate's request for a person: `humanRequested` is "
        "cleared on the application and its interviews, the note goes to the timeline and "
        "`application.human_request_resolved` is published. Admins, and the recruiter of "
        "the requisition."
    )
    async def application_resolve_human_request(
        self, info: Info, input: ApplicationResolveHumanRequestInput
    ) -> ApplicationResolveHumanRequestResult:  # type: ignore[valid-type]
        context = info.context
        target = GlobalIdArg(input.application_id, "Application", field="applicationId")

        async def action(principal: Principal) -> int:
            if context.bus is None:
                raise RuntimeError("resolving a request needs the event bus of the process")
            return await human_requests.resolve(
                context.session_factory,
                Outbox(context.session_factory, context.bus),
                principal,
                application_id=target.pk(),
                note=input.note,
            )

        resolved: int | MutationError = await guarded_mutation(
            info, Permission.APPLICATIONS_WRITE, action
        )
        if not isinstance(resolved, int):
            return resolved
        await context.cache.invalidate(context.tenant_id)
        row = await written_row(context.loaders.application_by_id, resolved, "application")
        return ApplicationResolveHumanRequestSuccess(application=build_application(row))
