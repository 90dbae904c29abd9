"""Lever quirks against the fake: Basic auth with the key alone and OAuth refresh
tokens that rotate, 401/403 refusals, ``limit``/``offset``-token paging ended by
``hasNext``, the fake's token bucket waited out through ``Retry-After``,
``updated_at_start`` incremental reads, stage history and archive state, resumes,
and writes attributed with ``perform_as``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from connectors.errors import AuthError, NotFoundError, UnprocessableError
from connectors.lever import LeverConnector, LeverKeyAuth, LeverOAuth
from connectors.lever.connector import LeverPaginator
from connectors.models import Attribution, InterviewRequest
from connectors.oauth import TokenSet
from connectors.resumes import download_resume
from demo.sandbox.lever import FakeLever, TokenBucket


async def no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
def fake() -> FakeLever:
    made = FakeLever(limiter=None)
    made.seed(jobs=4, candidates=6, applications=9)
    return made


class Recorder(httpx.ASGITransport):
    """The fake's transport, noting each request."""

    def __init__(self, fake: FakeLever) -> None:
        super().__init__(app=fake.app)
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await super().handle_async_request(request)


@pytest.fixture
def recorder(fake: FakeLever) -> Recorder:
    return Recorder(fake)


@pytest.fixture
async def client(recorder: Recorder) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=recorder) as http:
        yield http


def connect(
    fake: FakeLever, client: httpx.AsyncClient, credentials: dict[str, str] | None = None
) -> LeverConnector:
    return LeverConnector.create(
        client,
        credentials or {"apiKey": fake.api_key},
        {"pageSize": 2},
        integration="t:lever",
        sleep=no_sleep,
    )


def oauth_credentials(fake: FakeLever) -> dict[str, str]:
    return {
        "clientId": fake.client_id,
        "clientSecret": fake.client_secret,
        "refreshToken": fake.refresh_token,
    }


async def test_the_key_is_the_basic_user_name_with_an_empty_password(
    fake: FakeLever, client: httpx.AsyncClient, recorder: Recorder
) -> None:
    connector = connect(fake, client)
    assert isinstance(connector.auth, LeverKeyAuth)
    assert fake.api_key not in repr(connector.auth)
    assert (await connector.check()).ok
    sent = recorder.requests[-1]
    assert sent.headers["authorization"] == httpx.BasicAuth(fake.api_key, "")._auth_header
    assert str(sent.url).startswith("https://api.lever.co/v1/users?")


async def test_unknown_and_unpermitted_keys_are_auth_errors(
    fake: FakeLever, client: httpx.AsyncClient
) -> None:
    with pytest.raises(AuthError) as unknown:
        await connect(fake, client, {"apiKey": "lever-key-nobody"}).check()
    assert unknown.value.status == 401
    with pytest.raises(AuthError) as forbidden:
        await connect(fake, client, {"apiKey": "lever-key-readonly-000"}).check()
    assert forbidden.value.status == 403


async def test_oauth_trades_the_refresh_token_and_hands_on_the_rotated_one(
    fake: FakeLever, client: httpx.AsyncClient, recorder: Recorder
) -> None:
    connector = connect(fake, client, oauth_credentials(fake))
    assert isinstance(connector.auth, LeverOAuth)
    rotated: list[TokenSet] = []
    connector.auth.on_tokens = rotated.append
    first = fake.refresh_token
    assert (await connector.check()).ok
    token_call = recorder.requests[0]
    assert token_call.url == httpx.URL("https://auth.lever.co/oauth/token")
    form = dict(httpx.QueryParams(token_call.content.decode()))
    assert form["grant_type"] == "refresh_token" and form["refresh_token"] == first
    assert recorder.requests[1].headers["authorization"].startswith("Bearer lever_at_")
    assert [tokens.refresh_token for tokens in rotated] == [fake.refresh_token] != [first]


async def test_a_refused_refresh_token_is_an_auth_error(
    fake: FakeLever, client: httpx.AsyncClient
) -> None:
    credentials = {**oauth_credentials(fake), "refreshToken": "lever-refresh-revoked"}
    with pytest.raises(AuthError):
        await connect(fake, client, credentials).check()


def test_the_credentials_of_one_mode_are_required() -> None:
    from connectors.errors import ConfigurationError

    client = httpx.AsyncClient()
    with pytest.raises(ConfigurationError, match="apiKey"):
        LeverConnector.create(client, {"apiKey": ""}, {}, integration="t:lever")
    with pytest.raises(ConfigurationError, match="clientSecret"):
        LeverConnector.create(
            client, {"clientId": "c", "refreshToken": "r"}, {}, integration="t:lever"
        )


async def test_pages_follow_the_next_token_until_has_next_is_false(
    fake: FakeLever, client: httpx.AsyncClient, recorder: Recorder
) -> None:
    connector = connect(fake, client)
    jobs = [job async for job in connector.jobs()]
    assert sorted(job.remote_id for job in jobs) == sorted(fake.postings)
    listed = [r for r in recorder.requests if r.url.path == "/v1/postings"]
    assert [r.url.params.get("limit") for r in listed] == ["2", "2"]
    assert "offset" not in listed[0].url.params
    assert listed[1].url.params["offset"]
    response = httpx.Response(200, json={})
    paginator = LeverPaginator(2)
    request = paginator.first({})
    body = {"data": [1, 2], "hasNext": False, "next": "abc"}
    assert paginator.next(request, response, body, [1, 2]) is None


async def test_the_rate_limit_is_waited_out_by_its_retry_after(
    client: httpx.AsyncClient,
) -> None:
    clock = [0.0]
    fake = FakeLever(limiter=lambda: TokenBucket(rate=10, burst=2, clock=lambda: clock[0]))
    fake.seed(jobs=12, candidates=2, applications=2)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as http:
        connector = LeverConnector.create(
            http, {"apiKey": fake.api_key}, {"pageSize": 2}, integration="t:lever", sleep=sleep
        )
        jobs = [job async for job in connector.jobs()]
    assert len(jobs) == 12, "six pages despite a bucket of two"
    assert len(slept) == 2, "the third and fifth page waited for the bucket to refill"
    assert all(seconds >= 1 for seconds in slept), "Retry-After (rounded up) is honoured"


async def test_updated_since_asks_for_opportunities_changed_since_in_milliseconds(
    fake: FakeLever, client: httpx.AsyncClient, recorder: Recorder
) -> None:
    connector = connect(fake, client)
    changed = sorted(fake.opportunities)[3]
    fake.opportunities[changed]["updatedAt"] = int(datetime.now(UTC).timestamp() * 1000)
    since = datetime.now(UTC) - timedelta(minutes=5)
    recent = [a async for a in connector.applications(updated_since=since)]
    assert [a.remote_id for a in recent] == [changed]
    posting = sorted(fake.postings)[1]
    fake.touch_posting(posting)
    assert [j.remote_id async for j in connector.jobs(updated_since=since)] == [posting]
    asked_postings = [r for r in recorder.requests if r.url.path == "/v1/postings"]
    assert asked_postings[0].url.params["updated_at_start"] == str(int(since.timestamp() * 1000))
    asked = next(r for r in recorder.requests if r.url.path == "/v1/opportunities")
    assert asked.url.params["updated_at_start"] == str(int(since.timestamp() * 1000))
    assert asked.url.params["expand"] == "applications"


async def test_applications_carry_stage_history_archive_state_and_the_mover(
    fake: FakeLever, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    applications = {a.remote_id: a async for a in connector.applications()}
    assert len(applications) == 9
    archived = [o for o in fake.opportunities if fake.opportunities[o]["archived"]]
    assert archived, "the seed archives every fifth opportunity"
    rejected = applications[archived[0]]
    assert rejected.status == "rejected" and rejected.rejection_reason == "Underqualified"
    third = list(fake.opportunities)[2]
    moved = applications[third]
    assert [t.to_stage for t in moved.transitions] == [
        "New lead",
        "Reached out",
        "New applicant",
    ]
    assert moved.current_stage == "New applicant"
    assert moved.transitions[1].from_stage == "New lead"
    assert moved.transitions[0].left_at == moved.transitions[1].entered_at
    assert moved.transitions[2].moved_by is not None
    assert moved.transitions[2].moved_by.remote_id == fake.user_ids[2]
    assert moved.job_remote_id == fake.posting_of(fake.opportunities[third])
    assert moved.candidate_remote_id == fake.opportunities[third]["contact"]


async def test_candidates_are_contacts_with_their_resume_downloadable_with_the_key(
    fake: FakeLever, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    candidates = [c async for c in connector.candidates()]
    contacts = {o["contact"] for o in fake.opportunities.values()}
    assert sorted(c.remote_id for c in candidates) == sorted(contacts)
    first = candidates[0]
    assert first.resume_url and "/resumes/" in first.resume_url
    file = await download_resume(connector.http, first.resume_url)
    assert file.content == fake.resume(first.remote_id).content


async def test_get_applications_reads_by_contact(
    fake: FakeLever, client: httpx.AsyncClient, recorder: Recorder
) -> None:
    connector = connect(fake, client)
    contact = fake.opportunities[min(fake.opportunities)]["contact"]
    found = await connector.get_applications([contact])
    expected = {o for o, r in fake.opportunities.items() if r["contact"] == contact}
    assert {a.remote_id for a in found} == expected
    asked = [r for r in recorder.requests if r.url.path == "/v1/opportunities"]
    assert {r.url.params["contact_id"] for r in asked} == {contact}


async def test_writes_are_attributed_with_perform_as(
    fake: FakeLever, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    opportunity = sorted(fake.opportunities)[0]
    contact = fake.opportunities[opportunity]["contact"]
    recruiter, other = fake.user_ids[1], fake.user_ids[2]
    await connector.move_stage(opportunity, "phone interview", Attribution(remote_id=recruiter))
    await connector.reject(opportunity, "Withdrew", Attribution(remote_id=other))
    note = await connector.add_note(
        contact, "Strong systems design.", Attribution(remote_id=recruiter)
    )
    await connector.move_stage(opportunity, "Offer", None)
    assert [(w.method, w.path.rsplit("/", 1)[-1], w.acting_user) for w in fake.writes] == [
        ("PUT", "stage", recruiter),
        ("PUT", "archived", other),
        ("POST", "notes", recruiter),
        ("PUT", "stage", None),
    ]
    assert fake.writes[0].body == {"stage": "7d1f2a3b-1c2d-4e5f-8a9b-0c1d2e3f4a52"}
    assert fake.writes[1].body == {"reason": "c0d3e8f2-63b4-4b0f-a0e4-1f5e2c9d2e11"}
    assert fake.opportunities[opportunity]["archived"]["reason"] == fake.writes[1].body["reason"]
    assert note.remote_id == fake.notes[fake.writes[2].path.split("/")[3]][0]["id"]


async def test_an_interview_is_scheduled_as_a_panel_of_one_by_the_acting_user(
    fake: FakeLever, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    opportunity = sorted(fake.opportunities)[1]
    when = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    recruiter, interviewer = fake.user_ids[0], fake.user_ids[2]
    request = InterviewRequest(
        application_remote_id=opportunity,
        interview_type="Phone interview",
        scheduled_at=when,
        interviewer=Attribution(remote_id=interviewer),
    )
    result = await connector.schedule_interview(request, Attribution(remote_id=recruiter))
    [write] = fake.writes
    assert (write.path, write.acting_user) == (f"/v1/opportunities/{opportunity}/panels", recruiter)
    [asked] = write.body["interviews"]
    assert asked["interviewers"] == [{"id": interviewer}]
    assert asked["date"] == int(when.timestamp() * 1000)
    created = fake.interviews[opportunity][-1]
    assert result.remote_id == created["id"]
    read = {i.remote_id: i async for i in connector.interviews()}
    assert read[created["id"]].scheduled_at == when
    assert read[created["id"]].interviewer_remote_id == interviewer
    without = InterviewRequest(
        application_remote_id=opportunity, interview_type="On-site", scheduled_at=when
    )
    await connector.schedule_interview(without, Attribution(remote_id=recruiter))
    assert fake.writes[-1].body["interviews"][0]["interviewers"] == [{"id": recruiter}]


async def test_an_unknown_reason_archives_with_the_first_non_hired_reason(
    fake: FakeLever, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    await connector.reject(sorted(fake.opportunities)[0], "Salary expectations", None)
    assert fake.writes[0].body == {"reason": "737df8d0-3a79-4e7e-8fbc-5bd4a1bcb4d9"}


async def test_bad_write_targets_are_refused(fake: FakeLever, client: httpx.AsyncClient) -> None:
    connector = connect(fake, client)
    with pytest.raises(NotFoundError):
        await connector.move_stage(sorted(fake.opportunities)[0], "No Such Stage", None)
    with pytest.raises(UnprocessableError):
        await connector.move_stage("a/b", "Offer", None)
    with pytest.raises(NotFoundError):
        await connector.add_note(fake.new_contact(), "hello", None)
    with pytest.raises(UnprocessableError):
        await connector.move_stage(
            sorted(fake.opportunities)[0], "Offer", Attribution(remote_id="nobody")
        )
    assert fake.writes == []


async def test_interviews_are_read_per_opportunity(
    fake: FakeLever, client: httpx.AsyncClient
) -> None:
    connector = connect(fake, client)
    interviews = [i async for i in connector.interviews()]
    expected = {i["id"]: o for o, found in fake.interviews.items() for i in found}
    assert {i.remote_id: i.application_remote_id for i in interviews} == expected
    assert {i.status for i in interviews} == {"scheduled", "cancelled"}
