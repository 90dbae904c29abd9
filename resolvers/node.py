"""``node(id:)``: any object by its global id, within the caller's tenant."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import strawberry

from gateway.permissions import Permission, allows
from gateway.store.paging import MAX_PAGE_SIZE
from resolvers.activities.types import build_activity
from resolvers.applications.types import (
    build_analysis,
    build_application,
    build_offer,
    build_onboarding_task,
    build_stage,
)
from resolvers.candidates.types import build_candidate
from resolvers.context import Info
from resolvers.integrations.types import build_integration
from resolvers.interviews.types import build_evaluation, build_interview, build_message
from resolvers.jobs.types import build_job
from resolvers.listing import BadPageRequest
from resolvers.permissions import require
from resolvers.personas.types import build_persona
from resolvers.prompts.types import build_prompt
from resolvers.recruiters.types import build_recruiter
from resolvers.relay import Node, from_global_id
from resolvers.webhooks.types import (
    build_webhook_delivery,
    build_webhook_event,
    build_webhook_subscription,
)

_Resolver = tuple[Permission, str, Callable[[Any], Node]]
"""The permission to read a node type, its loader on ``Loaders``, its builder."""

_NODES: dict[str, _Resolver] = {
    "Job": (Permission.JOBS_READ, "job_by_id", build_job),
    "Candidate": (
        Permission.CANDIDATES_READ,
        "candidate_by_id",
        build_candidate,
    ),
    "Application": (
        Permission.APPLICATIONS_READ,
        "application_by_id",
        build_application,
    ),
    "PipelineStage": (
        Permission.APPLICATIONS_READ,
        "stage_by_id",
        build_stage,
    ),
    "Interview": (
        Permission.INTERVIEWS_READ,
        "interview_by_id",
        build_interview,
    ),
    "Integration": (
        Permission.INTEGRATIONS_READ,
        "integration_by_id",
        build_integration,
    ),
    "Recruiter": (
        Permission.RECRUITERS_READ,
        "user_by_id",
        build_recruiter,
    ),
    "Analysis": (Permission.APPLICATIONS_READ, "analysis_by_id", build_analysis),
    "Offer": (Permission.APPLICATIONS_READ, "offer_by_id", build_offer),
    "OnboardingTask": (
        Permission.APPLICATIONS_READ,
        "onboarding_task_by_id",
        build_onboarding_task,
    ),
    "Evaluation": (Permission.INTERVIEWS_READ, "evaluation_by_id", build_evaluation),
    "InterviewMessage": (Permission.INTERVIEWS_READ, "message_by_id", build_message),
    "Activity": (Permission.ACTIVITIES_READ, "activity_by_id", build_activity),
    "Prompt": (Permission.PROMPTS_READ, "prompt_by_id", build_prompt),
    "Persona": (Permission.PERSONAS_READ, "persona_by_id", build_persona),
    "WebhookSubscription": (
        Permission.INTEGRATIONS_READ,
        "webhook_subscription_by_id",
        build_webhook_subscription,
    ),
    "WebhookDelivery": (
        Permission.INTEGRATIONS_READ,
        "webhook_delivery_by_id",
        build_webhook_delivery,
    ),
    "WebhookEvent": (Permission.INTEGRATIONS_READ, "webhook_event_by_id", build_webhook_event),
}


async def resolve_node(info: Info, global_id: strawberry.ID) -> Node | None:
    type_name, pk = from_global_id(str(global_id))
    entry = _NODES.get(type_name)
    if entry is None:
        info.context.require_principal()
        return None
    permission, loader, build = entry
    principal = require(info, permission)
    loaders = info.context.loaders
    row = await getattr(loaders, loader).load(pk)
    if row is None:
        return None
    if type_name == "Activity" and not allows(principal.role, Permission.ACTIVITIES_READ_ALL):
        job = await loaders.job_by_id.load(row.job_id) if row.job_id is not None else None
        if job is None or job.recruiter_id != principal.user_id:
            return None
    return build(row)


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Fetch any object by its global id.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(description="Fetch many objects by global id, in order; null where absent.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_PAGE_SIZE:
            raise BadPageRequest(f"at most {MAX_PAGE_SIZE} ids per nodes() call")
        return list(await asyncio.gather(*(resolve_node(info, node_id) for node_id in ids)))
