"""``interviews`` and ``interview``: chats in sequence order, evaluations of completed
interviews, InterviewFilter checked against a full listing, lookups, tenancy."""

from __future__ import annotations

import base64
from collections import Counter
from datetime import datetime
from typing import Any

import pytest

from tests.support.gateway import Gateway

INTERVIEW_FIELDS = """
  id kind status createdAt startedAt completedAt messageCount
  application { id job { id } candidate { id name } }
  persona { id name }
  messages { id sequence role content createdAt }
  evaluation { overallScore reliabilityScore recommendation strengths }
"""

ALL_INTERVIEWS = (
    """
{
  interviews(first: 100) {
    totalCount
    pageInfo { hasNextPage }
    nodes {"""
    + INTERVIEW_FIELDS
    + """}
  }
}
"""
)

INTERVIEW = (
    """
query Interview($id: ID!) {
  interview(id: $id) {"""
    + INTERVIEW_FIELDS
    + """}
}
"""
)

FILTERED_INTERVIEWS = """
query FilteredInterviews($filter: InterviewFilter, $sort: InterviewSort) {
  interviews(first: 100, filter: $filter, sort: $sort) {
    totalCount
    nodes { id createdAt updatedAt }
  }
}
"""

APPLICATION_INTERVIEWS = """
query ApplicationInterviews($id: ID!) {
  application(id: $id) { interviews { id } }
}
"""

JOB_IDS = """
{ jobs(first: 100) { nodes { id } } }
"""


def global_id(type_name: str, key: int) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def codes(errors: list[dict[str, Any]]) -> list[str | None]:
    return [(error.get("extensions") or {}).get("code") for error in errors]


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def all_interviews(gateway: Gateway, tenant: str = "demo") -> list[dict[str, Any]]:
    data = await gateway.execute(ALL_INTERVIEWS, tenant=tenant)
    connection = data["interviews"]
    assert connection["pageInfo"]["hasNextPage"] is False, "seed outgrew one page"
    nodes: list[dict[str, Any]] = connection["nodes"]
    assert connection["totalCount"] == len(nodes)
    return nodes


async def filtered(
    gateway: Gateway, interview_filter: dict[str, Any], tenant: str = "demo"
) -> set[str]:
    data = await gateway.execute(FILTERED_INTERVIEWS, {"filter": interview_filter}, tenant=tenant)
    ids = {node["id"] for node in data["interviews"]["nodes"]}
    assert data["interviews"]["totalCount"] == len(ids)
    return ids


async def test_the_seed_holds_interviews_in_several_states(gateway: Gateway) -> None:
    interviews = await all_interviews(gateway)
    statuses = Counter(interview["status"] for interview in interviews)
    assert len(interviews) >= 5
    assert statuses["COMPLETED"] >= 1
    assert len(statuses) >= 2
    assert await all_interviews(gateway, "other"), "the other tenant has interviews too"


async def test_tenants_never_see_each_others_interviews(gateway: Gateway) -> None:
    demo = await all_interviews(gateway, "demo")
    other = await all_interviews(gateway, "other")
    assert not {i["id"] for i in demo} & {i["id"] for i in other}
    assert not {i["application"]["id"] for i in demo} & {i["application"]["id"] for i in other}
    demo_messages = {m["id"] for i in demo for m in i["messages"]}
    assert not demo_messages & {m["id"] for i in other for m in i["messages"]}


@pytest.mark.parametrize("tenant", ["demo", "other"])
async def test_messages_are_in_sequence_order(gateway: Gateway, tenant: str) -> None:
    for interview in await all_interviews(gateway, tenant):
        messages = interview["messages"]
        assert messages, "every seeded interview has at least the greeting"
        assert [m["sequence"] for m in messages] == list(range(1, len(messages) + 1))
        assert interview["messageCount"] == len(messages)
        stamps = [at(m["createdAt"]) for m in messages]
        assert stamps == sorted(stamps)
        assert messages[0]["role"] == "ASSISTANT"


@pytest.mark.parametrize("tenant", ["demo", "other"])
async def test_completed_interviews_have_an_evaluation(gateway: Gateway, tenant: str) -> None:
    for interview in await all_interviews(gateway, tenant):
        evaluation = interview["evaluation"]
        if interview["status"] == "COMPLETED":
            assert evaluation is not None, interview["id"]
            assert 0 <= evaluation["overallScore"] <= 100
            assert 1 <= evaluation["reliabilityScore"] <= 10
            assert evaluation["recommendation"]
            assert interview["completedAt"] is not None
        else:
            assert evaluation is None, interview["id"]
            assert interview["completedAt"] is None


async def test_interviews_resolve_their_application_and_persona(gateway: Gateway) -> None:
    for interview in await all_interviews(gateway):
        assert interview["application"]["candidate"]["name"]
        assert interview["persona"] is not None
        data = await gateway.execute(APPLICATION_INTERVIEWS, {"id": interview["application"]["id"]})
        assert interview["id"] in {i["id"] for i in data["application"]["interviews"]}


@pytest.mark.parametrize(
    "statuses",
    [["COMPLETED"], ["SCHEDULED"], ["COMPLETED", "ABANDONED"], ["CANCELLED"], []],
)
async def test_status_filter(gateway: Gateway, statuses: list[str]) -> None:
    interviews = await all_interviews(gateway)
    expected = {i["id"] for i in interviews if not statuses or i["status"] in statuses}
    assert await filtered(gateway, {"status": statuses}) == expected


async def test_status_filter_for_each_status_present(gateway: Gateway) -> None:
    interviews = await all_interviews(gateway)
    for status in {i["status"] for i in interviews}:
        expected = {i["id"] for i in interviews if i["status"] == status}
        assert await filtered(gateway, {"status": [status]}) == expected


async def test_job_filter(gateway: Gateway) -> None:
    interviews = await all_interviews(gateway)
    jobs = (await gateway.execute(JOB_IDS))["jobs"]["nodes"]
    for job in jobs:
        expected = {i["id"] for i in interviews if i["application"]["job"]["id"] == job["id"]}
        assert await filtered(gateway, {"jobId": job["id"]}) == expected


async def test_application_filter(gateway: Gateway) -> None:
    interviews = await all_interviews(gateway)
    for application_id in {i["application"]["id"] for i in interviews}:
        expected = {i["id"] for i in interviews if i["application"]["id"] == application_id}
        assert await filtered(gateway, {"applicationId": application_id}) == expected


async def test_created_at_range_is_half_open(gateway: Gateway) -> None:
    interviews = await all_interviews(gateway)
    stamps = sorted({i["createdAt"] for i in interviews}, key=at)
    middle = stamps[len(stamps) // 2]
    later = {i["id"] for i in interviews if at(i["createdAt"]) >= at(middle)}
    earlier = {i["id"] for i in interviews if at(i["createdAt"]) < at(middle)}
    assert await filtered(gateway, {"createdAt": {"from": middle}}) == later
    assert await filtered(gateway, {"createdAt": {"to": middle}}) == earlier


@pytest.mark.parametrize("field", ["CREATED_AT", "UPDATED_AT"])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_sort(gateway: Gateway, field: str, direction: str) -> None:
    data = await gateway.execute(
        FILTERED_INTERVIEWS, {"sort": {"field": field, "direction": direction}}
    )
    column = "createdAt" if field == "CREATED_AT" else "updatedAt"
    stamps = [at(node[column]) for node in data["interviews"]["nodes"]]
    assert stamps == sorted(stamps, reverse=direction == "DESC")


async def test_interview_by_id(gateway: Gateway) -> None:
    interviews = await all_interviews(gateway)
    for interview in interviews:
        found = await gateway.execute(INTERVIEW, {"id": interview["id"]})
        assert found["interview"] == interview


async def test_interview_by_id_of_another_type_or_tenant_is_null(gateway: Gateway) -> None:
    demo = (await all_interviews(gateway))[0]
    other = (await all_interviews(gateway, "other"))[0]
    for missing in (demo["application"]["id"], other["id"], global_id("Interview", 10**9)):
        assert (await gateway.execute(INTERVIEW, {"id": missing}))["interview"] is None
    assert (await gateway.execute(INTERVIEW, {"id": other["id"]}, tenant="other"))["interview"]


async def test_filter_with_a_malformed_id_is_bad_user_input(gateway: Gateway) -> None:
    for field in ("jobId", "applicationId"):
        errors = await gateway.errors(FILTERED_INTERVIEWS, {"filter": {field: "*"}})
        assert codes(errors) == ["BAD_USER_INPUT"], field
