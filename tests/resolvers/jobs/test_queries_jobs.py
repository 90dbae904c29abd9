"""``jobs`` and ``job``: the seeded requisitions, every JobFilter field checked against
what a full unfiltered listing says, single lookups, nested applications, tenancy."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import pytest

from gateway.store.enums import Role
from tests.support.gateway import SIZES, Gateway

ALL_JOBS = """
{
  jobs(first: 100) {
    totalCount
    nodes {
      id title clientName location status isActive createdAt openedAt closedAt
      applicationCount
      recruiter { id name }
      integration { id provider }
    }
  }
}
"""

FILTERED_JOBS = """
query FilteredJobs($filter: JobFilter) {
  jobs(first: 100, filter: $filter) {
    totalCount
    nodes { id }
  }
}
"""

RECRUITERS = """
{ recruiters(first: 100) { nodes { id name role } } }
"""

JOB = """
query Job($id: ID!) {
  job(id: $id) { id title clientName status recruiter { id } }
}
"""

CANDIDATE_IDS = """
{ candidates(first: 3) { nodes { id } } }
"""

JOB_APPLICATIONS = """
query JobApplications($id: ID!) {
  job(id: $id) {
    applicationCount
    applications(first: 100) {
      totalCount
      nodes { id job { id } }
    }
  }
}
"""

ALL_APPLICATION_IDS = """
{ applications(first: 100) { totalCount nodes { id job { id } } } }
"""


def pk(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().partition(":")[2])


def global_id(type_name: str, key: int) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def codes(errors: list[dict[str, Any]]) -> list[str | None]:
    return [(error.get("extensions") or {}).get("code") for error in errors]


def moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


async def all_jobs(gateway: Gateway, tenant: str = "demo") -> list[dict[str, Any]]:
    data = await gateway.execute(ALL_JOBS, tenant=tenant)
    jobs: list[dict[str, Any]] = data["jobs"]["nodes"]
    assert data["jobs"]["totalCount"] == len(jobs)
    return jobs


async def filtered(gateway: Gateway, job_filter: dict[str, Any], tenant: str = "demo") -> set[str]:
    data = await gateway.execute(FILTERED_JOBS, {"filter": job_filter}, tenant=tenant)
    ids = {node["id"] for node in data["jobs"]["nodes"]}
    assert data["jobs"]["totalCount"] == len(ids)
    return ids


def matching(jobs: list[dict[str, Any]], term: str) -> set[str]:
    needle = term.strip().lower()
    return {
        job["id"]
        for job in jobs
        if any(needle in (job[key] or "").lower() for key in ("title", "clientName", "location"))
    }


# -- the listing ------------------------------------------------------------------------------


@pytest.mark.parametrize("tenant", sorted(SIZES))
async def test_listing_holds_the_seeded_jobs(gateway: Gateway, tenant: str) -> None:
    size = SIZES[tenant]["jobs"]
    jobs = await all_jobs(gateway, tenant)
    assert len(jobs) == size
    assert len({job["id"] for job in jobs}) == size
    for job in jobs:
        assert job["title"]
        assert job["recruiter"] is not None
        assert job["integration"] is not None
    total = sum(job["applicationCount"] for job in jobs)
    assert total == SIZES[tenant]["applications"]


async def test_tenants_never_see_each_others_jobs(gateway: Gateway) -> None:
    demo = await all_jobs(gateway, "demo")
    other = await all_jobs(gateway, "other")
    assert not {job["id"] for job in demo} & {job["id"] for job in other}
    demo_recruiters = {job["recruiter"]["id"] for job in demo}
    other_recruiters = {job["recruiter"]["id"] for job in other}
    assert not demo_recruiters & other_recruiters
    demo_integrations = {job["integration"]["id"] for job in demo}
    assert not demo_integrations & {job["integration"]["id"] for job in other}


# -- JobFilter --------------------------------------------------------------------------------


async def test_search_is_a_case_insensitive_substring_of_title_client_or_location(
    gateway: Gateway,
) -> None:
    jobs = await all_jobs(gateway)
    sample = jobs[0]
    terms = [
        sample["title"][1:5].upper(),
        sample["title"].lower(),
        sample["clientName"][2:7].swapcase(),
        sample["location"].split(",")[0].upper(),
        f"  {sample['title'][:4].lower()}  ",
        "e",
        "ENGINEER",
        "uk",
        "philippines",
        "no such requisition anywhere",
    ]
    hits = 0
    for term in terms:
        expected = matching(jobs, term)
        assert await filtered(gateway, {"search": term}) == expected, term
        hits += bool(expected)
    assert hits >= 6, "the terms should mostly find something"
    assert sample["id"] in await filtered(gateway, {"search": sample["clientName"].upper()})


@pytest.mark.parametrize(
    "term",
    ["%", "_", "%%", "e%e", "%e", "_ngineer", "B_okkeeper", "\\", "\\%", "[a-z]", "'"],
)
async def test_search_treats_wildcards_as_literal_characters(gateway: Gateway, term: str) -> None:
    jobs = await all_jobs(gateway)
    expected = matching(jobs, term)
    assert await filtered(gateway, {"search": term}) == expected
    # none of the seeded titles, clients or locations hold these characters
    assert expected == set()


async def test_blank_search_does_not_filter(gateway: Gateway) -> None:
    jobs = await all_jobs(gateway)
    everything = {job["id"] for job in jobs}
    assert await filtered(gateway, {"search": ""}) == everything
    assert await filtered(gateway, {"search": "   "}) == everything
    assert await filtered(gateway, {"search": None}) == everything


@pytest.mark.parametrize(
    "statuses",
    [["OPEN"], ["ON_HOLD"], ["CLOSED"], ["OPEN", "ON_HOLD"], ["DRAFT", "ARCHIVED"], []],
)
async def test_status_filter(gateway: Gateway, statuses: list[str]) -> None:
    jobs = await all_jobs(gateway)
    expected = {job["id"] for job in jobs if not statuses or job["status"] in statuses}
    assert await filtered(gateway, {"status": statuses}) == expected


async def test_status_filter_selects_a_proper_subset(gateway: Gateway) -> None:
    jobs = await all_jobs(gateway)
    statuses = {job["status"] for job in jobs}
    assert len(statuses) >= 2, "the seed should hold jobs of more than one status"
    for status in statuses:
        ids = await filtered(gateway, {"status": [status]})
        assert 0 < len(ids) < len(jobs)


@pytest.mark.parametrize("active", [True, False])
async def test_is_active_filter(gateway: Gateway, active: bool) -> None:
    jobs = await all_jobs(gateway)
    expected = {job["id"] for job in jobs if job["isActive"] is active}
    assert await filtered(gateway, {"isActive": active}) == expected


async def test_recruiter_filter_takes_a_recruiter_global_id(gateway: Gateway) -> None:
    jobs = await all_jobs(gateway)
    recruiters = (await gateway.execute(RECRUITERS))["recruiters"]["nodes"]
    assert len(recruiters) == 6
    owners = 0
    for recruiter in recruiters:
        expected = {job["id"] for job in jobs if job["recruiter"]["id"] == recruiter["id"]}
        assert await filtered(gateway, {"recruiterId": recruiter["id"]}) == expected
        owners += bool(expected)
    assert owners >= 2


async def test_recruiter_filter_with_another_tenants_recruiter_finds_nothing(
    gateway: Gateway,
) -> None:
    other = await all_jobs(gateway, "other")
    assert await filtered(gateway, {"recruiterId": other[0]["recruiter"]["id"]}) == set()


async def test_recruiter_filter_with_a_malformed_id_is_bad_user_input(gateway: Gateway) -> None:
    errors = await gateway.errors(FILTERED_JOBS, {"filter": {"recruiterId": "not an id!"}})
    assert codes(errors) == ["BAD_USER_INPUT"]


async def test_recruiter_filter_with_an_id_of_another_type_is_refused(gateway: Gateway) -> None:
    jobs = await all_jobs(gateway)
    errors = await gateway.errors(FILTERED_JOBS, {"filter": {"recruiterId": jobs[0]["id"]}})
    assert codes(errors) and "INTERNAL_SERVER_ERROR" not in codes(errors)


@pytest.mark.parametrize(("field", "key"), [("createdAt", "createdAt"), ("openedAt", "openedAt")])
async def test_date_ranges_are_half_open(gateway: Gateway, field: str, key: str) -> None:
    jobs = await all_jobs(gateway)
    stamps = sorted({job[key] for job in jobs if job[key]}, key=datetime.fromisoformat)
    assert len(stamps) == len(jobs), "every seeded job has a distinct timestamp"
    low, middle, high = stamps[1], stamps[len(stamps) // 2], stamps[-2]

    def expected(start: str | None, end: str | None) -> set[str]:
        return {
            job["id"]
            for job in jobs
            if job[key] is not None
            and (start is None or moment(job[key]) >= moment(start))  # type: ignore[operator]
            and (end is None or moment(job[key]) < moment(end))  # type: ignore[operator]
        }

    for start, end in [
        (middle, None),  # from is inclusive: the job at `middle` is in
        (None, middle),  # to is exclusive: the job at `middle` is out
        (low, high),
        (middle, middle),  # empty
        (high, low),  # inverted: empty
        (None, None),
    ]:
        window = {"from": start, "to": end}
        found = await filtered(gateway, {field: window})
        assert found == expected(start, end), window

    at_middle = next(job["id"] for job in jobs if job[key] == middle)
    assert at_middle in await filtered(gateway, {field: {"from": middle}})
    assert at_middle not in await filtered(gateway, {field: {"to": middle}})


async def test_date_range_accepts_other_utc_offsets(gateway: Gateway) -> None:
    jobs = await all_jobs(gateway)
    middle = sorted((job["createdAt"] for job in jobs), key=datetime.fromisoformat)[3]
    shifted = datetime.fromisoformat(middle).astimezone(
        datetime.fromisoformat("2026-01-01T00:00:00+05:30").tzinfo
    )
    same = await filtered(gateway, {"createdAt": {"from": middle}})
    assert await filtered(gateway, {"createdAt": {"from": shifted.isoformat()}}) == same


async def test_date_range_without_a_time_zone_is_utc(gateway: Gateway) -> None:
    """A bare date or a date-time without a zone is taken as UTC, never an internal error."""
    jobs = await all_jobs(gateway)
    middle = sorted((job["createdAt"] for job in jobs), key=datetime.fromisoformat)[3]
    naive = datetime.fromisoformat(middle).replace(tzinfo=None).isoformat()
    for field in ("from", "to"):
        aware = await filtered(gateway, {"createdAt": {field: middle}})
        assert await filtered(gateway, {"createdAt": {field: naive}}) == aware
    for day in ("2026-06-01", "2026-08-01"):
        midnight = f"{day}T00:00:00+00:00"
        for field in ("from", "to"):
            expected = await filtered(gateway, {"createdAt": {field: midnight}})
            assert await filtered(gateway, {"createdAt": {field: day}}) == expected


async def test_filters_combine_with_and(gateway: Gateway) -> None:
    jobs = await all_jobs(gateway)
    for job in jobs:
        job_filter = {
            "status": [job["status"]],
            "recruiterId": job["recruiter"]["id"],
            "search": job["title"][:3],
            "isActive": True,
        }
        expected = {
            j["id"]
            for j in jobs
            if j["status"] == job["status"]
            and j["recruiter"]["id"] == job["recruiter"]["id"]
            and j["id"] in matching(jobs, job["title"][:3])
            and j["isActive"]
        }
        assert job["id"] in expected
        assert await filtered(gateway, job_filter) == expected


async def test_integration_filter(gateway: Gateway) -> None:
    jobs = await all_jobs(gateway)
    for integration_id in {job["integration"]["id"] for job in jobs}:
        expected = {job["id"] for job in jobs if job["integration"]["id"] == integration_id}
        assert await filtered(gateway, {"integrationId": integration_id}) == expected


async def test_filters_apply_in_the_other_tenant_too(gateway: Gateway) -> None:
    jobs = await all_jobs(gateway, "other")
    term = jobs[0]["title"][:4].upper()
    assert await filtered(gateway, {"search": term}, tenant="other") == matching(jobs, term)
    status = jobs[0]["status"]
    expected = {job["id"] for job in jobs if job["status"] == status}
    assert await filtered(gateway, {"status": [status]}, tenant="other") == expected


# -- job(id:) -----------------------------------------------------------------------------------


async def test_job_by_id(gateway: Gateway) -> None:
    for job in await all_jobs(gateway):
        found = (await gateway.execute(JOB, {"id": job["id"]}))["job"]
        assert found["id"] == job["id"]
        assert found["title"] == job["title"]
        assert found["recruiter"]["id"] == job["recruiter"]["id"]


async def test_job_by_id_of_another_type_or_tenant_or_missing_is_null(gateway: Gateway) -> None:
    candidate = (await gateway.execute(CANDIDATE_IDS))["candidates"]["nodes"][0]["id"]
    other_job = (await all_jobs(gateway, "other"))[0]["id"]
    for missing in (candidate, other_job, global_id("Job", 10**9)):
        assert (await gateway.execute(JOB, {"id": missing}))["job"] is None, missing
    # and the other tenant's job is there for its own users
    assert (await gateway.execute(JOB, {"id": other_job}, tenant="other"))["job"] is not None


async def test_job_by_malformed_id_is_bad_user_input(gateway: Gateway) -> None:
    errors = await gateway.errors(JOB, {"id": "%%% not an id"})
    assert codes(errors) == ["BAD_USER_INPUT"]


async def test_job_applications_belong_to_the_job_and_match_the_count(gateway: Gateway) -> None:
    every = (await gateway.execute(ALL_APPLICATION_IDS))["applications"]
    by_job: dict[str, set[str]] = {}
    for application in every["nodes"]:
        by_job.setdefault(application["job"]["id"], set()).add(application["id"])
    for job in await all_jobs(gateway):
        data = (await gateway.execute(JOB_APPLICATIONS, {"id": job["id"]}))["job"]
        connection = data["applications"]
        ids = {node["id"] for node in connection["nodes"]}
        assert all(node["job"]["id"] == job["id"] for node in connection["nodes"])
        assert connection["totalCount"] == data["applicationCount"] == len(ids)
        assert ids == by_job.get(job["id"], set())


@pytest.mark.parametrize("role", [Role.READONLY, Role.RECRUITER])
async def test_every_role_reads_every_job(gateway: Gateway, role: Role) -> None:
    admin = {job["id"] for job in await all_jobs(gateway)}
    data = await gateway.execute(ALL_JOBS, role=role)
    assert {job["id"] for job in data["jobs"]["nodes"]} == admin
