from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, ClassVar

import strawberry

from gateway.store.criteria import ApplicationCriteria
from resolvers.context import Info
from resolvers.dataloaders import ChildCountKey
from resolvers.inputs import DateRangeInput, SortDirection
from resolvers.listing import page_request
from resolvers.relay import Connection, Node, row_builder

if TYPE_CHECKING:
    from resolvers.admin.types import Activity, ActivityFilter
    from resolvers.applications.types import Application, ApplicationFilter, ApplicationSort


@strawberry.type(name="Candidate")
class Candidate(Node):
    NODE_TYPE: ClassVar[str] = "Candidate"

    remote_id: str | None
    name: str
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    location: str | None
    headline: str | None
    source: str | None
    resume_url: str | None
    resume_fetched_at: datetime | None = strawberry.field(
        description="When the resume text was last downloaded and read from `resumeUrl`."
    )
    resume_error: str | None = strawberry.field(
        description="Why the last download or reading of the resume failed; null after a "
        "success (the text of an earlier success stays)."
    )
    tags: list[str]
    remote_updated_at: datetime | None
    last_synced_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field(
        description="The resume's text as read from `resumeUrl` (PDF, DOCX or plain text), "
        "what the resume analysis reads; null when none could be read yet."
    )
    async def resume_text(self, info: Info) -> str | None:
        return await info.context.loaders.resume_text_by_candidate_id.load(self.pk)

    @strawberry.field(
        description="When a recruiter last emailed, called, messaged or met the candidate, "
        "as the source's activity log says; null when it records no such contact."
    )
    async def last_contacted_at(self, info: Info) -> datetime | None:
        return await info.context.loaders.last_contacted_by_candidate_id.load(self.pk)

    @strawberry.field
    async def applications(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[ApplicationFilter, strawberry.lazy("resolvers.applications.types")]
        | None = None,
        sort: Annotated[ApplicationSort, strawberry.lazy("resolvers.applications.types")]
        | None = None,
    ) -> Connection[Annotated[Application, strawberry.lazy("resolvers.applications.types")]]:
        from resolvers.applications.types import application_connection

        loaders = info.context.loaders
        return await application_connection(
            info,
            self.pk,
            loaders.application_page_by_candidate_id,
            loaders.application_count_by_candidate_id,
            page_request(first, after, last, before),
            filter,
            sort,
        )

    @strawberry.field
    async def application_count(self, info: Info) -> int:
        key = ChildCountKey(self.pk, ApplicationCriteria())
        return await info.context.loaders.application_count_by_candidate_id.load(key)

    @strawberry.field(
        description="What happened to this candidate, newest first. Recruiters see the "
        "entries of requisitions they own."
    )
    async def activities(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[ActivityFilter, strawberry.lazy("resolvers.admin.types")] | None = None,
    ) -> Connection[Annotated[Activity, strawberry.lazy("resolvers.admin.types")]]:
        from resolvers.admin.types import activity_connection

        loaders = info.context.loaders
        return await activity_connection(
            info,
            self.pk,
            loaders.activity_page_by_candidate_id,
            loaders.activity_count_by_candidate_id,
            page_request(first, after, last, before),
            filter,
        )


build_candidate = row_builder(Candidate)


@strawberry.enum
class CandidateSortField(Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    NAME = "name"


@strawberry.input
class CandidateSort:
    field: CandidateSortField = CandidateSortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC


@strawberry.input
class CandidateFilter:
    search: str | None = strawberry.field(default=None, description="Name, email or headline.")
    integration_id: strawberry.ID | None = None
    created_at: DateRangeInput | None = None
