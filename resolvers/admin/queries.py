from __future__ import annotations

import sqlalchemy as sa
import strawberry

from gateway.permissions import Permission
from gateway.services.settings import ensure_settings_row
from gateway.store.base import table_of
from gateway.store.criteria import RecruiterCriteria
from gateway.store.enums import Role
from gateway.store.models import Activity as ActivityModel
from gateway.store.models import Persona as PersonaModel
from gateway.store.models import Prompt as PromptModel
from gateway.store.models import User
from resolvers.admin.types import (
    ACTIVITY_SORT,
    Activity,
    ActivityFilter,
    Persona,
    Prompt,
    PromptFilter,
    Recruiter,
    Settings,
    activity_criteria,
    build_activity,
    build_persona,
    build_prompt,
    build_recruiter,
    build_settings,
    visible_activities,
)
from resolvers.context import Info
from resolvers.listing import list_connection, page_request
from resolvers.permissions import require
from resolvers.relay import Connection, pk_of, pk_or_none


@strawberry.input
class RecruiterFilter:
    search: str | None = None
    role: list[Role] | None = None
    is_active: bool | None = None


@strawberry.type
class AdminQueries:
    @strawberry.field(description="The signed-in user.")
    async def me(self, info: Info) -> Recruiter:
        principal = info.context.require_principal()
        row = await info.context.loaders.user_by_id.load(principal.user_id)
        assert row is not None, "authenticated user vanished"
        return build_recruiter(row)

    @strawberry.field
    async def recruiters(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: RecruiterFilter | None = None,
    ) -> Connection[Recruiter]:
        require(info, Permission.RECRUITERS_READ)
        filter = filter or RecruiterFilter()
        criteria = RecruiterCriteria(
            search=filter.search, roles=tuple(filter.role or ()), is_active=filter.is_active
        )
        return await list_connection(
            info,
            table_of(User),
            criteria,
            ("name", False),
            page_request(first, after, last, before),
            build_recruiter,
        )

    @strawberry.field
    async def recruiter(self, info: Info, id: strawberry.ID) -> Recruiter | None:
        require(info, Permission.RECRUITERS_READ)
        pk = pk_or_none(id, "Recruiter")
        row = await info.context.loaders.user_by_id.load(pk) if pk is not None else None
        return build_recruiter(row) if row is not None else None

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

    @strawberry.field
    async def prompt(self, info: Info, id: strawberry.ID) -> Prompt | None:
        require(info, Permission.PROMPTS_READ)
        pk = pk_or_none(id, "Prompt")
        row = await info.context.loaders.prompt_by_id.load(pk) if pk is not None else None
        return build_prompt(row) if row is not None else None

    @strawberry.field
    async def personas(self, info: Info) -> list[Persona]:
        principal = require(info, Permission.PERSONAS_READ)
        table = table_of(PersonaModel).c
        rows = await info.context.reader.all(
            sa.select(table_of(PersonaModel))
            .where(table.tenant_id == principal.tenant_id)
            .order_by(table.name, table.id)
        )
        return [build_persona(row) for row in rows]

    @strawberry.field
    async def persona(self, info: Info, id: strawberry.ID) -> Persona | None:
        require(info, Permission.PERSONAS_READ)
        pk = pk_or_none(id, "Persona")
        row = await info.context.loaders.persona_by_id.load(pk) if pk is not None else None
        return build_persona(row) if row is not None else None

    @strawberry.field
    async def settings(self, info: Info) -> Settings:
        principal = require(info, Permission.SETTINGS_READ)
        async with info.context.session_factory.begin() as session:
            row = await ensure_settings_row(session, principal.tenant_id)
        return build_settings(row)

    @strawberry.field(
        description="The audit timeline, newest first. Recruiters see requisitions they own."
    )
    async def activities(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ActivityFilter | None = None,
    ) -> Connection[Activity]:
        return await list_connection(
            info,
            table_of(ActivityModel),
            activity_criteria(filter, visible_activities(info)),
            ACTIVITY_SORT,
            page_request(first, after, last, before),
            build_activity,
        )
