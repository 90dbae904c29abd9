"""The promises every connector keeps, checked against every provider's fake.

Provider quirks live in ``test_<provider>.py``; this suite only holds what the sync
and the write path rely on for all of them.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from connectors.base import Capability, ConnectorBase
from connectors.errors import (
    AuthError,
    ConnectorError,
    InvalidResponseError,
    ServerError,
    UnsupportedOperationError,
)
from connectors.models import (
    Attribution,
    InterviewRequest,
    JobDraft,
    OnboardingTaskDraft,
    RemoteApplication,
    RemoteCandidate,
    RemoteJob,
)
from tests.connectors.harness.base import ProviderHarness

PROVIDERS = ["recruiterflow", "jobvite", "bpoc", "workday", "greenhouse", "lever"]
JOBS, CANDIDATES, APPLICATIONS = 12, 14, 16
"""More than two pages of 5 for every list, so paging is always exercised."""


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture(params=PROVIDERS)
def harness(request: pytest.FixtureRequest) -> ProviderHarness:
    module = importlib.import_module(f"tests.connectors.harness.{request.param}")
    made: ProviderHarness = module.make_harness()
    made.seed(jobs=JOBS, candidates=CANDIDATES, applications=APPLICATIONS)
    return made


@pytest.fixture
async def client(harness: ProviderHarness) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=harness.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://fake") as http:
        yield http


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def connector(harness: ProviderHarness, client: httpx.AsyncClient, sleeps: Sleeps) -> ConnectorBase:
    return harness.connector(client, sleep=sleeps, page_size=5)


async def collect(iterator: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in iterator]


async def test_check_passes_with_good_credentials(connector: ConnectorBase) -> None:
    result = await connector.check()
    assert result.ok


async def test_bad_credentials_are_an_auth_error_and_not_retried(
    harness: ProviderHarness, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    bad = harness.connector(client, credentials=harness.bad_credentials, sleep=sleeps)
    before = harness.faults.requests
    with pytest.raises(AuthError):
        await bad.check()
    assert sleeps.calls == []
    assert harness.faults.requests - before <= 2, "an auth failure must not be retried"


async def test_jobs_stream_every_page_with_raw_payloads(
    harness: ProviderHarness, connector: ConnectorBase
) -> None:
    jobs = await collect(connector.jobs())
    assert all(isinstance(job, RemoteJob) for job in jobs)
    ids = [job.remote_id for job in jobs]
    assert len(ids) == len(set(ids)) == JOBS
    assert set(ids) == set(harness.job_ids())
    for job in jobs:
        assert job.remote_id and job.title
        assert job.raw, "the raw payload is kept"
        for moment in (job.remote_updated_at, job.opened_at):
            assert moment is None or moment.tzinfo is not None


async def test_candidates_stream_with_raw_payloads(
    harness: ProviderHarness, connector: ConnectorBase
) -> None:
    candidates = await collect(connector.candidates())
    if not getattr(harness, "lists_candidates", True):
        assert candidates == []
        pytest.skip(f"{harness.provider} reads candidates only by id")
    assert candidates, "a provider that lists candidates yields them"
    assert all(isinstance(c, RemoteCandidate) for c in candidates)
    assert len({c.remote_id for c in candidates}) == len(candidates)
    assert all(c.raw and c.name for c in candidates)


async def test_applications_link_known_jobs_and_carry_ordered_transitions(
    harness: ProviderHarness, connector: ConnectorBase
) -> None:
    applications = await collect(connector.applications())
    if not applications:
        pytest.skip(f"{harness.provider} exposes no applications")
    job_ids = set(harness.job_ids())
    assert all(isinstance(a, RemoteApplication) for a in applications)
    assert len({a.remote_id for a in applications}) == len(applications)
    for application in applications:
        assert application.job_remote_id in job_ids
        assert application.candidate_remote_id
        entered = [t.entered_at for t in application.transitions]
        assert entered == sorted(entered)
        assert all(moment.tzinfo is not None for moment in entered)


async def test_get_jobs_by_remote_ids(harness: ProviderHarness, connector: ConnectorBase) -> None:
    wanted = sorted(harness.job_ids())[:3]
    found = await connector.get_jobs(wanted)
    assert sorted(job.remote_id for job in found) == wanted


async def test_get_applications_refetches_what_a_full_read_holds_for_those_candidates(
    harness: ProviderHarness, connector: ConnectorBase
) -> None:
    if Capability.APPLICATIONS_BY_CANDIDATE not in connector.capabilities:
        pytest.skip(f"{harness.provider} cannot read applications by candidate")
    everything = await collect(connector.applications())
    by_candidate: dict[str, list[RemoteApplication]] = {}
    for application in everything:
        by_candidate.setdefault(application.candidate_remote_id, []).append(application)
    busiest, other = sorted(by_candidate, key=lambda c: (-len(by_candidate[c]), c))[:2]
    assert len(by_candidate[busiest]) >= 2, "the seed gives someone two applications"
    bare = harness.add_candidate_without_applications()

    found = await connector.get_applications(
        [busiest, harness.unknown_candidate_id, bare, other, busiest]
    )

    assert len({a.remote_id for a in found}) == len(found), "no application twice"
    expected = by_candidate[busiest] + by_candidate[other]
    assert sorted(found, key=lambda a: a.remote_id) == sorted(expected, key=lambda a: a.remote_id)
    assert all(a.raw for a in found), "the raw payload is kept"


async def test_get_applications_of_strangers_or_people_in_no_job_is_empty(
    harness: ProviderHarness, connector: ConnectorBase
) -> None:
    if Capability.APPLICATIONS_BY_CANDIDATE not in connector.capabilities:
        pytest.skip(f"{harness.provider} cannot read applications by candidate")
    bare = harness.add_candidate_without_applications()
    assert await connector.get_applications([bare]) == []
    assert await connector.get_applications([harness.unknown_candidate_id]) == []
    before = harness.faults.requests
    assert await connector.get_applications([]) == []
    assert harness.faults.requests == before, "nothing asked, nothing sent"


async def test_get_applications_without_the_capability_is_refused_without_a_request(
    harness: ProviderHarness, connector: ConnectorBase
) -> None:
    if Capability.APPLICATIONS_BY_CANDIDATE in connector.capabilities:
        pytest.skip(f"{harness.provider} reads applications by candidate")
    before = harness.faults.requests
    with pytest.raises(UnsupportedOperationError):
        await connector.get_applications([harness.add_candidate_without_applications()])
    assert harness.faults.requests == before


async def test_updated_since_returns_what_changed(
    harness: ProviderHarness, connector: ConnectorBase
) -> None:
    if Capability.INCREMENTAL not in connector.capabilities:
        pytest.skip(f"{harness.provider} has no incremental reads")
    changed = sorted(harness.job_ids())[0]
    harness.touch_job(changed)
    since = datetime.now(UTC) - timedelta(minutes=5)
    recent = await collect(connector.jobs(updated_since=since))
    assert changed in {job.remote_id for job in recent}
    assert len(recent) < JOBS


async def test_rate_limits_are_waited_out(
    harness: ProviderHarness, connector: ConnectorBase, sleeps: Sleeps
) -> None:
    harness.faults.rate_limit(times=2, retry_after=3)
    jobs = await collect(connector.jobs())
    assert len(jobs) == JOBS
    assert len(sleeps.calls) == 2
    assert all(seconds >= 3 for seconds in sleeps.calls), "Retry-After is honoured"


async def test_a_burst_of_server_errors_is_retried(
    harness: ProviderHarness, connector: ConnectorBase, sleeps: Sleeps
) -> None:
    harness.faults.server_errors(times=3)
    assert len(await collect(connector.jobs())) == JOBS
    assert len(sleeps.calls) == 3
    assert sleeps.calls == sorted(sleeps.calls) or max(sleeps.calls) <= 30


async def test_an_outage_ends_in_a_server_error(
    harness: ProviderHarness, connector: ConnectorBase
) -> None:
    harness.faults.server_errors(times=50)
    with pytest.raises(ServerError):
        await collect(connector.jobs())
    harness.faults.reset()


async def test_a_malformed_body_is_an_invalid_response(
    harness: ProviderHarness, connector: ConnectorBase
) -> None:
    harness.faults.malformed(times=1)
    with pytest.raises(InvalidResponseError):
        await collect(connector.jobs())


WRITES: dict[Capability, Callable[[ConnectorBase], Any]] = {
    Capability.MOVE_STAGE: lambda c: c.move_stage("x", "Screen", Attribution(remote_id="r")),
    Capability.ADD_TO_JOB: lambda c: c.add_to_job("x", "y", Attribution(remote_id="r")),
    Capability.REJECT: lambda c: c.reject("x", "no", Attribution(remote_id="r")),
    Capability.NOTES: lambda c: c.add_note("x", "hello", Attribution(remote_id="r")),
    Capability.CUSTOM_FIELDS: lambda c: c.update_job_custom_field("x", "rank", "1"),
    Capability.JOB_CREATE: lambda c: c.create_job(JobDraft(title="T"), Attribution(remote_id="r")),
    Capability.JOB_APPROVE: lambda c: c.approve_job("x", Attribution(remote_id="r")),
    Capability.RELEASE: lambda c: c.release_application("x", None, Attribution(remote_id="r")),
    Capability.SCHEDULE_INTERVIEW: lambda c: c.schedule_interview(
        InterviewRequest(
            application_remote_id="x",
            interview_type="client_round_1",
            scheduled_at=datetime.now(UTC),
        ),
        Attribution(remote_id="r"),
    ),
    Capability.ONBOARDING_WRITE: lambda c: c.create_onboarding_tasks(
        "x", [OnboardingTaskDraft(title="ID")], Attribution(remote_id="r")
    ),
    Capability.RECRUITER_MANAGEMENT: lambda c: c.create_recruiter(
        "a@b.example", "A", "B", "recruiter"
    ),
}


@pytest.mark.parametrize("capability", list(WRITES), ids=lambda c: str(c.name).lower())
async def test_writes_outside_capabilities_are_refused_without_a_request(
    harness: ProviderHarness, connector: ConnectorBase, capability: Capability
) -> None:
    if capability in connector.capabilities:
        pytest.skip(f"{harness.provider} supports {capability.name}")
    before = harness.faults.requests
    with pytest.raises(UnsupportedOperationError):
        await WRITES[capability](connector)
    assert harness.faults.requests == before


async def test_credentials_never_reach_the_logs(
    harness: ProviderHarness, connector: ConnectorBase, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="talentgraph")
    harness.faults.rate_limit(times=1, retry_after=1)
    await collect(connector.jobs())
    try:
        bad = harness.connector(
            connector.http.client, credentials=harness.bad_credentials, sleep=Sleeps()
        )
        await bad.check()
    except ConnectorError as error:
        messages = str(error)
    else:
        messages = ""
    text = caplog.text + messages
    assert "path=" in caplog.text, "every request is logged"
    for secret in [*harness.good_credentials.values(), *harness.bad_credentials.values()]:
        if len(secret) >= 6:
            assert secret not in text


async def test_capabilities_and_required_credentials_are_declared(connector: ConnectorBase) -> None:
    assert connector.provider in PROVIDERS
    assert type(connector).required_credentials, "the integration layer validates these"
