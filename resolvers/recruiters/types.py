"""The tenant's users (recruiters and admins) and who they are in each integration."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from sqlalchemy.engine import Row

from gateway.store.enums import Role
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.context import Info
from resolvers.lazy import lazy_callable
from resolvers.relay import Node, row_builder

if TYPE_CHECKING:
    from resolvers.integrations.types import Integration

build_integration: Callable[[Row[Any]], Integration] = lazy_callable(
    "resolvers.integrations.types", "build_integration"
)


@strawberry.type(
    name="RecruiterLink",
    description="The remote id a user acts as in one integration (e.g. a BPOC recruiter "
    "UUID): write-backs are attributed to it.",
)
class RecruiterLink:
    remote_id: str
    remote_email: str | None = strawberry.field(
        description="The remote user's email when the link was made or last synced."
    )
    linked_at: datetime
    integration_id: strawberry.Private[int]
    user_id: strawberry.Private[int]

    @strawberry.field
    async def integration(
        self, info: Info
    ) -> Annotated[Integration, strawberry.lazy("resolvers.integrations.types")]:
        row = await info.context.loaders.integration_by_id.load(self.integration_id)
        assert row is not None, "a recruiter link without its integration"
        return build_integration(row)


def build_recruiter_link(row: Any) -> RecruiterLink:
    m = row._mapping
    return RecruiterLink(
        remote_id=m["remote_id"],
        remote_email=m["remote_email"],
        linked_at=m["linked_at"],
        integration_id=m["integration_id"],
        user_id=m["user_id"],
    )


@strawberry.type(name="Recruiter", description="A user of the tenant; recruiters own requisitions.")
class Recruiter(Node):
    NODE_TYPE: ClassVar[str] = "Recruiter"

    name: str
    email: str
    role: Role
    phone: str | None
    title: str | None
    public_contact_info: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime

    @strawberry.field(
        description="Who this user is in each integration that attributes writes; "
        "`recruiterLink` and `recruiterSync` keep these."
    )
    async def links(self, info: Info) -> list[RecruiterLink]:
        rows = await info.context.loaders.recruiter_links_by_user_id.load(self.pk)
        return [build_recruiter_link(row) for row in rows]


build_recruiter = row_builder(Recruiter)
