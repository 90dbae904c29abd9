from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.services import application_writes, candidate_notes
from gateway.services.analysis import NewApplicationAnalyses
from gateway.services.writeback import Written
from resolvers.applications.mutations import written_application
from resolvers.applications.types import Application
from resolvers.candidates.types import Candidate, build_candidate
from resolvers.context import Info
from resolvers.errors import write_back_result
from resolvers.mutation import GlobalIdArg, write_to_source, written_row
from resolvers.write_replay import idempotency_key_field, replayed_field


@strawberry.input(
    description="Put a candidate into a requisition of the same source system "
    "(Recruiterflow add-to-job)."
)
class CandidateAddToJobInput:
    candidate_id: strawberry.ID
    job_id: strawberry.ID
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class CandidateAddToJobSuccess:
    application: Application = strawberry.field(description="The new application.")
    replayed: bool = replayed_field()


CandidateWriteResult = write_back_result("CandidateWriteResult", CandidateAddToJobSuccess)


@strawberry.input(
    description="A note on a candidate, written to their source system as you "
    f"(text: 1 to {candidate_notes.MAX_NOTE_LENGTH} characters, lines allowed)."
)
class CandidateAddNoteInput:
    candidate_id: strawberry.ID
    text: str
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class CandidateNoteSuccess:
    candidate: Candidate = strawberry.field(description="The candidate the note is on.")
    replayed: bool = replayed_field()


CandidateNoteResult = write_back_result("CandidateNoteResult", CandidateNoteSuccess)


async def _added_to_job(info: Info, written: Written) -> CandidateAddToJobSuccess:
    """The new application, its resume analysis queued (not on a replay)."""
    context = info.context
    if not written.replayed and context.queue is not None:
        await NewApplicationAnalyses(context.settings, context.queue, context.session_factory)(
            context.tenant_id, [written.ids["application"]], trigger="candidateAddToJob"
        )
    return CandidateAddToJobSuccess(
        application=await written_application(info, written), replayed=written.replayed
    )


async def _noted(info: Info, written: Written) -> CandidateNoteSuccess:
    row = await written_row(
        info.context.loaders.candidate_by_id, written.ids["candidate"], "noted candidate"
    )
    return CandidateNoteSuccess(candidate=build_candidate(row), replayed=written.replayed)


@strawberry.type
class CandidateMutations:
    @strawberry.mutation(
        description="Add a candidate to a requisition in their source system "
        "(Recruiterflow); then here, as a new application in its first stage."
    )
    async def candidate_add_to_job(
        self, info: Info, input: CandidateAddToJobInput
    ) -> CandidateWriteResult:  # type: ignore[valid-type]
        return await write_to_source(
            info,
            Permission.APPLICATIONS_WRITE,
            application_writes.add_to_job,
            _added_to_job,
            candidate_id=GlobalIdArg(input.candidate_id, "Candidate", field="candidateId"),
            job_id=GlobalIdArg(input.job_id, "Job", field="jobId"),
            idempotency_key=input.idempotency_key,
        )

    @strawberry.mutation(
        description="Write a note on a candidate in their source system (Greenhouse, "
        "Lever, Ashby, Workable, Recruiterflow) as you; then here, on the candidate's "
        "timeline as a candidate.note_added activity."
    )
    async def candidate_add_note(
        self, info: Info, input: CandidateAddNoteInput
    ) -> CandidateNoteResult:  # type: ignore[valid-type]
        return await write_to_source(
            info,
            Permission.APPLICATIONS_WRITE,
            candidate_notes.add_note,
            _noted,
            candidate_id=GlobalIdArg(input.candidate_id, "Candidate", field="candidateId"),
            text=input.text,
            idempotency_key=input.idempotency_key,
        )
