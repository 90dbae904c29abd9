from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, cast

import strawberry
from sqlalchemy.engine import Row
from strawberry.scalars import JSON

from gateway.permissions import Permission, allows
from gateway.store.criteria import ActivityCriteria
from gateway.store.enums import ActorType, PromptType, Role
from gateway.store.paging import PageRequest
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.context import Info
from resolvers.dataloaders import ChildCountKey, ChildCountLoader, ChildPageKey, ChildPageLoader
from resolvers.inputs import DateRangeInput, date_range
from resolvers.permissions import require
from resolvers.relay import Connection, Node, connection_from_page, pk_of, row_builder, to_global_id

if TYPE_CHECKING:
    from resolvers.applications.types import Application
    from resolvers.candidates.types import Candidate
    from resolvers.integrations.types import Integration
    from resolvers.jobs.types import Job


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
        from resolvers.integrations.types import build_integration

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


def activity_criteria(value: ActivityFilter | None, visible_to: int | None) -> ActivityCriteria:
    value = value or ActivityFilter()
    return ActivityCriteria(
        search=value.search,
        actions=tuple(value.action or ()),
        job_id=pk_of(value.job_id, "Job", field="jobId") if value.job_id else None,
        candidate_id=pk_of(value.candidate_id, "Candidate", field="candidateId")
        if value.candidate_id
        else None,
        application_id=pk_of(value.application_id, "Application", field="applicationId")
        if value.application_id
        else None,
        actor_id=value.actor_id,
        created=date_range(value.created_at),
        visible_to_recruiter_id=visible_to,
    )


def visible_activities(info: Info) -> int | None:
    """None when the caller sees the whole log; else the user whose requisitions bound it."""
    principal = require(info, Permission.ACTIVITIES_READ)
    return None if allows(principal.role, Permission.ACTIVITIES_READ_ALL) else principal.user_id


ACTIVITY_SORT = ("created_at", True)
"""The timeline reads newest first."""


async def activity_connection(
    info: Info,
    parent_id: int,
    pages: ChildPageLoader,
    counts: ChildCountLoader,
    page: PageRequest,
    filter: ActivityFilter | None,
) -> Connection[Activity]:
    """The timeline of one record (a job, a candidate, an application), newest first,
    filtered for the caller's role and batched with its siblings: one statement for
    every parent's page, one more for their counts if ``totalCount`` is asked."""
    criteria = activity_criteria(filter, visible_activities(info))
    result = await pages.load(ChildPageKey(parent_id, criteria, ACTIVITY_SORT, page))

    async def count() -> int:
        return await counts.load(ChildCountKey(parent_id, criteria))

    return connection_from_page(result, build_activity, count)
