"""``prompts`` and ``prompt``: the tenant's prompt templates."""

from __future__ import annotations

import sqlalchemy as sa
import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.models import Prompt as PromptModel
from resolvers.context import Info
from resolvers.node import node_field
from resolvers.permissions import require
from resolvers.prompts.filters import PromptFilter
from resolvers.prompts.types import Prompt, build_prompt
from resolvers.relay import pk_of


@strawberry.type
class PromptQueries:
    @strawberry.field
    async def prompts(self, info: Info, filter: PromptFilter | None = None) -> list[Prompt]:
        principal = require(info, Permission.PROMPTS_READ)
        table = table_of(PromptModel).c
        stmt = sa.select(table_of(PromptModel)).where(table.tenant_id == principal.tenant_id)
        if filter and filter.prompt_type:
            stmt = stmt.where(table.prompt_type == filter.prompt_type)
        if filter and filter.job_id:
            stmt = stmt.where(table.job_id == pk_of(filter.job_id, "Job", field="jobId"))
        rows = await info.context.reader.all(stmt.order_by(table.prompt_type, table.name, table.id))
        return [build_prompt(row) for row in rows]

    prompt = node_field(Prompt)
