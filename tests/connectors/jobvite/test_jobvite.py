"""Jobvite's quirks: header auth (plain and signed), 0-based ``start``/``count`` paging
capped at 500, epoch-millisecond dates, candidate rows that carry one application,
in-body error status, and the Onboarding API's RSA + AES envelope end to end."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

import httpx
import orjson
import pytest
import respx
from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.padding import PKCS7

from connectors.base import Capability
from connectors.errors import (
    AuthError,
    ConfigurationError,
    InvalidResponseError,
    NotFoundError,
    PaginationLoopError,
    UnprocessableError,
    UnsupportedOperationError,
)
from connectors.jobvite.auth import JobviteAuth
from connectors.jobvite.connector import BASE_URLS, JobviteConnector
from connectors.jobvite.envelope import (
    decrypt_envelope,
    encrypt_envelope,
    load_private_key,
    load_public_key,
)
from connectors.jobvite.mapping import application_from_raw, candidate_from_raw, job_from_raw
from connectors.jobvite.onboarding import JobviteOnboardingClient
from connectors.jobvite.onboarding_tasks import task_from_raw, task_state
from connectors.jobvite.wire import from_epoch_ms, status_error, to_epoch_ms
from connectors.jobvite.workflow import application_state, job_state
from connectors.models import Attribution, OnboardingTaskDraft
from demo.sandbox.jobvite import UNAUTHORIZED, generate_key_pair, private_pem
from tests.connectors.harness.base import ProviderHarness
from tests.connectors.harness.jobvite import JobviteHarness, key_pairs, make_harness

BROKEN_PEM = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----"
RECRUITER = Attribution(remote_id="uRecr001", email="priya.raman@demoagency.example")

# A requisition and a candidate row in the shape Jobvite v2 answers (trimmed).
REQUISITION: dict[str, Any] = {
    "eId": "iHk17dqT",
    "requisitionId": "999",
    "title": "Teacher",
    "jobState": "Filled",
    "department": "School Based",
    "category": "Education",
    "location": "",
    "locationCity": "San Francisco",
    "locationState": "CA",
    "locationCountry": "United States",
    "jobType": "Full-Time",
    "company": "KIPP Bay Area Public Schools",
    "primaryRecruiter": {"userId": "ulUaZm4L", "userName": "ms.talent@example.org"},
    "recruiters": [{"userId": "ulUaZm4L"}, {"userId": "dKCQOxZ9"}],
    "createdDate": 1546642137710,
    "lastUpdatedDate": 1549916832797,
}
CANDIDATE_ROW: dict[str, Any] = {
    "eId": "dOen2hqr",
    "firstName": "Testy",
    "lastName": "McTesterson",
    "email": "tester@example.com",
    "homePhone": "555-123-4567",
    "mobile": "",
    "workPhone": "",
    "city": "Oakland",
    "state": "CA",
    "country": "USA",
    "location": "Oakland, CA ",
    "title": "",
    "companyName": "",
    "application": {
        "eId": "ovLmTnq8",
        "workflowState": "Rejected",
        "workflowStateEId": "mGB7Cdqg",
        "disposition": "Position filled",
        "jobviteChannel": "Email",
        "source": "kippbayarea - Desktop",
        "sourceType": "KIPP Bay Area Career Site",
        "sentDate": 1546642137710,
        "lastUpdatedDate": 1549916832797,
        "job": {"eId": "iHk17dqT", "requisitionId": "999", "title": "Teacher"},
    },
}


async def no_sleep(_: float) -> None:
    return None


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@asynccontextmanager
async def fake_client(harness: JobviteHarness) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=harness.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://fake") as client:
        yield client


@cache
def stranger_key() -> RSAPrivateKey:
    return generate_key_pair()[0]


@pytest.fixture
def harness() -> JobviteHarness:
    harness = make_harness()
    harness.seed(jobs=3, candidates=4, applications=6)
    return harness


def test_harness_is_a_provider_harness() -> None:
    harness: ProviderHarness = make_harness()
    assert harness.provider == "jobvite"
    assert JobviteConnector.capabilities == (
        Capability.INCREMENTAL
        | Capability.ONBOARDING
        | Capability.ONBOARDING_WRITE
        | Capability.APPLICATIONS_BY_CANDIDATE
    )
    assert JobviteConnector.required_credentials == ("apiKey", "apiSecret")


# --- mapping ----------------------------------------------------------------------------


def test_requisition_maps_to_a_job() -> None:
    job = job_from_raw(REQUISITION)
    assert job.remote_id == "iHk17dqT"
    assert job.title == "Teacher"
    assert (job.status, job.remote_status) == ("closed", "Filled")
    assert job.location == "San Francisco, CA, United States"  # empty "location" falls back
    assert job.department == "School Based"
    assert job.employment_type == "Full-Time"
    assert job.client_name == "KIPP Bay Area Public Schools"
    assert job.recruiter_remote_id == "ulUaZm4L"
    assert job.remote_updated_at == datetime(2019, 2, 11, 20, 27, 12, 797000, tzinfo=UTC)
    assert job.opened_at is not None and job.opened_at.tzinfo is UTC
    assert job.raw is REQUISITION


@pytest.mark.parametrize(
    ("remote", "state"),
    [
        ("Open", "open"),
        ("On Hold", "on_hold"),
        ("Hold", "on_hold"),
        ("Draft", "draft"),
        ("Awaiting Approval", "draft"),
        ("Approved", "draft"),
        ("Filled", "closed"),
        ("Closed", "closed"),
        ("Cancelled", "closed"),
        ("Archived", "archived"),
        ("Something New", "open"),
        (None, "open"),
    ],
)
def test_job_states(remote: str | None, state: str) -> None:
    assert job_state(remote) == state


def test_candidate_row_maps_to_a_person_and_an_application() -> None:
    candidate = candidate_from_raw(CANDIDATE_ROW)
    assert candidate.remote_id == "dOen2hqr"
    assert candidate.name == "Testy McTesterson"
    assert candidate.email == "tester@example.com"
    assert candidate.phone == "555-123-4567"  # blank mobile skipped
    assert candidate.location == "Oakland, CA"
    assert candidate.headline is None
    assert candidate.source == "kippbayarea - Desktop"
    assert candidate.remote_updated_at == from_epoch_ms(1549916832797)

    application = application_from_raw(CANDIDATE_ROW)
    assert application is not None
    assert application.remote_id == "ovLmTnq8"
    assert application.job_remote_id == "iHk17dqT"
    assert application.candidate_remote_id == "dOen2hqr"
    assert application.current_stage == "Rejected"
    assert application.status == "rejected"
    assert application.rejection_reason == "Position filled"
    assert application.applied_at == from_epoch_ms(1546642137710)
    assert application.remote_updated_at == from_epoch_ms(1549916832797)


def test_candidate_without_application_has_no_application() -> None:
    row = {key: value for key, value in CANDIDATE_ROW.items() if key != "application"}
    assert application_from_raw(row) is None
    assert candidate_from_raw(row).remote_updated_at is None


def test_rows_without_eid_are_invalid() -> None:
    with pytest.raises(InvalidResponseError):
        job_from_raw({"title": "x"})
    broken = {**CANDIDATE_ROW, "application": {**CANDIDATE_ROW["application"], "job": {}}}
    with pytest.raises(InvalidResponseError):
        application_from_raw(broken)


@pytest.mark.parametrize(
    ("workflow", "state"),
    [
        ("New", "active"),
        ("Phone Screen", "active"),
        ("Offer", "active"),
        ("Hired", "hired"),
        ("Rejected", "rejected"),
        ("Not Hired", "rejected"),
        ("Candidate Withdrew", "withdrawn"),
        ("Withdrawn", "withdrawn"),
        ("Offer Declined", "withdrawn"),
        (None, "active"),
    ],
)
def test_application_states(workflow: str | None, state: str) -> None:
    assert application_state(workflow) == state


def test_epoch_milliseconds_both_ways() -> None:
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    assert to_epoch_ms(moment) == 1_704_067_200_000
    assert to_epoch_ms(datetime(2024, 1, 1)) == 1_704_067_200_000  # naive is UTC
    assert from_epoch_ms(1_704_067_200_000) == moment
    assert from_epoch_ms("1704067200000") == moment
    assert from_epoch_ms(None) is None
    assert from_epoch_ms(True) is None


@pytest.mark.parametrize(
    ("status", "state"),
    [("pending", "pending"), ("Completed", "submitted"), ("approved", "approved"),
     ("rejected", "rejected"), ("whatever", "pending")],
)  # fmt: skip
def test_task_states(status: str, state: str) -> None:
    assert task_state(status) == state


def test_task_maps_with_its_process() -> None:
    task = task_from_raw(
        {"id": "t1", "processId": "p1", "name": "Sign", "type": "DOC", "status": "completed",
         "dueDate": "2024-02-15", "lastUpdatedDate": 1_704_067_200_000},
        {"id": "p1", "applicationId": "oApp", "candidateId": "oCand"},
    )  # fmt: skip
    assert (task.remote_id, task.title, task.task_type) == ("t1", "Sign", "DOC")
    assert (task.application_remote_id, task.candidate_remote_id) == ("oApp", "oCand")
    assert task.status == "submitted"
    assert task.due_date == date(2024, 2, 15)
    assert task.remote_updated_at == datetime(2024, 1, 1, tzinfo=UTC)


# --- configuration and auth ------------------------------------------------------------


def _create(client: httpx.AsyncClient, config: Mapping[str, Any], **credentials: str) -> Any:
    creds = {"apiKey": "k", "apiSecret": "s", **credentials}
    return JobviteConnector.create(client, creds, config, integration="t:jobvite", sleep=no_sleep)


async def test_environment_base_url_and_overrides() -> None:
    async with httpx.AsyncClient() as client:
        assert _create(client, {}).http.base_url == BASE_URLS["prod"]
        assert _create(client, {"environment": "stage"}).http.base_url == (
            "https://api-stage.jobvite.com/api/v2"
        )
        assert _create(client, {"environment": "Production"}).http.base_url == BASE_URLS["prod"]
        custom = _create(client, {"environment": "stage", "baseUrl": "https://jv.test/api/v2/"})
        assert custom.http.base_url == "https://jv.test/api/v2"
        assert _create(client, {"pageSize": 5000}).page_size == 500
        assert _create(client, {}).onboarding is None
        with pytest.raises(ConfigurationError, match="environment"):
            _create(client, {"environment": "sandbox"})
        with pytest.raises(ConfigurationError, match="authScheme"):
            _create(client, {"authScheme": "oauth"})
        with pytest.raises(ConfigurationError, match="apiSecret"):
            JobviteConnector.create(client, {"apiKey": "k"}, {}, integration="t")
        with pytest.raises(ConfigurationError, match="jobvitePublicKey"):
            _create(client, {}, onboardingPrivateKey=key_pairs().customer_private_pem)
        with pytest.raises(ConfigurationError, match="onboardingPrivateKey") as error:
            _create(
                client,
                {"jobvitePublicKey": key_pairs().jobvite_public_pem},
                onboardingPrivateKey=BROKEN_PEM,
            )
        assert "c2VjcmV0" not in str(error.value)


@respx.mock
async def test_plain_auth_sends_the_two_headers() -> None:
    route = respx.get(f"{BASE_URLS['prod']}/job").respond(
        json={"total": 7, "requisitions": [REQUISITION]}
    )
    async with httpx.AsyncClient() as client:
        result = await _create(client, {"authScheme": "plain"}).check()
    assert result.ok and result.detail == "7 requisitions"
    request = route.calls.last.request
    assert request.headers["x-jvi-api"] == "k"
    assert request.headers["x-jvi-sc"] == "s"
    assert "x-jvi-sign" not in request.headers
    assert dict(request.url.params) == {"start": "0", "count": "1"}


async def test_signed_auth_signs_key_and_epoch() -> None:
    auth = JobviteAuth("my-key", "my-secret", "signed", clock=lambda: 1_700_000_000.9)
    request = next(auth.auth_flow(httpx.Request("GET", "https://api.jobvite.com/api/v2/job")))
    expected = base64.b64encode(
        hmac.new(b"my-secret", b"my-key|1700000000", hashlib.sha256).digest()
    ).decode()
    assert request.headers["X-JVI-API"] == "my-key"
    assert request.headers["X-JVI-EPOCH"] == "1700000000"
    assert request.headers["X-JVI-SIGN"] == expected
    assert "x-jvi-sc" not in request.headers
    assert "my-secret" not in repr(auth)


@pytest.mark.parametrize("scheme", ["plain", "signed"])
async def test_fake_accepts_both_schemes(scheme: Any) -> None:
    harness = make_harness(auth_scheme=scheme)
    harness.seed(jobs=2, candidates=1, applications=1)
    async with fake_client(harness) as client:
        result = await harness.connector(client, sleep=no_sleep).check()
    assert result.detail == "2 requisitions; onboarding: 1 processes"
    assert {r.scheme for r in harness.fake.requests} == {scheme}


async def test_bad_credentials_raise_auth_error_without_leaking(
    harness: JobviteHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with fake_client(harness) as client:
        connector = harness.connector(client, credentials=harness.bad_credentials, sleep=no_sleep)
        with pytest.raises(AuthError) as error:
            await connector.check()
    assert error.value.status == 401
    assert error.value.message == "HTTP 401: credentials refused"
    assert "Invalid api/secret" in (error.value.detail or "")
    assert harness.fake.requests[-1].scheme is None
    secrets = ("not-the-secret", harness.fake.api_secret)
    assert not any(s in str(error.value) for s in secrets)
    assert not any(s in record.getMessage() for record in caplog.records for s in secrets)


async def test_fake_refuses_query_string_credentials_and_stale_signatures(
    harness: JobviteHarness,
) -> None:
    fake = harness.fake
    async with fake_client(harness) as client:
        response = await client.get(
            "/api/v2/job", params={"api": fake.api_key, "sc": fake.api_secret}
        )
        assert response.status_code == 401
        assert response.json() == UNAUTHORIZED
        stale = JobviteAuth(fake.api_key, fake.api_secret, "signed", clock=lambda: 1_000_000)
        response = await client.get("/api/v2/job", auth=stale)
        assert response.status_code == 401
        fresh = JobviteAuth(fake.api_key, fake.api_secret, "signed")
        assert (await client.get("/api/v2/job", auth=fresh)).status_code == 200


# --- paging and incremental reads ------------------------------------------------------


async def test_offset_paging_is_zero_based_and_stops_at_total() -> None:
    harness = make_harness()
    harness.seed(jobs=7, candidates=1, applications=0)
    async with fake_client(harness) as client:
        connector = harness.connector(client, sleep=no_sleep, page_size=3)
        jobs = [job async for job in connector.jobs()]
    assert [job.remote_id for job in jobs] == harness.job_ids()
    pages = [(r.params["start"], r.params["count"]) for r in harness.fake.requests]
    assert pages == [("0", "3"), ("3", "3"), ("6", "3")]


async def test_count_never_exceeds_500() -> None:
    harness = make_harness()
    harness.seed(jobs=501, candidates=0, applications=0)
    async with fake_client(harness) as client:
        connector = harness.connector(client, sleep=no_sleep, page_size=1000)
        jobs = [job async for job in connector.jobs()]
    assert len(jobs) == 501
    pages = [(r.params["start"], r.params["count"]) for r in harness.fake.requests]
    assert pages == [("0", "500"), ("500", "500")]


@respx.mock
async def test_the_same_page_twice_is_a_loop() -> None:
    page = {"total": 10, "requisitions": [REQUISITION, {**REQUISITION, "eId": "other"}]}
    respx.get(f"{BASE_URLS['prod']}/job").respond(json=page)
    async with httpx.AsyncClient() as client:
        connector = _create(client, {"pageSize": 2})
        with pytest.raises(PaginationLoopError):
            _ = [job async for job in connector.jobs()]


async def test_updated_since_is_sent_as_epoch_ms_datestart(harness: JobviteHarness) -> None:
    touched = harness.job_ids()[1]
    harness.touch_job(touched)
    since = datetime.now(UTC) - timedelta(minutes=5)
    async with fake_client(harness) as client:
        connector = harness.connector(client, sleep=no_sleep)
        jobs = [job async for job in connector.jobs(updated_since=since)]
    assert [job.remote_id for job in jobs] == [touched]
    assert harness.fake.requests[-1].params["datestart"] == str(to_epoch_ms(since))


async def test_candidates_once_per_person_applications_once_per_row() -> None:
    harness = make_harness()
    harness.seed(jobs=2, candidates=2, applications=4)  # every person applied twice
    async with fake_client(harness) as client:
        connector = harness.connector(client, sleep=no_sleep, page_size=3)
        candidates = [c async for c in connector.candidates()]
        applications = [a async for a in connector.applications()]
    assert [c.remote_id for c in candidates] == list(harness.fake.candidates)
    assert sorted(a.remote_id for a in applications) == sorted(harness.fake.applications)
    pairs = {(a.candidate_remote_id, a.job_remote_id) for a in applications}
    assert len(pairs) == 4


async def test_incremental_applications_follow_the_application_date(
    harness: JobviteHarness,
) -> None:
    application_id = list(harness.fake.applications)[3]
    harness.fake.touch_application(application_id)
    since = datetime.now(UTC) - timedelta(minutes=5)
    async with fake_client(harness) as client:
        connector = harness.connector(client, sleep=no_sleep)
        applications = [a async for a in connector.applications(updated_since=since)]
        candidates = [c async for c in connector.candidates(updated_since=since)]
    assert [a.remote_id for a in applications] == [application_id]
    assert [c.remote_id for c in candidates] == [
        harness.fake.applications[application_id].candidate_eid
    ]


async def test_get_applications_scans_every_row_for_people_listed_twice() -> None:
    harness = make_harness()
    harness.seed(jobs=3, candidates=2, applications=4)
    twice = list(harness.fake.candidates)[1]
    mine = [a for a in harness.fake.applications.values() if a.candidate_eid == twice]
    assert len(mine) == 2
    mine[0].data["workflowState"] = "Offer"  # changed in Jobvite since the last sync
    # The person's rows are not next to each other here, so stopping at the first
    # match, as get_candidates may, would miss one of their applications.
    rows = list(harness.fake.candidate_rows())
    shuffled = [rows[0], rows[2], rows[1], rows[3]]
    harness.fake.candidate_rows = lambda: iter(shuffled)  # type: ignore[method-assign]
    async with fake_client(harness) as client:
        connector = harness.connector(client, sleep=no_sleep, page_size=1)
        found = await connector.get_applications([twice, "oNoSuch1"])
    assert [r.params["start"] for r in harness.fake.requests] == ["0", "1", "2", "3"]
    assert {a.remote_id for a in found} == {a.data["eId"] for a in mine}
    assert {a.candidate_remote_id for a in found} == {twice}
    stages = {a.remote_id: a.current_stage for a in found}
    assert stages[mine[0].data["eId"]] == "Offer"


async def test_lookups_by_id_stop_once_found() -> None:
    harness = make_harness()
    harness.seed(jobs=12, candidates=3, applications=0)
    wanted = [harness.job_ids()[1], harness.job_ids()[3]]
    async with fake_client(harness) as client:
        connector = harness.connector(client, sleep=no_sleep, page_size=2)
        jobs = await connector.get_jobs(wanted)
        assert len(harness.fake.requests) == 2  # pages 0-1 and 2-3, not all six
        candidate_id = list(harness.fake.candidates)[2]
        candidates = await connector.get_candidates([candidate_id])
        assert await connector.get_jobs([]) == []
    assert [job.remote_id for job in jobs] == wanted
    assert [c.remote_id for c in candidates] == [candidate_id]


# --- errors and retries ----------------------------------------------------------------


def test_in_body_status_maps_to_typed_errors() -> None:
    assert status_error({"total": 1, "requisitions": []}) is None
    assert status_error({"status": {"code": 200, "messages": ["OK"]}}) is None
    assert isinstance(status_error(UNAUTHORIZED), AuthError)
    assert isinstance(status_error({"status": {"code": 404, "messages": []}}), NotFoundError)
    error = status_error({"status": {"code": 400, "messages": ["Invalid value for start"]}})
    assert isinstance(error, UnprocessableError)
    assert error.message == "Jobvite refused (400): Invalid value for start"


@respx.mock
async def test_a_200_carrying_an_error_status_is_raised() -> None:
    respx.get(f"{BASE_URLS['prod']}/candidate").respond(json=UNAUTHORIZED)
    async with httpx.AsyncClient() as client:
        with pytest.raises(AuthError):
            _ = [c async for c in _create(client, {}).candidates()]


async def test_rate_limits_and_server_errors_are_retried(harness: JobviteHarness) -> None:
    sleeps = Sleeps()
    harness.faults.rate_limit(times=1, retry_after=2)
    harness.faults.server_errors(times=2)
    async with fake_client(harness) as client:
        jobs = [job async for job in harness.connector(client, sleep=sleeps).jobs()]
    assert len(jobs) == 3
    assert len(sleeps.delays) == 3 and sleeps.delays[0] >= 2
    assert harness.faults.injected == 3


async def test_malformed_bodies_are_invalid_responses(harness: JobviteHarness) -> None:
    harness.faults.malformed(times=1)
    async with fake_client(harness) as client:
        with pytest.raises(InvalidResponseError):
            _ = [job async for job in harness.connector(client, sleep=no_sleep).jobs()]
        harness.faults.malformed(times=1)
        with pytest.raises(InvalidResponseError):
            _ = [t async for t in harness.connector(client, sleep=no_sleep).onboarding_tasks()]


async def test_v2_writes_are_refused(harness: JobviteHarness) -> None:
    async with fake_client(harness) as client:
        connector = harness.connector(client, sleep=no_sleep)
        with pytest.raises(UnsupportedOperationError):
            await connector.move_stage("ovLmTnq8", "Interview", RECRUITER)
        with pytest.raises(UnsupportedOperationError):
            await connector.add_to_job("dOen2hqr", "iHk17dqT", RECRUITER)
    assert harness.fake.requests == []


# --- the onboarding envelope -----------------------------------------------------------


def test_envelope_round_trips_both_directions() -> None:
    keys = key_pairs()
    request = {"start": 0, "count": 2, "filter": {"task": {"status": {"in": ["pending"]}}}}
    sealed = encrypt_envelope(request, keys.jobvite_public_pem)  # customer -> Jobvite
    assert set(sealed) == {"key", "payload"}
    assert decrypt_envelope(sealed, keys.jobvite) == request
    answer = {"total": 1, "tasks": [{"id": "t1", "name": "Ünïcode ✓"}]}
    sealed = encrypt_envelope(answer, keys.customer.public_key())  # Jobvite -> customer
    assert decrypt_envelope(sealed, keys.customer_private_pem) == answer
    # a fresh AES key every time
    assert encrypt_envelope(answer, keys.customer_public_pem) != encrypt_envelope(
        answer, keys.customer_public_pem
    )


def test_envelope_is_rsa_pkcs1v15_wrapping_aes256_ecb_pkcs7() -> None:
    """Opened by hand with the primitives, not with decrypt_envelope."""
    keys = key_pairs()
    payload = {"task": {"id": "t1", "status": "approved"}}
    sealed = encrypt_envelope(payload, keys.jobvite_public_pem)
    aes_key = keys.jobvite.decrypt(base64.b64decode(sealed["key"]), rsa_padding.PKCS1v15())
    assert len(aes_key) == 32
    decryptor = Cipher(algorithms.AES(aes_key), modes.ECB()).decryptor()
    padded = decryptor.update(base64.b64decode(sealed["payload"])) + decryptor.finalize()
    unpadder = PKCS7(128).unpadder()
    assert orjson.loads(unpadder.update(padded) + unpadder.finalize()) == payload


def _flip(text: str, index: int) -> str:
    data = bytearray(base64.b64decode(text))
    data[index] ^= 0x5A
    return base64.b64encode(bytes(data)).decode()


def test_tampered_envelopes_are_invalid_responses() -> None:
    keys = key_pairs()
    sealed = encrypt_envelope({"tasks": [{"id": "t1", "name": "x" * 40}]}, keys.customer_public_pem)
    ciphertext = base64.b64decode(sealed["payload"])
    tampered = [
        {**sealed, "payload": _flip(sealed["payload"], 0)},
        {**sealed, "payload": _flip(sealed["payload"], len(ciphertext) - 1)},
        {**sealed, "payload": base64.b64encode(ciphertext[:-3]).decode()},
        {**sealed, "key": _flip(sealed["key"], 17)},
        {**sealed, "key": "not base64!"},
        {"key": sealed["key"]},
        ["not", "an", "envelope"],
    ]
    for envelope in tampered:
        with pytest.raises(InvalidResponseError):
            decrypt_envelope(envelope, keys.customer)
    with pytest.raises(InvalidResponseError):  # sealed for someone else
        decrypt_envelope(sealed, stranger_key())
    a_list = encrypt_envelope([1, 2], keys.customer_public_pem)  # type: ignore[arg-type]
    with pytest.raises(InvalidResponseError, match="JSON object"):
        decrypt_envelope(a_list, keys.customer)


def test_keys_load_from_pem_or_bare_base64_der() -> None:
    keys = key_pairs()
    pem = keys.customer_public_pem
    bare = "".join(line for line in pem.splitlines() if "-----" not in line)
    assert load_public_key(bare).public_numbers() == keys.customer.public_key().public_numbers()
    private = private_pem(keys.customer)
    bare_private = "".join(line for line in private.splitlines() if "-----" not in line)
    assert load_private_key(bare_private).private_numbers() == keys.customer.private_numbers()
    with pytest.raises(ConfigurationError):
        load_public_key("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----")
    with pytest.raises(ConfigurationError):
        load_public_key(private)  # a private key is not a public one


# --- onboarding end to end -------------------------------------------------------------


async def test_onboarding_tasks_carry_their_hire(harness: JobviteHarness) -> None:
    async with fake_client(harness) as client:
        connector = harness.connector(client, sleep=no_sleep, page_size=4)
        tasks = [task async for task in connector.onboarding_tasks()]
    fake = harness.fake
    assert len(tasks) == len(fake.tasks) == 12
    for task in tasks:
        process = fake.processes[fake.tasks[task.remote_id]["processId"]]
        assert task.application_remote_id == process["applicationId"]
        assert task.candidate_remote_id == process["candidateId"]
        assert task.remote_updated_at is not None and task.remote_updated_at.tzinfo is UTC
    paths = [r.path for r in fake.requests]
    assert paths.count("/api/v2/task") == 3  # 12 tasks, 4 a page
    assert paths.count("/api/v2/process") == 3  # one batched process lookup per page


async def test_create_onboarding_tasks_records_payload_and_attribution(
    harness: JobviteHarness,
) -> None:
    application_id = list(harness.fake.applications)[2]
    drafts = [
        OnboardingTaskDraft(
            title="Upload ID", description="Passport or licence", task_type="DOC",
            due_date=date(2024, 4, 1),
        ),
        OnboardingTaskDraft(title="Pick a laptop"),
    ]  # fmt: skip
    async with fake_client(harness) as client:
        connector = harness.connector(client, sleep=no_sleep)
        results = await connector.create_onboarding_tasks(application_id, drafts, RECRUITER)
        assert await connector.create_onboarding_tasks(application_id, [], RECRUITER) == []
    fake = harness.fake
    process = next(p for p in fake.processes.values() if p["applicationId"] == application_id)
    [write] = fake.writes
    assert write.path == "/api/v2/task/create"
    by = {"userId": "uRecr001", "email": "priya.raman@demoagency.example"}
    assert write.payload == {
        "tasks": [
            {"processId": process["id"], "name": "Upload ID", "description": "Passport or licence",
             "type": "DOC", "dueDate": "2024-04-01", "createdBy": by},
            {"processId": process["id"], "name": "Pick a laptop", "createdBy": by},
        ]
    }  # fmt: skip
    assert [fake.tasks[str(r.remote_id)]["name"] for r in results] == ["Upload ID", "Pick a laptop"]
    assert all(r.raw["status"] == "pending" for r in results)


async def test_review_onboarding_task_approves_and_rejects(harness: JobviteHarness) -> None:
    first, second = list(harness.fake.tasks)[:2]
    async with fake_client(harness) as client:
        connector = harness.connector(client, sleep=no_sleep)
        approved = await connector.review_onboarding_task(first, True, RECRUITER)
        rejected = await connector.review_onboarding_task(
            second, False, Attribution(remote_id="u2"), notes="Blurry scan"
        )
        since = datetime.now(UTC) - timedelta(minutes=5)
        changed = [t async for t in connector.onboarding_tasks(updated_since=since)]
    assert approved.remote_id == first and approved.raw["status"] == "approved"
    assert rejected.raw["status"] == "rejected" and rejected.raw["notes"] == "Blurry scan"
    assert [w.payload for w in harness.fake.writes] == [
        {"task": {"id": first, "status": "approved", "reviewedBy": {
            "userId": "uRecr001", "email": "priya.raman@demoagency.example"}}},
        {"task": {"id": second, "status": "rejected", "reviewedBy": {"userId": "u2"},
                  "notes": "Blurry scan"}},
    ]  # fmt: skip
    assert {t.remote_id: t.status for t in changed} == {first: "approved", second: "rejected"}


async def test_onboarding_client_lists_and_completes_tasks(harness: JobviteHarness) -> None:
    process_id = next(iter(harness.fake.processes))
    async with fake_client(harness) as client:
        onboarding = harness.connector(client, sleep=no_sleep).onboarding
        assert isinstance(onboarding, JobviteOnboardingClient)
        processes = [p async for page in onboarding.processes() for p in page]
        tasks = [t async for page in onboarding.process_tasks(process_id) for t in page]
        done = await onboarding.complete_task(tasks[0]["id"], RECRUITER)
    assert len(processes) == 6
    assert {t["processId"] for t in tasks} == {process_id} and len(tasks) == 2
    assert done["status"] == "completed"
    assert harness.fake.writes[-1].payload["task"]["completedBy"] == {
        "userId": "uRecr001",
        "email": "priya.raman@demoagency.example",
    }


async def test_onboarding_not_found_cases(harness: JobviteHarness) -> None:
    async with fake_client(harness) as client:
        connector = harness.connector(client, sleep=no_sleep)
        with pytest.raises(NotFoundError):
            await connector.review_onboarding_task("no-such-task", True, RECRUITER)
        with pytest.raises(NotFoundError, match="no onboarding process"):
            await connector.create_onboarding_tasks(
                "oNoProcess", [OnboardingTaskDraft(title="x")], RECRUITER
            )
    assert harness.fake.writes == []


async def test_a_request_sealed_for_the_wrong_key_is_refused(harness: JobviteHarness) -> None:
    async with fake_client(harness) as client:
        connector = harness.connector(client, sleep=no_sleep)
        assert connector.onboarding is not None
        connector.onboarding.jobvite_public_key = stranger_key().public_key()
        with pytest.raises(UnprocessableError) as refused:
            _ = [t async for t in connector.onboarding_tasks()]
    assert "Unable to decrypt" in (refused.value.detail or "")


async def test_an_answer_sealed_for_someone_else_is_invalid(harness: JobviteHarness) -> None:
    harness.fake.customer_public_key = stranger_key().public_key()
    async with fake_client(harness) as client:
        connector = harness.connector(client, sleep=no_sleep)
        with pytest.raises(InvalidResponseError):
            await connector.check()


async def test_without_onboarding_keys(harness: JobviteHarness) -> None:
    credentials = {"apiKey": harness.fake.api_key, "apiSecret": harness.fake.api_secret}
    async with fake_client(harness) as client:
        connector = harness.connector(client, credentials=credentials, sleep=no_sleep)
        assert [t async for t in connector.onboarding_tasks()] == []
        with pytest.raises(ConfigurationError):
            await connector.review_onboarding_task("t", True, RECRUITER)
        with pytest.raises(ConfigurationError):
            await connector.create_onboarding_tasks(
                "a", [OnboardingTaskDraft(title="x")], RECRUITER
            )
        assert (await connector.check()).detail == "3 requisitions"
    assert all(r.path == "/api/v2/job" for r in harness.fake.requests)


async def test_onboarding_base_url_override() -> None:
    harness = make_harness()
    harness.seed(jobs=1, candidates=1, applications=1)
    config = {**harness.config(), "onboardingBaseUrl": "https://onboarding.test/api/v2"}
    hosts: list[str] = []

    async def record(request: httpx.Request) -> None:
        hosts.append(request.url.host)

    transport = httpx.ASGITransport(app=harness.app)
    async with httpx.AsyncClient(transport=transport, event_hooks={"request": [record]}) as client:
        connector = JobviteConnector.create(
            client, harness.good_credentials, config, integration="t", sleep=no_sleep
        )
        tasks = [t async for t in connector.onboarding_tasks()]
        _ = [j async for j in connector.jobs()]
    assert len(tasks) == 2
    assert hosts == ["onboarding.test", "onboarding.test", "api.jobvite.com"]


@respx.mock
async def test_onboarding_error_status_is_raised_before_decrypting() -> None:
    respx.get(f"{BASE_URLS['prod']}/job").respond(json={"total": 0, "requisitions": []})
    respx.post(f"{BASE_URLS['prod']}/process").respond(json=UNAUTHORIZED)
    keys = key_pairs()
    async with httpx.AsyncClient() as client:
        connector = _create(
            client,
            {"jobvitePublicKey": keys.jobvite_public_pem},
            onboardingPrivateKey=keys.customer_private_pem,
        )
        with pytest.raises(AuthError, match="Invalid api/secret"):
            await connector.check()


@respx.mock
async def test_onboarding_pages_served_twice_are_a_loop() -> None:
    keys = key_pairs()
    tasks = [{"id": "t1", "processId": "p1"}, {"id": "t2", "processId": "p1"}]
    sealed = encrypt_envelope({"total": 10, "tasks": tasks}, keys.customer_public_pem)
    route = respx.post(f"{BASE_URLS['prod']}/task").respond(json=dict(sealed))
    async with httpx.AsyncClient() as client:
        connector = _create(
            client,
            {"jobvitePublicKey": keys.jobvite_public_pem, "pageSize": 2},
            onboardingPrivateKey=keys.customer_private_pem,
        )
        assert connector.onboarding is not None
        with pytest.raises(PaginationLoopError):
            _ = [t async for page in connector.onboarding.tasks() for t in page]
    opened = decrypt_envelope(orjson.loads(route.calls[1].request.content), keys.jobvite)
    assert opened == {"start": 2, "count": 2}
