"""``remoteData`` on every synced type: the source's raw record for admins, read in one
statement per type whatever the page size and only when selected; a ``FORBIDDEN``
field error for everyone else, with the rest of the answer intact."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.store.base import table_of
from gateway.store.enums import Role
from gateway.store.models import (
    Application,
    Candidate,
    Interview,
    Job,
    Offer,
    OnboardingTask,
    PipelineStage,
)
from resolvers.relay import from_global_id
from tests.support.gateway import SIZES, Gateway
from tests.support.services import Backend
from tests.support.worlds import GatewayWorld, gateway_world

EVERY_TYPE = """
{ applications(first: 100) { nodes {
    id status remoteData
    job { id title remoteData }
    candidate { id name remoteData }
    currentStage { id name remoteData }
    interviews { id status remoteData }
    offers { id status remoteData }
    onboardingTasks { id title remoteData }
} } }
"""
MODELS = {
    model.__name__: model
    for model in (Job, Candidate, Application, PipelineStage, Interview, Offer, OnboardingTask)
}
JOBS_WITH = "{ jobs(first: 100) { nodes { title remoteData } } }"
JOBS_WITHOUT = "{ jobs(first: 100) { nodes { title } } }"
CANDIDATES_WITH = "{ candidates(first: 100) { nodes { name remoteData } } }"


def nodes_of(data: Any) -> list[dict[str, Any]]:
    """Every object in ``data`` that carries a global id."""
    found: list[dict[str, Any]] = []
    if isinstance(data, dict):
        if "id" in data and "remoteData" in data:
            found.append(data)
        for value in data.values():
            found += nodes_of(value)
    elif isinstance(data, list):
        for item in data:
            found += nodes_of(item)
    return found


async def stored_remote_data(gateway: Gateway, model: Any, pks: set[int]) -> dict[int, Any]:
    c = table_of(model).c
    async with gateway.app.state.session_factory() as session:
        rows = (await session.execute(sa.select(c.id, c.remote_data).where(c.id.in_(pks)))).all()
    return {row.id: row.remote_data for row in rows}


async def test_admins_read_the_raw_record_of_every_synced_type(gateway: Gateway) -> None:
    data = await gateway.execute(EVERY_TYPE)
    seen: dict[str, dict[int, Any]] = {}
    for node in nodes_of(data):
        kind, pk = from_global_id(node["id"])
        seen.setdefault(kind, {})[pk] = node["remoteData"]
    assert seen.keys() == MODELS.keys()
    for kind, answered in seen.items():
        stored = await stored_remote_data(gateway, MODELS[kind], set(answered))
        assert answered == stored, kind
        if kind != "Interview":  # the seeded interviews are the gateway's own
            assert any(value for value in answered.values()), f"no {kind} has a raw record"


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.READONLY])
async def test_other_roles_get_a_forbidden_field_and_the_rest_of_the_answer(
    gateway: Gateway, role: Role
) -> None:
    response = await gateway.post(EVERY_TYPE, role=role)
    assert response.status_code == 200, response.text
    body = response.json()
    nodes = nodes_of(body["data"])
    assert nodes
    assert all(node["remoteData"] is None for node in nodes)
    assert all(node.get("status") or node.get("title") or node.get("name") for node in nodes)
    errors = body["errors"]
    assert len(errors) == len(nodes)
    for error in errors:
        assert error["path"][-1] == "remoteData"
        assert error["extensions"] == {"code": "FORBIDDEN", "permission": "remote-data:read"}


async def counted(gateway: Gateway, query: str, tenant: str) -> tuple[int, list[str]]:
    await gateway.app.state.cache.invalidate(gateway.tenants[tenant].tenant_id)
    gateway.statements.reset()
    await gateway.execute(query, tenant=tenant)
    return gateway.statements.count, list(gateway.statements.statements)


async def test_raw_records_take_one_statement_per_type_whatever_the_rows(
    gateway: Gateway,
) -> None:
    assert SIZES["demo"]["jobs"] != SIZES["other"]["jobs"]
    demo, _ = await counted(gateway, JOBS_WITH, "demo")
    other, _ = await counted(gateway, JOBS_WITH, "other")
    assert demo == other
    without, statements = await counted(gateway, JOBS_WITHOUT, "demo")
    assert demo == without + 1
    assert not any("remote_data" in s for s in statements)  # heavy: only when selected

    every_demo, _ = await counted(gateway, EVERY_TYPE, "demo")
    every_other, _ = await counted(gateway, EVERY_TYPE, "other")
    assert every_demo == every_other


@pytest.fixture(scope="module")
async def rf(backend: Backend) -> AsyncIterator[tuple[GatewayWorld, FakeRecruiterflow]]:
    fake = FakeRecruiterflow()
    fake.seed(jobs=3, candidates=4, applications=5)
    async with gateway_world(backend, {"https://api.recruiterflow.com": fake.app}) as world:
        integration_id = await world.add_integration(
            "recruiterflow", "RF raw", {"apiKey": fake.api_key}
        )
        await world.sync(integration_id)
        yield world, fake


async def fake_listing(fake: FakeRecruiterflow, path: str) -> dict[str, Any]:
    """The records the fake lists at ``path``, by id, as its API returns them."""
    transport = httpx.ASGITransport(app=fake.app)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://api.recruiterflow.com"
    ) as client:
        response = await client.get(
            f"/api/external{path}",
            params={"items_per_page": 100, "current_page": 1},
            headers={"RF-Api-Key": fake.api_key},
        )
    response.raise_for_status()
    answer = response.json()
    items = answer["data"] if isinstance(answer, dict) else answer
    return {str(item["id"]): item for item in items}


async def test_the_raw_record_is_what_the_source_returned(
    rf: tuple[GatewayWorld, FakeRecruiterflow],
) -> None:
    """Each record as the fake's listing returns it, plus what the mapping documents
    adding: a job's recruiter (``job_from_raw``), a candidate's chosen resume file
    (``candidate_from_raw``)."""
    world, fake = rf
    for root, path, added in (
        ("jobs", "/job/list", {"recruiter"}),
        ("candidates", "/candidate/list", {"resume_file"}),
    ):
        listed = await fake_listing(fake, path)
        response = await world.gateway.post(
            f"{{ {root}(first: 100) {{ nodes {{ remoteId remoteData }} }} }}"
        )
        body = response.json()
        assert "errors" not in body, body
        synced = {
            node["remoteId"]: node["remoteData"]
            for node in body["data"][root]["nodes"]
            if node["remoteId"] in listed
        }
        assert synced.keys() == listed.keys()
        for remote_id, raw in listed.items():
            kept = synced[remote_id]
            assert {key: kept[key] for key in raw} == raw, (root, remote_id)
            assert kept.keys() - raw.keys() <= added, (root, remote_id)
