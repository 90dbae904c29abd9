"""Greenhouse quirks against the fake: client-credentials tokens minted per acting
user (v3's attribution), cursor paging followed exactly and only on the API's origin,
``updated_at=gte|...`` incremental reads, what v3 keeps in resources of their own
(attachments, job owners, department and office names, interview names), the fake's
own rate limit, and the writes (move, reject, a new application, a note)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from connectors.errors import AuthError, NotFoundError, UnprocessableError
from connectors.greenhouse import GreenhouseConnector
from connectors.greenhouse.connector import SameOriginLinkPaginator
from connectors.models import Attribution
from demo.sandbox.greenhouse import FakeGreenhouse


async def no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
def fake() -> FakeGreenhouse:
    made = FakeGreenhouse()
    made.seed(jobs=4, candidates=6, applications=9)
    return made


@pytest.fixture
async def client(fake: FakeGreenhouse) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as http:
        yield http


def connect(
    fake: FakeGreenhouse, client: httpx.AsyncClient, **credentials: str
) -> GreenhouseConnector:
    given = {
        "clientId": fake.client_id,
        "clientSecret": fake.client_secret,
        "userId": "4080",
        **credentials,
    }
    return GreenhouseConnector.create(
        client, given, {"pageSize": 2}, integration="t:greenhouse", sleep=no_sleep
    )


async def test_reads_run_on_one_token_for_the_configured_user(
    fake: FakeGreenhouse, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    jobs = [job async for job in connector.jobs()]
    users = [user async for user in connector.users()]
    assert len(jobs) == 4 and len(users) == 3
    assert list(fake.tokens.values()) == ["4080"], "one token, reused across pages"


async def test_an_unknown_user_is_refused_at_the_token_endpoint(
    fake: FakeGreenhouse, client: httpx.AsyncClient
) -> None:
    with pytest.raises(AuthError):
        await connect(fake, client, userId="777").check()


async def test_a_revoked_token_is_replaced_once(
    fake: FakeGreenhouse, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    await connector.check()
    fake.tokens.clear()  # every token revoked
    assert (await connector.check()).ok
    assert len(fake.tokens) == 1


async def test_writes_are_made_as_the_acting_user(
    fake: FakeGreenhouse, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    application_id = min(fake.applications)
    await connector.move_stage(str(application_id), "offer", Attribution(remote_id="4082"))
    await connector.reject(
        str(application_id), "Hired another candidate", Attribution(remote_id="4081")
    )
    await connector.move_stage(str(application_id), "Onsite", None)
    assert [(w.path.rsplit("/", 1)[-1], w.acting_user) for w in fake.writes] == [
        ("move", "4082"),
        ("reject", "4081"),
        ("move", "4080"),
    ]
    job_id = fake.applications[application_id]["job_id"]
    first_row, offer_row = sorted(
        row["id"]
        for row in fake.application_stages.values()
        if row["application_id"] == application_id
    )[:2]
    assert fake.writes[0].body == {"from_stage_id": first_row, "to_stage_id": job_id * 10 + 4}
    assert fake.writes[1].body == {"rejection_reason_id": 9, "notes": "Hired another candidate"}
    assert fake.writes[2].body == {"from_stage_id": offer_row, "to_stage_id": job_id * 10 + 3}
    assert fake.applications[application_id]["status"] == "rejected"


async def test_a_move_names_the_stage_the_application_is_in(
    fake: FakeGreenhouse, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    application_id = min(fake.applications)
    await connector.move_stage(str(application_id), "Recruiter Screen", None)
    await connector.move_stage(str(application_id), "Technical Interview", None)
    assert fake.applications[application_id]["stage_name"] == "Technical Interview"
    current = [
        row
        for row in fake.application_stages.values()
        if row["application_id"] == application_id and row["current"]
    ]
    assert [row["job_interview_stage_id"] for row in current] == [
        fake.applications[application_id]["job_id"] * 10 + 2
    ]


async def test_stage_history_rejection_reasons_and_interviewers_come_from_their_resources(
    fake: FakeGreenhouse, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    application_id = min(fake.applications)
    await connector.move_stage(str(application_id), "Recruiter Screen", None)
    await connector.move_stage(str(application_id), "Onsite", None)
    await connector.reject(str(application_id), "Hired another candidate", None)
    [application] = [
        a async for a in connector.applications() if a.remote_id == str(application_id)
    ]
    assert [(t.from_stage, t.to_stage) for t in application.transitions] == [
        (None, "Application Review"),
        ("Application Review", "Recruiter Screen"),
        ("Recruiter Screen", "Onsite"),
    ]
    assert [t.left_at is not None for t in application.transitions] == [True, True, False]
    assert (application.status, application.rejection_reason) == (
        "rejected",
        "Hired another candidate",
    )
    interviews = [i async for i in connector.interviews()]
    assert interviews and {i.interviewer_remote_id for i in interviews} == {"4081"}


async def test_a_note_is_written_by_the_acting_user_and_read_back_as_an_activity(
    fake: FakeGreenhouse, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    written = await connector.add_note(
        "200002", "Called; keen on the role", Attribution(remote_id="4081")
    )
    await connector.add_note("200002", "Sent the brief", None)
    assert [(w.path, w.acting_user, w.body["user_id"]) for w in fake.writes] == [
        ("/v3/notes", "4081", 4081),
        ("/v3/notes", "4080", 4080),
    ]
    assert fake.writes[0].body == {
        "candidate_id": 200002,
        "user_id": 4081,
        "body": "Called; keen on the role",
        "note_type": "NOTE",
        "visibility": "public",
    }
    assert written.remote_id == str(min(fake.notes))
    activities = [a async for a in connector.activities("200002")]
    assert [(a.kind, a.description, a.candidate_remote_id) for a in activities] == [
        ("note", "Called; keen on the role", "200002"),
        ("note", "Sent the brief", "200002"),
    ]
    assert [a async for a in connector.activities("200003")] == []
    assert [a async for a in connector.activities("²")] == []


async def test_a_candidate_is_added_to_a_job_as_the_acting_user(
    fake: FakeGreenhouse, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    candidate_id = fake.add_candidate(len(fake.candidates))
    result = await connector.add_to_job(str(candidate_id), "100003", Attribution(remote_id="4082"))
    assert [(w.path, w.body, w.acting_user) for w in fake.writes] == [
        ("/v3/applications", {"candidate_id": candidate_id, "job_id": 100003}, "4082")
    ]
    [added] = await connector.get_applications([str(candidate_id)])
    assert (added.remote_id, added.job_remote_id, added.current_stage) == (
        result.remote_id,
        "100003",
        "Application Review",
    )
    with pytest.raises(UnprocessableError):
        await connector.add_to_job(str(candidate_id), "REQ-1", None)


async def test_what_v3_keeps_apart_is_read_with_the_records(
    fake: FakeGreenhouse, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    jobs = {job.remote_id: job async for job in connector.jobs()}
    assert [
        (job.department, job.location, job.recruiter_remote_id, job.employment_type)
        for job in jobs.values()
    ][:2] == [
        ("Engineering", "New York", "4080", "Full-time"),
        ("Engineering", "Remote", "4081", "Full-time"),
    ]
    candidates = [c async for c in connector.candidates()]
    for candidate in candidates:
        [attachment] = [
            a for a in fake.attachments.values() if str(a["candidate_id"]) == candidate.remote_id
        ]
        assert candidate.resume_url == attachment["url"]
    resume = await client.get(candidates[0].resume_url or "")
    assert resume.status_code == 200 and resume.content
    interviews = [i async for i in connector.interviews()]
    assert {i.interview_type for i in interviews} == {"Technical Interview", "Onsite Interview"}
    applications = [a async for a in connector.applications()]
    assert [(a.current_stage, a.status) for a in applications] == [
        (fake.applications[int(a.remote_id)]["stage_name"], "active") for a in applications
    ]
    assert len({a.current_stage for a in applications}) == 5


async def test_a_reason_greenhouse_does_not_know_rejects_with_its_first_reason(
    fake: FakeGreenhouse, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    await connector.reject(str(min(fake.applications)), "Salary expectations", None)
    assert fake.writes[0].body == {"rejection_reason_id": 8, "notes": "Salary expectations"}


async def test_bad_write_targets_are_refused(
    fake: FakeGreenhouse, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    with pytest.raises(NotFoundError):
        await connector.move_stage(str(min(fake.applications)), "No Such Stage", None)
    with pytest.raises(UnprocessableError):
        await connector.move_stage("²", "Onsite", None)
    with pytest.raises(UnprocessableError):
        await connector.reject("12", "no", Attribution(remote_id="kate@agency.example"))
    assert fake.writes == []


async def test_incremental_reads_ask_greenhouse_for_what_changed(
    fake: FakeGreenhouse, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    fake.touch_job(100_002)
    application_id = min(fake.applications)
    await connector.move_stage(str(application_id), "Onsite", None)
    since = datetime.now(UTC) - timedelta(minutes=1)
    assert [job.remote_id async for job in connector.jobs(since)] == ["100002"]
    assert [a.remote_id async for a in connector.applications(since)] == [str(application_id)]
    assert [c async for c in connector.candidates(since)] == []


async def test_applications_of_candidates_are_read_by_candidate_ids(
    fake: FakeGreenhouse, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    found = await connector.get_applications(["200001", "nope", "200002"])
    expected = {
        str(a["id"]) for a in fake.applications.values() if a["candidate_id"] in (200001, 200002)
    }
    assert {a.remote_id for a in found} == expected


async def test_the_fakes_own_rate_limit_is_a_429_with_retry_after_that_is_waited_out(
    fake: FakeGreenhouse, client: httpx.AsyncClient
) -> None:
    fake.rate_limit = 3
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        fake.reset_rate_limits()

    given = {"clientId": fake.client_id, "clientSecret": fake.client_secret, "userId": "4080"}
    connector = GreenhouseConnector.create(
        client, given, {"pageSize": 1}, integration="t:greenhouse", sleep=sleep
    )
    assert len([job async for job in connector.jobs()]) == 4
    assert waits and all(wait >= 10 for wait in waits)


async def test_answers_carry_the_rate_limit_headers(
    fake: FakeGreenhouse, client: httpx.AsyncClient
) -> None:
    token = fake.mint_token("4080")
    answer = await client.get(
        "https://harvest.greenhouse.io/v3/jobs", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.headers["X-RateLimit-Limit"] == str(fake.rate_limit)
    assert int(answer.headers["X-RateLimit-Remaining"]) == fake.rate_limit - 1
    refused = await client.get("https://harvest.greenhouse.io/v3/jobs")
    assert refused.status_code == 401


async def test_the_cursor_must_travel_alone(
    fake: FakeGreenhouse, client: httpx.AsyncClient
) -> None:
    headers = {"Authorization": f"Bearer {fake.mint_token('4080')}"}
    first = await client.get(
        "https://harvest.greenhouse.io/v3/jobs", params={"per_page": 1}, headers=headers
    )
    following = first.links["next"]["url"]
    assert (await client.get(following, headers=headers)).status_code == 200
    mixed = await client.get(following + "&per_page=1", headers=headers)
    assert mixed.status_code == 422


def _answer(link: str) -> httpx.Response:
    request = httpx.Request("GET", "https://harvest.greenhouse.io/v3/jobs?per_page=2")
    return httpx.Response(200, headers={"Link": link}, request=request)


@pytest.mark.parametrize(
    ("link", "followed"),
    [
        ('<https://harvest.greenhouse.io/v3/jobs?cursor=abc>; rel="next"', True),
        ('<https://evil.example/v3/jobs?cursor=abc>; rel="next"', False),
        ('<http://harvest.greenhouse.io/v3/jobs?cursor=abc>; rel="next"', False),
        ('<https://harvest.greenhouse.io/v3/jobs?cursor=abc>; rel="last"', False),
        ('</v3/jobs?cursor=abc>; rel="next"', True),
        ('<//evil.example/v3/jobs?cursor=abc>; rel="next"', False),
    ],
)
def test_next_links_are_followed_only_on_the_apis_origin(link: str, followed: bool) -> None:
    paginator = SameOriginLinkPaginator("https://harvest.greenhouse.io/v3", size=2)
    next_request: Any = paginator.next({}, _answer(link), [], [1, 2])
    assert (next_request is not None) is followed
    if followed:
        assert next_request == "https://harvest.greenhouse.io/v3/jobs?cursor=abc"
