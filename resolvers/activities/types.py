"""The audit timeline's entry as a GraphQL type: who did what to which record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, cast

import strawberry
from sqlalchemy.engine import Row
from strawberry.scalars import JSON

from gateway.store.enums import ActorType
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.context import Info
from resolvers.lazy import lazy_callable
from resolvers.relay import Node, to_global_id

if TYPE_CHECKING:
    from resolvers.applications.types import Application
    from resolvers.candidates.types import Candidate
    from resolvers.jobs.types import Job

build_job: Callable[[Row[Any]], Job] = lazy_callable("resolvers.jobs.types", "build_job")
build_candidate: Callable[[Row[Any]], Candidate] = lazy_callable(
    "resolvers.candidates.types", "build_candidate"
)
build_application: Callable[[Row[Any]], Application] = lazy_callable(
    "resolvers.applications.types", "build_application"
)

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


@strawberry.type(name="Activity", description="One entry of the audit timeline.")
class Activity(Node):
    NODE_TYPE: ClassVar[str] = "Activity"

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

    @strawberry.field
    async def job(
        self, info: Info
    ) -> Annotated[Job, strawberry.lazy("resolvers.jobs.types")] | None:
        if self.job_id is None:
            return None
        row = await info.context.loaders.job_by_id.load(self.job_id)
        return build_job(row) if row is not None else None

    @strawberry.field
    async def candidate(
        self, info: Info
    ) -> Annotated[Candidate, strawberry.lazy("resolvers.candidates.types")] | None:
        if self.candidate_id is None:
            return None
        row = await info.context.loaders.candidate_by_id.load(self.candidate_id)
        return build_candidate(row) if row is not None else None

    @strawberry.field
    async def application(
        self, info: Info
    ) -> Annotated[Application, strawberry.lazy("resolvers.applications.types")] | None:
        if self.application_id is None:
            return None
        row = await info.context.loaders.application_by_id.load(self.application_id)
        return build_application(row) if row is not None else None


def build_activity(row: Row[Any]) -> Activity:
    m = row._mapping
    return Activity(
        pk=m["id"],
        action=m["action"],
        actor_type=m["actor_type"],
        actor_id=m["actor_id"],
        actor_name=m["actor_name"],
        subject_type=m["subject_type"],
        description=m["description"],
        metadata=cast(JSON, m["metadata"] or {}),
        created_at=m["created_at"],
        subject_id=m["subject_id"],
        job_id=m["job_id"],
        candidate_id=m["candidate_id"],
        application_id=m["application_id"],
    )
