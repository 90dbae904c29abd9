"""Workday's quirks: OAuth2 refresh-token auth, limit/offset paging capped at 100,
mapping of the spec's examples, and what the API does not offer."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from starlette.types import Receive, Scope, Send

from connectors.base import Capability
from connectors.errors import (
    AuthError,
    ConfigurationError,
    InvalidResponseError,
    NotFoundError,
    UnprocessableError,
    UnsupportedOperationError,
)
from connectors.models import Attribution
from connectors.oauth import (
    ClientCredentials,
    TokenSet,
    authorization_url,
    exchange_code,
    new_pkce,
    new_state,
)
from connectors.workday.applications import APPLICATION_STAGE
from connectors.workday.auth import authorization_endpoint, token_url
from connectors.workday.connector import LOOKUP_CONCURRENCY, WorkdayConnector
from connectors.workday.mapping import (
    candidate_from_raw,
    interview_from_raw,
    interview_state,
    job_from_raw,
    parse_date,
)
from connectors.workday.payloads import RawInterview, RawJobPosting, RawProspect
from demo.sandbox.workday import WorkdayFake
from gateway.cache import ResponseCache
from gateway.crypto import Keyring, credentials_context
from gateway.locks import LocalLocks
from gateway.pubsub import EventBus
from gateway.settings import Settings
from gateway.store.engine import create_engine, create_session_factory
from gateway.store.enums import IntegrationStatus, SyncStatus
from gateway.store.migrate import upgrade
from gateway.store.models import Application, Candidate, Integration, Interview, Job, Tenant
from jobs.sync import sync_integration
from jobs.sync_api import SyncDeps, SyncMode, SyncOutcome
from tests.connectors.harness.workday import WorkdayHarness, make_harness
from tests.support.gateway import ENCRYPTION_KEYS
from tests.support.paths import SPECS
from tests.support.services import Backend

SPEC = SPECS / "workday-recruiting-v4.json"
JOB_POSTING = "jobPostingAnchorSummary_5597c990f22e10000fc34f022dce0020"
PROSPECT = "prospectSummary_7657284bd7781000178a3bf6e17f001a"
INTERVIEW = "interviewEventWithJobApplicationJobRequisitionInterviewerDetails_def69f12d55410000f7ec8da36ae005a"  # noqa: E501
LOREM = "Lorem ipsum dolor sit amet, cum choro singulis consectetuer ut, ubique iisque"


# --- fixtures -------------------------------------------------------------------------


class Sleeps:
    """A recording no-op ``sleep``."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def harness() -> WorkdayHarness:
    harness = make_harness()
    harness.seed(jobs=12, candidates=3, applications=6)
    return harness


@pytest.fixture
def fake(harness: WorkdayHarness) -> WorkdayFake:
    return harness.fake


@pytest.fixture
async def client(harness: WorkdayHarness) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=harness.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://fake") as client:
        yield client


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def connector(
    harness: WorkdayHarness, client: httpx.AsyncClient, sleeps: Sleeps
) -> WorkdayConnector:
    return harness.connector(client, sleep=sleeps, page_size=5)


def clocked(fake: WorkdayFake, connector: WorkdayConnector) -> Clock:
    """One controllable clock for the fake's token expiry and the connector's cache."""
    clock = Clock()
    fake.clock = clock
    connector.auth.clock = clock
    return clock


# --- mapping the spec's examples ------------------------------------------------------


@cache
def _definitions() -> dict[str, Any]:
    definitions: dict[str, Any] = json.loads(SPEC.read_text())["definitions"]
    return definitions


def spec_example(name: str) -> dict[str, Any]:
    """An instance of definition ``name`` built from the spec's ``example`` values;
    ids (which have none) are 32-hex digests of their path."""
    return _example_of(_definitions()[name], name)


def _example_of(schema: dict[str, Any], path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in schema.get("allOf", [schema]):
        if "$ref" in part:
            out.update(_example_of(_resolve(part["$ref"]), path))
            continue
        for key, prop in part.get("properties", {}).items():
            value = _example_value(prop, f"{path}.{key}")
            if value is not None:
                out[key] = value
    return out


def _example_value(prop: dict[str, Any], path: str) -> Any:
    if "example" in prop:
        return prop["example"]
    if "$ref" in prop:
        return _example_of(_resolve(prop["$ref"]), path)
    items = prop.get("items", {})
    if prop.get("type") == "array" and "$ref" in items:
        return [_example_of(_resolve(items["$ref"]), path)]
    if path.endswith(".id"):
        return hashlib.md5(path.encode(), usedforsecurity=False).hexdigest()
    return None


def _resolve(ref: str) -> dict[str, Any]:
    resolved: dict[str, Any] = _definitions()[ref.rsplit("/", 1)[-1]]
    return resolved


def test_the_spec_has_its_96_examples() -> None:
    assert SPEC.read_text().count('"example"') == 96


def test_job_posting_example_maps_to_a_job() -> None:
    raw: RawJobPosting = spec_example(JOB_POSTING)  # type: ignore[assignment]
    before_end = job_from_raw(raw, now=datetime(2026, 1, 1, tzinfo=UTC))

    assert before_end.remote_id == raw["id"]
    assert before_end.raw is raw
    assert before_end.title.startswith(LOREM)
    assert before_end.description == raw["jobDescription"]
    assert before_end.location == raw["primaryLocation"]["descriptor"]
    assert before_end.department == raw["categories"][0]["descriptor"]
    assert before_end.employment_type == raw["timeType"]["descriptor"]
    assert before_end.opened_at == datetime(2026, 4, 18, 7, 0, tzinfo=UTC)
    assert (before_end.status, before_end.closed_at) == ("open", None)
    assert before_end.remote_updated_at is None

    after_end = job_from_raw(raw, now=datetime(2026, 5, 1, tzinfo=UTC))
    assert after_end.status == "closed"
    assert after_end.closed_at == datetime(2026, 4, 18, 7, 0, tzinfo=UTC)


def test_prospect_example_maps_to_a_candidate() -> None:
    raw: RawProspect = spec_example(PROSPECT)  # type: ignore[assignment]
    candidate = candidate_from_raw(raw)

    person = raw["candidate"]
    assert candidate.remote_id == raw["id"]
    assert candidate.raw is raw
    assert candidate.name == person["name"]["fullName"]
    assert candidate.first_name == person["name"]["firstName"]
    assert candidate.last_name == person["name"]["lastName"]
    assert candidate.email == person["email"]
    assert candidate.phone == person["phone"]["phoneNumber"]
    assert candidate.tags == (raw["candidateTags"][0]["descriptor"],)


def test_interview_example_maps_to_an_interview() -> None:
    raw: RawInterview = spec_example(INTERVIEW)  # type: ignore[assignment]
    interview = interview_from_raw(raw)

    assert interview.remote_id == raw["id"]
    assert interview.raw is raw
    assert interview.application_remote_id == raw["jobApplication"]["id"]
    assert interview.interviewer_remote_id == raw["interviewers"][0]["id"]
    # The example's status is a Lorem descriptor with a hex id: nothing known, so scheduled.
    assert interview.status == "scheduled"
    assert interview.scheduled_at is None


def test_candidate_name_falls_back_to_first_and_last_then_descriptor() -> None:
    both = candidate_from_raw(
        {"id": "p1", "candidate": {"name": {"firstName": "Ada", "lastName": "Lovelace"}}}
    )
    only_descriptor = candidate_from_raw({"id": "p2", "descriptor": "Grace Hopper"})
    assert both.name == "Ada Lovelace"
    assert only_descriptor.name == "Grace Hopper"


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([{"id": "SCHEDULED"}], "scheduled"),
        ([{"id": "NOT_SCHEDULED", "descriptor": "Not Scheduled"}], "scheduled"),
        ([{"id": "PENDING_FEEDBACK"}], "in_progress"),
        ([{"id": "SCHEDULED"}, {"id": "AWAITING_ME"}], "in_progress"),
        ([{"id": "MAKE_INTERVIEW_DECISION"}], "in_progress"),
        ([{"id": "Interview_Status_ID=COMPLETED"}], "completed"),
        (
            [{"id": "9f2c1e00aa0b4c3d8e7f6a5b4c3d2e1f", "descriptor": "Feedback Complete"}],
            "in_progress",
        ),
        ([], "scheduled"),
    ],
)
def test_interview_state(statuses: list[Any], expected: str) -> None:
    assert interview_state(statuses) == expected


def test_dates_are_utc() -> None:
    assert parse_date("2026-04-18T07:00:00.000Z") == datetime(2026, 4, 18, 7, tzinfo=UTC)
    assert parse_date("2026-04-18T09:00:00.000+02:00") == datetime(2026, 4, 18, 7, tzinfo=UTC)
    assert parse_date("2026-04-18") == datetime(2026, 4, 18, tzinfo=UTC)
    assert parse_date(None) is None
    assert parse_date("next Tuesday") is None  # an unreadable date does not cost the record


# --- reads and paging -------------------------------------------------------------------


async def test_jobs_page_with_limit_and_offset_until_total(
    connector: WorkdayConnector, fake: WorkdayFake
) -> None:
    jobs = [job async for job in connector.jobs()]

    assert [job.remote_id for job in jobs] == list(fake.job_postings)
    pages = [(call[2]["offset"], call[2]["limit"]) for call in fake.api_calls]
    assert pages == [(["0"], ["5"]), (["5"], ["5"]), (["10"], ["5"])]


async def test_an_exact_multiple_of_the_page_size_stops_at_total(
    harness: WorkdayHarness, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    fake = WorkdayFake()
    fake.seed(jobs=10, candidates=0, applications=0)
    harness = WorkdayHarness(fake)
    transport = httpx.ASGITransport(app=harness.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://fake") as own:
        connector = harness.connector(own, sleep=sleeps, page_size=5)
        assert len([job async for job in connector.jobs()]) == 10
    assert len(fake.api_calls) == 2  # no third, empty page


async def test_page_size_is_capped_at_workdays_maximum(
    harness: WorkdayHarness, client: httpx.AsyncClient, fake: WorkdayFake, sleeps: Sleeps
) -> None:
    connector = harness.connector(client, sleep=sleeps, page_size=500)
    default = WorkdayConnector.create(
        client, harness.good_credentials, {}, integration="t", sleep=sleeps
    )

    assert len([job async for job in connector.jobs()]) == 12
    assert len([job async for job in default.jobs()]) == 12
    assert [call[2]["limit"] for call in fake.api_calls] == [["100"], ["100"]]


async def test_the_fake_refuses_a_limit_over_100(connector: WorkdayConnector) -> None:
    with pytest.raises(UnprocessableError) as raised:
        await connector.http.get_json("/jobPostings", params={"limit": 101})
    assert raised.value.status == 400


async def test_interviews_carry_application_and_interviewer(
    connector: WorkdayConnector, fake: WorkdayFake
) -> None:
    interviews = [interview async for interview in connector.interviews()]

    assert len(interviews) == 6
    first = interviews[0]
    raw = fake.interviews[first.remote_id]
    assert first.application_remote_id == raw["jobApplication"]["id"]
    assert first.interviewer_remote_id == raw["interviewers"][0]["id"]
    assert [i.status for i in interviews[:4]] == [
        "scheduled",
        "in_progress",
        "completed",
        "scheduled",
    ]


async def test_prospects_are_read_by_id_only(
    connector: WorkdayConnector, harness: WorkdayHarness, fake: WorkdayFake
) -> None:
    ids = harness.candidate_ids()

    found = await connector.get_candidates([ids[1], "0" * 32, ids[0], ids[1]])

    assert [c.remote_id for c in found] == [ids[1], ids[0]]
    assert found[1].email == "ada1@example.com"
    assert not [path for _, path, _ in fake.api_calls if path == "/prospects"]


# --- applications and applicants, from the interview events ------------------------------


def _postings(fake: WorkdayFake) -> dict[str, str]:
    """Requisition id -> the posting the fake made for it."""
    return {requisition: posting for posting, requisition in fake.posting_requisitions.items()}


async def test_each_interviewed_job_application_is_an_application_for_its_posting(
    connector: WorkdayConnector, fake: WorkdayFake
) -> None:
    applications = [a async for a in connector.applications()]
    candidates = [c async for c in connector.candidates()]
    interviews = [i async for i in connector.interviews()]

    events = list(fake.interviews.values())
    postings = _postings(fake)
    assert [(a.remote_id, a.job_remote_id, a.candidate_remote_id) for a in applications] == [
        (e["jobApplication"]["id"], postings[e["jobRequisition"]["id"]], e["jobApplication"]["id"])
        for e in events
    ]
    assert {(a.status, a.current_stage, a.applied_at) for a in applications} == {
        ("active", APPLICATION_STAGE, None)
    }
    assert [c.remote_id for c in candidates] == [a.candidate_remote_id for a in applications]
    # seeded round-robin over three prospects: the applicant named by each application
    assert [c.name for c in candidates] == [f"Ada{n} Lovelace{n}" for n in (1, 2, 3, 1, 2, 3)]
    assert [c.raw for c in candidates] == [e["jobApplication"] for e in events]
    assert [i.application_remote_id for i in interviews] == [a.remote_id for a in applications]
    assert connector.failures == []


async def test_the_interview_listing_and_each_requisition_are_read_once(
    connector: WorkdayConnector, fake: WorkdayFake, harness: WorkdayHarness
) -> None:
    first = next(iter(fake.interviews.values()))
    fake.add_interview(7, posting_id=harness.job_ids()[0], prospect_id=harness.candidate_ids()[0])
    fake.interviews["second-round"] = {**first, "id": "second-round"}
    fake.api_calls.clear()

    candidates = [c async for c in connector.candidates()]
    applications = [a async for a in connector.applications()]

    assert len(candidates) == len(applications) == 7  # the second round adds no application
    listings = [query for _, path, query in fake.api_calls if path == "/interviews"]
    assert [query["offset"] for query in listings] == [["0"], ["5"]]
    asked = [q["jobRequisition"] for _, path, q in fake.api_calls if "jobRequisition" in q]
    requisitions = {e["jobRequisition"]["id"] for e in fake.interviews.values()}
    assert sorted(r for [r] in asked) == sorted(requisitions)
    assert len(requisitions) == 6


async def test_of_several_postings_of_one_requisition_the_smallest_id_is_the_job(
    harness: WorkdayHarness, client: httpx.AsyncClient, sleeps: Sleeps, fake: WorkdayFake
) -> None:
    event = next(iter(fake.interviews.values()))
    requisition = event["jobRequisition"]["id"]
    shared = [harness.job_ids()[0], harness.job_ids()[7], harness.job_ids()[9]]
    for posting in shared:
        fake.posting_requisitions[posting] = requisition

    picked = []
    for _ in range(2):
        connector = harness.connector(client, sleep=sleeps)
        [application, *_] = [a async for a in connector.applications()]
        picked.append(application.job_remote_id)
        fake.job_postings = dict(reversed(fake.job_postings.items()))

    assert picked == [min(shared), min(shared)]


async def test_a_requisition_without_a_posting_fails_its_application_alone(
    connector: WorkdayConnector, fake: WorkdayFake
) -> None:
    events = list(fake.interviews.values())
    events[2]["jobRequisition"]["id"] = "f" * 32
    del events[4]["jobRequisition"]
    broken = [events[2]["jobApplication"]["id"], events[4]["jobApplication"]["id"]]

    applications = [a async for a in connector.applications()]

    assert [a.remote_id for a in applications] == [
        e["jobApplication"]["id"] for e in events if e["jobApplication"]["id"] not in broken
    ]
    assert [(f.entity, f.remote_id) for f in connector.failures] == [
        ("applications", broken[0]),
        ("applications", broken[1]),
    ]
    assert "f" * 32 in connector.failures[0].reason
    assert "requisition" in connector.failures[1].reason


async def test_requisition_lookups_run_concurrently_but_bounded(
    sleeps: Sleeps,
) -> None:
    harness = make_harness()
    harness.seed(jobs=20, candidates=2, applications=20)
    in_flight, peak = 0, 0

    async def slow_lookups(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal in_flight, peak
        if b"jobRequisition=" not in scope.get("query_string", b""):
            await harness.app(scope, receive, send)
            return
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            await asyncio.sleep(0.01)
            await harness.app(scope, receive, send)
        finally:
            in_flight -= 1

    transport = httpx.ASGITransport(app=slow_lookups)
    async with httpx.AsyncClient(transport=transport, base_url="http://fake") as client:
        connector = harness.connector(client, sleep=sleeps)
        applications = [a async for a in connector.applications()]

    assert len(applications) == 20
    assert peak == LOOKUP_CONCURRENCY


async def test_a_full_sync_stores_every_interview_with_its_application_and_applicant(
    backend: Backend,
) -> None:
    harness = make_harness()
    harness.seed(jobs=4, candidates=3, applications=6)

    outcome, rows = await _full_sync(backend, harness)

    assert outcome.status is SyncStatus.SUCCEEDED, outcome.error
    postings = _postings(harness.fake)
    assert sorted(rows) == sorted(
        (e["id"], e["jobApplication"]["id"], postings[e["jobRequisition"]["id"]])
        for e in harness.fake.interviews.values()
    )


async def test_a_full_sync_fails_only_the_interview_whose_job_is_unknown(
    backend: Backend,
) -> None:
    harness = make_harness()
    harness.seed(jobs=4, candidates=3, applications=6)
    broken = list(harness.fake.interviews.values())[1]
    broken["jobRequisition"]["id"] = "f" * 32

    outcome, rows = await _full_sync(backend, harness)

    assert outcome.status is SyncStatus.PARTIALLY_FAILED
    assert len(rows) == 5
    assert broken["id"] not in {interview for interview, _, _ in rows}
    assert outcome.counts is not None
    assert outcome.counts["applications"]["failed"] == 1
    assert outcome.counts["interviews"]["failed"] == 1


_slugs = itertools.count()


async def _full_sync(
    backend: Backend, harness: WorkdayHarness
) -> tuple[SyncOutcome, list[tuple[str, str, str]]]:
    """A full sync of the fake through ``jobs.sync``; the stored interviews as
    ``(interview, its application, that application's job)`` remote ids."""
    engine = create_engine(backend.url)
    await upgrade(engine)
    factory = create_session_factory(engine)
    keyring = Keyring.from_setting(ENCRYPTION_KEYS)
    cache = ResponseCache(Settings(encryption_keys=ENCRYPTION_KEYS))
    try:
        async with factory.begin() as session:
            tenant = Tenant(slug=f"workday-sync-{next(_slugs)}", name="Workday sync")
            session.add(tenant)
            await session.flush()
            integration = Integration(
                tenant_id=tenant.id,
                provider="workday",
                name="Workday",
                status=IntegrationStatus.ACTIVE,
                config={"pageSize": 5, "rateLimitPerSecond": 10_000},
                credentials_encrypted=keyring.encrypt_json(
                    dict(harness.good_credentials), context=credentials_context(tenant.id)
                ),
            )
            session.add(integration)
            await session.flush()
            tenant_id, integration_id = tenant.id, integration.id
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=harness.app)) as client:
            deps = SyncDeps(factory, keyring, client, EventBus(), cache, LocalLocks(), _no_sleep)
            outcome = await sync_integration(deps, tenant_id, integration_id, mode=SyncMode.FULL)
        async with engine.connect() as conn:
            found = await conn.execute(
                sa.select(Interview.remote_id, Application.remote_id, Job.remote_id)
                .join(Application, Application.id == Interview.application_id)
                .join(Job, Job.id == Application.job_id)
                .join(Candidate, Candidate.id == Application.candidate_id)
                .where(Interview.integration_id == integration_id)
            )
            rows = [(str(a), str(b), str(c)) for a, b, c in found]
    finally:
        await cache.close()
        await engine.dispose()
    return outcome, rows


async def _no_sleep(_seconds: float) -> None:
    return None


async def test_get_jobs_reads_each_posting_and_skips_unknown_ids(
    connector: WorkdayConnector, harness: WorkdayHarness
) -> None:
    wanted = harness.job_ids()[3:5]
    found = await connector.get_jobs([*wanted, "f" * 32])
    assert [job.remote_id for job in found] == wanted


async def test_updated_since_is_ignored_every_read_is_full(
    connector: WorkdayConnector, harness: WorkdayHarness
) -> None:
    harness.touch_job(harness.job_ids()[0])
    since = datetime(2100, 1, 1, tzinfo=UTC)
    assert Capability.INCREMENTAL not in connector.capabilities
    assert len([job async for job in connector.jobs(updated_since=since)]) == 12


async def test_check_reports_the_posting_count(connector: WorkdayConnector) -> None:
    result = await connector.check()
    assert result.ok
    assert result.detail == "12 job postings"


async def test_a_malformed_body_is_invalid_response(
    connector: WorkdayConnector, harness: WorkdayHarness
) -> None:
    await connector.check()  # token first, so the fault hits the API call
    harness.faults.malformed()
    with pytest.raises(InvalidResponseError):
        [job async for job in connector.jobs()]


async def test_another_tenant_is_not_found(
    harness: WorkdayHarness, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    config = {"baseUrl": "https://wd2-impl-services1.workday.com/ccx/api/recruiting/v4/globex"}
    connector = WorkdayConnector.create(
        client, harness.good_credentials, config, integration="t", sleep=sleeps
    )
    with pytest.raises(NotFoundError):
        await connector.check()


# --- capabilities and writes ------------------------------------------------------------


async def test_capabilities_and_no_writes(connector: WorkdayConnector) -> None:
    attribution = Attribution(remote_id="w1")
    assert connector.capabilities == Capability.INTERVIEWS
    with pytest.raises(UnsupportedOperationError):
        await connector.add_note("p1", "hello", attribution)
    with pytest.raises(UnsupportedOperationError):
        await connector.move_stage("a1", "Interview", attribution)
    with pytest.raises(UnsupportedOperationError):
        await connector.add_to_job("p1", "j1", attribution)
    with pytest.raises(UnsupportedOperationError):
        await connector.get_applications(["p1"])


async def test_the_fake_validates_and_records_created_prospects(
    connector: WorkdayConnector, fake: WorkdayFake
) -> None:
    nameless = {"candidate": {"email": "x@example.com"}}
    unreachable = {"candidate": {"name": {"country": {"id": "USA"}, "firstName": "X"}}}
    good = {**unreachable, "candidate": {**unreachable["candidate"], "email": "x@example.com"}}

    with pytest.raises(UnprocessableError) as nameless_refused:
        await connector.http.json("POST", "/prospects", json=nameless)
    with pytest.raises(UnprocessableError) as unreachable_refused:
        await connector.http.json("POST", "/prospects", json=unreachable)
    assert "A256" in (nameless_refused.value.detail or "")
    assert "A249" in (unreachable_refused.value.detail or "")
    created = await connector.http.json("POST", "/prospects", json=good)

    assert fake.created_prospects == [good]
    [candidate] = await connector.get_candidates([created["id"]])
    assert candidate.email == "x@example.com"


# --- auth -------------------------------------------------------------------------------


async def test_the_token_is_fetched_once_and_cached(
    connector: WorkdayConnector, fake: WorkdayFake
) -> None:
    await connector.check()
    [job async for job in connector.jobs()]

    assert fake.token_requests == 1
    assert fake.rejected == 0


async def test_twenty_concurrent_requests_share_one_refresh(
    connector: WorkdayConnector, fake: WorkdayFake
) -> None:
    fake.faults.latency = 0.01  # the token request is slow: the others come meanwhile
    await asyncio.gather(*(connector.check() for _ in range(20)))
    assert fake.token_requests == 1


async def test_an_expired_token_is_refreshed_once_for_twenty_concurrent_requests(
    connector: WorkdayConnector, fake: WorkdayFake
) -> None:
    clock = clocked(fake, connector)
    await connector.check()
    clock.now += 3600  # the cached token (TTL 3600) has expired on both sides
    fake.faults.latency = 0.01

    results = await asyncio.gather(*(connector.check() for _ in range(20)))

    assert all(result.ok for result in results)
    assert fake.token_requests == 2  # exactly one refresh for the twenty
    assert fake.rejected == 0  # refreshed before sending, not after a 401


async def test_the_token_is_refreshed_60_seconds_before_expiry(
    connector: WorkdayConnector, fake: WorkdayFake
) -> None:
    clock = clocked(fake, connector)
    await connector.check()

    clock.now += 3600 - 61
    await connector.check()
    assert fake.token_requests == 1

    clock.now += 2  # 59 s left: inside the margin
    await connector.check()
    assert fake.token_requests == 2
    assert fake.rejected == 0


async def test_a_401_refreshes_once_and_retries(
    connector: WorkdayConnector, fake: WorkdayFake, sleeps: Sleeps
) -> None:
    await connector.check()
    fake.expire_access_tokens()  # revoked server-side while the cache thinks it fresh

    assert (await connector.check()).ok
    assert (fake.token_requests, fake.rejected) == (2, 1)
    assert sleeps.delays == []  # the auth retried, not the backoff


async def test_twenty_concurrent_401s_share_one_refresh(
    connector: WorkdayConnector, fake: WorkdayFake
) -> None:
    await connector.check()
    fake.expire_access_tokens()
    fake.faults.latency = 0.01  # all twenty are in flight with the old token

    await asyncio.gather(*(connector.check() for _ in range(20)))

    assert fake.token_requests == 2
    assert fake.rejected == 20


async def test_a_second_401_is_an_auth_error(
    connector: WorkdayConnector, fake: WorkdayFake
) -> None:
    fake.access_token_ttl = 0  # every token the fake issues is already expired

    with pytest.raises(AuthError) as raised:
        await connector.check()

    assert raised.value.status == 401
    assert (fake.token_requests, fake.rejected) == (2, 2)


async def test_a_revoked_refresh_token_is_an_auth_error_without_secrets(
    harness: WorkdayHarness, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    connector = harness.connector(client, credentials=harness.bad_credentials, sleep=sleeps)

    with pytest.raises(AuthError) as raised:
        await connector.check()

    message = str(raised.value)
    assert "invalid_grant" in message
    for secret in harness.bad_credentials.values():
        if secret.startswith("http") or secret == harness.fake.tenant:
            continue
        assert secret not in message
    assert sleeps.delays == []


async def test_a_wrong_client_secret_is_an_auth_error(
    harness: WorkdayHarness, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    credentials = {**harness.good_credentials, "clientSecret": "wrong"}
    connector = harness.connector(client, credentials=credentials, sleep=sleeps)
    with pytest.raises(AuthError, match="invalid_client"):
        await connector.check()


async def test_token_endpoint_outages_are_retried_like_any_request(
    connector: WorkdayConnector, fake: WorkdayFake, harness: WorkdayHarness, sleeps: Sleeps
) -> None:
    harness.faults.rate_limit(times=1, retry_after=7)
    harness.faults.server_errors(times=2)

    assert (await connector.check()).ok

    assert fake.refreshes == 1
    assert len(sleeps.delays) == 3
    assert sleeps.delays[0] >= 7


async def test_a_rotated_refresh_token_is_handed_to_on_tokens_and_used(
    harness: WorkdayHarness, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    fake = harness.fake
    fake.rotate_refresh_tokens = True
    saved: list[TokenSet] = []

    async def save(tokens: TokenSet) -> None:
        saved.append(tokens)

    connector = harness.connector(client, sleep=sleeps)
    connector.auth.on_tokens = save
    await connector.check()
    fake.expire_access_tokens()
    await connector.check()  # refreshes with the rotated token: the first one is retired

    assert fake.refreshes == 2
    assert len(saved) == 2
    assert saved[0].refresh_token != saved[1].refresh_token
    assert saved[1].refresh_token in fake.refresh_tokens
    assert fake.refresh_token not in fake.refresh_tokens


async def test_on_tokens_is_not_called_when_the_refresh_token_stays(
    connector: WorkdayConnector,
) -> None:
    saved: list[TokenSet] = []
    connector.auth.on_tokens = saved.append
    await connector.check()
    assert saved == []


async def test_credentials_never_reach_the_logs(
    connector: WorkdayConnector, harness: WorkdayHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    harness.faults.server_errors(times=1)
    await connector.check()
    [job async for job in connector.jobs()]

    for name in ("clientId", "clientSecret", "refreshToken"):
        assert harness.good_credentials[name] not in caplog.text
    assert "wd-at-" not in caplog.text  # no access token either


def test_a_missing_credential_is_a_configuration_error(harness: WorkdayHarness) -> None:
    credentials = {k: v for k, v in harness.good_credentials.items() if k != "refreshToken"}
    with pytest.raises(ConfigurationError, match="refreshToken"):
        WorkdayConnector.create(httpx.AsyncClient(), credentials, {}, integration="t")


def test_tenant_endpoints() -> None:
    assert token_url("https://wd2.myworkday.com/", "acme") == (
        "https://wd2.myworkday.com/ccx/oauth2/acme/token"
    )
    assert authorization_endpoint("https://wd2.myworkday.com", "acme") == (
        "https://wd2.myworkday.com/acme/authorize"
    )


async def test_authorization_code_flow_with_pkce_against_the_fake(
    harness: WorkdayHarness, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    credentials = harness.good_credentials
    tenant_url, tenant = credentials["tenantUrl"], credentials["tenantId"]
    redirect_uri = "https://talentgraph.example.com/oauth/callback"
    pkce, state = new_pkce(), new_state()
    url = authorization_url(
        authorization_endpoint(tenant_url, tenant),
        client_id=credentials["clientId"],
        redirect_uri=redirect_uri,
        state=state,
        pkce=pkce,
    )

    consent = await client.get(url)
    callback = parse_qs(urlsplit(consent.headers["location"]).query)
    assert consent.status_code == 302
    assert callback["state"] == [state]

    client_credentials = ClientCredentials(credentials["clientId"], credentials["clientSecret"])
    with pytest.raises(AuthError):  # the verifier must match the challenge
        await exchange_code(
            client,
            token_url(tenant_url, tenant),
            client_credentials,
            code=callback["code"][0],
            redirect_uri=redirect_uri,
            code_verifier=new_pkce().verifier,
        )

    consent = await client.get(url)
    code = parse_qs(urlsplit(consent.headers["location"]).query)["code"][0]
    tokens = await exchange_code(
        client,
        token_url(tenant_url, tenant),
        client_credentials,
        code=code,
        redirect_uri=redirect_uri,
        code_verifier=pkce.verifier,
    )
    assert tokens.refresh_token is not None

    fresh = {**credentials, "refreshToken": tokens.refresh_token}
    connector = harness.connector(client, credentials=fresh, sleep=sleeps)
    assert (await connector.check()).ok
