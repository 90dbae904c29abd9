from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, cast

import strawberry
from sqlalchemy.engine import Row
from strawberry.scalars import JSON

from gateway.store.enums import ActorType, PromptType, Role
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.context import Info
from resolvers.inputs import DateRangeInput
from resolvers.relay import Node, row_builder, to_global_id

if TYPE_CHECKING:
    from resolvers.applications.types import Application
    from resolvers.candidates.types import Candidate
    from resolvers.jobs.types import Job


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


build_recruiter = row_builder(Recruiter)


@strawberry.type(name="Prompt")
class Prompt(Node):
    NODE_TYPE: ClassVar[str] = "Prompt"

    name: str
    prompt_type: PromptType
    template_content: str
    schema_content: str | None
    is_default: bool
    created_at: datetime
    updated_at: datetime
    job_id: strawberry.Private[int | None]

    @strawberry.field(description="The requisition this prompt is specific to, if any.")
    async def job(
        self, info: Info
    ) -> Annotated[Job, strawberry.lazy("resolvers.jobs.types")] | None:
        from resolvers.jobs.types import build_job

        if self.job_id is None:
            return None
        row = await info.context.loaders.job_by_id.load(self.job_id)
        return build_job(row) if row is not None else None


build_prompt = row_builder(Prompt)


@strawberry.type(name="Persona", description="An interviewer's voice: its system prompt.")
class Persona(Node):
    NODE_TYPE: ClassVar[str] = "Persona"

    name: str
    description: str | None
    system_prompt_template: str
    is_default: bool
    created_at: datetime
    updated_at: datetime


build_persona = row_builder(Persona)


@strawberry.type(name="Settings")
class Settings:
    lookback_hours_default: int
    lookback_hours_min: int
    lookback_hours_max: int
    interview_token_expiry_days: int
    email_from_address: str | None
    email_from_name: str | None
    stale_stage_days: int
    rank_custom_field: str | None
    updated_at: datetime
    default_recruiter_id: strawberry.Private[int | None]

    @strawberry.field
    async def default_recruiter(self, info: Info) -> Recruiter | None:
        if self.default_recruiter_id is None:
            return None
        row = await info.context.loaders.user_by_id.load(self.default_recruiter_id)
        return build_recruiter(row) if row is not None else None


def build_settings(row: Any) -> Settings:
    return Settings(
        lookback_hours_default=row.lookback_hours_default,
        lookback_hours_min=row.lookback_hours_min,
        lookback_hours_max=row.lookback_hours_max,
        interview_token_expiry_days=row.interview_token_expiry_days,
        email_from_address=row.email_from_address,
        email_from_name=row.email_from_name,
        stale_stage_days=row.stale_stage_days,
        rank_custom_field=row.rank_custom_field,
        updated_at=row.updated_at,
        default_recruiter_id=row.default_recruiter_id,
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
        from resolvers.jobs.types import build_job

        if self.job_id is None:
            return None
        row = await info.context.loaders.job_by_id.load(self.job_id)
        return build_job(row) if row is not None else None

    @strawberry.field
    async def candidate(
        self, info: Info
    ) -> Annotated[Candidate, strawberry.lazy("resolvers.candidates.types")] | None:
        from resolvers.candidates.types import build_candidate

        if self.candidate_id is None:
            return None
        row = await info.context.loaders.candidate_by_id.load(self.candidate_id)
        return build_candidate(row) if row is not None else None

    @strawberry.field
    async def application(
        self, info: Info
    ) -> Annotated[Application, strawberry.lazy("resolvers.applications.types")] | None:
        from resolvers.applications.types import build_application

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


@strawberry.input
class ActivityFilter:
    search: str | None = None
    action: list[str] | None = None
    job_id: strawberry.ID | None = None
    candidate_id: strawberry.ID | None = None
    application_id: strawberry.ID | None = None
    actor_id: str | None = None
    created_at: DateRangeInput | None = None


@strawberry.input
class PromptFilter:
    prompt_type: PromptType | None = None
    job_id: strawberry.ID | None = None
