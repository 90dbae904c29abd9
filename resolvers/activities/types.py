"""The audit timeline's entry as a GraphQL type: who did what to which record."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from gateway.store.enums import ActorType
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.relay import Node, node_type, row_builder, to_global_id
from resolvers.type_fields import related_node
from resolvers.type_refs import APPLICATION, CANDIDATE, JOB

SUBJECT_TYPES = {
    name.lower(): name
    for name in (
        "Job",
        "Candidate",
        "Application",
        "Interview",
        "Offer",
        "OnboardingTask",
        "Integration",
        "Recruiter",
        "Prompt",
        "Persona",
    )
}
"""Stored subject types (any case) -> the node type their id names; others have none."""


@node_type("Activity", description="One entry of the audit timeline.")
class Activity(Node):
    action: str
    actor_type: ActorType
    actor_id: str | None
    actor_name: str | None
    subject_type: str
    description: str
    metadata: JSON
    created_at: datetime
    subject_id: strawberry.Private[int | None]
    job_id: strawberry.Private[int | None]
    candidate_id: strawberry.Private[int | None]
    application_id: strawberry.Private[int | None]

    @strawberry.field(description="Global id of the record acted on.")
    def subject(self) -> strawberry.ID | None:
        if self.subject_id is None:
            return None
        type_name = SUBJECT_TYPES.get(self.subject_type.lower())
        if type_name is None:
            return None
        return strawberry.ID(to_global_id(type_name, self.subject_id))

    job = related_node(JOB, loader="job_by_id", key="job_id")
    candidate = related_node(CANDIDATE, loader="candidate_by_id", key="candidate_id")
    application = related_node(APPLICATION, loader="application_by_id", key="application_id")


build_activity = row_builder(Activity, metadata=lambda m: m["metadata"] or {})
