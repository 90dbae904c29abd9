"""A candidate as a GraphQL type, with the resume's text, applications and timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from gateway.store.criteria import ApplicationCriteria
from resolvers.activities.timeline import activities_field
from resolvers.applications.connection import applications_field
from resolvers.compiled.catalog import ChildCount, sql_reading
from resolvers.context import Info
from resolvers.custom_fields import custom_fields_column, custom_fields_field
from resolvers.dataloaders import ChildCountKey
from resolvers.relay import Node, node_type, row_builder
from resolvers.remote_data import remote_data_field


@strawberry.type(description="A file the source keeps for a candidate.")
class CandidateDocument:
    url: str = strawberry.field(description="The source's link to it (may expire).")
    name: str | None
    kind: str | None = strawberry.field(description="As the source labels it, e.g. resume.")
    content_type: str | None


@node_type("Candidate")
class Candidate(Node):
    remote_data = remote_data_field()
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
    custom_fields: JSON = custom_fields_field()
    stored_documents: strawberry.Private[list[dict[str, Any]] | None]
    remote_updated_at: datetime | None
    last_synced_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field(
        description="The files the source keeps for the person (resume, cover letter, "
        "certificates) with their links, as of the last sync; empty when it keeps none "
        "or gives no links (Jobvite's attachments)."
    )
    def documents(self) -> list[CandidateDocument]:
        return [
            CandidateDocument(
                url=str(stored["url"]),
                name=stored.get("name"),
                kind=stored.get("kind"),
                content_type=stored.get("contentType"),
            )
            for stored in self.stored_documents or ()
            if isinstance(stored, dict) and stored.get("url")
        ]

    @strawberry.field(
        description="The resume's text as read from `resumeUrl` (PDF, DOCX or plain text), "
        "what the resume analysis reads; null when none could be read yet."
    )
    async def resume_text(self, info: Info) -> str | None:
        text: str | None = await info.context.loaders.resume_text_by_candidate_id.load(self.pk)
        return text

    @strawberry.field(
        description="When a recruiter last emailed, called, messaged or met the candidate, "
        "as the source's activity log says; null when it records no such contact."
    )
    async def last_contacted_at(self, info: Info) -> datetime | None:
        return await info.context.loaders.last_contacted_by_candidate_id.load(self.pk)

    applications = applications_field(
        None,
        lambda loaders: (
            loaders.application_page_by_candidate_id,
            loaders.application_count_by_candidate_id,
        ),
        "candidate_id",
    )

    @strawberry.field(metadata=sql_reading(ChildCount("Application", "candidate_id")))
    async def application_count(self, info: Info) -> int:
        key = ChildCountKey(self.pk, ApplicationCriteria())
        return await info.context.loaders.application_count_by_candidate_id.load(key)

    activities = activities_field(
        "What happened to this candidate, newest first. Recruiters see the entries of "
        "requisitions they own.",
        lambda loaders: (
            loaders.activity_page_by_candidate_id,
            loaders.activity_count_by_candidate_id,
        ),
    )


build_candidate = row_builder(
    Candidate,
    custom_fields=custom_fields_column,
    stored_documents=lambda row: row["documents"],
)
