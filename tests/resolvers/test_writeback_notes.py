"""``candidateAddNote`` through GraphQL, on SQLite and PostgreSQL, against the
Greenhouse fake served over real HTTP: the note is written to Greenhouse as the
caller's Greenhouse user, then lands on the candidate's timeline; a repeated
idempotency key sends nothing; a source without notes, bad text, another tenant's
candidate and a read-only caller are refused before any request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from demo.sandbox.greenhouse import FakeGreenhouse
from gateway.services.candidate_notes import KEPT_TEXT, MAX_NOTE_LENGTH, NOTE_ADDED
from gateway.store.enums import Role
from gateway.store.models import Activity, Candidate
from resolvers.relay import to_global_id
from tests.support.graphql_fragments import WRITE_ERRORS
from tests.support.services import Backend
from tests.support.serving import served_on_loopback
from tests.support.worlds import GatewayWorld, gateway_world, new_key

ADD_NOTE = f"""mutation($input: CandidateAddNoteInput!) {{
  candidateAddNote(input: $input) {{
    __typename
    ... on CandidateNoteSuccess {{ replayed candidate {{ id remoteId }} }}
    ... on PermissionDeniedError {{ permission }}
    {WRITE_ERRORS}
  }}
}}"""
TIMELINE = """query($id: ID!) {
  candidate(id: $id) {
    activities(first: 20, filter: {action: ["candidate.note_added"]}) {
      edges { node { action actorName description metadata subject } }
    }
  }
}"""
ADMIN_GH, RECRUITER_GH = "4081", "4082"
"""The demo admin's and first recruiter's Greenhouse users; the integration's own
credentials name another (4080), so a note by 4081 or 4082 is attributed, not defaulted."""


class Tripwire:
    """A source that must not be called: it counts every request."""

    def __init__(self) -> None:
        self.requests: list[str] = []

        async def anything(request: Request) -> JSONResponse:
            self.requests.append(f"{request.method} {request.url.path}")
            return JSONResponse({}, status_code=500)

        methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        self.app = Starlette(routes=[Route("/{path:path}", anything, methods=methods)])


@dataclass
class Notes:
    world: GatewayWorld
    fake: FakeGreenhouse
    integration_id: int
    tripwire: Tripwire

    async def candidate(self, offset: int = 0) -> tuple[int, str]:
        """A Greenhouse candidate of the demo tenant: its id and remote id."""
        rows = await self.world.rows(
            sa.select(Candidate.id, Candidate.remote_id)
            .where(Candidate.integration_id == self.integration_id)
            .order_by(Candidate.id)
        )
        row = rows[offset]
        return int(row.id), str(row.remote_id)

    def notes_sent(self) -> list[Any]:
        return [write for write in self.fake.writes if write.path == "/v3/notes"]

    async def add(
        self, candidate: int, text: str, *, user: int | None = None, **extra: Any
    ) -> dict[str, Any]:
        role = extra.pop("role", None)
        return await self.world.mutate(
            ADD_NOTE,
            "candidateAddNote",
            {"candidateId": to_global_id("Candidate", candidate), "text": text, **extra},
            user=user,
            role=role,
        )

    async def timeline(self, candidate: int) -> list[dict[str, Any]]:
        """The candidate's note activities, as the admin reads them."""
        response = await self.world.gateway.post(
            TIMELINE, {"id": to_global_id("Candidate", candidate)}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert not body.get("errors"), body
        return [edge["node"] for edge in body["data"]["candidate"]["activities"]["edges"]]


@pytest.fixture(scope="module")
async def notes(backend: Backend) -> AsyncIterator[Notes]:
    fake = FakeGreenhouse()
    fake.seed(jobs=2, candidates=6, applications=6)
    tripwire = Tripwire()
    async with (
        served_on_loopback(fake.app) as greenhouse,
        gateway_world(backend, {"https://bpoc.io": tripwire.app}) as world,
    ):
        integration_id = await world.add_integration(
            "greenhouse",
            "Greenhouse notes",
            {"clientId": fake.client_id, "clientSecret": fake.client_secret, "userId": "4080"},
            {"baseUrl": f"{greenhouse.url}/v3", "tokenUrl": f"{greenhouse.url}/token"},
        )
        await world.link(world.demo.admin_user_id, integration_id, ADMIN_GH)
        await world.link(world.demo.recruiter_user_ids[0], integration_id, RECRUITER_GH)
        await world.sync(integration_id)
        yield Notes(world, fake, integration_id, tripwire)


async def test_a_note_reaches_greenhouse_as_the_recruiter_and_the_timeline(notes: Notes) -> None:
    candidate, remote_id = await notes.candidate()
    recruiter = notes.world.demo.recruiter_user_ids[0]
    sent = len(notes.notes_sent())
    text = "  Called her: keen on a Q3 start.\nSalary expectations fit.  "

    result = await notes.add(candidate, text, user=recruiter)

    assert result["__typename"] == "CandidateNoteSuccess", result
    assert result["replayed"] is False
    assert result["candidate"] == {
        "id": to_global_id("Candidate", candidate),
        "remoteId": remote_id,
    }
    [write] = notes.notes_sent()[sent:]
    assert write.acting_user == RECRUITER_GH
    assert write.body["candidate_id"] == int(remote_id)
    assert write.body["user_id"] == int(RECRUITER_GH)
    assert write.body["body"] == text.strip()
    [stored] = [n for n in notes.fake.notes.values() if n["body"] == text.strip()]
    assert (stored["candidate_id"], stored["user_id"]) == (int(remote_id), int(RECRUITER_GH))

    [entry] = await notes.timeline(candidate)
    assert entry["action"] == NOTE_ADDED
    assert entry["subject"] == to_global_id("Candidate", candidate)
    assert entry["description"] == (
        "Added a note: Called her: keen on a Q3 start. Salary expectations fit."
    )
    assert entry["metadata"]["text"] == text.strip()
    assert entry["metadata"]["noteRemoteId"] == str(stored["id"])
    assert entry["metadata"]["integrationId"] == notes.integration_id
    assert entry["actorName"]


async def test_a_repeated_key_replays_the_note_and_sends_nothing(notes: Notes) -> None:
    candidate, _ = await notes.candidate(1)
    key = new_key("note")
    sent = len(notes.notes_sent())

    first = await notes.add(candidate, "Sent the job description", idempotencyKey=key)
    again = await notes.add(candidate, "Sent the job description", idempotencyKey=key)
    other = await notes.add(candidate, "Another text", idempotencyKey=key)

    assert first["__typename"] == again["__typename"] == "CandidateNoteSuccess", (first, again)
    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["candidate"] == first["candidate"]
    assert other["__typename"] == "IdempotencyConflictError", other
    [write] = notes.notes_sent()[sent:]
    assert write.acting_user == ADMIN_GH
    assert len(await notes.timeline(candidate)) == 1


async def test_a_long_note_reaches_the_source_whole_and_the_timeline_keeps_its_start(
    notes: Notes,
) -> None:
    candidate, _ = await notes.candidate(2)
    text = "Interview feedback. " * 500
    sent = len(notes.notes_sent())

    result = await notes.add(candidate, text)

    assert result["__typename"] == "CandidateNoteSuccess", result
    [write] = notes.notes_sent()[sent:]
    assert write.body["body"] == text.strip()
    [entry] = await notes.timeline(candidate)
    kept = entry["metadata"]["text"]
    assert len(kept) == KEPT_TEXT and kept.endswith("…")
    assert text.startswith(kept[:-1])
    assert entry["metadata"]["length"] == len(text.strip())
    assert len(entry["description"]) < 200


async def test_a_source_without_notes_refuses_and_nothing_is_sent(notes: Notes) -> None:
    world = notes.world
    bpoc = await world.integration_of("bpoc")
    candidate = await world.scalar(
        sa.select(Candidate.id)
        .where(Candidate.integration_id == bpoc, Candidate.remote_id.is_not(None))
        .limit(1)
    )
    before = await world.activities(NOTE_ADDED)

    result = await notes.add(int(candidate), "Checked references")

    assert result["__typename"] == "UnsupportedOperationError", result
    assert (result["provider"], result["operation"]) == ("bpoc", "candidateAddNote")
    assert notes.tripwire.requests == []
    assert await world.activities(NOTE_ADDED) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "must not be empty"),
        ("  \n\t ", "must not be empty"),
        ("x" * (MAX_NOTE_LENGTH + 1), f"at most {MAX_NOTE_LENGTH} characters"),
    ],
    ids=["empty", "blank", "too-long"],
)
async def test_bad_text_is_refused_before_any_request(
    notes: Notes, text: str, message: str
) -> None:
    candidate, _ = await notes.candidate(3)
    sent = len(notes.notes_sent())

    result = await notes.add(candidate, text)

    assert result["__typename"] == "ValidationError", result
    assert result["field"] == "text"
    assert message in result["message"]
    assert notes.notes_sent()[sent:] == []


async def test_a_note_at_the_limit_is_taken(notes: Notes) -> None:
    candidate, _ = await notes.candidate(3)
    result = await notes.add(candidate, "y" * MAX_NOTE_LENGTH)
    assert result["__typename"] == "CandidateNoteSuccess", result
    assert notes.notes_sent()[-1].body["body"] == "y" * MAX_NOTE_LENGTH


async def test_another_tenants_candidate_and_a_readonly_caller_are_refused(notes: Notes) -> None:
    world = notes.world
    other = world.gateway.tenants["other"].tenant_id
    foreign = await world.scalar(
        sa.select(Candidate.id).where(Candidate.tenant_id == other).limit(1)
    )
    candidate, _ = await notes.candidate(4)
    sent = len(notes.notes_sent())
    activities = await world.count(Activity, Activity.action == NOTE_ADDED)

    not_found = await notes.add(int(foreign), "Not yours")
    readonly = await notes.add(candidate, "Read only", role=Role.READONLY)

    assert not_found["__typename"] == "NotFoundError", not_found
    assert readonly["__typename"] == "PermissionDeniedError", readonly
    assert readonly["permission"] == "applications:write"
    assert notes.notes_sent()[sent:] == []
    assert await world.count(Activity, Activity.action == NOTE_ADDED) == activities


async def test_a_caller_without_a_greenhouse_user_is_told_to_link_one(notes: Notes) -> None:
    world = notes.world
    unlinked = world.demo.recruiter_user_ids[1]
    candidate, _ = await notes.candidate(5)
    sent = len(notes.notes_sent())

    result = await notes.add(candidate, "Who am I?", user=unlinked)

    assert result["__typename"] == "RecruiterLinkMissingError", result
    assert result["integrationId"] == to_global_id("Integration", notes.integration_id)
    assert notes.notes_sent()[sent:] == []
