"""Ashby quirks against the fake: Basic auth with the key alone (401 without it, 403
with a wrong one), refusals answered with HTTP 200 and ``"success": false``, cursor
paging, reads since a time through the last run's ``syncToken`` or else filtered on
``updatedAt``, a 429 waited out, resume URLs
from ``file.info``, and the writes: changeStage moves and archives, notes naming the
recruiter they were written for."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from connectors.ashby import AshbyConnector
from connectors.ashby.connector import attributed
from connectors.errors import (
    AuthError,
    InvalidResponseError,
    NotFoundError,
    PaginationLoopError,
    RateLimitedError,
    UnprocessableError,
)
from connectors.models import Attribution
from demo.sandbox.ashby import FakeAshby

ATTRIBUTION = Attribution(remote_id="user-kate", email="kate@agency.example")


class Sleeps:
    def __init__(self) -> None:
        self.waited: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waited.append(seconds)


@pytest.fixture
def fake() -> FakeAshby:
    made = FakeAshby()
    made.seed(jobs=4, candidates=6, applications=9)
    return made


@pytest.fixture
async def client(fake: FakeAshby) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as http:
        yield http


def connect(
    fake: FakeAshby,
    client: httpx.AsyncClient,
    *,
    key: str | None = None,
    sleep: Sleeps | None = None,
) -> AshbyConnector:
    return AshbyConnector.create(
        client,
        {"apiKey": fake.api_key if key is None else key},
        {"pageSize": 2},
        integration="t:ashby",
        sleep=sleep or Sleeps(),
    )


async def test_reads_page_through_every_record_with_the_key_as_basic_user(
    fake: FakeAshby, client: httpx.AsyncClient
) -> None:
    seen: list[httpx.Request] = []
    client.event_hooks["request"].append(lambda request: _keep(seen, request))
    connector = connect(fake, client)
    jobs = [job async for job in connector.jobs()]
    assert sorted(job.remote_id for job in jobs) == sorted(fake.jobs)
    pages = [r for r in seen if r.url.path == "/job.list"]
    assert len(pages) == 2, "4 jobs at 2 a page"
    assert all(r.method == "POST" for r in pages)
    assert httpx.BasicAuth(fake.api_key, "")._auth_header == pages[0].headers["authorization"]
    assert b'"cursor"' in pages[1].content and b'"limit":2' in pages[1].content.replace(b" ", b"")


async def _keep(seen: list[httpx.Request], request: httpx.Request) -> None:
    await request.aread()
    seen.append(request)


async def test_a_wrong_key_is_refused_with_403_and_no_key_with_401(
    fake: FakeAshby, client: httpx.AsyncClient
) -> None:
    with pytest.raises(AuthError) as wrong:
        await connect(fake, client, key="ashby-key-wrong").check()
    assert wrong.value.status == 403
    answer = await client.post("https://api.ashbyhq.com/user.list", json={})
    assert answer.status_code == 401
    assert (await connect(fake, client).check()).ok


async def test_a_refusal_in_a_200_answer_is_a_typed_error(
    fake: FakeAshby, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    with pytest.raises(NotFoundError, match="application_not_found"):
        await connector.rpc.call("application.info", {"applicationId": "nope"})
    with pytest.raises(UnprocessableError, match="sync_token_expired"):
        fake.sync_token_ttl = timedelta(0)
        token = fake.now() - timedelta(days=1)
        await connector.rpc.call("job.list", {"syncToken": _token(token)})


def _token(moment: datetime) -> str:
    return base64.urlsafe_b64encode(json.dumps({"at": moment.isoformat()}).encode()).decode()


async def test_the_last_page_leaves_its_sync_token(
    fake: FakeAshby, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    assert [job async for job in connector.jobs()]
    assert connector.rpc.last_sync_token.get("job.list")
    answer = await connector.rpc.envelope(
        "job.list", {"syncToken": connector.rpc.last_sync_token["job.list"]}
    )
    assert answer["results"] == [], "nothing changed since the full read"


async def test_reads_since_a_time_keep_what_was_updated_then(
    fake: FakeAshby, client: httpx.AsyncClient
) -> None:
    changed = sorted(fake.jobs)[1]
    fake.touch_job(changed)
    since = datetime.now(UTC) - timedelta(minutes=5)
    connector = connect(fake, client)
    assert [job.remote_id async for job in connector.jobs(updated_since=since)] == [changed]
    assert len([job async for job in connector.jobs()]) == 4
    stale = sorted(fake.applications)[0]
    fake.applications[stale]["updatedAt"] = None
    kept = [a.remote_id async for a in connector.applications(updated_since=since)]
    assert kept == [stale], "a record that does not say when it changed is kept"


async def test_a_429_is_waited_out_for_its_retry_after(
    fake: FakeAshby, client: httpx.AsyncClient
) -> None:
    sleeps = Sleeps()
    connector = connect(fake, client, sleep=sleeps)
    fake.rate_limit = fake.used + 1
    with pytest.raises(RateLimitedError):
        [job async for job in connector.jobs()]
    assert sleeps.waited and min(sleeps.waited) >= 10, "Retry-After: 10 honoured"
    fake.reset_rate_limits()
    fake.rate_limit = 10_000
    fake.faults.rate_limit(times=2, retry_after=3)
    assert len([job async for job in connector.jobs()]) == 4
    assert sleeps.waited[-2:] == [3.0, 3.0]


async def test_a_cursor_served_twice_or_missing_ends_the_read(
    fake: FakeAshby, client: httpx.AsyncClient
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        body = {"success": True, "results": [{"id": "j"}], "moreDataAvailable": True}
        if b"missing" not in request.url.path.encode():
            body["nextCursor"] = "same"
        return httpx.Response(200, json=body)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as looping:
        connector = connect(fake, looping)
        with pytest.raises(PaginationLoopError):
            [raw async for page in connector.rpc.pages("job.list", {}, size=2) for raw in page]
        with pytest.raises(InvalidResponseError):
            [raw async for page in connector.rpc.pages("missing.list", {}, size=2) for raw in page]


async def test_candidates_carry_the_signed_resume_url_that_serves_the_file(
    fake: FakeAshby, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    candidates = [c async for c in connector.candidates()]
    assert len(candidates) == 6
    first = candidates[0]
    assert first.resume_url and "X-Amz-Signature" in first.resume_url
    assert first.documents[0].kind == "resume"
    download = await client.get(first.resume_url)
    resume = fake.resume(first.remote_id)
    assert resume is not None and download.content == resume.content
    fake.candidates[first.remote_id]["resumeFileHandle"]["handle"] = "not-a-handle"
    [again] = await connector.get_candidates([first.remote_id])
    assert again.resume_url is None, "a handle Ashby refuses leaves no resume, not a failure"


async def test_applications_carry_their_stage_history_in_order(
    fake: FakeAshby, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    applications = {a.remote_id: a async for a in connector.applications()}
    furthest = max(applications.values(), key=lambda a: len(a.transitions))
    assert [t.to_stage for t in furthest.transitions] == [
        "New Lead",
        "Application Review",
        "Recruiter Screen",
        "Technical Interview",
        "Onsite",
    ]
    assert furthest.current_stage == "Onsite"
    assert furthest.transitions[1].from_stage == "New Lead"
    assert furthest.transitions[1].moved_by is not None
    stages = await connector.stages()
    assert [s.name for s in stages][:3] == ["New Lead", "Application Review", "Recruiter Screen"]
    assert {s.name: s.kind for s in stages}["Archived"] == "rejected"


async def test_get_applications_refetches_by_candidate(
    fake: FakeAshby, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    candidate = next(iter(fake.candidates))
    found = await connector.get_applications([candidate, "unknown-candidate"])
    assert {a.remote_id for a in found} == set(fake.candidates[candidate]["applicationIds"])
    assert all(a.candidate_remote_id == candidate for a in found)


async def test_a_move_goes_to_the_stage_of_that_title_in_the_applications_plan(
    fake: FakeAshby, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    application_id = sorted(fake.applications)[0]
    await connector.move_stage(application_id, "onsite", ATTRIBUTION)
    [write] = fake.writes
    assert write.endpoint == "application.changeStage"
    stage = fake.stages[write.body["interviewStageId"]]
    plan = fake.applications[application_id]["currentInterviewStage"]["interviewPlanId"]
    assert stage["title"] == "Onsite" and stage["interviewPlanId"] == plan
    assert "archiveReasonId" not in write.body
    with pytest.raises(NotFoundError):
        await connector.move_stage(application_id, "Nowhere", ATTRIBUTION)
    assert len(fake.writes) == 1


async def test_a_rejection_archives_with_the_reason_of_that_text(
    fake: FakeAshby, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    application_id = sorted(fake.applications)[1]
    await connector.reject(application_id, "hired another candidate", ATTRIBUTION)
    [write] = fake.writes
    assert fake.stages[write.body["interviewStageId"]]["type"] == "Archived"
    assert fake.archive_reasons[write.body["archiveReasonId"]]["text"] == "Hired another candidate"
    [rejected] = [a async for a in connector.applications() if a.remote_id == application_id]
    assert rejected.status == "rejected"
    assert rejected.rejection_reason == "Hired another candidate"
    other = sorted(fake.applications)[2]
    await connector.reject(other, "no such reason", None)
    assert fake.archive_reasons[fake.writes[-1].body["archiveReasonId"]]["text"] == (
        "Lacking skill(s)/qualification(s)"
    ), "an unknown reason falls back to the account's first"


async def test_a_note_names_the_recruiter_it_was_written_for(
    fake: FakeAshby, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    candidate = next(iter(fake.candidates))
    result = await connector.add_note(candidate, "Strong Python.", ATTRIBUTION)
    [note] = fake.notes[candidate]
    assert result.remote_id == note["id"]
    assert note["content"] == attributed("Strong Python.", ATTRIBUTION)
    assert "kate@agency.example" in note["content"] and note["content"].endswith("Strong Python.")
    assert note["author"]["id"] == fake.key_user, "Ashby records the key's user as author"
    await connector.add_note(candidate, "Plain.", None)
    assert fake.notes[candidate][-1]["content"] == "Plain."
    with pytest.raises(NotFoundError):
        await connector.add_note("no-such-candidate", "x", ATTRIBUTION)


async def test_interviews_and_users_are_read(fake: FakeAshby, client: httpx.AsyncClient) -> None:
    connector = connect(fake, client)
    interviews = [i async for i in connector.interviews()]
    assert {i.remote_id for i in interviews} == set(fake.schedules)
    assert all(i.scheduled_at is not None and i.application_remote_id for i in interviews)
    assert {i.status for i in interviews} <= {"scheduled", "completed"}
    users = [u async for u in connector.users()]
    assert {u.email for u in users} == {u["email"] for u in fake.users.values()}


def test_the_fakes_call_budget_is_per_window_so_a_long_running_sandbox_keeps_answering(
    fake: FakeAshby,
) -> None:
    moment = [datetime(2026, 1, 15, 8, 0, tzinfo=UTC)]
    fake.now = lambda: moment[0]
    fake.reset_rate_limits()
    fake.rate_limit = 2
    assert [fake.spend_call(), fake.spend_call()] == [None, None]
    assert fake.spend_call() == 60, "the rest of the one-minute window"
    moment[0] += timedelta(seconds=45)
    assert fake.spend_call() == 15
    moment[0] += timedelta(seconds=15)
    assert fake.spend_call() is None, "a new window answers again"


async def _job_list_bodies(seen: list[httpx.Request]) -> list[dict[str, object]]:
    return [json.loads(r.content) for r in seen if r.url.path == "/job.list"]


async def test_a_read_since_a_time_goes_through_the_last_runs_sync_token(
    fake: FakeAshby, client: httpx.AsyncClient
) -> None:
    full = connect(fake, client)
    assert len([job async for job in full.jobs()]) == 4
    kept = full.cursors()
    assert set(kept) == {"job.list"}, "only what was read to its end"
    fake.now = lambda: datetime.now(UTC) + timedelta(seconds=1)
    changed = sorted(fake.jobs)[2]
    fake.touch_job(changed)

    seen: list[httpx.Request] = []
    client.event_hooks["request"].append(lambda request: _keep(seen, request))
    later = connect(fake, client)
    later.use_cursors(kept)
    since = datetime.now(UTC) - timedelta(days=30)  # a time filter alone would give all 4
    assert [job.remote_id async for job in later.jobs(updated_since=since)] == [changed]
    bodies = await _job_list_bodies(seen)
    assert [body.get("syncToken") for body in bodies] == [kept["job.list"]]
    assert later.cursors()["job.list"] != kept["job.list"], "the newer token is kept"


@pytest.mark.parametrize(
    "refuse",
    [
        pytest.param(lambda fake: setattr(fake, "sync_token_ttl", timedelta(0)), id="expired"),
        pytest.param(lambda fake: setattr(fake, "max_incremental_pages", 0), id="too_large"),
        pytest.param(None, id="invalid"),
    ],
)
async def test_a_sync_token_ashby_will_not_serve_means_the_whole_read(
    fake: FakeAshby, client: httpx.AsyncClient, refuse: object
) -> None:
    full = connect(fake, client)
    assert [job async for job in full.jobs()]
    kept = full.cursors() if refuse is not None else {"job.list": "not-a-token!"}
    fake.now = lambda: datetime.now(UTC) + timedelta(seconds=1)
    changed = sorted(fake.jobs)[0]
    fake.touch_job(changed)
    if callable(refuse):
        refuse(fake)
    later = connect(fake, client)
    later.use_cursors(kept)
    since = datetime.now(UTC) - timedelta(minutes=5)
    assert [job.remote_id async for job in later.jobs(updated_since=since)] == [changed]
    assert later.cursors()["job.list"], "the whole read leaves a fresh token"


async def test_a_full_read_and_filtered_reads_ignore_kept_tokens(
    fake: FakeAshby, client: httpx.AsyncClient
) -> None:
    seen: list[httpx.Request] = []
    client.event_hooks["request"].append(lambda request: _keep(seen, request))
    connector = connect(fake, client)
    connector.use_cursors({"job.list": "kept-token"})
    assert len([job async for job in connector.jobs()]) == 4
    assert all("syncToken" not in body for body in await _job_list_bodies(seen))
    assert connector.cursors()["job.list"] != "kept-token"
