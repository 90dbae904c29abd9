"""Admin reads (``me``, ``recruiters``, ``prompts``, ``personas``, ``settings``,
``activities``), tenancy of every root list field, and the role matrix of
gateway/permissions.py as queries see it: readonly reads everything, a recruiter's
activity log holds only requisitions they own, no token is UNAUTHENTICATED everywhere."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import pytest

from demo.sandbox.declaration import demo_sandboxes
from gateway.store.enums import Role
from tests.support.gateway import SIZES, Gateway

ME = """
{ me { id name email role isActive } }
"""

RECRUITERS = """
query Recruiters($filter: RecruiterFilter) {
  recruiters(first: 100, filter: $filter) {
    totalCount
    nodes { id name email role isActive title }
  }
}
"""

RECRUITER = """
query Recruiter($id: ID!) { recruiter(id: $id) { id name email role } }
"""

PROMPTS = """
query Prompts($filter: PromptFilter) {
  prompts(filter: $filter) { id name promptType isDefault job { id } }
}
"""

PROMPT = """
query Prompt($id: ID!) { prompt(id: $id) { id name promptType } }
"""

PERSONAS = """
{ personas { id name isDefault } }
"""

PERSONA = """
query Persona($id: ID!) { persona(id: $id) { id name } }
"""

SETTINGS = """
{
  settings {
    lookbackHoursDefault lookbackHoursMin lookbackHoursMax interviewTokenExpiryDays
    emailFromAddress staleStageDays defaultRecruiter { id email }
  }
}
"""

ACTIVITIES = """
query Activities($after: String, $filter: ActivityFilter) {
  activities(first: 100, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id action actorType createdAt subject description
      job { id recruiter { id } }
      candidate { id }
      application { id }
    }
  }
}
"""

ACTIVITY_SUBJECTS = """
{
  activities(first: 100) {
    nodes {
      id subjectType subject description createdAt
      job { id } candidate { id } application { id }
    }
  }
}
"""

NODE = """
query Node($id: ID!) { node(id: $id) { __typename id } }
"""

JOBS = """
{ jobs(first: 100) { nodes { id recruiter { id } } } }
"""

ROOT_LISTS: dict[str, str] = {
    "jobs": "{ jobs(first: 100) { totalCount nodes { id } } }",
    "candidates": "{ candidates(first: 100) { totalCount nodes { id } } }",
    "applications": "{ applications(first: 100) { totalCount nodes { id } } }",
    "interviews": "{ interviews(first: 100) { totalCount nodes { id } } }",
    "integrations": "{ integrations(first: 100) { totalCount nodes { id } } }",
    "recruiters": "{ recruiters(first: 100) { totalCount nodes { id } } }",
    "activities": "{ activities(first: 100) { totalCount nodes { id } } }",
    "prompts": "{ prompts { id } }",
    "personas": "{ personas { id } }",
}
"""Every root field that lists rows of the tenant."""

ALL_DEMO_ROWS = {
    "activities": 200,
    "integrations": len(demo_sandboxes()),  # one per provider whose fake declares SANDBOX
    "recruiters": 6,
    "prompts": 5,
    "personas": 2,
}
"""Per-tenant row counts the seed fixes regardless of its sizes."""

ROOT_FIELDS: dict[str, tuple[str, dict[str, Any] | None]] = {
    "node": ("query($id: ID!) { node(id: $id) { id } }", {"id": "Sm9iOjE="}),
    "nodes": ("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["Sm9iOjE="]}),
    "jobs": ("{ jobs { totalCount } }", None),
    "job": ("query($id: ID!) { job(id: $id) { id } }", {"id": "Sm9iOjE="}),
    "candidates": ("{ candidates { totalCount } }", None),
    "candidate": ("query($id: ID!) { candidate(id: $id) { id } }", {"id": "Q2FuZGlkYXRlOjE="}),
    "applications": ("{ applications { totalCount } }", None),
    "application": (
        "query($id: ID!) { application(id: $id) { id } }",
        {"id": "QXBwbGljYXRpb246MQ=="},
    ),
    "interviews": ("{ interviews { totalCount } }", None),
    "interview": ("query($id: ID!) { interview(id: $id) { id } }", {"id": "SW50ZXJ2aWV3OjE="}),
    "integrations": ("{ integrations { totalCount } }", None),
    "integration": (
        "query($id: ID!) { integration(id: $id) { id } }",
        {"id": "SW50ZWdyYXRpb246MQ=="},
    ),
    "me": ("{ me { id } }", None),
    "recruiters": ("{ recruiters { totalCount } }", None),
    "recruiter": ("query($id: ID!) { recruiter(id: $id) { id } }", {"id": "UmVjcnVpdGVyOjE="}),
    "prompts": ("{ prompts { id } }", None),
    "prompt": ("query($id: ID!) { prompt(id: $id) { id } }", {"id": "UHJvbXB0OjE="}),
    "personas": ("{ personas { id } }", None),
    "pipelineMetrics": ("{ pipelineMetrics { jobCount } }", None),
    "persona": ("query($id: ID!) { persona(id: $id) { id } }", {"id": "UGVyc29uYTox"}),
    "settings": ("{ settings { staleStageDays } }", None),
    "activities": ("{ activities { totalCount } }", None),
    "logs": ("{ logs { totalCount } }", None),
    "fieldMappings": ("{ fieldMappings { id } }", None),
    "dashboard": ("{ dashboard { applications { total } } }", None),
    "syncRuns": ("{ syncRuns { totalCount } }", None),
    "backgroundJobs": ("{ backgroundJobs { counts { pending } items { totalCount } } }", None),
    "webhookSubscriptions": ("{ webhookSubscriptions { totalCount } }", None),
    "webhookSubscription": (
        "query($id: ID!) { webhookSubscription(id: $id) { id } }",
        {"id": "V2ViaG9va1N1YnNjcmlwdGlvbjox"},
    ),
    "webhookDeliveries": ("{ webhookDeliveries { totalCount } }", None),
    "webhookEvents": ("{ webhookEvents { totalCount } }", None),
}
"""One query per root field of ``Query``."""

INTROSPECT_QUERY_FIELDS = """
{ __type(name: "Query") { fields { name } } }
"""


def global_id(type_name: str, key: int) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def codes(errors: list[dict[str, Any]]) -> list[str | None]:
    return [(error.get("extensions") or {}).get("code") for error in errors]


def expected_rows(field: str, tenant: str) -> int | None:
    if field in ALL_DEMO_ROWS:
        return ALL_DEMO_ROWS[field]
    return SIZES[tenant].get(field)


async def listed_ids(
    gateway: Gateway, field: str, tenant: str, role: Role = Role.ADMIN
) -> tuple[set[str], int]:
    if field == "activities":  # more than one page
        activities, total = await all_activities(gateway, tenant, role)
        return {a["id"] for a in activities}, total
    data = (await gateway.execute(ROOT_LISTS[field], tenant=tenant, role=role))[field]
    if isinstance(data, list):
        return {row["id"] for row in data}, len(data)
    return {row["id"] for row in data["nodes"]}, data["totalCount"]


async def all_activities(
    gateway: Gateway, tenant: str = "demo", role: Role = Role.ADMIN, **activity_filter: Any
) -> tuple[list[dict[str, Any]], int]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"after": after, "filter": activity_filter or None}
        data = await gateway.execute(ACTIVITIES, variables, tenant=tenant, role=role)
        connection = data["activities"]
        nodes += connection["nodes"]
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes, connection["totalCount"]
        after = connection["pageInfo"]["endCursor"]


# -- tenancy of every root list field ------------------------------------------------------------


async def test_every_root_list_field_is_covered() -> None:
    assert set(ROOT_LISTS) <= set(ROOT_FIELDS)


PUBLIC_ROOT_FIELDS = {"publicInterview"}
"""Root fields for anonymous callers (the invitation token is the credential); tested in
tests/resolvers/interviews/test_self_service_interviews.py."""


async def test_the_query_type_has_exactly_the_root_fields_tested(gateway: Gateway) -> None:
    data = await gateway.execute(INTROSPECT_QUERY_FIELDS)
    fields = {field["name"] for field in data["__type"]["fields"]}
    assert fields == set(ROOT_FIELDS) | PUBLIC_ROOT_FIELDS


@pytest.mark.parametrize("field", sorted(ROOT_LISTS))
async def test_each_tenant_sees_only_its_own_rows(gateway: Gateway, field: str) -> None:
    demo, demo_total = await listed_ids(gateway, field, "demo")
    other, other_total = await listed_ids(gateway, field, "other")
    assert demo and other
    assert not demo & other, f"{field}: the tenants share ids"
    for tenant, ids, total in (("demo", demo, demo_total), ("other", other, other_total)):
        assert total == len(ids), (field, tenant)
        expected = expected_rows(field, tenant)
        if expected is not None:
            assert total == expected, (field, tenant)


@pytest.mark.parametrize("field", sorted(ROOT_LISTS))
async def test_tenancy_holds_for_every_role(gateway: Gateway, field: str) -> None:
    admin_other, _ = await listed_ids(gateway, field, "other")
    for role in (Role.READONLY, Role.RECRUITER):
        demo, _ = await listed_ids(gateway, field, "demo", role)
        other, _ = await listed_ids(gateway, field, "other", role)
        assert not demo & other, (field, role)
        assert other <= admin_other, (field, role)


# -- me, recruiters, prompts, personas, settings ---------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
async def test_me_is_the_token_holder(gateway: Gateway, role: Role) -> None:
    me = (await gateway.execute(ME, role=role))["me"]
    demo = gateway.tenants["demo"]
    user_id = {
        Role.ADMIN: demo.admin_user_id,
        Role.RECRUITER: demo.recruiter_user_ids[0],
        Role.READONLY: demo.readonly_user_id,
    }[role]
    assert me["id"] == global_id("Recruiter", user_id)
    assert me["role"] == role.name
    assert me["isActive"] is True


async def test_recruiters_and_their_filters(gateway: Gateway) -> None:
    data = await gateway.execute(RECRUITERS)
    users = data["recruiters"]["nodes"]
    assert data["recruiters"]["totalCount"] == 6
    assert sorted(u["role"] for u in users) == ["ADMIN", "READONLY"] + ["RECRUITER"] * 4
    names = [u["name"] for u in users]
    assert names == sorted(names), "recruiters are listed by name"
    demo = gateway.tenants["demo"]
    ids = {u["id"] for u in users if u["role"] == "RECRUITER"}
    assert ids == {global_id("Recruiter", key) for key in demo.recruiter_user_ids}

    for roles in (["RECRUITER"], ["ADMIN", "READONLY"]):
        found = await gateway.execute(RECRUITERS, {"filter": {"role": roles}})
        assert {u["id"] for u in found["recruiters"]["nodes"]} == {
            u["id"] for u in users if u["role"] in roles
        }
    sample = users[0]
    for term in (sample["name"].upper(), sample["email"].split("@")[0]):
        found = await gateway.execute(RECRUITERS, {"filter": {"search": term}})
        expected = {
            u["id"]
            for u in users
            if term.lower() in u["name"].lower()
            or term.lower() in u["email"].lower()
            or term.lower() in (u["title"] or "").lower()
        }
        assert {u["id"] for u in found["recruiters"]["nodes"]} == expected
    found = await gateway.execute(RECRUITERS, {"filter": {"search": "%"}})
    assert found["recruiters"]["nodes"] == []


async def test_recruiter_by_id(gateway: Gateway) -> None:
    users = (await gateway.execute(RECRUITERS))["recruiters"]["nodes"]
    for user in users:
        found = (await gateway.execute(RECRUITER, {"id": user["id"]}))["recruiter"]
        assert found == {key: user[key] for key in ("id", "name", "email", "role")}
        assert (await gateway.execute(RECRUITER, {"id": user["id"]}, tenant="other"))[
            "recruiter"
        ] is None


async def test_prompts_and_their_filters(gateway: Gateway) -> None:
    prompts = (await gateway.execute(PROMPTS))["prompts"]
    assert len(prompts) == 5
    types = {p["promptType"] for p in prompts}
    assert types == {"RESUME_ANALYSIS", "INTERVIEW", "EVALUATION", "INTERVIEW_EMAIL"}
    for prompt_type in types:
        found = (await gateway.execute(PROMPTS, {"filter": {"promptType": prompt_type}}))["prompts"]
        assert {p["id"] for p in found} == {
            p["id"] for p in prompts if p["promptType"] == prompt_type
        }
    job_specific = [p for p in prompts if p["job"] is not None]
    assert len(job_specific) == 1
    job_id = job_specific[0]["job"]["id"]
    found = (await gateway.execute(PROMPTS, {"filter": {"jobId": job_id}}))["prompts"]
    assert [p["id"] for p in found] == [job_specific[0]["id"]]
    for prompt in prompts:
        single = (await gateway.execute(PROMPT, {"id": prompt["id"]}))["prompt"]
        assert single["name"] == prompt["name"]
        assert (await gateway.execute(PROMPT, {"id": prompt["id"]}, tenant="other"))[
            "prompt"
        ] is None


async def test_personas(gateway: Gateway) -> None:
    personas = (await gateway.execute(PERSONAS))["personas"]
    assert len(personas) == 2
    assert sum(p["isDefault"] for p in personas) == 1
    for persona in personas:
        single = (await gateway.execute(PERSONA, {"id": persona["id"]}))["persona"]
        assert single == {"id": persona["id"], "name": persona["name"]}
        assert (await gateway.execute(PERSONA, {"id": persona["id"]}, tenant="other"))[
            "persona"
        ] is None


@pytest.mark.parametrize("tenant", sorted(SIZES))
async def test_settings_are_the_tenants_own(gateway: Gateway, tenant: str) -> None:
    settings = (await gateway.execute(SETTINGS, tenant=tenant))["settings"]
    assert settings["lookbackHoursMin"] <= settings["lookbackHoursDefault"]
    assert settings["lookbackHoursDefault"] <= settings["lookbackHoursMax"]
    assert settings["emailFromAddress"] == f"talent@{tenant}.example"
    recruiter = gateway.tenants[tenant].recruiter_user_ids[0]
    assert settings["defaultRecruiter"]["id"] == global_id("Recruiter", recruiter)


# -- activities ----------------------------------------------------------------------------


async def test_activities_are_newest_first(gateway: Gateway) -> None:
    activities, total = await all_activities(gateway)
    assert total == len(activities) == 200
    stamps = [datetime.fromisoformat(a["createdAt"]) for a in activities]
    assert stamps == sorted(stamps, reverse=True)
    assert len({a["id"] for a in activities}) == 200


async def test_activity_job_filter(gateway: Gateway) -> None:
    activities, _ = await all_activities(gateway)
    jobs = (await gateway.execute(JOBS))["jobs"]["nodes"]
    matched = 0
    for job in jobs:
        expected = {a["id"] for a in activities if a["job"] and a["job"]["id"] == job["id"]}
        found, total = await all_activities(gateway, jobId=job["id"])
        assert {a["id"] for a in found} == expected
        assert total == len(expected)
        matched += len(expected)
    assert matched == sum(1 for a in activities if a["job"])


async def test_activity_filters_by_action_and_subject(gateway: Gateway) -> None:
    activities, _ = await all_activities(gateway)
    for action in {a["action"] for a in activities}:
        found, _ = await all_activities(gateway, action=[action])
        assert {a["id"] for a in found} == {a["id"] for a in activities if a["action"] == action}
    with_candidate = next(a for a in activities if a["candidate"])
    candidate_id = with_candidate["candidate"]["id"]
    found, _ = await all_activities(gateway, candidateId=candidate_id)
    assert {a["id"] for a in found} == {
        a["id"] for a in activities if a["candidate"] and a["candidate"]["id"] == candidate_id
    }


SUBJECT_TYPES = {
    "job": "Job",
    "candidate": "Candidate",
    "application": "Application",
    "interview": "Interview",
}


async def test_activity_subject_is_a_global_id_node_resolves(gateway: Gateway) -> None:
    data = await gateway.execute(ACTIVITY_SUBJECTS)
    activities = data["activities"]["nodes"]
    seen_types = set()
    for activity in activities:
        subject = activity["subject"]
        assert subject is not None
        node = (await gateway.execute(NODE, {"id": subject}))["node"]
        assert node is not None, (activity["subjectType"], subject)
        assert node["id"] == subject
        assert node["__typename"] == SUBJECT_TYPES[activity["subjectType"]]
        related = (
            activity[activity["subjectType"]] if activity["subjectType"] != "interview" else None
        )
        if related is not None:
            assert related["id"] == subject
        seen_types.add(node["__typename"])
    assert len(seen_types) >= 3


async def test_activity_search_and_date_range(gateway: Gateway) -> None:
    activities, _ = await all_activities(gateway)
    sample = activities[0]["description"]
    for term in (sample.split()[0].upper(), "moved", "SYNCED", "%", "_", "no such entry"):
        expected = {a["id"] for a in activities if term.lower() in a["description"].lower()}
        found, total = await all_activities(gateway, search=term)
        assert {a["id"] for a in found} == expected, term
        assert total == len(expected)

    stamps = sorted({a["createdAt"] for a in activities}, key=datetime.fromisoformat)
    low, high = stamps[len(stamps) // 3], stamps[2 * len(stamps) // 3]
    found, _ = await all_activities(gateway, createdAt={"from": low, "to": high})
    expected = {
        a["id"]
        for a in activities
        if datetime.fromisoformat(low)
        <= datetime.fromisoformat(a["createdAt"])
        < datetime.fromisoformat(high)
    }
    assert expected
    assert {a["id"] for a in found} == expected


# -- roles ------------------------------------------------------------------------------------


async def test_readonly_reads_every_root_field(gateway: Gateway) -> None:
    for field, (query, variables) in ROOT_FIELDS.items():
        if field == "nodes":
            continue  # covered in test_node.py
        data = await gateway.execute(query, variables, role=Role.READONLY)
        assert field in data


async def test_readonly_sees_the_whole_activity_log(gateway: Gateway) -> None:
    admin, admin_total = await all_activities(gateway)
    readonly, readonly_total = await all_activities(gateway, role=Role.READONLY)
    assert readonly_total == admin_total == 200
    assert [a["id"] for a in readonly] == [a["id"] for a in admin]


async def test_recruiter_sees_only_activities_of_requisitions_they_own(gateway: Gateway) -> None:
    me = global_id("Recruiter", gateway.tenants["demo"].recruiter_user_ids[0])
    admin, _ = await all_activities(gateway)
    expected = [
        a["id"] for a in admin if a["job"] is not None and a["job"]["recruiter"]["id"] == me
    ]
    assert expected, "the first recruiter owns a requisition with activity"
    assert len(expected) < len(admin)

    mine, total = await all_activities(gateway, role=Role.RECRUITER)

    assert [a["id"] for a in mine] == expected
    assert total == len(expected)
    assert all(a["job"]["recruiter"]["id"] == me for a in mine)


async def test_recruiter_filtering_activities_cannot_widen_the_view(gateway: Gateway) -> None:
    me = global_id("Recruiter", gateway.tenants["demo"].recruiter_user_ids[0])
    jobs = (await gateway.execute(JOBS))["jobs"]["nodes"]
    foreign = [job for job in jobs if job["recruiter"]["id"] != me]
    assert foreign
    for job in foreign:
        found, total = await all_activities(gateway, role=Role.RECRUITER, jobId=job["id"])
        assert found == []
        assert total == 0


async def test_recruiters_see_other_recruiters_only_in_their_own_tenant(gateway: Gateway) -> None:
    demo, _ = await listed_ids(gateway, "recruiters", "demo", Role.RECRUITER)
    other, _ = await listed_ids(gateway, "recruiters", "other", Role.RECRUITER)
    assert len(demo) == len(other) == 6
    assert not demo & other


@pytest.mark.parametrize("field", sorted(ROOT_FIELDS))
async def test_no_token_is_unauthenticated_for_every_root_field(
    gateway: Gateway, field: str
) -> None:
    query, variables = ROOT_FIELDS[field]
    errors = await gateway.errors(query, variables, role=None)
    assert codes(errors) == ["UNAUTHENTICATED"], errors


async def test_no_token_for_several_root_fields_reveals_nothing(gateway: Gateway) -> None:
    response = await gateway.post(
        "{ jobs { totalCount } candidates { totalCount } me { id } }", role=None
    )
    body = response.json()
    assert body.get("data") is None
    assert set(codes(body["errors"])) == {"UNAUTHENTICATED"}


async def test_a_bad_token_is_refused(gateway: Gateway) -> None:
    response = await gateway.post(
        "{ jobs { totalCount } }", role=None, headers={"authorization": "Bearer not.a.jwt"}
    )
    assert response.status_code == 401
    assert codes(response.json()["errors"]) == ["UNAUTHENTICATED"]
