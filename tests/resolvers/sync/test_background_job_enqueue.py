"""``backgroundJobEnqueue`` (the design's "Add to Queue") and clearing pending work, on
both databases: each job type queues its task for the tenant's record with the priority
on the record; only admins may; a missing, extra, malformed or foreign id and a priority
out of range are typed errors that queue nothing; ``backgroundJobsClear`` takes PENDING
and leaves other tenants alone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.store.enums import BackgroundJobStatus, Role
from gateway.store.models import Application, BackgroundJob, Integration, Job
from jobs import task_registry
from jobs.queue_local import InProcessQueue
from jobs.task_context import TaskContext
from jobs.task_registry import TaskSpec
from resolvers.relay import to_global_id
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import Backend

ENQUEUE = """
mutation($input: BackgroundJobEnqueueInput!) {
  backgroundJobEnqueue(input: $input) {
    __typename
    ... on BackgroundJobEnqueueSuccess {
      queued alreadyRunning backgroundJob { id jobType jobKey priority payload }
    }
    ... on NotFoundError { entity }
    ... on ValidationError { field message }
    ... on PermissionDeniedError { permission }
  }
}
"""
CLEAR = """
mutation($statuses: [BackgroundJobStatus!]!) {
  backgroundJobsClear(input: {statuses: $statuses}) {
    __typename
    ... on BackgroundJobsClearSuccess { deletedCount }
    ... on PermissionDeniedError { permission }
  }
}
"""
TYPES = ("sync_integration", "sync_job", "analyze_application", "check_requisition")


@pytest.fixture(scope="module")
async def gateway(backend: Backend) -> AsyncIterator[Gateway]:
    async with running_gateway(backend.url) as running:
        async with running.app.state.session_factory.begin() as session:
            await session.execute(sa.update(Integration).values(credentials_encrypted="sealed"))
        yield running


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int, dict[str, Any]]]:
    """Every task as a recorder of what it was asked to do."""
    calls: list[tuple[str, int, dict[str, Any]]] = []
    for name in TYPES:

        async def run(
            _ctx: TaskContext, tenant_id: int, payload: dict[str, Any], n: str = name
        ) -> None:
            calls.append((n, tenant_id, payload))

        monkeypatch.setitem(task_registry.TASKS, name, TaskSpec(name, run))
    return calls


async def _targets(gateway: Gateway, tenant: str = "demo") -> dict[str, str]:
    tenant_id = gateway.tenants[tenant].tenant_id
    async with gateway.app.state.session_factory() as session:
        integration = await session.scalar(
            sa.select(Integration.id).where(Integration.tenant_id == tenant_id).limit(1)
        )
        job = await session.scalar(
            sa.select(Job.id)
            .where(Job.tenant_id == tenant_id, Job.integration_id.is_not(None))
            .order_by(Job.id)
            .limit(1)
        )
        application = await session.scalar(
            sa.select(Application.id).where(Application.tenant_id == tenant_id).limit(1)
        )
    assert integration and job and application
    return {
        "integrationId": to_global_id("Integration", integration),
        "jobId": to_global_id("Job", job),
        "applicationId": to_global_id("Application", application),
    }


def _input(job_type: str, targets: dict[str, str], priority: int = 0) -> dict[str, Any]:
    field = {
        "sync_integration": "integrationId",
        "sync_job": "jobId",
        "analyze_application": "applicationId",
        "check_requisition": "jobId",
    }[job_type]
    return {"jobType": job_type.upper(), field: targets[field], "priority": priority}


async def _enqueue(gateway: Gateway, value: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await gateway.execute(ENQUEUE, {"input": value}, **kwargs))[
        "backgroundJobEnqueue"
    ]
    return result


async def _drain(gateway: Gateway) -> None:
    queue = gateway.app.state.queue
    assert isinstance(queue, InProcessQueue)
    await asyncio.wait_for(queue.drain(), timeout=10)


async def _record_count(gateway: Gateway) -> int:
    async with gateway.app.state.session_factory() as session:
        return int(await session.scalar(sa.select(sa.func.count()).select_from(BackgroundJob)) or 0)


async def test_each_type_queues_its_task_with_the_priority(
    gateway: Gateway, ran: list[tuple[str, int, dict[str, Any]]]
) -> None:
    targets = await _targets(gateway)
    for index, job_type in enumerate(TYPES):
        result = await _enqueue(gateway, _input(job_type, targets, priority=index * 10))
        assert result["__typename"] == "BackgroundJobEnqueueSuccess", result
        assert (result["queued"], result["alreadyRunning"]) == (True, False)
        job = result["backgroundJob"]
        assert (job["jobType"], job["priority"]) == (job_type, index * 10)
        assert job["payload"]["trigger"] == "manual"
    await _drain(gateway)
    tenant_id = gateway.tenants["demo"].tenant_id
    assert sorted(name for name, _, _ in ran) == sorted(TYPES)
    assert {tenant for _, tenant, _ in ran} == {tenant_id}


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.READONLY])
async def test_only_admins_may_enqueue_or_clear(gateway: Gateway, role: Role) -> None:
    targets = await _targets(gateway)
    before = await _record_count(gateway)
    refused = await _enqueue(gateway, _input("sync_job", targets), role=role)
    assert refused == {"__typename": "PermissionDeniedError", "permission": "queue:manage"}
    cleared = (await gateway.execute(CLEAR, {"statuses": ["PENDING"]}, role=role))[
        "backgroundJobsClear"
    ]
    assert cleared == {"__typename": "PermissionDeniedError", "permission": "queue:manage"}
    assert await _record_count(gateway) == before


@pytest.mark.parametrize(
    "change, typename, field",
    [
        ({"priority": 101}, "ValidationError", "priority"),
        ({"priority": -1}, "ValidationError", "priority"),
        ({"jobId": None}, "ValidationError", "jobId"),
        ({"applicationId": "from-targets"}, "ValidationError", "applicationId"),
        ({"jobId": "not-an-id"}, "ValidationError", "jobId"),
        ({"jobId": to_global_id("Application", 1)}, "NotFoundError", None),
        ({"jobId": to_global_id("Job", 999_999)}, "NotFoundError", None),
    ],
)
async def test_bad_input_queues_nothing(
    gateway: Gateway, change: dict[str, Any], typename: str, field: str | None
) -> None:
    targets = await _targets(gateway)
    value = {**_input("check_requisition", targets), **change}
    if change.get("applicationId") == "from-targets":
        value["applicationId"] = targets["applicationId"]
    before = await _record_count(gateway)
    result = await _enqueue(gateway, value)
    assert result["__typename"] == typename, result
    if field is not None:
        assert result["field"] == field
    assert await _record_count(gateway) == before


@pytest.mark.parametrize("job_type", TYPES)
async def test_another_tenants_record_is_not_found(gateway: Gateway, job_type: str) -> None:
    theirs = await _targets(gateway, "other")
    before = await _record_count(gateway)
    result = await _enqueue(gateway, _input(job_type, theirs))
    assert result["__typename"] == "NotFoundError"
    assert await _record_count(gateway) == before


async def test_clearing_pending_work_of_the_tenant(gateway: Gateway) -> None:
    """Pending records the in-process queue does not hold (as after a restart) stand for
    arq's; the arq side is in tests/jobs/test_queue_priority.py."""
    demo, other = gateway.tenants["demo"].tenant_id, gateway.tenants["other"].tenant_id
    async with gateway.app.state.session_factory.begin() as session:
        for tenant_id, key in ((demo, "a"), (demo, "b"), (other, "c")):
            session.add(
                BackgroundJob(
                    tenant_id=tenant_id,
                    job_type="sync_job",
                    job_key=f"test-pending:{key}",
                    status=BackgroundJobStatus.PENDING,
                    payload={},
                )
            )
    cleared = (await gateway.execute(CLEAR, {"statuses": ["PENDING"]}))["backgroundJobsClear"]
    assert cleared == {"__typename": "BackgroundJobsClearSuccess", "deletedCount": 2}
    async with gateway.app.state.session_factory() as session:
        left = list(
            await session.scalars(
                sa.select(BackgroundJob.tenant_id).where(
                    BackgroundJob.status == BackgroundJobStatus.PENDING
                )
            )
        )
    assert left == [other]
