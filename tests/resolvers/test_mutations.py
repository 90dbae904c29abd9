"""Mutations of gateway-owned data: typed results, validation that writes nothing,
permissions per role, tenant isolation, and an activity attributed to the caller."""

from __future__ import annotations

import base64
from typing import Any

from gateway.store.enums import Role
from tests.support.gateway import Gateway

RECRUITER_CREATE = """
mutation($input: RecruiterCreateInput!) {
  recruiterCreate(input: $input) {
    __typename
    ... on RecruiterCreateSuccess { recruiter { id name email role title } }
    ... on UserError { message code }
    ... on ValidationError { field }
    ... on PermissionDeniedError { permission }
  }
}
"""
RECRUITER_UPDATE = """
mutation($input: RecruiterUpdateInput!) {
  recruiterUpdate(input: $input) {
    __typename
    ... on RecruiterUpdateSuccess { recruiter { id name email phone } }
    ... on UserError { message code }
    ... on ValidationError { field }
  }
}
"""
RECRUITER_DELETE = """
mutation($input: RecruiterDeleteInput!) {
  recruiterDelete(input: $input) {
    __typename
    ... on RecruiterDeleteSuccess { deletedId }
    ... on UserError { message code }
  }
}
"""
PROMPT_CREATE = """
mutation($input: PromptCreateInput!) {
  promptCreate(input: $input) {
    __typename
    ... on PromptCreateSuccess { prompt { id name promptType isDefault schemaContent } }
    ... on ValidationError { field message }
    ... on PermissionDeniedError { permission }
  }
}
"""
PROMPT_UPDATE = """
mutation($input: PromptUpdateInput!) {
  promptUpdate(input: $input) {
    __typename
    ... on PromptUpdateSuccess { prompt { id name templateContent } }
    ... on UserError { message }
  }
}
"""
PROMPT_DELETE = """
mutation($input: PromptDeleteInput!) {
  promptDelete(input: $input) { __typename ... on UserError { message } }
}
"""
PERSONA_CREATE = """
mutation($input: PersonaCreateInput!) {
  personaCreate(input: $input) {
    __typename
    ... on PersonaCreateSuccess { persona { id name isDefault } }
    ... on ValidationError { field }
  }
}
"""
PERSONA_UPDATE = """
mutation($input: PersonaUpdateInput!) {
  personaUpdate(input: $input) {
    __typename
    ... on PersonaUpdateSuccess { persona { id name description } }
    ... on UserError { message }
  }
}
"""
PERSONA_DELETE = """
mutation($input: PersonaDeleteInput!) {
  personaDelete(input: $input) { __typename }
}
"""
SETTINGS_UPDATE = """
mutation($input: SettingsUpdateInput!) {
  settingsUpdate(input: $input) {
    __typename
    ... on SettingsUpdateSuccess {
      settings { lookbackHoursDefault lookbackHoursMin lookbackHoursMax emailFromAddress
                 defaultRecruiter { id } }
    }
    ... on ValidationError { field message }
    ... on PermissionDeniedError { permission }
  }
}
"""
SETTINGS = "{ settings { lookbackHoursDefault lookbackHoursMin lookbackHoursMax } }"
JOB_UPDATE = """
mutation($input: JobUpdateInput!) {
  jobUpdate(input: $input) {
    __typename
    ... on JobUpdateSuccess {
      job { id isActive minCheckInterval interviewInstructions autoSendInterview
            recruiter { id } title }
    }
    ... on UserError { message code }
    ... on ValidationError { field }
  }
}
"""
FIRST_JOB = (
    "{ jobs(first: 1, sort: {field: TITLE, direction: ASC}) { edges { node { id title } } } }"
)
ACTIVITIES_FOR = """
query($action: [String!]) {
  activities(first: 100, filter: {action: $action}) {
    edges { node { action actorType actorId subject description job { id } } }
  }
}
"""
RECRUITERS = "{ recruiters(first: 100) { edges { node { id email role } } } }"


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


async def activities(gateway: Gateway, action: str) -> list[dict[str, Any]]:
    data = await gateway.execute(ACTIVITIES_FOR, {"action": [action]})
    return [edge["node"] for edge in data["activities"]["edges"]]


async def test_recruiter_lifecycle_records_activities(gateway: Gateway) -> None:
    admin_id = str(gateway.tenants["demo"].admin_user_id)
    created = await gateway.execute(
        RECRUITER_CREATE,
        {"input": {"name": " Ada Quill ", "email": "Ada.Quill@Demo.Example", "title": "Sourcer"}},
    )
    result = created["recruiterCreate"]
    assert result["__typename"] == "RecruiterCreateSuccess"
    recruiter = result["recruiter"]
    assert recruiter["name"] == "Ada Quill"
    assert recruiter["email"] == "ada.quill@demo.example"
    assert recruiter["role"] == "RECRUITER"

    updated = await gateway.execute(
        RECRUITER_UPDATE, {"input": {"id": recruiter["id"], "phone": "555-0100"}}
    )
    assert updated["recruiterUpdate"]["recruiter"]["phone"] == "555-0100"
    assert updated["recruiterUpdate"]["recruiter"]["name"] == "Ada Quill"

    deleted = await gateway.execute(RECRUITER_DELETE, {"input": {"id": recruiter["id"]}})
    assert deleted["recruiterDelete"] == {
        "__typename": "RecruiterDeleteSuccess",
        "deletedId": recruiter["id"],
    }
    emails = {
        e["node"]["email"] for e in (await gateway.execute(RECRUITERS))["recruiters"]["edges"]
    }
    assert "ada.quill@demo.example" not in emails

    for action in ("recruiter.created", "recruiter.updated", "recruiter.deleted"):
        entries = [a for a in await activities(gateway, action) if a["subject"] == recruiter["id"]]
        assert len(entries) == 1, action
        assert entries[0]["actorType"] == "USER"
        assert entries[0]["actorId"] == admin_id


async def test_recruiter_validation_writes_nothing(gateway: Gateway) -> None:
    before = await gateway.execute(RECRUITERS)
    bad_email = await gateway.execute(
        RECRUITER_CREATE, {"input": {"name": "X", "email": "not-an-email"}}
    )
    assert bad_email["recruiterCreate"]["__typename"] == "ValidationError"
    assert bad_email["recruiterCreate"]["field"] == "email"
    duplicate = await gateway.execute(
        RECRUITER_CREATE, {"input": {"name": "Dup", "email": "ADMIN@demo.example"}}
    )
    assert duplicate["recruiterCreate"]["__typename"] == "ValidationError"
    assert "already exists" in duplicate["recruiterCreate"]["message"]
    empty_name = await gateway.execute(
        RECRUITER_CREATE, {"input": {"name": "   ", "email": "blank@demo.example"}}
    )
    assert empty_name["recruiterCreate"]["field"] == "name"
    assert await gateway.execute(RECRUITERS) == before


async def test_recruiter_mutations_denied_to_other_roles(gateway: Gateway) -> None:
    for role in (Role.RECRUITER, Role.READONLY):
        data = await gateway.execute(
            RECRUITER_CREATE,
            {"input": {"name": "Eve", "email": f"eve-{role}@demo.example"}},
            role=role,
        )
        assert data["recruiterCreate"]["__typename"] == "PermissionDeniedError"
        assert data["recruiterCreate"]["permission"] == "recruiters:manage"
    emails = {
        e["node"]["email"] for e in (await gateway.execute(RECRUITERS))["recruiters"]["edges"]
    }
    assert not any(email.startswith("eve-") for email in emails)


async def test_ids_of_another_tenant_are_not_found(gateway: Gateway) -> None:
    other_admin = gid("Recruiter", gateway.tenants["other"].admin_user_id)
    data = await gateway.execute(RECRUITER_UPDATE, {"input": {"id": other_admin, "name": "Hijack"}})
    assert data["recruiterUpdate"]["__typename"] == "NotFoundError"
    other_job = (await gateway.execute(FIRST_JOB, tenant="other"))["jobs"]["edges"][0]["node"]
    data = await gateway.execute(JOB_UPDATE, {"input": {"id": other_job["id"], "isActive": False}})
    assert data["jobUpdate"]["__typename"] == "NotFoundError"
    still = await gateway.execute(
        "query($id: ID!) { job(id: $id) { isActive } }", {"id": other_job["id"]}, tenant="other"
    )
    assert still["job"]["isActive"] is True


async def test_cannot_delete_yourself(gateway: Gateway) -> None:
    me = gid("Recruiter", gateway.tenants["demo"].admin_user_id)
    data = await gateway.execute(RECRUITER_DELETE, {"input": {"id": me}})
    assert data["recruiterDelete"]["__typename"] == "ValidationError"


async def test_malformed_id_is_a_validation_error(gateway: Gateway) -> None:
    data = await gateway.execute(RECRUITER_DELETE, {"input": {"id": "!!not-base64!!"}})
    assert data["recruiterDelete"]["__typename"] == "ValidationError"


async def test_prompt_lifecycle_and_single_default(gateway: Gateway) -> None:
    schema = '{"type": "object", "properties": {"riskScore": {"type": "number"}}}'
    first = await gateway.execute(
        PROMPT_CREATE,
        {
            "input": {
                "name": "Strict analysis",
                "promptType": "RESUME_ANALYSIS",
                "templateContent": "Analyse {resume}",
                "schemaContent": schema,
                "isDefault": True,
            }
        },
    )
    prompt = first["promptCreate"]["prompt"]
    assert prompt["isDefault"] is True
    defaults = await gateway.execute(
        "{ prompts(filter: {promptType: RESUME_ANALYSIS}) { id isDefault } }"
    )
    assert [p["id"] for p in defaults["prompts"] if p["isDefault"]] == [prompt["id"]]

    updated = await gateway.execute(
        PROMPT_UPDATE, {"input": {"id": prompt["id"], "templateContent": "Analyse again"}}
    )
    assert updated["promptUpdate"]["prompt"]["templateContent"] == "Analyse again"
    assert updated["promptUpdate"]["prompt"]["name"] == "Strict analysis"
    deleted = await gateway.execute(PROMPT_DELETE, {"input": {"id": prompt["id"]}})
    assert deleted["promptDelete"]["__typename"] == "PromptDeleteSuccess"
    gone = await gateway.execute("query($id: ID!) { prompt(id: $id) { id } }", {"id": prompt["id"]})
    assert gone["prompt"] is None
    again = await gateway.execute(PROMPT_DELETE, {"input": {"id": prompt["id"]}})
    assert again["promptDelete"]["__typename"] == "NotFoundError"


async def test_prompt_schema_must_be_json(gateway: Gateway) -> None:
    data = await gateway.execute(
        PROMPT_CREATE,
        {
            "input": {
                "name": "Broken",
                "promptType": "EVALUATION",
                "templateContent": "x",
                "schemaContent": "{not json",
            }
        },
    )
    assert data["promptCreate"]["__typename"] == "ValidationError"
    assert data["promptCreate"]["field"] == "schemaContent"
    names = {p["name"] for p in (await gateway.execute("{ prompts { name } }"))["prompts"]}
    assert "Broken" not in names


async def test_prompts_read_only_for_recruiters(gateway: Gateway) -> None:
    data = await gateway.execute(
        PROMPT_CREATE,
        {"input": {"name": "Nope", "promptType": "INTERVIEW", "templateContent": "x"}},
        role=Role.RECRUITER,
    )
    assert data["promptCreate"]["__typename"] == "PermissionDeniedError"
    assert (await gateway.execute("{ prompts { id } }", role=Role.RECRUITER))["prompts"]


async def test_persona_lifecycle(gateway: Gateway) -> None:
    created = await gateway.execute(
        PERSONA_CREATE,
        {"input": {"name": "Calm", "systemPromptTemplate": "You are calm.", "isDefault": True}},
    )
    persona = created["personaCreate"]["persona"]
    personas = (await gateway.execute("{ personas { id isDefault } }"))["personas"]
    assert [p["id"] for p in personas if p["isDefault"]] == [persona["id"]]
    updated = await gateway.execute(
        PERSONA_UPDATE, {"input": {"id": persona["id"], "description": "Measured"}}
    )
    assert updated["personaUpdate"]["persona"]["description"] == "Measured"
    invalid = await gateway.execute(
        PERSONA_CREATE, {"input": {"name": "Empty", "systemPromptTemplate": " "}}
    )
    assert invalid["personaCreate"]["__typename"] == "ValidationError"
    assert (await gateway.execute(PERSONA_DELETE, {"input": {"id": persona["id"]}}))[
        "personaDelete"
    ]["__typename"] == "PersonaDeleteSuccess"


async def test_settings_update_keeps_lookback_order(gateway: Gateway) -> None:
    before = await gateway.execute(SETTINGS)
    bad = await gateway.execute(SETTINGS_UPDATE, {"input": {"lookbackHoursMin": 500}})
    assert bad["settingsUpdate"]["__typename"] == "ValidationError"
    assert await gateway.execute(SETTINGS) == before

    recruiter = gid("Recruiter", gateway.tenants["demo"].recruiter_user_ids[1])
    good = await gateway.execute(
        SETTINGS_UPDATE,
        {
            "input": {
                "lookbackHoursDefault": 48,
                "emailFromAddress": "Jobs@Demo.Example",
                "defaultRecruiterId": recruiter,
            }
        },
    )
    settings = good["settingsUpdate"]["settings"]
    assert settings["lookbackHoursDefault"] == 48
    assert settings["emailFromAddress"] == "jobs@demo.example"
    assert settings["defaultRecruiter"]["id"] == recruiter
    denied = await gateway.execute(
        SETTINGS_UPDATE, {"input": {"lookbackHoursDefault": 12}}, role=Role.RECRUITER
    )
    assert denied["settingsUpdate"]["__typename"] == "PermissionDeniedError"
    foreign = gid("Recruiter", gateway.tenants["other"].admin_user_id)
    cross = await gateway.execute(SETTINGS_UPDATE, {"input": {"defaultRecruiterId": foreign}})
    assert cross["settingsUpdate"]["__typename"] == "NotFoundError"


async def test_job_local_fields_update(gateway: Gateway) -> None:
    job = (await gateway.execute(FIRST_JOB))["jobs"]["edges"][0]["node"]
    recruiter = gid("Recruiter", gateway.tenants["demo"].recruiter_user_ids[0])
    data = await gateway.execute(
        JOB_UPDATE,
        {
            "input": {
                "id": job["id"],
                "minCheckInterval": 45,
                "interviewInstructions": "Ask about SQL",
                "autoSendInterview": True,
                "recruiterId": recruiter,
            }
        },
        role=Role.RECRUITER,
    )
    updated = data["jobUpdate"]["job"]
    assert updated["minCheckInterval"] == 45
    assert updated["interviewInstructions"] == "Ask about SQL"
    assert updated["autoSendInterview"] is True
    assert updated["recruiter"]["id"] == recruiter
    assert updated["title"] == job["title"]

    zero = await gateway.execute(JOB_UPDATE, {"input": {"id": job["id"], "minCheckInterval": 0}})
    assert zero["jobUpdate"]["__typename"] == "ValidationError"
    readonly = await gateway.execute(
        JOB_UPDATE, {"input": {"id": job["id"], "isActive": False}}, role=Role.READONLY
    )
    assert readonly["jobUpdate"]["__typename"] == "PermissionDeniedError"
    current = await gateway.execute(
        "query($id: ID!) { job(id: $id) { isActive minCheckInterval } }", {"id": job["id"]}
    )
    assert current["job"] == {"isActive": True, "minCheckInterval": 45}

    entries = [
        a
        for a in await activities(gateway, "job.updated")
        if a["job"] and a["job"]["id"] == job["id"]
    ]
    assert entries and entries[0]["actorId"] == str(gateway.tenants["demo"].recruiter_user_ids[0])
