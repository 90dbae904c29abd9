"""A note on a candidate, written to their source system as the acting recruiter.

    written = await add_note(deps, principal, candidate_id=4, text="Called, keen on Q3",
                             idempotency_key="note-4-1")
    written.ids["candidate"]     # 4

The text is trimmed and required, at most ``MAX_NOTE_LENGTH`` characters, and may span
lines. Like every write-back (``gateway.services.writeback``) the source is written
first; only then is a ``candidate.note_added`` activity recorded on the candidate's
timeline, with the text (its first ``KEPT_TEXT`` characters) and the note's id in the
source. A note changes no record here, so no bus event is published: none of the
catalogue's events (``gateway.events``) says "a note was written", and
``candidate.updated`` would tell webhook subscribers the candidate record changed.

The candidate is one of the caller's tenant, synced from a source and not deleted
there (``synced_row``), as for every candidate write; a provider without
``Capability.NOTES`` answers ``Unsupported`` before any request.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Capability
from connectors.models import WriteResult
from gateway.auth import Principal
from gateway.ports import HasSessions
from gateway.services.activities import Actor, record_activity
from gateway.services.application_writes import synced_row
from gateway.services.validation import paragraph
from gateway.services.writeback import LocalChange, WriteDeps, Written, write_back
from gateway.store.models import Candidate

NOTE_ADDED = "candidate.note_added"
MAX_NOTE_LENGTH = 10_000
KEPT_TEXT = 2_000
"""How much of the note the activity keeps (the source keeps all of it)."""
EXCERPT = 120
"""How much of the note the activity's description shows."""


def _clipped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


async def _note_target(
    deps: HasSessions, principal: Principal, candidate_id: int
) -> tuple[int, str]:
    """The candidate's integration and remote id."""
    async with deps.session_factory() as session:
        candidate = await synced_row(
            session, Candidate, candidate_id, principal.tenant_id, "candidateId"
        )
        assert candidate.integration_id is not None and candidate.remote_id
        return candidate.integration_id, candidate.remote_id


async def add_note(
    deps: WriteDeps,
    principal: Principal,
    *,
    candidate_id: int,
    text: str,
    idempotency_key: str | None,
) -> Written:
    body = paragraph("text", text, max_length=MAX_NOTE_LENGTH)
    integration_id, remote_id = await _note_target(deps, principal, candidate_id)

    async def local(session: AsyncSession, result: WriteResult, actor: Actor) -> LocalChange:
        record_activity(
            session,
            actor,
            action=NOTE_ADDED,
            subject_type="Candidate",
            subject_id=candidate_id,
            description=f"Added a note: {_clipped(' '.join(body.split()), EXCERPT)}",
            candidate_id=candidate_id,
            details={
                "text": _clipped(body, KEPT_TEXT),
                "length": len(body),
                "integrationId": integration_id,
                "candidateRemoteId": remote_id,
                "noteRemoteId": result.remote_id,
            },
        )
        return LocalChange({"candidate": candidate_id})

    return await write_back(
        deps,
        principal,
        integration_id=integration_id,
        operation="candidateAddNote",
        capability=Capability.NOTES,
        request={"candidateId": candidate_id, "text": body},
        idempotency_key=idempotency_key,
        remote=lambda connector, attribution: connector.add_note(remote_id, body, attribution),
        local=local,
    )
