"""Recruiterflow quirks: mapping of the vendor's own examples, its two list shapes and
short-page ending, applications built from stage movements, client-side
``updated_since``, every write against the fake, and its error answers."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, cast

import httpx
import pytest
import respx

from connectors.errors import (
    AuthError,
    ConfigurationError,
    InvalidRecruiterError,
    InvalidResponseError,
    NotFoundError,
    PaginationLoopError,
    ServerError,
    UnprocessableError,
)
from connectors.models import Attribution
from connectors.recruiterflow.account import (
    custom_field_from_raw,
    custom_field_value,
    stages_from_raw,
    user_from_raw,
)
from connectors.recruiterflow.applications import (
    application_from_raw,
    split_application_id,
    stage_kind,
)
from connectors.recruiterflow.candidates import activity_from_raw, candidate_from_raw
from connectors.recruiterflow.connector import RecruiterflowAuth, RecruiterflowConnector
from connectors.recruiterflow.fields import parse_time
from connectors.recruiterflow.jobs import job_from_raw, job_state
from connectors.recruiterflow.payloads import (
    RawActivity,
    RawCandidate,
    RawCustomField,
    RawJob,
    RawMovementJob,
    RawUser,
)
from demo.sandbox.recruiterflow import NOT_IN_ACCOUNT
from tests.connectors.harness.recruiterflow import RecruiterflowHarness, make_harness
from tests.support.paths import SPECS

SPEC = SPECS / "recruiterflow-openapi.json"
RECRUITER = Attribution(remote_id="10447", email="admin@rfstaging.xyz")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, sec: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, sec, tzinfo=UTC)


@cache
def _spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC.read_text())
    return loaded


def example(path: str, method: str = "get") -> Any:
    """The 200 example of ``path`` in Recruiterflow's OpenAPI document."""
    content = _spec()["paths"][path][method]["responses"]["200"]["content"]["application/json"]
    return content["example"] if "example" in content else content["schema"]["example"]


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def harness() -> RecruiterflowHarness:
    made = make_harness()
    made.seed(jobs=12, candidates=8, applications=20)
    return made


@pytest.fixture
def seen() -> list[httpx.Request]:
    return []


@pytest.fixture
async def client(
    harness: RecruiterflowHarness, seen: list[httpx.Request]
) -> AsyncIterator[httpx.AsyncClient]:
    async def record(request: httpx.Request) -> None:
        seen.append(request)

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=harness.app),
        base_url="http://fake",
        event_hooks={"request": [record]},
    ) as http:
        yield http


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def connector(
    harness: RecruiterflowHarness, client: httpx.AsyncClient, sleeps: Sleeps
) -> RecruiterflowConnector:
    return harness.connector(client, sleep=sleeps, page_size=5)


def paths(requests: list[httpx.Request], suffix: str) -> list[httpx.Request]:
    return [r for r in requests if r.url.path.endswith(suffix)]


async def collect(iterator: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in iterator]


# -- mapping the vendor's examples ------------------------------------------------------


def test_job_list_example_maps_to_a_remote_job() -> None:
    raw = cast(RawJob, example("/api/external/job/list")[0])
    job = job_from_raw(raw)
    assert job.remote_id == "1"
    assert job.title == "Staging Job 1"
    assert (job.status, job.remote_status) == ("open", "Status 1")
    assert job.location == "London"
    assert (job.department, job.employment_type) == ("Engineering", "Contract")
    assert job.client_name is None, "the list example names no company"
    assert job.opened_at == utc(2025, 5, 26, 7, 43, 33), "last_opened, +05:30 moved to UTC"
    assert job.remote_updated_at == job.opened_at
    assert job.recruiter_remote_id == "10447"
    assert job.estimated_fee is None, "a contract job has no expected_fee"
    assert job.raw == {
        **raw,
        "recruiter": {"id": "10447", "email": "admin@rfstaging.xyz", "name": "Chérôme Shenoy"},
    }, "the vendor's record, plus who the job's recruiter is"


def test_job_detail_example_names_the_client_and_closing_date() -> None:
    raw = cast(RawJob, example("/api/external/job"))
    assert job_from_raw(raw).client_name == "Guarented I"
    closed = job_from_raw(cast(RawJob, {**raw, "is_open": False}))
    assert closed.status == "closed"
    assert closed.closed_at == utc(2022, 8, 31)


def test_created_at_is_the_opening_time_when_present() -> None:
    raw = cast(RawJob, {**example("/api/external/job/list")[0], "created_at": "2024-02-01"})
    assert job_from_raw(raw).opened_at == utc(2024, 2, 1)


def test_estimated_fee_from_expected_fee_fee_or_a_configured_custom_field() -> None:
    base = example("/api/external/job/list")[0]
    contingent = {**base, "expected_fee": {"currency": "USD", "number": 35000}}
    job = job_from_raw(cast(RawJob, contingent))
    assert (job.estimated_fee, job.currency) == (Decimal("35000"), "USD")
    plain = job_from_raw(cast(RawJob, {**base, "fee": "12,500.50"}))
    assert (plain.estimated_fee, plain.currency) == (Decimal("12500.50"), "USD")
    custom = job_from_raw(cast(RawJob, contingent), fee_field="number FIELD")
    assert (custom.estimated_fee, custom.currency) == (Decimal("2"), "USD")
    missing = job_from_raw(cast(RawJob, contingent), fee_field="No such field")
    assert missing.estimated_fee is None


@pytest.mark.parametrize(
    ("raw", "state"),
    [
        ({"is_open": True, "job_status": {"name": "Status 1"}}, "open"),
        ({"is_open": False, "job_status": {"name": "Status 1"}}, "closed"),
        ({"is_open": True, "job_status": {"name": "On Hold"}}, "on_hold"),
        ({"is_open": False, "job_status": {"name": "Open"}}, "closed"),
        ({"is_open": False, "job_status": {"name": "Archived"}}, "archived"),
        ({"is_open": True, "job_status": {"name": "Inactive"}}, "closed"),
        ({"status": "actively_sourcing"}, "open"),
        ({"status": {"name": "Filled"}}, "closed"),
        ({"status": "Draft"}, "draft"),
        ({}, "open"),
    ],
)
def test_job_states_map_to_the_common_vocabulary(raw: dict[str, Any], state: str) -> None:
    assert job_state(cast(RawJob, raw)) == state


@pytest.mark.parametrize("path", ["/api/external/candidate/list", "/api/external/candidate/get"])
def test_candidate_examples_map_to_remote_candidates(path: str) -> None:
    body = example(path)
    raw = cast(RawCandidate, body["data"][0] if isinstance(body, dict) else body[0])
    candidate = candidate_from_raw(raw)
    assert candidate.remote_id == "154651"
    assert (candidate.name, candidate.first_name, candidate.last_name) == (
        "Sumit Neogi",
        "Sumit",
        "Neogi",
    )
    assert (candidate.email, candidate.phone) == (None, "23432443")
    assert candidate.location is None, "every location part is empty"
    assert candidate.source == "LinkedIn"
    assert candidate.resume_url and candidate.resume_url.startswith("https://")
    assert candidate.created_at == utc(2021, 1, 15, 5, 46, 1)
    assert candidate.remote_updated_at == utc(2021, 1, 18, 6, 4, 16)


def test_candidate_emails_as_objects_prefer_the_primary() -> None:
    raw = cast(
        RawCandidate,
        {
            "id": 1,
            "first_name": "Ada",
            "email": [
                {"email": "old@x.io", "is_primary": 0},
                {"email": "ada@x.io", "is_primary": 1},
            ],
            "tags": [{"name": "Java"}, "Go", ""],
        },
    )
    candidate = candidate_from_raw(raw)
    assert (candidate.name, candidate.email, candidate.tags) == ("Ada", "ada@x.io", ("Java", "Go"))


def test_stage_movement_example_maps_to_applications_with_transitions() -> None:
    data = example("/api/external/candidate/activities/stage-movement/list")["data"]
    job = cast(RawMovementJob, data["jobs"][1])
    application = application_from_raw(data["id"], job)
    assert application.remote_id == "24:3"
    assert (application.candidate_remote_id, application.job_remote_id) == ("24", "3")
    assert (application.status, application.current_stage) == ("active", "Client Interview")
    assert [(t.from_stage, t.to_stage) for t in application.transitions] == [
        (None, "Sourced"),
        ("Sourced", "Recruiter Screen"),
        ("Recruiter Screen", "Company Submission"),
        ("Company Submission", "Client Interview"),
    ]
    first = application.transitions[0]
    assert first.entered_at == utc(2023, 3, 29, 14, 26, 38)
    assert first.left_at == utc(2023, 3, 29, 14, 26, 43)
    assert first.moved_by is not None and first.moved_by.remote_id == "1"
    assert first.moved_by.email == "johndoe@example.com"
    assert application.applied_at == first.entered_at
    assert application.remote_updated_at == utc(2023, 3, 29, 14, 26, 46)


def test_a_disqualified_application_is_rejected_with_the_listing_reason() -> None:
    job = cast(
        RawMovementJob,
        {
            "id": 7,
            "transitions": [
                {"to": "Disqualified", "from": "Sourced", "entered": "2024-01-02T10:00:00+0000"},
                {"to": "Sourced", "from": None, "entered": "2024-01-01T10:00:00+0000"},
            ],
        },
    )
    listing = {"job_id": 7, "stage_name": "Disqualified", "disqualification_reason": "Salary"}
    application = application_from_raw("5", job, listing)
    assert [t.to_stage for t in application.transitions] == ["Sourced", "Disqualified"]
    assert (application.status, application.rejection_reason) == ("rejected", "Salary")
    assert application.rejected_at == utc(2024, 1, 2, 10)
    assert application.raw["candidate_job"] == listing


def test_activity_user_and_custom_field_examples_map() -> None:
    activity = activity_from_raw(
        cast(RawActivity, example("/api/external/candidate/activity/list")["data"][0])
    )
    assert (activity.remote_id, activity.kind) == ("1000", "Added to job")
    assert activity.occurred_at == utc(2023, 12, 18, 12, 17)
    assert (activity.candidate_remote_id, activity.job_remote_id) == ("22", "1")
    assert activity.description and activity.description.startswith("Michael Scott added")

    users = [user_from_raw(cast(RawUser, u)) for u in example("/api/external/user/list")["data"]]
    assert [(u.remote_id, u.name, u.role) for u in users] == [
        ("40201", "Manish Kotian", "Admin"),
        ("40626", "Manish Kotian", "Contact"),
    ]

    fields = example("/api/external/job/custom-field/list")["data"]
    mapped = [custom_field_from_raw(cast(RawCustomField, f)) for f in fields]
    assert (mapped[1].remote_id, mapped[1].name, mapped[1].field_type) == (
        "64",
        "Number field",
        "number",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-03-29T14:26:43+0000", utc(2023, 3, 29, 14, 26, 43)),
        ("2025-05-26T13:13:33+05:30", utc(2025, 5, 26, 7, 43, 33)),
        ("2023-12-18T12:17:00+00:00", utc(2023, 12, 18, 12, 17)),
        ("2021-01-15T05:46:01Z", utc(2021, 1, 15, 5, 46, 1)),
        ("2023-04-30T10:30:00", utc(2023, 4, 30, 10, 30)),
        ("2022-08-31", utc(2022, 8, 31)),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_times_are_parsed_to_aware_utc(text: str | None, expected: datetime | None) -> None:
    assert parse_time(text) == expected


def test_stage_kinds_and_custom_field_values() -> None:
    assert [stage_kind(s) for s in ("Sourced", "Recruiter Screen", "Client Interview")] == [
        "applied",
        "screen",
        "interview",
    ]
    assert [stage_kind(s) for s in ("Offer", "Hired", "Disqualified", "Company Submission")] == [
        "offer",
        "hired",
        "rejected",
        "other",
    ]
    assert custom_field_value("number", "3") == 3
    assert custom_field_value("number", "2.5") == 2.5
    assert custom_field_value("yes_no", "true") == 1
    assert custom_field_value("long_text", "3") == "3"
    with pytest.raises(UnprocessableError):
        custom_field_value("number", "first")


@pytest.mark.parametrize("bad", ["154651", "154651:", ":12", "a:b", "1:2:3"])
def test_application_ids_are_candidate_colon_job(bad: str) -> None:
    assert split_application_id("154651:12") == (154651, 12)
    with pytest.raises(UnprocessableError):
        split_application_id(bad)


# -- configuration and auth -------------------------------------------------------------


async def test_missing_key_and_bad_page_size_are_configuration_errors(
    client: httpx.AsyncClient,
) -> None:
    with pytest.raises(ConfigurationError):
        RecruiterflowConnector.create(client, {}, {}, integration="t")
    with pytest.raises(ConfigurationError):
        RecruiterflowConnector.create(client, {"apiKey": "k"}, {"pageSize": 0}, integration="t")


async def test_the_key_goes_in_the_rf_api_key_header_and_nowhere_else(
    connector: RecruiterflowConnector, seen: list[httpx.Request], harness: RecruiterflowHarness
) -> None:
    assert (await connector.check()).detail == "Recruiterflow account 'RF (company)'"
    request = seen[-1]
    assert (request.method, request.url.path) == ("POST", "/api/external/info")
    assert request.headers["RF-Api-Key"] == harness.fake.api_key
    assert harness.fake.api_key not in str(request.url)
    assert harness.fake.api_key not in repr(RecruiterflowAuth(harness.fake.api_key))


async def test_a_wrong_key_is_an_auth_error_without_the_key_in_it(
    harness: RecruiterflowHarness, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    bad = harness.connector(client, credentials=harness.bad_credentials, sleep=sleeps)
    with pytest.raises(AuthError) as raised:
        await collect(bad.jobs())
    assert raised.value.status == 401
    assert "RF-Api-Key" in (raised.value.detail or "")
    assert harness.bad_credentials["apiKey"] not in str(raised.value)
    assert sleeps.calls == []


async def test_the_fake_refuses_a_missing_key_in_the_failure_shape(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/external/job/list")
    assert response.status_code == 401
    assert response.json()["RESULT"] == "FAILURE"


async def test_base_url_comes_from_config() -> None:
    async with httpx.AsyncClient() as client, respx.mock(assert_all_called=True) as mock:
        route = mock.post("https://rf.example.test/api/external/info").respond(
            json={"data": {"display_name": "Staging"}}
        )
        connector = RecruiterflowConnector.create(
            client, {"apiKey": "k"}, {"baseUrl": "https://rf.example.test/"}, integration="t"
        )
        assert (await connector.check()).detail == "Recruiterflow account 'Staging'"
        assert route.calls.last.request.headers["RF-Api-Key"] == "k"


# -- paging -----------------------------------------------------------------------------


async def test_job_list_is_a_bare_array_ending_on_the_first_short_page(
    connector: RecruiterflowConnector, seen: list[httpx.Request], client: httpx.AsyncClient
) -> None:
    jobs = await collect(connector.jobs())
    assert len(jobs) == 12
    pages = paths(seen, "/job/list")
    assert [r.url.params["current_page"] for r in pages] == ["1", "2", "3"]
    assert {r.url.params["items_per_page"] for r in pages} == {"5"}
    assert "include_count" not in pages[0].url.params
    bare = await client.get(
        "/api/external/job/list",
        params={"items_per_page": 5, "current_page": 3},
        headers={"RF-Api-Key": connector.context.credentials["apiKey"]},
    )
    assert isinstance(bare.json(), list) and len(bare.json()) == 2


async def test_an_exact_multiple_of_the_page_size_ends_on_an_empty_page(
    harness: RecruiterflowHarness,
    client: httpx.AsyncClient,
    sleeps: Sleeps,
    seen: list[httpx.Request],
) -> None:
    connector = harness.connector(client, sleep=sleeps, page_size=4)
    assert len(await collect(connector.jobs())) == 12
    assert [r.url.params["current_page"] for r in paths(seen, "/job/list")] == ["1", "2", "3", "4"]


async def test_include_count_changes_the_shape_and_both_shapes_are_read(
    client: httpx.AsyncClient, harness: RecruiterflowHarness
) -> None:
    counted = await client.get(
        "/api/external/job/list",
        params={"include_count": "true", "items_per_page": 5, "current_page": 1},
        headers={"RF-Api-Key": harness.fake.api_key},
    )
    body = counted.json()
    assert (len(body["data"]), body["total_items"]) == (5, 12)
    assert body["total_current_openings"] == 12

    raw = example("/api/external/job/list")[0]
    async with httpx.AsyncClient() as http, respx.mock() as mock:
        mock.get("https://api.recruiterflow.com/api/external/job/list").respond(
            json={"data": [raw], "total_items": 1}
        )
        rf = RecruiterflowConnector.create(http, {"apiKey": "k"}, {}, integration="t")
        assert [job.title for job in await collect(rf.jobs())] == ["Staging Job 1"]


async def test_candidates_page_as_data_objects(
    connector: RecruiterflowConnector, seen: list[httpx.Request]
) -> None:
    candidates = await collect(connector.candidates())
    assert [c.remote_id for c in candidates] == [str(154651 + n) for n in range(8)]
    assert len(paths(seen, "/candidate/list")) == 2


async def test_applications_come_from_each_candidates_stage_movements(
    harness: RecruiterflowHarness, connector: RecruiterflowConnector, seen: list[httpx.Request]
) -> None:
    lonely = harness.fake.add_candidate(99)
    applications = await collect(connector.applications())
    assert len(applications) == 20
    assert {a.remote_id for a in applications} == {f"{c}:{j}" for c, j in harness.fake.applications}
    movements = paths(seen, "/stage-movement/list")
    asked = {r.url.params["id"] for r in movements}
    assert str(lonely) not in asked, "a candidate in no job costs no request"
    assert len(asked) == 8
    rejected = [a for a in applications if a.status == "rejected"]
    assert rejected and all(a.rejection_reason == "Not a fit" for a in rejected)
    assert all(a.current_stage == a.transitions[-1].to_stage for a in applications)


async def test_stage_movements_page_over_jobs(
    harness: RecruiterflowHarness,
    client: httpx.AsyncClient,
    sleeps: Sleeps,
    seen: list[httpx.Request],
) -> None:
    candidate = 154651
    for job in list(harness.fake.jobs)[:6]:
        if (candidate, job) not in harness.fake.applications:
            await client.post(
                "/api/external/candidate/add-to-job",
                json={"id": candidate, "job_id": job},
                headers={"RF-Api-Key": harness.fake.api_key},
            )
    wanted = {j for c, j in harness.fake.applications if c == candidate}
    assert len(wanted) == 6
    connector = harness.connector(client, sleep=sleeps, page_size=4)
    applications = await collect(connector.applications())
    mine = [a for a in applications if a.candidate_remote_id == str(candidate)]
    assert {a.job_remote_id for a in mine} == {str(j) for j in wanted}
    pages = [r for r in paths(seen, "/stage-movement/list") if r.url.params["id"] == "154651"]
    assert [r.url.params["current_page"] for r in pages] == ["1", "2"]


def _movement_page(jobs: list[Any]) -> dict[str, Any]:
    return {"data": {"id": "24", "name": "Thor Odinson", "jobs": jobs}}


async def test_a_job_continued_on_the_next_page_is_one_application() -> None:
    t = [
        {"from": None, "to": "Sourced", "entered": "2024-01-01T00:00:00+0000"},
        {"from": "Sourced", "to": "Applied", "entered": "2024-01-02T00:00:00+0000"},
        {"from": "Applied", "to": "Offer", "entered": "2024-01-03T00:00:00+0000"},
    ]
    pages = {
        "1": _movement_page([{"id": 3, "transitions": t[:1]}, {"id": 4, "transitions": t[:2]}]),
        "2": _movement_page([{"id": 4, "transitions": t[2:]}]),
    }

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/candidate/list"):
            return httpx.Response(200, json={"data": [{"id": 24, "name": "Thor Odinson"}]})
        return httpx.Response(200, json=pages[request.url.params["current_page"]])

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        rf = RecruiterflowConnector.create(http, {"apiKey": "k"}, {"pageSize": 2}, integration="t")
        applications = await collect(rf.applications())
    assert [(a.remote_id, a.current_stage) for a in applications] == [
        ("24:3", "Sourced"),
        ("24:4", "Offer"),
    ]
    assert len(applications[1].transitions) == 3


async def test_listed_jobs_without_movements_and_vanished_candidates() -> None:
    listing = [
        {"id": 24, "name": "Thor", "jobs": [{"job_id": 3, "stage_name": "Applied"}]},
        {"id": 25, "name": "Loki", "jobs": [{"job_id": 3, "stage_name": "Sourced"}]},
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/candidate/list"):
            return httpx.Response(200, json={"data": listing})
        if request.url.params["id"] == "25":
            return httpx.Response(404, json={"RESULT": "FAILURE", "message": "Not found"})
        return httpx.Response(200, json=_movement_page([]))

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        rf = RecruiterflowConnector.create(http, {"apiKey": "k"}, {}, integration="t")
        applications = await collect(rf.applications())
    assert [(a.remote_id, a.current_stage, a.transitions) for a in applications] == [
        ("24:3", "Applied", ())
    ]


async def test_a_page_served_twice_is_a_pagination_loop() -> None:
    raw = example("/api/external/job/list")[0]
    async with httpx.AsyncClient() as http, respx.mock() as mock:
        mock.get("https://api.recruiterflow.com/api/external/job/list").respond(json=[raw])
        rf = RecruiterflowConnector.create(http, {"apiKey": "k"}, {"pageSize": 1}, integration="t")
        with pytest.raises(PaginationLoopError):
            await collect(rf.jobs())


# -- updated_since, applied here --------------------------------------------------------


async def test_updated_since_filters_jobs_on_updated_at_client_side(
    harness: RecruiterflowHarness, connector: RecruiterflowConnector, seen: list[httpx.Request]
) -> None:
    no_time = harness.fake.add_job(50, updated_at=None)
    since = datetime.now(UTC)
    harness.touch_job(harness.job_ids()[2])
    recent = await collect(connector.jobs(updated_since=since))
    assert {j.remote_id for j in recent} == {harness.job_ids()[2], str(no_time)}
    assert all(
        set(r.url.params) == {"current_page", "items_per_page"} for r in paths(seen, "/job/list")
    ), "the API has no update filter to send"
    naive = await collect(connector.jobs(updated_since=since.replace(tzinfo=None)))
    assert len(naive) == 2


async def test_updated_since_keeps_applications_with_recent_transitions(
    connector: RecruiterflowConnector, harness: RecruiterflowHarness
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    await connector.move_stage("154651:1001", "Offer", RECRUITER)
    recent = await collect(connector.applications(updated_since=since))
    assert [(a.remote_id, a.current_stage) for a in recent] == [("154651:1001", "Offer")]
    moved = recent[0].transitions[-1]
    assert moved.moved_by is not None and moved.moved_by.remote_id == "10447"


# -- other reads ------------------------------------------------------------------------


async def test_stages_are_the_pipeline_in_order_then_other_names(
    connector: RecruiterflowConnector,
) -> None:
    stages = await connector.stages()
    assert [s.name for s in stages[:3]] == ["Sourced", "Applied", "Recruiter Screen"]
    assert [s.remote_id for s in stages[:2]] == ["1", "2"]
    assert [s.position for s in stages] == list(range(len(stages)))
    assert [(s.remote_id, s.kind) for s in stages[-2:]] == [
        ("Phone Interview", "interview"),
        ("Onsite Interview", "interview"),
    ]
    assert len({s.name for s in stages}) == len(stages)


async def test_users_activities_and_custom_fields(
    connector: RecruiterflowConnector, seen: list[httpx.Request]
) -> None:
    users = await collect(connector.users())
    assert {u.remote_id: u.role for u in users}["10447"] == "Recruiter"
    activities = await collect(connector.activities("154651"))
    assert activities and all(a.candidate_remote_id == "154651" for a in activities)
    assert {a.kind for a in activities} >= {"Added to job", "Stage changed"}
    first = await connector.custom_fields()
    again = await connector.custom_fields()
    assert first is again and "Current Rank" in {f.name for f in first}
    assert len(paths(seen, "/custom-field/list")) == 1


async def test_get_jobs_reads_details_and_skips_unknown_ids(
    connector: RecruiterflowConnector, harness: RecruiterflowHarness, seen: list[httpx.Request]
) -> None:
    closed = harness.job_ids()[6]
    found = await connector.get_jobs([harness.job_ids()[0], closed, "999999", "x"])
    assert [j.remote_id for j in found] == [harness.job_ids()[0], closed]
    assert found[0].client_name == "Guarented I"
    assert (found[1].status, found[1].closed_at) == ("closed", utc(2024, 2, 14))
    assert [r.url.params["job_id"] for r in paths(seen, "/api/external/job")] == [
        harness.job_ids()[0],
        closed,
        "999999",
    ]


async def test_fee_custom_field_from_config(
    harness: RecruiterflowHarness, client: httpx.AsyncClient, sleeps: Sleeps
) -> None:
    rf = RecruiterflowConnector.create(
        client,
        harness.good_credentials,
        {"feeCustomField": "Placement Fee"},
        integration="t",
        sleep=sleeps,
    )
    jobs = await collect(rf.jobs())
    assert {j.estimated_fee for j in jobs} == {Decimal("20000")}


async def test_get_candidates_unwraps_the_one_element_list(
    connector: RecruiterflowConnector,
) -> None:
    found = await connector.get_candidates(["154652", "1"])
    assert [(c.remote_id, c.name) for c in found] == [("154652", "Steve Rogers")]


# -- get_applications: a webhook's targeted refetch -------------------------------------


async def test_get_applications_reads_the_detail_then_the_movements_of_each(
    harness: RecruiterflowHarness, connector: RecruiterflowConnector, seen: list[httpx.Request]
) -> None:
    lonely = harness.fake.add_candidate(99)
    seen.clear()
    found = await connector.get_applications(["154652", str(lonely), "999999", "x", "154652"])
    wanted = sorted(j for c, j in harness.fake.applications if c == 154652)
    assert [a.remote_id for a in found] == [f"154652:{j}" for j in wanted]
    details = [r.url.params["id"] for r in paths(seen, "/candidate/get")]
    assert sorted(details) == sorted(["154652", str(lonely), "999999"]), "repeats asked once"
    movements = [r.url.params["id"] for r in paths(seen, "/stage-movement/list")]
    assert movements == ["154652"], "no movements read for someone in no job, or no one"
    assert all(a.current_stage == a.transitions[-1].to_stage for a in found)


async def test_get_applications_sees_a_move_at_once(
    harness: RecruiterflowHarness, connector: RecruiterflowConnector
) -> None:
    await connector.move_stage("154651:1001", "Client Interview", RECRUITER)
    found = {a.remote_id: a for a in await connector.get_applications(["154651"])}
    moved = found["154651:1001"]
    assert moved.current_stage == "Client Interview"
    assert moved.transitions[-1].moved_by is not None
    assert moved.transitions[-1].moved_by.remote_id == "10447"
    assert moved.transitions[-1].from_stage == moved.transitions[-2].to_stage


async def test_get_applications_reads_up_to_concurrency_candidates_at_once_in_order(
    harness: RecruiterflowHarness, sleeps: Sleeps
) -> None:
    in_flight, peak = 0, 0

    async def counting(scope: Any, receive: Any, send: Any) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            await asyncio.sleep(0.005)
            await harness.app(scope, receive, send)
        finally:
            in_flight -= 1

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=counting), base_url="http://fake"
    ) as http:
        rf = RecruiterflowConnector.create(
            http,
            harness.good_credentials,
            {"pageSize": 5, "concurrency": 3},
            integration="t",
            sleep=sleeps,
        )
        asked = [str(c) for c in sorted(harness.fake.candidates, reverse=True)]
        found = await rf.get_applications(asked)
    assert peak == 3, "bounded, and actually concurrent"
    order = list(dict.fromkeys(a.candidate_remote_id for a in found))
    assert order == asked, "applications come in the order the candidates were asked for"
    assert len(found) == len(harness.fake.applications)


async def test_get_applications_passes_over_a_candidate_deleted_between_the_reads() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/candidate/get"):
            candidate = request.url.params["id"]
            return httpx.Response(200, json=[{"id": int(candidate), "jobs": [{"job_id": 3}]}])
        if request.url.params["id"] == "25":
            return httpx.Response(404, json={"RESULT": "FAILURE", "message": "Not found"})
        return httpx.Response(200, json=_movement_page([]))

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        rf = RecruiterflowConnector.create(http, {"apiKey": "k"}, {}, integration="t")
        found = await rf.get_applications(["25", "24"])
    assert [a.remote_id for a in found] == ["24:3"]


async def test_get_applications_raises_the_first_failure_in_order() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["id"] == "26":
            return httpx.Response(403, json={"RESULT": "FAILURE", "message": "Forbidden"})
        return httpx.Response(200, json=[{"id": int(request.url.params["id"]), "jobs": []}])

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        rf = RecruiterflowConnector.create(http, {"apiKey": "k"}, {}, integration="t")
        with pytest.raises(AuthError):
            await rf.get_applications(["24", "26", "27"])


# -- writes -----------------------------------------------------------------------------


async def test_move_stage_sends_the_stage_name_and_the_acting_user(
    connector: RecruiterflowConnector, harness: RecruiterflowHarness
) -> None:
    result = await connector.move_stage("154651:1001", "Client Interview", RECRUITER)
    assert result.remote_id == "154651:1001"
    assert result.raw == {"RESULT": "SUCCESS"}
    write = harness.fake.writes[-1]
    assert write.path == "/api/external/candidate/move-to-stage"
    assert write.body == {
        "id": 154651,
        "job_id": 1001,
        "stage": {"name": "Client Interview"},
        "user_id": 10447,
    }
    application = harness.fake.applications[154651, 1001]
    assert application.stage == "Client Interview"
    assert application.transitions[-1]["stage_moved_by"]["id"] == 10447


async def test_move_stage_without_attribution_sends_no_user(
    connector: RecruiterflowConnector, harness: RecruiterflowHarness
) -> None:
    await connector.move_stage("154651:1001", "Offer", None)
    assert "user_id" not in harness.fake.writes[-1].body
    mover = harness.fake.applications[154651, 1001].transitions[-1]["stage_moved_by"]
    assert mover["id"] == harness.fake.owner["id"], "the key's owner acts"


async def test_an_unknown_stage_is_refused_with_the_apis_message(
    connector: RecruiterflowConnector, harness: RecruiterflowHarness
) -> None:
    with pytest.raises(UnprocessableError) as raised:
        await connector.move_stage("154651:1001", "Nowhere", RECRUITER)
    assert raised.value.status == 400
    assert "valid stage" in (raised.value.detail or "")
    assert harness.fake.applications[154651, 1001].stage != "Nowhere"


async def test_add_to_job_lands_in_sourced_and_a_second_add_is_refused(
    connector: RecruiterflowConnector, harness: RecruiterflowHarness
) -> None:
    job = harness.job_ids()[11]
    result = await connector.add_to_job("154658", job, RECRUITER)
    assert result.remote_id == f"154658:{job}"
    write = harness.fake.writes[-1]
    assert (write.path, write.body) == (
        "/api/external/candidate/add-to-job",
        {"id": 154658, "job_id": int(job)},
    )
    assert harness.fake.applications[154658, int(job)].stage == "Sourced"
    applications = await collect(connector.applications())
    assert f"154658:{job}" in {a.remote_id for a in applications}
    with pytest.raises(UnprocessableError) as refused:
        await connector.add_to_job("154658", job, RECRUITER)
    assert "already exists" in (refused.value.detail or "")


async def test_reject_disqualifies_with_reason_and_user(
    connector: RecruiterflowConnector, harness: RecruiterflowHarness
) -> None:
    await connector.reject("154651:1001", "Salary expectations", RECRUITER)
    write = harness.fake.writes[-1]
    assert write.path == "/api/external/candidate/disqualify"
    assert write.body == {
        "id": 154651,
        "job_id": 1001,
        "reason": "Salary expectations",
        "user_id": 10447,
    }
    since = datetime.now(UTC) - timedelta(minutes=1)
    [application] = await collect(connector.applications(updated_since=since))
    assert (application.status, application.rejection_reason) == ("rejected", "Salary expectations")


async def test_add_note_is_created_by_the_acting_user(
    connector: RecruiterflowConnector, harness: RecruiterflowHarness
) -> None:
    result = await connector.add_note("154652", "Strong Go background", RECRUITER)
    assert result.remote_id == "1"
    write = harness.fake.writes[-1]
    assert (write.path, write.body) == (
        "/api/external/candidate/notes/add",
        {"id": 154652, "value": "Strong Go background", "created_by": 10447},
    )
    assert harness.fake.notes[154652][0]["created_by"] == 10447


async def test_rank_writeback_updates_one_job_custom_field_by_id(
    connector: RecruiterflowConnector, harness: RecruiterflowHarness
) -> None:
    job = harness.job_ids()[0]
    result = await connector.update_job_custom_field(job, "current rank", "3")
    assert result.remote_id == job
    write = harness.fake.writes[-1]
    assert (write.path, write.body) == (
        "/api/external/job/update",
        {"job_id": int(job), "custom_fields": [{"id": 71, "value": 3}]},
    )
    fields = {f["name"]: f["value"] for f in harness.fake.jobs[int(job)]["custom_fields"]}
    assert fields["Current Rank"] == 3
    assert fields["Placement Fee"] == {"currency": "USD", "number": 20000}, "others are kept"


async def test_rank_writeback_to_an_unknown_field_writes_nothing(
    connector: RecruiterflowConnector, harness: RecruiterflowHarness
) -> None:
    with pytest.raises(NotFoundError):
        await connector.update_job_custom_field(harness.job_ids()[0], "Score", "3")
    with pytest.raises(UnprocessableError):
        await connector.update_job_custom_field(harness.job_ids()[0], "Current Rank", "top")
    assert harness.fake.writes == []


async def test_a_field_created_later_is_found_after_one_refresh(
    connector: RecruiterflowConnector, harness: RecruiterflowHarness, seen: list[httpx.Request]
) -> None:
    await connector.custom_fields()
    harness.fake.job_custom_fields.append({"id": 80, "name": "Score", "type": "long_text"})
    await connector.update_job_custom_field(harness.job_ids()[0], "Score", "A")
    assert harness.fake.writes[-1].body["custom_fields"] == [{"id": 80, "value": "A"}]
    assert len(paths(seen, "/custom-field/list")) == 2


WritesCall = Callable[[RecruiterflowConnector, Attribution], Any]
ATTRIBUTED_WRITES: dict[str, WritesCall] = {
    "move_stage": lambda c, a: c.move_stage("154651:1001", "Offer", a),
    "reject": lambda c, a: c.reject("154651:1001", "No", a),
    "add_note": lambda c, a: c.add_note("154651", "Hi", a),
}


@pytest.mark.parametrize("write", list(ATTRIBUTED_WRITES))
async def test_an_acting_user_outside_the_account_is_an_invalid_recruiter(
    connector: RecruiterflowConnector, harness: RecruiterflowHarness, sleeps: Sleeps, write: str
) -> None:
    with pytest.raises(InvalidRecruiterError) as raised:
        await ATTRIBUTED_WRITES[write](connector, Attribution(remote_id="77"))
    assert raised.value.status == 403
    assert not isinstance(raised.value, AuthError), "the key itself is fine"
    assert sleeps.calls == []
    before = len(harness.fake.writes)
    with pytest.raises(InvalidRecruiterError):
        await ATTRIBUTED_WRITES[write](connector, Attribution(remote_id="bpoc-uuid"))
    assert len(harness.fake.writes) == before, "a non-numeric user id is refused locally"


async def test_fake_answers_the_vendors_403_shape(
    client: httpx.AsyncClient, harness: RecruiterflowHarness
) -> None:
    response = await client.post(
        "/api/external/candidate/notes/add",
        json={"id": 154651, "value": "x", "created_by": 5},
        headers={"RF-Api-Key": harness.fake.api_key},
    )
    assert (response.status_code, response.json()) == (
        403,
        {"RESULT": "FAILURE", "message": NOT_IN_ACCOUNT},
    )


async def test_writes_to_malformed_ids_send_nothing(
    connector: RecruiterflowConnector, harness: RecruiterflowHarness
) -> None:
    with pytest.raises(UnprocessableError):
        await connector.move_stage("154651", "Offer", RECRUITER)
    with pytest.raises(UnprocessableError):
        await connector.add_to_job("abc", "1001", RECRUITER)
    with pytest.raises(UnprocessableError):
        await connector.add_note("x", "Hi", RECRUITER)
    assert harness.fake.writes == []


async def test_a_failure_result_with_status_200_is_still_refused() -> None:
    async with httpx.AsyncClient() as http, respx.mock() as mock:
        mock.post("https://api.recruiterflow.com/api/external/candidate/disqualify").respond(
            json={"RESULT": "FAILURE", "message": "Please provide a valid reason"}
        )
        rf = RecruiterflowConnector.create(http, {"apiKey": "k"}, {}, integration="t")
        with pytest.raises(UnprocessableError, match="valid reason"):
            await rf.reject("1:2", "", None)


async def test_a_missing_job_is_not_found(
    connector: RecruiterflowConnector, harness: RecruiterflowHarness
) -> None:
    with pytest.raises(NotFoundError):
        await connector.add_to_job("154651", "424242", RECRUITER)


# -- failures ---------------------------------------------------------------------------


async def test_writes_wait_out_rate_limits_but_are_not_repeated_after_a_5xx(
    connector: RecruiterflowConnector, harness: RecruiterflowHarness, sleeps: Sleeps
) -> None:
    harness.faults.rate_limit(times=1, retry_after=2)
    await connector.add_note("154651", "Hi", RECRUITER)
    assert len(sleeps.calls) == 1 and sleeps.calls[0] >= 2
    assert len(harness.fake.notes[154651]) == 1
    harness.faults.server_errors(times=1)
    with pytest.raises(ServerError):
        await connector.add_note("154651", "Again", RECRUITER)
    assert len(harness.fake.notes[154651]) == 1


async def test_a_malformed_stage_movement_body_is_an_invalid_response(
    connector: RecruiterflowConnector, harness: RecruiterflowHarness
) -> None:
    applications = connector.applications()
    await anext(applications)  # the first candidate list page has been read
    harness.faults.malformed(times=1)
    with pytest.raises(InvalidResponseError):
        await collect(applications)


async def test_an_unknown_path_answers_the_marketing_page(
    connector: RecruiterflowConnector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="talentgraph")
    with pytest.raises(NotFoundError) as raised:
        await connector.http.get_json("/api/external/job/get", {"job_id": 1})
    assert raised.value.message == "HTTP 404: not found"
    assert "<!DOCTYPE html>" in (raised.value.detail or "")
    assert connector.context.credentials["apiKey"] not in caplog.text


# -- one bad record fails alone ---------------------------------------------------------


def _served(routes: dict[str, Any]) -> httpx.MockTransport:
    """Answers each path (by its ending) with its JSON; anything else is a 404."""

    def handler(request: httpx.Request) -> httpx.Response:
        for suffix, body in routes.items():
            if request.url.path.endswith(suffix):
                return httpx.Response(200, json=body(request) if callable(body) else body)
        return httpx.Response(404, json={"RESULT": "FAILURE", "message": "Not found"})

    return httpx.MockTransport(handler)


BROKEN_RECORDS = ["corrupted", 42, None, [], {"id": {"name": "no id"}, "name": "X"}, {"id": None}]


async def test_a_job_without_an_id_in_the_fakes_listing_fails_alone(
    harness: RecruiterflowHarness, connector: RecruiterflowConnector
) -> None:
    good = len(harness.fake.jobs)
    broken = harness.fake.add_job(99, name="Broken Job")
    harness.fake.jobs[broken]["id"] = {"name": "no id"}
    jobs = await collect(connector.jobs())
    assert len(jobs) == good
    assert [(f.entity, f.remote_id) for f in connector.failures] == [("jobs", None)]
    assert "without an id" in connector.failures[0].reason


@pytest.mark.parametrize("broken", BROKEN_RECORDS, ids=repr)
async def test_one_unreadable_record_in_each_listing_is_reported_and_the_rest_read(
    broken: Any,
) -> None:
    job, candidate = example("/api/external/job/list")[0], {"id": 24, "name": "Thor", "jobs": []}
    activity = example("/api/external/candidate/activity/list")["data"][0]
    user = example("/api/external/user/list")["data"][0]
    routes: dict[str, Any] = {
        "/job/list": lambda r: (
            [job, broken, {**job, "id": 2}] if r.url.params["current_page"] == "1" else []
        ),
        "/candidate/list": lambda r: {
            "data": [broken, candidate, {**candidate, "id": 25}]
            if r.url.params["current_page"] == "1"
            else None
        },
        "/candidate/activity/list": {"data": [activity, broken]},
        "/user/list": {"data": [broken, user]},
    }
    async with httpx.AsyncClient(transport=_served(routes)) as http:
        rf = RecruiterflowConnector.create(http, {"apiKey": "k"}, {"pageSize": 3}, integration="t")
        reported: list[Any] = []
        rf.on_failure = reported.append
        assert [j.remote_id for j in await collect(rf.jobs())] == ["1", "2"]
        assert [c.remote_id for c in await collect(rf.candidates())] == ["24", "25"]
        assert [a.remote_id for a in await collect(rf.activities("22"))] == ["1000"]
        assert [u.remote_id for u in await collect(rf.users())] == ["40201"]
    assert [f.entity for f in reported] == ["jobs", "candidates", "activities", "users"]
    assert all(f.remote_id is None and f.reason for f in reported)
    assert rf.failures == [], "a connector reports to on_failure once the sync sets it"


async def test_a_broken_stage_movement_fails_alone_and_names_the_candidates_other_jobs() -> None:
    transitions = [{"from": None, "to": "Sourced", "entered": "2024-01-01T00:00:00+0000"}]
    listing = [
        "corrupted",
        {"id": 24, "name": "Thor", "jobs": [{"job_id": 3}, {"job_id": "5", "stage_name": "Offer"}]},
        {"id": "x-25", "name": "Loki"},
    ]
    routes: dict[str, Any] = {
        "/candidate/list": {"data": listing},
        "/stage-movement/list": _movement_page(
            [{"id": 3, "transitions": transitions}, {"id": None, "transitions": "n/a"}, "junk"]
        ),
    }
    async with httpx.AsyncClient(transport=_served(routes)) as http:
        rf = RecruiterflowConnector.create(http, {"apiKey": "k"}, {}, integration="t")
        applications = await collect(rf.applications())
    assert [(a.remote_id, a.current_stage) for a in applications] == [
        ("24:3", "Sourced"),
        ("24:5", "Offer"),
    ]
    assert [(f.entity, f.remote_id) for f in rf.failures] == [
        ("applications", None),
        ("applications", None),
    ], "the entry without a job id and the non-object; bad candidates are the candidates phase's"


async def test_get_jobs_and_get_candidates_report_a_detail_they_cannot_map() -> None:
    candidate = example("/api/external/candidate/get")[0]
    routes: dict[str, Any] = {
        "/api/external/job": lambda r: (
            {"id": None} if r.url.params["job_id"] == "2" else example("/api/external/job")
        ),
        "/candidate/get": lambda r: ["corrupted"] if r.url.params["id"] == "2" else [candidate],
    }
    async with httpx.AsyncClient(transport=_served(routes)) as http:
        rf = RecruiterflowConnector.create(http, {"apiKey": "k"}, {}, integration="t")
        assert [j.remote_id for j in await rf.get_jobs(["1", "2"])] == ["1"]
        assert [c.remote_id for c in await rf.get_candidates(["154651", "2"])] == ["154651"]
        assert await rf.get_applications(["2"]) == []
    assert [(f.entity, f.remote_id) for f in rf.failures] == [("jobs", None), ("candidates", None)]


# -- job owners -------------------------------------------------------------------------

TEAM_RECRUITER = {
    "user_id": 10447,
    "email": "admin@rfstaging.xyz",
    "name": "Chérôme",
    "role": "Recruiter",
}
TEAM_MANAGER = {
    "user_id": 18993,
    "email": "bikash@rfstaging.xyz",
    "name": "Bikash",
    "role": "Hiring Manager",
}


@pytest.mark.parametrize(
    ("fields", "remote_id", "email"),
    [
        ({"hiring_team": [TEAM_MANAGER, TEAM_RECRUITER]}, "10447", "admin@rfstaging.xyz"),
        ({"hiring_team": [TEAM_MANAGER]}, "18993", "bikash@rfstaging.xyz"),
        (
            {"hiring_team": [TEAM_RECRUITER, {**TEAM_MANAGER, "role": {"name": "Job Owner"}}]},
            "18993",
            "bikash@rfstaging.xyz",
        ),
        (
            {"owner": 18993, "hiring_team": [TEAM_RECRUITER, TEAM_MANAGER]},
            "18993",
            "bikash@rfstaging.xyz",
        ),
        (
            {"job_owner": {"id": "40201", "email": "m@x.io"}, "hiring_team": [TEAM_RECRUITER]},
            "40201",
            "m@x.io",
        ),
        ({"hiring_team": TEAM_RECRUITER}, "10447", "admin@rfstaging.xyz"),
        (
            {"hiring_team": [], "created_by": {"email": "anuj@recruiterflow.com", "id": 3}},
            "3",
            "anuj@recruiterflow.com",
        ),
        ({"hiring_team": [{"id": 2, "values": [{"user_id": 1}]}]}, "1", None),
        ({"hiring_team": [{"email": "only@x.io", "role": "Recruiter"}]}, None, "only@x.io"),
        ({"hiring_team": None}, None, None),
    ],
)
def test_the_job_owner_is_its_recruiter_and_their_email_stays_in_raw(
    fields: dict[str, Any], remote_id: str | None, email: str | None
) -> None:
    base = {k: v for k, v in example("/api/external/job/list")[0].items() if k != "hiring_team"}
    job = job_from_raw({**base, **fields})
    assert job.recruiter_remote_id == remote_id
    if remote_id is None and email is None:
        assert "recruiter" not in job.raw
    else:
        assert (job.raw["recruiter"]["id"], job.raw["recruiter"]["email"]) == (remote_id, email)


def test_an_owner_given_by_id_takes_the_email_of_the_same_user_in_the_team() -> None:
    job = job_from_raw(
        {"id": 1, "name": "J", "owner": "10447", "hiring_team": [TEAM_MANAGER, TEAM_RECRUITER]}
    )
    assert job.recruiter_remote_id == "10447"
    assert job.raw["recruiter"]["email"] == "admin@rfstaging.xyz"
    assert job.raw["owner"] == "10447", "the vendor's own fields are kept as sent"


async def test_jobs_from_the_fake_name_their_recruiter(connector: RecruiterflowConnector) -> None:
    jobs = await collect(connector.jobs())
    assert {j.recruiter_remote_id for j in jobs} == {"10447"}
    assert {j.raw["recruiter"]["email"] for j in jobs} == {"admin@rfstaging.xyz"}


# -- stages, resumes, activities --------------------------------------------------------


def test_stages_keep_the_pipeline_order_and_ids_then_other_names() -> None:
    stages = stages_from_raw(
        example("/api/external/job/pipeline"), example("/api/external/job/stage_names")
    )
    assert [(s.position, s.remote_id, s.name) for s in stages[:3]] == [
        (0, "1", "Sourced"),
        (1, "2", "Applied"),
        (2, "3", "Company Submission"),
    ]
    assert [s.name for s in stages[7:]] == [
        "Phone Interview",
        "First Interview",
        "Onsite Interview",
    ]
    assert [s.position for s in stages] == list(range(10))


def test_stages_read_leniently() -> None:
    pipeline = {
        "summary": [
            "Sourced",
            {"id": "7", "name": "Screen"},
            {"id": 7, "name": "Offer"},
            {"count": 3},
            None,
        ]
    }
    stages = stages_from_raw(pipeline, {"data": ["sourced", {"name": "Hired"}, 12, None]})
    assert [(s.remote_id, s.name, s.position) for s in stages] == [
        ("Sourced", "Sourced", 0),
        ("7", "Screen", 1),
        ("Offer", "Offer", 2),
        ("Hired", "Hired", 3),
        ("12", "12", 4),
    ], "a repeated id falls back to the name; a repeated name (any case) is one stage"
    assert [s.name for s in stages_from_raw(None, ["Applied", "Hired"])] == ["Applied", "Hired"]


async def test_without_an_account_pipeline_the_stage_names_give_the_order() -> None:
    routes: dict[str, Any] = {"/job/stage_names": {"data": ["Sourced", "Offer", "Hired"]}}
    async with httpx.AsyncClient(transport=_served(routes)) as http:
        rf = RecruiterflowConnector.create(http, {"apiKey": "k"}, {}, integration="t")
        stages = await rf.stages()
    assert [(s.position, s.name, s.kind) for s in stages] == [
        (0, "Sourced", "applied"),
        (1, "Offer", "offer"),
        (2, "Hired", "hired"),
    ]


@pytest.mark.parametrize(
    ("files", "resume", "url", "filename"),
    [
        (
            [
                {
                    "id": 1,
                    "filename": "cover.pdf",
                    "link": "https://s3.x/cover.pdf",
                    "type": "Cover Letter",
                },
                {
                    "id": 2,
                    "filename": "cv.pdf",
                    "link": "https://s3.x/cv.pdf",
                    "type": {"name": "Resume"},
                },
            ],
            None,
            "https://s3.x/cv.pdf",
            "cv.pdf",
        ),
        (
            [{"id": 3, "filename": "a.pdf", "link": "/api/external/document/get?id=3"}],
            None,
            "{base}/api/external/document/get?id=3",
            "a.pdf",
        ),
        (
            [{"id": 4, "filename": "offer.pdf", "link": "https://s3.x/o.pdf", "type": "offer"}],
            None,
            None,
            None,
        ),
        ([], "https://s3.x/resume.docx", "https://s3.x/resume.docx", None),
        ([], {"file_name": "r.doc", "url": "//cdn.x/r.doc"}, "https://cdn.x/r.doc", "r.doc"),
        (
            [{"id": 5, "link": "javascript:alert(1)"}, {"id": 6, "link": "docs/6 final.pdf"}],
            None,
            None,
            None,
        ),
        ("not a list", 17, None, None),
    ],
)
def test_the_resume_file_is_the_resume_url(
    files: Any, resume: Any, url: str | None, filename: str | None
) -> None:
    base = "http://rf.local/prefix"
    candidate = candidate_from_raw({"id": 1, "files": files, "resume": resume}, base_url=base)
    assert candidate.resume_url == (url.format(base=base) if url else None)
    if url is None:
        assert "resume_file" not in candidate.raw
    else:
        assert candidate.raw["resume_file"]["filename"] == filename
        assert candidate.raw["resume_file"]["url"] == candidate.resume_url


async def test_candidates_from_the_fake_carry_their_resume_with_its_name_and_type(
    harness: RecruiterflowHarness, connector: RecruiterflowConnector
) -> None:
    files = [
        {"filename": "photo.png", "id": 1, "link": "https://s3.x/photo.png", "type": "image"},
        {
            "filename": "Wanda CV.pdf",
            "id": 2,
            "link": "/api/external/document/get?id=2",
            "type": "resume",
        },
    ]
    added = harness.fake.add_candidate(len(harness.fake.candidates), files=files)
    found = {c.remote_id: c for c in await collect(connector.candidates())}[str(added)]
    assert found.resume_url == "https://api.recruiterflow.com/api/external/document/get?id=2"
    assert (found.raw["resume_file"]["filename"], found.raw["resume_file"]["type"]) == (
        "Wanda CV.pdf",
        "resume",
    )
    [again] = await connector.get_candidates([str(added)])
    assert again.resume_url == found.resume_url


async def test_activities_are_read_leniently() -> None:
    activity = example("/api/external/candidate/activity/list")["data"][0]
    pages = {
        "22": {"data": [{**activity, "candidate_id": None, "activity_id": "1001", "type": "Call"}]},
    }

    def body(request: httpx.Request) -> Any:
        if request.url.params["id"] not in pages:
            return None
        return pages[request.url.params["id"]]

    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params["id"])
        answer = body(request)
        if answer is None:
            return httpx.Response(404, json={"RESULT": "FAILURE", "message": "Candidate not found"})
        return httpx.Response(200, json=answer)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        rf = RecruiterflowConnector.create(http, {"apiKey": "k"}, {}, integration="t")
        [found] = await collect(rf.activities("22"))
        assert (found.remote_id, found.kind, found.candidate_remote_id) == ("1001", "Call", "22")
        assert await collect(rf.activities("404")) == [], "a candidate deleted since has none"
        assert await collect(rf.activities("not-an-id")) == []
    assert seen == ["22", "404"]
