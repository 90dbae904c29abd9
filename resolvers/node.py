"""``node(id:)``: any object by its global id, within the caller's tenant."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import strawberry

from gateway.permissions import Permission
from gateway.store.paging import MAX_PAGE_SIZE
from resolvers.admin.types import build_persona, build_prompt, build_recruiter
from resolvers.applications.types import build_application, build_stage
from resolvers.candidates.types import build_candidate
from resolvers.context import Info
from resolvers.integrations.types import build_integration
from resolvers.interviews.types import build_interview
from resolvers.jobs.types import build_job
from resolvers.listing import BadPageRequest
from resolvers.permissions import require
from resolvers.relay import Node, from_global_id

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
    "Prompt": (Permission.PROMPTS_READ, "prompt_by_id", build_prompt),
    "Persona": (Permission.PERSONAS_READ, "persona_by_id", build_persona),
}


async def resolve_node(info: Info, global_id: strawberry.ID) -> Node | None:
    type_name, pk = from_global_id(str(global_id))
    entry = _NODES.get(type_name)
    if entry is None:
        info.context.require_principal()
        return None
    permission, loader, build = entry
    require(info, permission)
    row = await getattr(info.context.loaders, loader).load(pk)
    return build(row) if row is not None else None


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
