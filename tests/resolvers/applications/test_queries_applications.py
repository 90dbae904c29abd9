"""``applications`` and ``application``: pipeline state (current stage, stage history),
interviews with their chats and evaluations, analyses; ApplicationFilter checked against
a full listing; the same application read through every path (root page with prefetch,
lookup by id, a job's and a candidate's nested page) agrees; tenancy."""

from __future__ import annotations

import base64
import itertools
from datetime import datetime
from typing import Any

import pytest

from tests.support.gateway import SIZES, Gateway

APPLICATION_FIELDS = """
  id status appliedAt createdAt
  job { id title }
  candidate { id name email }
  currentStage { id name position kind }
  stageHistory {
    fromStageName toStageName enteredAt leftAt durationSeconds
    toStage { id name } fromStage { id name }
  }
  interviews {
    id status messageCount
    messages { sequence role content createdAt }
    evaluation { overallScore recommendation }
  }
  analysis { id riskScore pros }
  offers { status }
"""

ALL_APPLICATIONS = (
    """
query AllApplications($after: String) {
  applications(first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {"""
    + APPLICATION_FIELDS
    + """}
  }
}
"""
)

APPLICATION = (
    """
query Application($id: ID!) {
  application(id: $id) {"""
    + APPLICATION_FIELDS
    + """}
}
"""
)

JOBS_WITH_APPLICATIONS = (
    """
{
  jobs(first: 10) {
    nodes {
      id
      applications(first: 100) {
        nodes {"""
    + APPLICATION_FIELDS
    + """}
      }
    }
  }
}
"""
)

CANDIDATES_WITH_APPLICATIONS = (
    """
{
  candidates(first: 100) {
    nodes {
      id
      applications(first: 10) {
        edges {
          node {"""
    + APPLICATION_FIELDS
    + """}
        }
      }
    }
  }
}
"""
)

FRAGMENT_APPLICATIONS = """
fragment Pipeline on Application {
  currentStage { name }
  stageHistory { toStageName }
}
{
  applications(first: 100) {
    edges { node { id ...Pipeline ... on Application { candidate { id } } } }
  }
}
"""

NESTED_FILTERS = """
query NestedFilters($first: Int) {
  jobs(first: 100) {
    nodes {
      id
      applicationCount
      active: applications(first: $first, filter: {status: [ACTIVE]}) {
        totalCount
        nodes { id status createdAt currentStage { name } }
      }
      closed: applications(
        first: $first
        filter: {status: [REJECTED, HIRED]}
        sort: {field: CREATED_AT, direction: ASC}
      ) {
        totalCount
        nodes { id status createdAt candidate { name } }
      }
      all: applications(first: $first) { totalCount nodes { id } }
    }
  }
}
"""

FILTERED_APPLICATIONS = """
query FilteredApplications($filter: ApplicationFilter) {
  applications(first: 100, filter: $filter) {
    totalCount
    nodes { id }
  }
}
"""


def global_id(type_name: str, key: int) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def codes(errors: list[dict[str, Any]]) -> list[str | None]:
    return [(error.get("extensions") or {}).get("code") for error in errors]


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def all_applications(gateway: Gateway, tenant: str = "demo") -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        data = await gateway.execute(ALL_APPLICATIONS, {"after": after}, tenant=tenant)
        connection = data["applications"]
        nodes += connection["nodes"]
        if not connection["pageInfo"]["hasNextPage"]:
            assert connection["totalCount"] == len(nodes)
            return nodes
        after = connection["pageInfo"]["endCursor"]


@pytest.fixture(scope="module")
def listed(gateway: Gateway) -> dict[str, list[dict[str, Any]]]:
    """Full listings per tenant, read once per module and backend (the tests only read)."""
    return {}


async def applications_of(
    gateway: Gateway, listed: dict[str, list[dict[str, Any]]], tenant: str = "demo"
) -> list[dict[str, Any]]:
    if tenant not in listed:
        listed[tenant] = await all_applications(gateway, tenant)
    return listed[tenant]


async def filtered(
    gateway: Gateway, application_filter: dict[str, Any], tenant: str = "demo"
) -> set[str]:
    data = await gateway.execute(
        FILTERED_APPLICATIONS, {"filter": application_filter}, tenant=tenant
    )
    ids = {node["id"] for node in data["applications"]["nodes"]}
    assert data["applications"]["totalCount"] == len(ids)
    return ids


# -- the listing and tenancy -------------------------------------------------------------------


@pytest.mark.parametrize("tenant", sorted(SIZES))
async def test_listing_holds_the_seeded_applications(gateway: Gateway, tenant: str) -> None:
    applications = await all_applications(gateway, tenant)
    assert len(applications) == SIZES[tenant]["applications"]
    assert len({a["id"] for a in applications}) == len(applications)
    assert len({(a["job"]["id"], a["candidate"]["id"]) for a in applications}) == len(
        applications
    ), "one application per candidate and job"


async def test_tenants_never_see_each_others_applications(
    gateway: Gateway, listed: dict[str, list[dict[str, Any]]]
) -> None:
    demo = await all_applications(gateway, "demo")
    other = await applications_of(gateway, listed, "other")
    assert not {a["id"] for a in demo} & {a["id"] for a in other}
    for field in ("job", "candidate", "currentStage"):
        assert not {a[field]["id"] for a in demo} & {a[field]["id"] for a in other}, field
    demo_interviews = {i["id"] for a in demo for i in a["interviews"]}
    other_interviews = {i["id"] for a in other for i in a["interviews"]}
    assert not demo_interviews & other_interviews


# -- pipeline state ------------------------------------------------------------------------------


def check_pipeline(application: dict[str, Any]) -> None:
    history = application["stageHistory"]
    assert history, f"application {application['id']} has no stage history"
    entered = [at(step["enteredAt"]) for step in history]
    assert entered == sorted(entered), "stage history is oldest first"
    current = application["currentStage"]
    assert current is not None
    assert current["name"] == history[-1]["toStageName"]
    assert history[-1]["toStage"]["id"] == current["id"]
    assert history[-1]["leftAt"] is None
    assert history[-1]["durationSeconds"] is None
    assert history[0]["fromStageName"] is None
    assert history[0]["fromStage"] is None
    for before, after in itertools.pairwise(history):
        assert after["fromStageName"] == before["toStageName"]
        assert after["fromStage"]["id"] == before["toStage"]["id"]
        assert before["leftAt"] == after["enteredAt"]
        seconds = (at(before["leftAt"]) - at(before["enteredAt"])).total_seconds()
        assert before["durationSeconds"] == int(seconds)
    for step in history:
        assert step["toStage"]["name"] == step["toStageName"]


def check_interviews(application: dict[str, Any]) -> None:
    created = []
    for interview in application["interviews"]:
        messages = interview["messages"]
        sequences = [message["sequence"] for message in messages]
        assert sequences == list(range(1, len(messages) + 1)), "messages in sequence order"
        assert interview["messageCount"] == len(messages)
        stamps = [at(message["createdAt"]) for message in messages]
        assert stamps == sorted(stamps)
        if interview["status"] == "COMPLETED":
            evaluation = interview["evaluation"]
            assert evaluation is not None, f"completed interview {interview['id']}"
            assert 0 <= evaluation["overallScore"] <= 100
        created.append(interview["id"])
    assert len(set(created)) == len(created)


async def test_current_stage_is_the_end_of_the_stage_history(
    gateway: Gateway, listed: dict[str, list[dict[str, Any]]]
) -> None:
    applications = await applications_of(gateway, listed)
    for application in applications:
        check_pipeline(application)
    stages = {a["currentStage"]["name"] for a in applications}
    assert len(stages) >= 3, "the seed spreads applications over the pipeline"
    assert any(len(a["stageHistory"]) >= 3 for a in applications)


async def test_status_agrees_with_the_stage(
    gateway: Gateway, listed: dict[str, list[dict[str, Any]]]
) -> None:
    for application in await applications_of(gateway, listed):
        kind = application["currentStage"]["kind"]
        if application["status"] == "HIRED":
            assert kind == "HIRED"
        if application["status"] == "REJECTED":
            assert kind == "REJECTED"


async def test_interviews_have_ordered_chats_and_completed_ones_an_evaluation(
    gateway: Gateway,
    listed: dict[str, list[dict[str, Any]]],
) -> None:
    applications = await applications_of(gateway, listed)
    interviews = [i for a in applications for i in a["interviews"]]
    assert interviews, "the seed holds interviews"
    assert any(i["status"] == "COMPLETED" for i in interviews)
    assert any(i["messageCount"] >= 3 for i in interviews)
    for application in applications:
        check_interviews(application)


async def test_some_applications_have_an_analysis(
    gateway: Gateway, listed: dict[str, list[dict[str, Any]]]
) -> None:
    applications = await applications_of(gateway, listed)
    analysed = [a for a in applications if a["analysis"] is not None]
    assert 0 < len(analysed) < len(applications)
    for application in analysed:
        analysis = application["analysis"]
        assert analysis["riskScore"] is None or 0 <= analysis["riskScore"] <= 1
        assert analysis["pros"]


async def test_every_path_to_an_application_agrees(
    gateway: Gateway, listed: dict[str, list[dict[str, Any]]]
) -> None:
    """Root page (prefetched relations), lookup by id (loaders), and the nested pages of
    jobs and candidates (partitioned pages with prefetch) return the same objects."""
    root = {a["id"]: a for a in await applications_of(gateway, listed)}

    by_job = await gateway.execute(JOBS_WITH_APPLICATIONS)
    via_jobs = {a["id"]: a for job in by_job["jobs"]["nodes"] for a in job["applications"]["nodes"]}
    by_candidate = await gateway.execute(CANDIDATES_WITH_APPLICATIONS)
    via_candidates = {
        edge["node"]["id"]: edge["node"]
        for candidate in by_candidate["candidates"]["nodes"]
        for edge in candidate["applications"]["edges"]
    }
    assert via_jobs == root
    assert via_candidates == root

    for application_id in list(root)[:25]:
        single = await gateway.execute(APPLICATION, {"id": application_id})
        assert single["application"] == root[application_id]
        check_pipeline(single["application"])
        check_interviews(single["application"])


async def test_fragments_select_the_same_relations(
    gateway: Gateway, listed: dict[str, list[dict[str, Any]]]
) -> None:
    root = {a["id"]: a for a in await applications_of(gateway, listed)}
    data = await gateway.execute(FRAGMENT_APPLICATIONS)
    edges = data["applications"]["edges"]
    assert len(edges) == min(100, len(root))
    for edge in edges:
        node = edge["node"]
        expected = root[node["id"]]
        assert node["currentStage"]["name"] == expected["currentStage"]["name"]
        assert [s["toStageName"] for s in node["stageHistory"]] == [
            s["toStageName"] for s in expected["stageHistory"]
        ]
        assert node["candidate"]["id"] == expected["candidate"]["id"]


@pytest.mark.parametrize("first", [100, 3])
async def test_nested_pages_with_different_filters_in_one_request(
    gateway: Gateway, listed: dict[str, list[dict[str, Any]]], first: int
) -> None:
    """Aliased nested connections with different filters and sorts are batched per
    (filter, sort, page) and each gets its own rows and totals."""
    applications = await applications_of(gateway, listed)
    data = await gateway.execute(NESTED_FILTERS, {"first": first})
    for job in data["jobs"]["nodes"]:
        mine = [a for a in applications if a["job"]["id"] == job["id"]]
        active = [a for a in mine if a["status"] == "ACTIVE"]
        closed = [a for a in mine if a["status"] in ("REJECTED", "HIRED")]
        newest_first = sorted(active, key=lambda a: (at(a["createdAt"]), a["id"]), reverse=True)
        oldest_first = sorted(closed, key=lambda a: at(a["createdAt"]))

        assert job["all"]["totalCount"] == job["applicationCount"] == len(mine)
        assert job["active"]["totalCount"] == len(active)
        assert job["closed"]["totalCount"] == len(closed)
        assert all(n["status"] == "ACTIVE" for n in job["active"]["nodes"])
        assert all(n["status"] in ("REJECTED", "HIRED") for n in job["closed"]["nodes"])
        active_dates = [at(n["createdAt"]) for n in job["active"]["nodes"]]
        assert active_dates == [at(a["createdAt"]) for a in newest_first][:first]
        closed_dates = [at(n["createdAt"]) for n in job["closed"]["nodes"]]
        assert closed_dates == [at(a["createdAt"]) for a in oldest_first][:first]
        assert len(job["all"]["nodes"]) == min(first, len(mine))


# -- ApplicationFilter -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statuses",
    [["ACTIVE"], ["REJECTED"], ["HIRED"], ["REJECTED", "HIRED"], ["WITHDRAWN", "RELEASED"], []],
)
async def test_status_filter(
    gateway: Gateway, listed: dict[str, list[dict[str, Any]]], statuses: list[str]
) -> None:
    applications = await applications_of(gateway, listed)
    expected = {a["id"] for a in applications if not statuses or a["status"] in statuses}
    assert await filtered(gateway, {"status": statuses}) == expected


async def test_job_filter(gateway: Gateway, listed: dict[str, list[dict[str, Any]]]) -> None:
    applications = await applications_of(gateway, listed)
    for job_id in {a["job"]["id"] for a in applications}:
        expected = {a["id"] for a in applications if a["job"]["id"] == job_id}
        assert await filtered(gateway, {"jobId": job_id}) == expected


async def test_candidate_filter(gateway: Gateway, listed: dict[str, list[dict[str, Any]]]) -> None:
    applications = await applications_of(gateway, listed)
    for candidate_id in sorted({a["candidate"]["id"] for a in applications})[:15]:
        expected = {a["id"] for a in applications if a["candidate"]["id"] == candidate_id}
        assert await filtered(gateway, {"candidateId": candidate_id}) == expected


async def test_stage_filter(gateway: Gateway, listed: dict[str, list[dict[str, Any]]]) -> None:
    applications = await applications_of(gateway, listed)
    stage_ids = {a["currentStage"]["id"] for a in applications}
    assert len(stage_ids) >= 3
    for stage_id in stage_ids:
        expected = {a["id"] for a in applications if a["currentStage"]["id"] == stage_id}
        assert await filtered(gateway, {"stageId": stage_id}) == expected


def by_candidate_search(applications: list[dict[str, Any]], term: str) -> set[str]:
    needle = term.strip().lower()
    return {
        a["id"]
        for a in applications
        if needle in a["candidate"]["name"].lower()
        or needle in (a["candidate"]["email"] or "").lower()
    }


async def test_search_by_candidate_name_or_email(
    gateway: Gateway, listed: dict[str, list[dict[str, Any]]]
) -> None:
    applications = await applications_of(gateway, listed)
    sample = applications[0]["candidate"]
    terms = [
        sample["name"],
        sample["name"].upper(),
        sample["name"].split()[-1].lower(),
        sample["email"],
        sample["email"].split("@")[0].upper(),
        "zzz no such person",
    ]
    for term in terms:
        expected = by_candidate_search(applications, term)
        assert await filtered(gateway, {"search": term}) == expected, term
    assert applications[0]["id"] in await filtered(gateway, {"search": sample["name"]})


@pytest.mark.parametrize("term", ["%", "_", "a%", "_a"])
async def test_search_treats_wildcards_as_literal_characters(
    gateway: Gateway, listed: dict[str, list[dict[str, Any]]], term: str
) -> None:
    applications = await applications_of(gateway, listed)
    expected = by_candidate_search(applications, term)
    assert expected == set()
    assert await filtered(gateway, {"search": term}) == expected


async def test_recruiter_filter(gateway: Gateway, listed: dict[str, list[dict[str, Any]]]) -> None:
    jobs = await gateway.execute("{ jobs(first: 100) { nodes { id recruiter { id } } } }")
    owner = {job["id"]: job["recruiter"]["id"] for job in jobs["jobs"]["nodes"]}
    applications = await applications_of(gateway, listed)
    for recruiter_id in set(owner.values()):
        expected = {a["id"] for a in applications if owner[a["job"]["id"]] == recruiter_id}
        assert await filtered(gateway, {"recruiterId": recruiter_id}) == expected


async def test_combined_filters(gateway: Gateway, listed: dict[str, list[dict[str, Any]]]) -> None:
    applications = await applications_of(gateway, listed)
    for sample in applications[:10]:
        application_filter = {
            "jobId": sample["job"]["id"],
            "status": [sample["status"]],
            "stageId": sample["currentStage"]["id"],
        }
        expected = {
            a["id"]
            for a in applications
            if a["job"]["id"] == sample["job"]["id"]
            and a["status"] == sample["status"]
            and a["currentStage"]["id"] == sample["currentStage"]["id"]
        }
        assert sample["id"] in expected
        assert await filtered(gateway, application_filter) == expected


async def test_filters_with_ids_of_the_other_tenant_find_nothing(
    gateway: Gateway, listed: dict[str, list[dict[str, Any]]]
) -> None:
    other = (await applications_of(gateway, listed, "other"))[0]
    assert await filtered(gateway, {"jobId": other["job"]["id"]}) == set()
    assert await filtered(gateway, {"candidateId": other["candidate"]["id"]}) == set()
    assert await filtered(gateway, {"stageId": other["currentStage"]["id"]}) == set()


async def test_filter_with_a_malformed_id_is_bad_user_input(gateway: Gateway) -> None:
    for field in ("jobId", "candidateId", "stageId", "recruiterId"):
        errors = await gateway.errors(FILTERED_APPLICATIONS, {"filter": {field: "#nope"}})
        assert codes(errors) == ["BAD_USER_INPUT"], field


# -- application(id:) --------------------------------------------------------------------------


async def test_application_by_id_of_another_type_or_tenant_is_null(
    gateway: Gateway, listed: dict[str, list[dict[str, Any]]]
) -> None:
    demo = (await applications_of(gateway, listed))[0]
    other = (await applications_of(gateway, listed, "other"))[0]
    for missing in (
        demo["job"]["id"],
        demo["candidate"]["id"],
        other["id"],
        global_id("Application", 10**9),
    ):
        assert (await gateway.execute(APPLICATION, {"id": missing}))["application"] is None
    found = await gateway.execute(APPLICATION, {"id": other["id"]}, tenant="other")
    assert found["application"] == other
