"""``me``, ``recruiters`` and ``recruiter``: the tenant's users."""

from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.models import User
from resolvers.context import Info
from resolvers.node import node_field
from resolvers.read_connection import tenant_connection_field
from resolvers.recruiters.filters import RecruiterFilter, recruiter_criteria
from resolvers.recruiters.types import Recruiter, build_recruiter


@strawberry.type
class RecruiterQueries:
    @strawberry.field(description="The signed-in user.")
    async def me(self, info: Info) -> Recruiter:
        principal = info.context.require_principal()
        row = await info.context.loaders.user_by_id.load(principal.user_id)
        assert row is not None, "authenticated user vanished"
        return build_recruiter(row)

    recruiters = tenant_connection_field(
        Recruiter,
        Permission.RECRUITERS_READ,
        table_of(User),
        build_recruiter,
        filter=(RecruiterFilter, recruiter_criteria),
        order=("name", False),
    )
    recruiter = node_field(Recruiter)
