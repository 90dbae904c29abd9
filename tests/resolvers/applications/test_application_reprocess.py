"""``applicationReprocess`` through GraphQL: a queued background job per application
(asking twice reports the first), run in process with the offline provider and
recorded, after which ``Application.analysis`` is the new analysis; permissions, other
tenants and bad ids come back as typed errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.store.enums import Role
from gateway.store.models import Application
from jobs import analysis_tasks
from jobs.queue_local import InProcessQueue
from resolvers.relay import to_global_id
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import Backend

REPROCESS = """
mutation($id: ID!) {
  applicationReprocess(input: {applicationId: $id}) {
    __typename
    ... on ApplicationReprocessSuccess {
      queued alreadyRunning
      backgroundJob { id jobType jobKey status payload }
      application { id }
    }
    ... on NotFoundError { entity }
    ... on ValidationError { field message }
    ... on PermissionDeniedError { permission }
  }
}
"""
APPLICATION = """
query($id: ID!) {
  node(id: $id) {
    ... on Application {
      riskScore
      analysis { id riskScore relevanceSummary pros cons suggestedQuestions model }
    }
  }
}
"""
JOBS = """
query {
  backgroundJobs(filter: {jobType: "analyze_application"}, first: 50) {
    items { nodes { id status attempts lastError } }
  }
}
"""


@pytest.fixture(scope="module")
async def gateway(backend: Backend) -> AsyncIterator[Gateway]:
    async with running_gateway(backend.url, task_retry_base_seconds=0.01) as running:
        yield running


class Gate:
    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.open.set()
        self.calls: list[int] = []


@pytest.fixture
def gate(gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    """Holds analyses while closed, so a second request finds the first still queued."""
    held = Gate()
    analyze = analysis_tasks.analyze_application

    async def gated(deps: Any, tenant_id: int, application_id: int, **kwargs: Any) -> Any:
        held.calls.append(application_id)
        await held.open.wait()
        return await analyze(deps, tenant_id, application_id, **kwargs)

    monkeypatch.setattr(analysis_tasks, "analyze_application", gated)
    yield held
    held.open.set()


async def _drain(gateway: Gateway) -> None:
    queue = gateway.app.state.queue
    assert isinstance(queue, InProcessQueue)
    await asyncio.wait_for(queue.drain(), timeout=20)


async def _application_ids(gateway: Gateway, tenant: str = "demo") -> list[int]:
    async with gateway.app.state.session_factory() as session:
        return list(
            await session.scalars(
                sa.select(Application.id)
                .where(Application.tenant_id == gateway.tenants[tenant].tenant_id)
                .order_by(Application.id)
            )
        )


async def test_reprocess_queues_a_job_that_produces_the_current_analysis(
    gateway: Gateway, gate: Gate
) -> None:
    application_id = (await _application_ids(gateway))[0]
    gid = to_global_id("Application", application_id)
    before = (await gateway.execute(APPLICATION, {"id": gid}))["node"]["analysis"]
    gate.open.clear()
    first = (await gateway.execute(REPROCESS, {"id": gid}))["applicationReprocess"]
    assert first["__typename"] == "ApplicationReprocessSuccess"
    assert (first["queued"], first["alreadyRunning"]) == (True, False)
    assert first["application"]["id"] == gid
    job = first["backgroundJob"]
    assert (job["jobType"], job["jobKey"]) == ("analyze_application", f"analysis:{application_id}")
    assert job["status"] in {"PENDING", "RUNNING"}
    assert job["payload"]["trigger"] == "reprocess"
    assert job["payload"]["requested_by"] == gateway.tenants["demo"].admin_user_id

    again = (await gateway.execute(REPROCESS, {"id": gid}, role=Role.RECRUITER))[
        "applicationReprocess"
    ]
    assert (again["queued"], again["alreadyRunning"]) == (False, True)
    assert again["backgroundJob"]["id"] == job["id"]

    gate.open.set()
    await _drain(gateway)
    assert gate.calls == [application_id]
    after = (await gateway.execute(APPLICATION, {"id": gid}))["node"]
    analysis = after["analysis"]
    assert analysis is not None and analysis["id"] != (before or {}).get("id")
    assert analysis["model"] == "offline-1"
    assert 0 <= analysis["riskScore"] <= 1
    assert after["riskScore"] == analysis["riskScore"]
    assert analysis["relevanceSummary"] and len(analysis["suggestedQuestions"]) >= 3
    jobs = (await gateway.execute(JOBS))["backgroundJobs"]["items"]["nodes"]
    record = next(node for node in jobs if node["id"] == job["id"])
    assert (record["status"], record["attempts"], record["lastError"]) == ("SUCCEEDED", 1, None)

    third = (await gateway.execute(REPROCESS, {"id": gid}))["applicationReprocess"]
    assert (third["queued"], third["alreadyRunning"]) == (True, False)
    assert third["backgroundJob"]["id"] != job["id"]
    await _drain(gateway)


async def test_reprocess_needs_the_permission_and_an_application_of_the_tenant(
    gateway: Gateway, gate: Gate
) -> None:
    own = to_global_id("Application", (await _application_ids(gateway))[1])
    denied = (await gateway.execute(REPROCESS, {"id": own}, role=Role.READONLY))[
        "applicationReprocess"
    ]
    assert denied == {
        "__typename": "PermissionDeniedError",
        "permission": "applications:reprocess",
    }
    foreign = to_global_id("Application", (await _application_ids(gateway, "other"))[0])
    for missing in (foreign, to_global_id("Application", 10**9), to_global_id("Job", 1)):
        result = (await gateway.execute(REPROCESS, {"id": missing}))["applicationReprocess"]
        assert result == {"__typename": "NotFoundError", "entity": "Application"}, missing
    malformed = (await gateway.execute(REPROCESS, {"id": "nope"}))["applicationReprocess"]
    assert (malformed["__typename"], malformed["field"]) == ("ValidationError", "applicationId")
    assert gate.calls == []
    errors = await gateway.errors(REPROCESS, {"id": own}, role=None)
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
