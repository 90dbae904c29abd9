"""``me``, ``recruiters`` and ``recruiter``: the tenant's users."""

from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.models import User
from resolvers.context import Info
from resolvers.listing import list_connection, page_request
from resolvers.permissions import require
from resolvers.recruiters.filters import RecruiterFilter, recruiter_criteria
from resolvers.recruiters.types import Recruiter, build_recruiter
from resolvers.relay import Connection, pk_or_none


@strawberry.type
class RecruiterQueries:
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
        return await list_connection(
            info,
            table_of(User),
            recruiter_criteria(filter),
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
