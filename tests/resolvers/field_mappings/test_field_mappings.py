"""Custom fields and field mappings, end to end against the Recruiterflow fake: a job's
and a candidate's custom fields synced into ``customFields``; a mapping set in GraphQL
changes the target field on the next sync, and the sync after its removal writes the
source's standard value back; bad input, non-admins and other tenants are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.store.enums import Role
from gateway.store.models import FieldMapping
from resolvers.relay import to_global_id
from tests.support.services import Backend
from tests.support.worlds import GatewayWorld, gateway_world

SET = """
mutation($input: FieldMappingSetInput!) { fieldMappingSet(input: $input) {
  __typename
  ... on FieldMappingSetSuccess {
    fieldMapping { id provider entity sourceField targetField }
  }
  ... on ValidationError { field message }
  ... on PermissionDeniedError { permission }
} }
"""
DELETE = """
mutation($input: FieldMappingDeleteInput!) { fieldMappingDelete(input: $input) {
  __typename
  ... on FieldMappingDeleteSuccess { deletedId }
  ... on NotFoundError { message }
  ... on PermissionDeniedError { permission }
} }
"""
LIST = "{ fieldMappings { id provider entity sourceField targetField } }"
JOBS = "{ jobs(first: 100) { nodes { remoteId department customFields } } }"
CANDIDATES = "{ candidates(first: 100) { nodes { remoteId headline customFields } } }"

FEE = {"currency": "USD", "number": 20000}
HEADLINE_FIELD = {"id": 91, "name": "Preferred title", "value": "Staff Engineer"}


@pytest.fixture(scope="module")
async def rf(backend: Backend) -> AsyncIterator[tuple[GatewayWorld, FakeRecruiterflow, int]]:
    fake = FakeRecruiterflow()
    fake.seed(jobs=3, candidates=4, applications=5)
    first = min(fake.candidates)
    fake.candidates[first]["custom_fields"] = [
        HEADLINE_FIELD,
        "not an entry",
        {"id": 92, "value": "no name"},
        {"id": 93, "name": "  ", "value": "blank name"},
    ]
    async with gateway_world(backend, {"https://api.recruiterflow.com": fake.app}) as world:
        integration_id = await world.add_integration(
            "recruiterflow", "RF fields", {"apiKey": fake.api_key}
        )
        await world.sync(integration_id)
        yield world, fake, integration_id


@pytest.fixture(autouse=True)
async def no_mappings(rf: tuple[GatewayWorld, FakeRecruiterflow, int]) -> None:
    """Each test starts with no mappings in any tenant (the world is the module's)."""
    async with rf[0].gateway.app.state.session_factory.begin() as session:
        await session.execute(sa.delete(FieldMapping))


async def synced(world: GatewayWorld, query: str, root: str, fake_ids: Any) -> dict[str, Any]:
    data = await world.gateway.execute(query)
    wanted = {str(pk) for pk in fake_ids}
    return {node["remoteId"]: node for node in data[root]["nodes"] if node["remoteId"] in wanted}


async def test_custom_fields_sync_into_custom_fields(
    rf: tuple[GatewayWorld, FakeRecruiterflow, int],
) -> None:
    world, fake, _ = rf
    jobs = await synced(world, JOBS, "jobs", fake.jobs)
    assert len(jobs) == 3
    for job in jobs.values():
        assert job["customFields"] == {"Placement Fee": FEE, "Input field": "edfvfd"}
        assert job["department"] == "Engineering"
    candidates = await synced(world, CANDIDATES, "candidates", fake.candidates)
    first = candidates[str(min(fake.candidates))]
    assert first["customFields"] == {"Preferred title": "Staff Engineer"}  # malformed skipped
    assert all(c["customFields"] == {} for k, c in candidates.items() if c is not first)


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.READONLY])
async def test_whoever_reads_the_record_reads_its_custom_fields(
    rf: tuple[GatewayWorld, FakeRecruiterflow, int], role: Role
) -> None:
    world, fake, _ = rf
    data = await world.gateway.execute(JOBS, role=role)
    mine = [n for n in data["jobs"]["nodes"] if n["remoteId"] in {str(k) for k in fake.jobs}]
    assert all(n["customFields"]["Input field"] == "edfvfd" for n in mine)


async def test_a_mapping_fills_its_target_from_the_next_sync_until_removed(
    rf: tuple[GatewayWorld, FakeRecruiterflow, int],
) -> None:
    world, fake, integration_id = rf
    job_mapping = await world.mutate(
        SET,
        "fieldMappingSet",
        {
            "provider": "RECRUITERFLOW",
            "entity": "JOB",
            "sourceField": "Input field",
            "targetField": "department",
        },
    )
    assert job_mapping["__typename"] == "FieldMappingSetSuccess", job_mapping
    candidate_mapping = await world.mutate(
        SET,
        "fieldMappingSet",
        {
            "provider": "RECRUITERFLOW",
            "entity": "CANDIDATE",
            "sourceField": "Preferred title",
            "targetField": "headline",
        },
    )
    assert candidate_mapping["fieldMapping"]["targetField"] == "headline"
    listed = (await world.gateway.execute(LIST))["fieldMappings"]
    assert {m["targetField"] for m in listed} == {"department", "headline"}

    before = await synced(world, JOBS, "jobs", fake.jobs)
    assert all(job["department"] == "Engineering" for job in before.values())  # next sync

    await world.sync(integration_id)
    jobs = await synced(world, JOBS, "jobs", fake.jobs)
    assert {job["department"] for job in jobs.values()} == {"edfvfd"}
    candidates = await synced(world, CANDIDATES, "candidates", fake.candidates)
    first = str(min(fake.candidates))
    assert candidates[first]["headline"] == "Staff Engineer"
    assert all(c["headline"] != "Staff Engineer" for k, c in candidates.items() if k != first)

    deleted = await world.mutate(
        DELETE, "fieldMappingDelete", {"id": job_mapping["fieldMapping"]["id"]}
    )
    assert deleted["__typename"] == "FieldMappingDeleteSuccess"
    await world.sync(integration_id)
    jobs = await synced(world, JOBS, "jobs", fake.jobs)
    assert {job["department"] for job in jobs.values()} == {"Engineering"}
    candidates = await synced(world, CANDIDATES, "candidates", fake.candidates)
    assert candidates[first]["headline"] == "Staff Engineer"  # that mapping stays


async def test_setting_a_target_again_points_it_at_the_new_source(
    rf: tuple[GatewayWorld, FakeRecruiterflow, int],
) -> None:
    world, _, _ = rf
    input = {"provider": "JOBVITE", "entity": "JOB", "targetField": "clientName"}
    first = await world.mutate(SET, "fieldMappingSet", {**input, "sourceField": "Client"})
    second = await world.mutate(SET, "fieldMappingSet", {**input, "sourceField": "Account"})
    assert first["fieldMapping"]["id"] == second["fieldMapping"]["id"]
    assert second["fieldMapping"]["sourceField"] == "Account"
    assert await world.count(FieldMapping, FieldMapping.tenant_id == world.tenant_id) == 1


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"targetField": "title"}, "target_field", "department, location, employmentType"),
        ({"targetField": "rejectionReason"}, "target_field", "not a field a mapping"),
        ({"entity": "APPLICATION", "targetField": "status"}, "target_field", "rejectionReason"),
        ({"sourceField": "   "}, "source_field", "must not be empty"),
        ({"sourceField": "x" * 256}, "source_field", "at most 255"),
    ],
)
async def test_bad_input_is_a_validation_error_and_changes_nothing(
    rf: tuple[GatewayWorld, FakeRecruiterflow, int],
    change: dict[str, str],
    field: str,
    words: str,
) -> None:
    world, _, _ = rf
    input = {
        "provider": "RECRUITERFLOW",
        "entity": "JOB",
        "sourceField": "Input field",
        "targetField": "department",
        **change,
    }
    result = await world.mutate(SET, "fieldMappingSet", input)
    assert result["__typename"] == "ValidationError", result
    assert field in result["field"] and words in result["message"], result
    assert await world.count(FieldMapping) == 0


async def test_an_unknown_provider_is_refused_before_execution(
    rf: tuple[GatewayWorld, FakeRecruiterflow, int],
) -> None:
    world, _, _ = rf
    input = {"provider": "NO_SUCH_ATS", "entity": "JOB", "sourceField": "a", "targetField": "x"}
    response = await world.gateway.post(SET, {"input": input})
    body = response.json()
    assert body.get("data") is None
    assert "NO_SUCH_ATS" in body["errors"][0]["message"]
    assert "INTERNAL" not in str(body)
    assert await world.count(FieldMapping) == 0


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.READONLY])
async def test_only_admins_set_or_delete_mappings(
    rf: tuple[GatewayWorld, FakeRecruiterflow, int], role: Role
) -> None:
    world, _, _ = rf
    input = {
        "provider": "RECRUITERFLOW",
        "entity": "JOB",
        "sourceField": "Input field",
        "targetField": "department",
    }
    refused = await world.mutate(SET, "fieldMappingSet", input, role=role)
    assert refused == {"__typename": "PermissionDeniedError", "permission": "settings:manage"}
    assert await world.count(FieldMapping) == 0
    made = await world.mutate(SET, "fieldMappingSet", input)
    gone = await world.mutate(
        DELETE, "fieldMappingDelete", {"id": made["fieldMapping"]["id"]}, role=role
    )
    assert gone["__typename"] == "PermissionDeniedError"
    assert await world.count(FieldMapping) == 1


async def test_another_tenants_mapping_is_not_found_and_not_listed(
    rf: tuple[GatewayWorld, FakeRecruiterflow, int],
) -> None:
    world, _, _ = rf
    other = world.gateway.tenants["other"].tenant_id
    async with world.gateway.app.state.session_factory.begin() as session:
        theirs = FieldMapping(
            tenant_id=other,
            provider="recruiterflow",
            entity="job",
            source_field="Input field",
            target_field="department",
        )
        session.add(theirs)
        await session.flush()
        pk = theirs.id
    result = await world.mutate(
        DELETE, "fieldMappingDelete", {"id": to_global_id("FieldMapping", pk)}
    )
    assert result["__typename"] == "NotFoundError"
    assert await world.count(FieldMapping, FieldMapping.id == pk) == 1
    assert (await world.gateway.execute(LIST))["fieldMappings"] == []
    node = await world.gateway.execute(
        "query($id: ID!) { node(id: $id) { id } }", {"id": to_global_id("FieldMapping", pk)}
    )
    assert node["node"] is None
