"""The tenant's users (recruiters and admins) and who they are in each integration."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.store.enums import Role
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.relay import Node, node_type, row_builder
from resolvers.type_fields import related_node, related_nodes
from resolvers.type_refs import INTEGRATION, RECRUITER_LINK


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

    integration = related_node(
        INTEGRATION, loader="integration_by_id", key="integration_id", nullable=False
    )


build_recruiter_link = row_builder(RecruiterLink)


@node_type("Recruiter", description="A user of the tenant; recruiters own requisitions.")
class Recruiter(Node):
    name: str
    email: str
    role: Role
    phone: str | None
    title: str | None
    public_contact_info: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime

    links = related_nodes(
        RECRUITER_LINK,
        loader="recruiter_links_by_user_id",
        description="Who this user is in each integration that attributes writes; "
        "`recruiterLink` and `recruiterSync` keep these.",
    )


build_recruiter = row_builder(Recruiter)
