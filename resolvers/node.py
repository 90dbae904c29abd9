"""``node(id:)``: any object by its global id, within the caller's tenant."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
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
from resolvers.compiled.catalog import NodeById, sql_reading
from resolvers.context import Info
from resolvers.field_mappings.types import build_field_mapping
from resolvers.integrations.types import build_integration
from resolvers.interviews.types import build_evaluation, build_interview, build_message
from resolvers.jobs.types import build_job
from resolvers.listing import BadPageRequest
from resolvers.logs.types import build_log_entry
from resolvers.permissions import require
from resolvers.personas.types import build_persona
from resolvers.prompts.types import build_prompt
from resolvers.recruiters.types import build_recruiter
from resolvers.relay import Node, from_global_id, pk_or_none
from resolvers.sync.types import build_background_job, build_sync_run
from resolvers.webhooks.types import (
    build_webhook_delivery,
    build_webhook_event,
    build_webhook_subscription,
)


@dataclass(frozen=True, slots=True)
class _NodeKind:
    permission: Permission
    loader: str
    """The request's loader of rows by id, an attribute of ``Loaders``."""
    build: Callable[[Any], Node]


def _readable_with(permission: Permission, **kinds: tuple[str, Callable[[Any], Node]]) -> Any:
    """Node type name -> how to load and build it, for the types ``permission`` reads."""
    return {name: _NodeKind(permission, *kind) for name, kind in kinds.items()}


_NODES: dict[str, _NodeKind] = {
    **_readable_with(Permission.JOBS_READ, Job=("job_by_id", build_job)),
    **_readable_with(Permission.CANDIDATES_READ, Candidate=("candidate_by_id", build_candidate)),
    **_readable_with(
        Permission.APPLICATIONS_READ,
        Application=("application_by_id", build_application),
        PipelineStage=("stage_by_id", build_stage),
        Analysis=("analysis_by_id", build_analysis),
        Offer=("offer_by_id", build_offer),
        OnboardingTask=("onboarding_task_by_id", build_onboarding_task),
    ),
    **_readable_with(
        Permission.INTERVIEWS_READ,
        Interview=("interview_by_id", build_interview),
        Evaluation=("evaluation_by_id", build_evaluation),
        InterviewMessage=("message_by_id", build_message),
    ),
    **_readable_with(
        Permission.INTEGRATIONS_READ,
        Integration=("integration_by_id", build_integration),
        WebhookSubscription=("webhook_subscription_by_id", build_webhook_subscription),
        WebhookDelivery=("webhook_delivery_by_id", build_webhook_delivery),
        WebhookEvent=("webhook_event_by_id", build_webhook_event),
    ),
    **_readable_with(Permission.RECRUITERS_READ, Recruiter=("user_by_id", build_recruiter)),
    **_readable_with(
        Permission.ACTIVITIES_READ,
        Activity=("activity_by_id", build_activity),
        LogEntry=("log_entry_by_id", build_log_entry),
    ),
    **_readable_with(Permission.PROMPTS_READ, Prompt=("prompt_by_id", build_prompt)),
    **_readable_with(Permission.PERSONAS_READ, Persona=("persona_by_id", build_persona)),
    **_readable_with(
        Permission.SETTINGS_READ, FieldMapping=("field_mapping_by_id", build_field_mapping)
    ),
    **_readable_with(Permission.INTEGRATIONS_READ, SyncRun=("sync_run_by_id", build_sync_run)),
    **_readable_with(
        Permission.QUEUE_READ, BackgroundJob=("background_job_by_id", build_background_job)
    ),
}


async def resolve_node(info: Info, global_id: strawberry.ID) -> Node | None:
    type_name, pk = from_global_id(str(global_id))
    if type_name not in _NODES:
        info.context.require_principal()
        return None
    return await _load_node(info, type_name, pk)


async def _load_node(info: Info, type_name: str, pk: int) -> Node | None:
    kind = _NODES[type_name]
    principal = require(info, kind.permission)
    loaders = info.context.loaders
    row = await getattr(loaders, kind.loader).load(pk)
    if row is None:
        return None
    if type_name in ("Activity", "LogEntry") and not allows(
        principal.role, Permission.ACTIVITIES_READ_ALL
    ):
        job = await loaders.job_by_id.load(row.job_id) if row.job_id is not None else None
        if job is None or job.recruiter_id != principal.user_id:
            return None
    return kind.build(row)


def node_field(node: type[Node]) -> Any:
    """The root field fetching one ``node`` by its global id: null when the id names
    another type or nothing in the caller's tenant; a malformed id is an error."""
    type_name = node.NODE_TYPE

    async def resolve(root: Any, info: Info, id: strawberry.ID) -> Node | None:
        require(info, _NODES[type_name].permission)
        pk = pk_or_none(id, type_name)
        return await _load_node(info, type_name, pk) if pk is not None else None

    resolve.__annotations__ = {"info": Info, "id": strawberry.ID, "return": node | None}
    reading = NodeById(type_name, _NODES[type_name].permission)
    return strawberry.field(resolver=resolve, metadata=sql_reading(reading))


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
