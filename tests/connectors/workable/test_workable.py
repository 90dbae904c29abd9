"""Workable quirks against the fake: the bearer token of one account's subdomain (and
only that host), ``paging.next`` followed on the API's origin only, ``updated_after``
incremental reads, 429s waited out until ``X-Rate-Limit-Reset``, candidates with their
resume and applications with their stage moves, and writes made as the acting
member."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.responses import JSONResponse

from connectors.errors import AuthError, ConfigurationError, NotFoundError, UnprocessableError
from connectors.models import Attribution
from connectors.workable import WorkableConnector
from connectors.workable.auth import seconds_until_reset
from connectors.workable.connector import WorkablePaginator
from demo.sandbox.workable import FakeWorkable


async def no_sleep(_seconds: float) -> None:
    return None


class Seen:
    """The fake's app, keeping each request's host, path and query."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests: list[tuple[str, str, str]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            host = dict(scope["headers"]).get(b"host", b"").decode()
            self.requests.append((host, scope["path"], scope["query_string"].decode()))
        await self.app(scope, receive, send)


@pytest.fixture
def fake() -> FakeWorkable:
    made = FakeWorkable()
    made.seed(jobs=4, candidates=5, applications=9)
    return made


@pytest.fixture
def seen(fake: FakeWorkable) -> Seen:
    return Seen(fake.app)


@pytest.fixture
async def client(seen: Seen) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=seen)) as http:
        yield http


def connect(
    fake: FakeWorkable,
    client: httpx.AsyncClient,
    *,
    config: dict[str, Any] | None = None,
    sleep: Any = no_sleep,
    **credentials: str,
) -> WorkableConnector:
    given = {"subdomain": fake.subdomain, "accessToken": fake.access_token, **credentials}
    return WorkableConnector.create(
        client, given, {"pageSize": 2, **(config or {})}, integration="t:workable", sleep=sleep
    )


async def test_reads_go_to_the_accounts_subdomain_with_its_token_page_by_page(
    fake: FakeWorkable, client: httpx.AsyncClient, seen: Seen
) -> None:
    connector = connect(fake, client)
    jobs = [job.remote_id async for job in connector.jobs()]
    assert jobs == sorted(fake.jobs, key=lambda code: int(fake.jobs[code]["id"], 16))
    listed = [r for r in seen.requests if r[1] == "/spi/v3/jobs"]
    assert len(listed) == 2, "4 jobs, 2 a page"
    assert {host for host, _path, _query in listed} == {f"{fake.subdomain}.workable.com"}
    assert "limit=2" in listed[0][2] and "since_id=" in listed[1][2]
    assert (await connector.check()).ok


async def test_a_bad_token_is_refused_and_a_read_only_one_cannot_write(
    fake: FakeWorkable, client: httpx.AsyncClient
) -> None:
    with pytest.raises(AuthError):
        await connect(fake, client, accessToken="wk-revoked").check()
    reader = connect(fake, client, accessToken=fake.read_only_token)
    assert (await reader.check()).ok
    with pytest.raises(AuthError):
        member = Attribution(remote_id=fake.member_ids[0])
        await reader.add_note(next(iter(fake.candidates)), "hi", member)
    assert fake.writes == []


@pytest.mark.parametrize("subdomain", ["", "a b", "-x", "https://", "ünï", "_x.workable.com"])
def test_a_subdomain_without_a_dns_label_is_refused(subdomain: str) -> None:
    with pytest.raises(ConfigurationError):
        WorkableConnector.create(
            httpx.AsyncClient(),
            {"subdomain": subdomain, "accessToken": "t"},
            {},
            integration="t:workable",
        )


@pytest.mark.parametrize(
    "subdomain",
    ["acme", " ACME ", "acme.workable.com", "https://acme.workable.com/", "acme.evil.example/x"],
)
def test_the_token_only_ever_goes_to_the_accounts_workable_host(subdomain: str) -> None:
    connector = WorkableConnector.create(
        httpx.AsyncClient(),
        {"subdomain": subdomain, "accessToken": "t"},
        {},
        integration="t:workable",
    )
    assert connector.http.base_url == "https://acme.workable.com/spi/v3"


def _answer(body: Any) -> httpx.Response:
    return httpx.Response(200, json=body, request=httpx.Request("GET", "https://x"))


@pytest.mark.parametrize(
    ("following", "followed"),
    [
        ("https://acme.workable.com/spi/v3/jobs?limit=2&since_id=9a", True),
        ("https://evil.example/spi/v3/jobs?since_id=9a", False),
        ("http://acme.workable.com/spi/v3/jobs?since_id=9a", False),
        ("https://other.workable.com/spi/v3/jobs?since_id=9a", False),
        (None, False),
    ],
)
def test_paging_next_is_followed_only_on_the_apis_origin(
    following: str | None, followed: bool
) -> None:
    paginator = WorkablePaginator("jobs", ("https", "acme.workable.com"), size=2)
    body = {"jobs": [{"id": 1}, {"id": 2}], "paging": {"next": following}}
    assert (paginator.next({}, _answer(body), body, body["jobs"]) is not None) is followed


async def test_candidates_carry_their_resume_which_is_served(
    fake: FakeWorkable, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    candidates = [c async for c in connector.candidates()]
    assert len(candidates) == len(fake.candidates)
    first = candidates[0]
    assert first.resume_url == fake.candidates[first.remote_id]["resume_url"]
    assert [d.kind for d in first.documents] == ["resume"]
    assert first.email and first.headline and first.tags
    resume = await client.get(first.resume_url)
    assert resume.status_code == 200
    assert resume.content == fake.resume(first.remote_id).content  # type: ignore[union-attr]


async def test_applications_carry_their_stage_moves_and_who_made_them(
    fake: FakeWorkable, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    applications = {a.remote_id: a async for a in connector.applications()}
    assert set(applications) == set(fake.candidates)
    at_offer = next(a for a in applications.values() if a.current_stage == "Offer")
    assert [t.to_stage for t in at_offer.transitions] == ["Phone Screen", "Interview", "Offer"]
    assert at_offer.transitions[1].from_stage == "Phone Screen"
    mover = at_offer.transitions[0].moved_by
    assert mover is not None and mover.remote_id in fake.members
    assert at_offer.job_remote_id == fake.candidates[at_offer.remote_id]["job"]["shortcode"]
    rejected = [a for a in applications.values() if a.status == "rejected"]
    assert rejected and all(a.rejection_reason == "Salary expectations" for a in rejected)
    without = connect(fake, client, config={"stageHistory": "off"})
    plain = {a.remote_id: a async for a in without.applications()}
    assert [t.to_stage for t in plain[at_offer.remote_id].transitions] == ["Offer"]


async def test_writes_are_made_as_the_acting_member(
    fake: FakeWorkable, client: httpx.AsyncClient
) -> None:
    default_member, other, third = fake.member_ids
    connector = connect(fake, client, config={"memberId": default_member})
    candidate_id = min(fake.candidates)
    await connector.move_stage(candidate_id, "interview", Attribution(remote_id=other))
    await connector.reject(candidate_id, "No work permit", Attribution(remote_id=third))
    await connector.add_note(candidate_id, "Strong on SQL", None)
    assert [(w.path.rsplit("/", 1)[-1], w.member_id) for w in fake.writes] == [
        ("move", other),
        ("disqualify", third),
        ("comments", default_member),
    ]
    assert fake.writes[0].body == {"member_id": other, "target_stage": "interview"}
    assert fake.writes[1].body == {"member_id": third, "disqualify_note": "No work permit"}
    assert fake.writes[2].body == {
        "member_id": default_member,
        "comment": {"body": "Strong on SQL"},
    }
    assert fake.candidates[candidate_id]["stage"] == "Interview"
    assert fake.candidates[candidate_id]["disqualified"] is True


async def test_a_write_without_a_member_or_a_known_stage_sends_nothing(
    fake: FakeWorkable, client: httpx.AsyncClient, seen: Seen
) -> None:
    connector = connect(fake, client)
    candidate_id = min(fake.candidates)
    before = len(seen.requests)
    with pytest.raises(UnprocessableError):
        await connector.move_stage(candidate_id, "Interview", None)
    with pytest.raises(UnprocessableError):
        await connector.reject("a/b", "no", Attribution(remote_id=fake.member_ids[0]))
    assert len(seen.requests) == before
    with pytest.raises(NotFoundError):
        await connector.move_stage(candidate_id, "Final Boss", Attribution(remote_id="x"))
    with pytest.raises(UnprocessableError):  # the fake refuses a member it does not know
        await connector.move_stage(candidate_id, "Offer", Attribution(remote_id="nobody"))
    assert fake.writes == []


async def test_incremental_reads_ask_workable_for_what_changed(
    fake: FakeWorkable, client: httpx.AsyncClient, seen: Seen
) -> None:
    connector = connect(fake, client)
    changed_job = sorted(fake.jobs)[1]
    fake.touch_job(changed_job)
    candidate_id = max(fake.candidates)
    await connector.move_stage(candidate_id, "Offer", Attribution(remote_id=fake.member_ids[1]))
    since = datetime.now(UTC) - timedelta(minutes=1)
    assert [job.remote_id async for job in connector.jobs(since)] == [changed_job]
    assert [a.remote_id async for a in connector.applications(since)] == [candidate_id]
    assert [c.remote_id async for c in connector.candidates(since)] == [candidate_id]
    firsts = [q for _h, p, q in seen.requests if p in ("/spi/v3/jobs", "/spi/v3/candidates")]
    assert firsts and all("updated_after=" in q for q in firsts[-3:])


async def test_the_fakes_own_429_is_waited_out_until_its_reset(
    fake: FakeWorkable, client: httpx.AsyncClient
) -> None:
    clock = [1_800_000_000.0]
    fake.clock = lambda: clock[0]
    fake.rate_limit = 3
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    connector = WorkableConnector.create(
        client,
        {"subdomain": fake.subdomain, "accessToken": fake.access_token},
        {"pageSize": 1},
        integration="t:workable",
        sleep=sleep,
    )
    connector.http.auth.clock = lambda: clock[0]  # type: ignore[union-attr]
    assert len([job async for job in connector.jobs()]) == 4
    assert waits and all(9 <= wait <= 10 for wait in waits), waits


async def test_answers_carry_workables_rate_limit_headers(
    fake: FakeWorkable, client: httpx.AsyncClient
) -> None:
    headers = {"Authorization": f"Bearer {fake.access_token}"}
    answer = await client.get(f"{fake.base_url}/jobs", headers=headers)
    assert answer.headers["X-Rate-Limit-Limit"] == str(fake.rate_limit)
    assert int(answer.headers["X-Rate-Limit-Remaining"]) == fake.rate_limit - 1
    assert int(answer.headers["X-Rate-Limit-Reset"]) > 0
    assert (await client.get(f"{fake.base_url}/jobs")).status_code == 401
    assert (await client.get(f"{fake.base_url}/jobs?limit=101", headers=headers)).status_code == 422


@pytest.mark.parametrize(
    ("header", "wait"),
    [
        ("1800000007", 7.0),
        ("1800000007000", 7.0),
        ("2027-01-15T08:00:07Z", 7.0),
        ("1799999990", 0.0),
        ("1800003600", None),
        ("soon", None),
        ("", None),
    ],
)
def test_the_reset_header_is_read_as_a_time(header: str, wait: float | None) -> None:
    assert seconds_until_reset(header, 1_800_000_000.0) == wait


async def test_jobs_and_candidates_are_read_by_id(
    fake: FakeWorkable, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    wanted = sorted(fake.jobs)[:2]
    assert sorted(j.remote_id for j in await connector.get_jobs([*wanted, "NOPE", "a/b"])) == wanted
    some = sorted(fake.candidates)[:2]
    found = await connector.get_candidates([*some, "fffffff"])
    assert sorted(c.remote_id for c in found) == some
    assert all(c.resume_url for c in found)


async def test_jobs_carry_their_owner_from_the_hiring_team(
    fake: FakeWorkable, client: httpx.AsyncClient, seen: Seen
) -> None:
    jobs = {job.remote_id: job async for job in connect(fake, client).jobs()}
    for shortcode, job in jobs.items():
        recruiter = next(
            m for m, role in fake.hiring_teams[shortcode].items() if role == "recruiter"
        )
        assert (job.recruiter_remote_id, job.recruiter_email) == (
            recruiter,
            fake.members[recruiter]["email"],
        )
    teams = [path for _host, path, _query in seen.requests if path.endswith("/members")]
    assert len(teams) == len(jobs)

    seen.requests.clear()
    unowned = [job async for job in connect(fake, client, config={"jobOwners": "off"}).jobs()]
    assert all(job.recruiter_remote_id is None for job in unowned)
    assert not [path for _host, path, _query in seen.requests if path.endswith("/members")]


async def test_a_job_whose_hiring_team_cannot_be_read_is_read_without_an_owner(
    fake: FakeWorkable,
) -> None:
    gone = sorted(fake.jobs)[0]

    async def no_team(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].endswith(f"/jobs/{gone}/members"):
            await JSONResponse({"error": "Not found"}, status_code=404)(scope, receive, send)
            return
        await fake.app(scope, receive, send)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=no_team)) as client:
        connector = connect(fake, client)
        by_id = {job.remote_id: job for job in await connector.get_jobs(sorted(fake.jobs)[:2])}
        listed = {job.remote_id: job async for job in connector.jobs()}
    for jobs in (by_id, listed):
        assert jobs[gone].recruiter_remote_id is None
        assert all(job.recruiter_remote_id for code, job in jobs.items() if code != gone)
    assert not connector.failures
    assert not connector.warnings, "a job gone from under its listing is no refusal"
