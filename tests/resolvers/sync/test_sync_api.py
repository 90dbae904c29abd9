"""The sync API through GraphQL: "sync now" for an integration or one requisition (queued
once per key, with permission checks and typed errors), sync runs and an integration's
last sync and staleness, and the background job queue with retry and clear.

The gateway runs queued work in process; the sync engine is replaced by fakes through
``jobs.sync_tasks``' names for it, so every test sees exactly what was asked of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.store.base import utcnow
from gateway.store.enums import IntegrationStatus, Role, SyncKind, SyncStatus
from gateway.store.models import Integration, Job, SyncRun
from jobs import sync_tasks
from jobs.queue_local import InProcessQueue
from jobs.sync_api import SyncDeps, SyncMode, SyncOutcome
from resolvers.relay import to_global_id
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import Backend

INTEGRATION_SYNC = """
mutation($id: ID!, $mode: SyncMode) {
  integrationSync(input: {integrationId: $id, mode: $mode}) {
    __typename
    ... on IntegrationSyncSuccess {
      queued alreadyRunning
      backgroundJob { id jobType jobKey status attempts maxAttempts payload }
    }
    ... on NotFoundError { entity }
    ... on ValidationError { field message }
    ... on PermissionDeniedError { permission }
  }
}
"""
JOB_SYNC = """
mutation($id: ID!) {
  jobSync(input: {jobId: $id}) {
    __typename
    ... on JobSyncSuccess { queued alreadyRunning backgroundJob { id jobKey status } }
    ... on NotFoundError { entity }
    ... on ValidationError { field message }
    ... on PermissionDeniedError { permission }
  }
}
"""
SYNC_RUNS = """
query($filter: SyncRunFilter, $first: Int, $after: String) {
  syncRuns(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id kind status trigger counts errorMessage errorDetails
      startedAt finishedAt durationMs integration { id }
    }
  }
}
"""
INTEGRATION = """
query($id: ID!) {
  integration(id: $id) { lastSync { id status kind } isStale }
}
"""
BACKGROUND_JOBS = """
query($filter: BackgroundJobFilter, $first: Int, $after: String) {
  backgroundJobs(filter: $filter, first: $first, after: $after) {
    counts { pending running succeeded failed dead }
    items {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id jobType jobKey status attempts lastError scheduledAt startedAt finishedAt heartbeatAt
      }
    }
  }
}
"""
RETRY = """
mutation($id: ID!) {
  backgroundJobRetry(input: {id: $id}) {
    __typename
    ... on BackgroundJobRetrySuccess { queued alreadyRunning backgroundJob { id status attempts } }
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
    ... on ValidationError { field message }
    ... on PermissionDeniedError { permission }
  }
}
"""


@pytest.fixture(scope="module")
async def gateway(backend: Backend) -> AsyncIterator[Gateway]:
    """This module's gateway: failed background work is retried after milliseconds, and
    the integrations have (unusable) credentials, as only those can be synced."""
    async with running_gateway(backend.url, task_retry_base_seconds=0.01) as running:
        async with running.app.state.session_factory.begin() as session:
            await session.execute(sa.update(Integration).values(credentials_encrypted="sealed"))
        yield running


class FakeEngine:
    """Stands in for the sync engine: records calls, holds them at ``gate`` while it is
    clear, and fails every call while ``failing``."""

    def __init__(self) -> None:
        self.integration_calls: list[tuple[int, int, SyncMode, str]] = []
        self.job_calls: list[tuple[int, int, str]] = []
        self.failing = False
        self.gate = asyncio.Event()
        self.gate.set()

    async def sync_integration(
        self,
        deps: SyncDeps,
        tenant_id: int,
        integration_id: int,
        *,
        mode: SyncMode = SyncMode.INCREMENTAL,
        trigger: str = "manual",
        progress: Any = None,
    ) -> SyncOutcome:
        self.integration_calls.append((tenant_id, integration_id, mode, trigger))
        return await self._outcome()

    async def sync_job(
        self, deps: SyncDeps, tenant_id: int, job_id: int, *, trigger: str = "manual"
    ) -> SyncOutcome:
        self.job_calls.append((tenant_id, job_id, trigger))
        return await self._outcome()

    async def _outcome(self) -> SyncOutcome:
        await self.gate.wait()
        if self.failing:
            raise RuntimeError("the ATS is down")
        return SyncOutcome(run_id=None, status=SyncStatus.SUCCEEDED)


@pytest.fixture
def engine(gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEngine]:
    fake = FakeEngine()
    monkeypatch.setattr(sync_tasks, "sync_integration", fake.sync_integration)
    monkeypatch.setattr(sync_tasks, "sync_job", fake.sync_job)
    yield fake
    fake.gate.set()


async def _drain(gateway: Gateway) -> None:
    queue = gateway.app.state.queue
    assert isinstance(queue, InProcessQueue)
    await asyncio.wait_for(queue.drain(), timeout=10)


async def _integration_ids(gateway: Gateway, tenant: str = "demo") -> list[int]:
    async with gateway.app.state.session_factory() as session:
        return list(
            await session.scalars(
                sa.select(Integration.id)
                .where(Integration.tenant_id == gateway.tenants[tenant].tenant_id)
                .order_by(Integration.id)
            )
        )


async def _synced_job_ids(gateway: Gateway, tenant: str = "demo") -> list[int]:
    async with gateway.app.state.session_factory() as session:
        return list(
            await session.scalars(
                sa.select(Job.id)
                .where(
                    Job.tenant_id == gateway.tenants[tenant].tenant_id,
                    Job.integration_id.is_not(None),
                    Job.remote_id.is_not(None),
                )
                .order_by(Job.id)
            )
        )


def _gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


async def test_integration_sync_queues_once_per_integration(
    gateway: Gateway, engine: FakeEngine
) -> None:
    integration_id = (await _integration_ids(gateway))[0]
    engine.gate.clear()
    variables = {"id": _gid("Integration", integration_id), "mode": "FULL"}
    first = (await gateway.execute(INTEGRATION_SYNC, variables))["integrationSync"]
    assert first["__typename"] == "IntegrationSyncSuccess"
    assert (first["queued"], first["alreadyRunning"]) == (True, False)
    job = first["backgroundJob"]
    assert job["jobType"] == "sync_integration"
    assert job["jobKey"] == f"sync:{integration_id}"
    assert job["status"] in {"PENDING", "RUNNING"}
    assert job["maxAttempts"] == 5
    assert job["payload"]["mode"] == "full"
    assert job["payload"]["requested_by"] == gateway.tenants["demo"].admin_user_id

    again = (await gateway.execute(INTEGRATION_SYNC, {"id": variables["id"]}))["integrationSync"]
    assert (again["queued"], again["alreadyRunning"]) == (False, True)
    assert again["backgroundJob"]["id"] == job["id"]

    engine.gate.set()
    await _drain(gateway)
    demo = gateway.tenants["demo"].tenant_id
    assert engine.integration_calls == [(demo, integration_id, SyncMode.FULL, "manual")]
    data = await gateway.execute(
        BACKGROUND_JOBS, {"filter": {"jobType": "sync_integration", "status": ["SUCCEEDED"]}}
    )
    done = {node["id"]: node for node in data["backgroundJobs"]["items"]["nodes"]}
    assert done[job["id"]]["attempts"] == 1
    assert done[job["id"]]["finishedAt"] is not None


async def test_integration_sync_needs_integrations_manage_and_a_known_integration(
    gateway: Gateway, engine: FakeEngine
) -> None:
    ids = await _integration_ids(gateway)
    own = _gid("Integration", ids[1])
    for role in (Role.RECRUITER, Role.READONLY):
        result = (await gateway.execute(INTEGRATION_SYNC, {"id": own}, role=role))[
            "integrationSync"
        ]
        assert result == {
            "__typename": "PermissionDeniedError",
            "permission": "integrations:manage",
        }
    foreign = _gid("Integration", (await _integration_ids(gateway, "other"))[0])
    for missing in (foreign, _gid("Integration", 10**9), _gid("Job", ids[1])):
        result = (await gateway.execute(INTEGRATION_SYNC, {"id": missing}))["integrationSync"]
        assert result["__typename"] == "NotFoundError", missing
    malformed = (await gateway.execute(INTEGRATION_SYNC, {"id": "not-an-id"}))["integrationSync"]
    assert (malformed["__typename"], malformed["field"]) == ("ValidationError", "integrationId")

    for change in ({"status": IntegrationStatus.INACTIVE}, {"credentials_encrypted": None}):
        async with gateway.app.state.session_factory.begin() as session:
            integration = await session.get(Integration, ids[1])
            assert integration is not None
            previous = {name: getattr(integration, name) for name in change}
            for name, value in change.items():
                setattr(integration, name, value)
        try:
            refused = (await gateway.execute(INTEGRATION_SYNC, {"id": own}))["integrationSync"]
            assert (refused["__typename"], refused["field"]) == ("ValidationError", "integrationId")
        finally:
            async with gateway.app.state.session_factory.begin() as session:
                integration = await session.get(Integration, ids[1])
                assert integration is not None
                for name, value in previous.items():
                    setattr(integration, name, value)
    assert engine.integration_calls == []


async def test_job_sync_is_for_admins_and_recruiters(gateway: Gateway, engine: FakeEngine) -> None:
    job_ids = await _synced_job_ids(gateway)
    denied = (await gateway.execute(JOB_SYNC, {"id": _gid("Job", job_ids[0])}, role=Role.READONLY))[
        "jobSync"
    ]
    assert denied == {"__typename": "PermissionDeniedError", "permission": "jobs:update"}

    engine.gate.clear()
    variables = {"id": _gid("Job", job_ids[1])}
    queued = (await gateway.execute(JOB_SYNC, variables, role=Role.RECRUITER))["jobSync"]
    assert queued["__typename"] == "JobSyncSuccess"
    assert (queued["queued"], queued["alreadyRunning"]) == (True, False)
    assert queued["backgroundJob"]["jobKey"] == f"job-sync:{job_ids[1]}"
    repeat = (await gateway.execute(JOB_SYNC, variables, role=Role.ADMIN))["jobSync"]
    assert (repeat["queued"], repeat["alreadyRunning"]) == (False, True)
    assert repeat["backgroundJob"]["id"] == queued["backgroundJob"]["id"]
    engine.gate.set()
    await _drain(gateway)
    assert engine.job_calls == [(gateway.tenants["demo"].tenant_id, job_ids[1], "manual")]

    foreign = _gid("Job", (await _synced_job_ids(gateway, "other"))[0])
    missing = (await gateway.execute(JOB_SYNC, {"id": foreign}))["jobSync"]
    assert missing == {"__typename": "NotFoundError", "entity": "Job"}


async def test_sync_runs_newest_first_with_filters(gateway: Gateway) -> None:
    ids = await _integration_ids(gateway)
    demo = gateway.tenants["demo"].tenant_id
    now = utcnow()
    async with gateway.app.state.session_factory.begin() as session:
        runs = [
            SyncRun(
                tenant_id=demo,
                integration_id=ids[2],
                kind=SyncKind.FULL,
                status=SyncStatus.SUCCEEDED,
                trigger="schedule",
                counts={"jobs": {"created": 3, "updated": 1}},
                created_at=now - timedelta(hours=3),
                started_at=now - timedelta(hours=3),
                finished_at=now - timedelta(hours=3) + timedelta(seconds=5),
                duration_ms=5000,
            ),
            SyncRun(
                tenant_id=demo,
                integration_id=ids[2],
                kind=SyncKind.INCREMENTAL,
                status=SyncStatus.FAILED,
                trigger="manual",
                counts={},
                error_message="ReadTimeout: the ATS did not answer",
                error_details={"failures": [{"record": "j-1"}]},
                created_at=now - timedelta(hours=2),
                started_at=now - timedelta(hours=2),
                finished_at=now - timedelta(hours=2),
                duration_ms=12,
            ),
            SyncRun(
                tenant_id=demo,
                integration_id=ids[3],
                kind=SyncKind.INCREMENTAL,
                status=SyncStatus.RUNNING,
                trigger="schedule",
                counts={},
                created_at=now - timedelta(hours=1),
                started_at=now - timedelta(hours=1),
            ),
        ]
        session.add_all(runs)
        fresh = await session.get(Integration, ids[2])
        stale = await session.get(Integration, ids[3])
        assert fresh is not None and stale is not None
        fresh.last_successful_sync_at = now - timedelta(minutes=fresh.sync_interval_minutes)
        stale.last_successful_sync_at = now - timedelta(minutes=3 * stale.sync_interval_minutes)

    data = await gateway.execute(
        SYNC_RUNS, {"filter": {"integrationId": _gid("Integration", ids[2])}}
    )
    listed = data["syncRuns"]
    assert listed["totalCount"] == 2
    assert [node["status"] for node in listed["nodes"]] == ["FAILED", "SUCCEEDED"]
    failed, succeeded = listed["nodes"]
    assert failed["errorMessage"] == "ReadTimeout: the ATS did not answer"
    assert failed["errorDetails"] == {"failures": [{"record": "j-1"}]}
    assert (failed["kind"], failed["trigger"]) == ("INCREMENTAL", "manual")
    assert succeeded["counts"] == {"jobs": {"created": 3, "updated": 1}}
    assert (succeeded["durationMs"], succeeded["kind"]) == (5000, "FULL")
    assert succeeded["integration"]["id"] == _gid("Integration", ids[2])

    only_failed = await gateway.execute(
        SYNC_RUNS, {"filter": {"status": ["FAILED"]}}, role=Role.READONLY
    )
    assert [n["id"] for n in only_failed["syncRuns"]["nodes"]] == [failed["id"]]
    paged = await gateway.execute(SYNC_RUNS, {"first": 1})
    assert paged["syncRuns"]["pageInfo"]["hasNextPage"] is True
    rest = await gateway.execute(
        SYNC_RUNS, {"first": 10, "after": paged["syncRuns"]["pageInfo"]["endCursor"]}
    )
    seen = [paged["syncRuns"]["nodes"][0]["id"]] + [n["id"] for n in rest["syncRuns"]["nodes"]]
    assert seen[:3] == [_gid("SyncRun", run.id) for run in reversed(runs)]
    other = await gateway.execute(SYNC_RUNS, {}, tenant="other")
    assert other["syncRuns"]["totalCount"] == 0

    fresh_view = await gateway.execute(INTEGRATION, {"id": _gid("Integration", ids[2])})
    assert fresh_view["integration"]["lastSync"] == {
        "id": failed["id"],
        "status": "FAILED",
        "kind": "INCREMENTAL",
    }
    assert fresh_view["integration"]["isStale"] is False
    stale_view = await gateway.execute(INTEGRATION, {"id": _gid("Integration", ids[3])})
    assert stale_view["integration"]["lastSync"]["status"] == "RUNNING"
    assert stale_view["integration"]["isStale"] is True
    never = await gateway.execute(
        INTEGRATION,
        {"id": _gid("Integration", (await _integration_ids(gateway, "other"))[0])},
        tenant="other",
    )
    assert never["integration"]["lastSync"] is None


async def test_background_jobs_need_a_token_and_count_per_status(
    gateway: Gateway, engine: FakeEngine
) -> None:
    response = await gateway.post(BACKGROUND_JOBS, role=None)
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    before = (await gateway.execute(BACKGROUND_JOBS, role=Role.READONLY))["backgroundJobs"]
    engine.gate.clear()
    ids = await _integration_ids(gateway)
    for integration_id in ids[2:4]:
        await gateway.execute(INTEGRATION_SYNC, {"id": _gid("Integration", integration_id)})
    await asyncio.sleep(0.05)  # both start and wait at the gate
    during = (await gateway.execute(BACKGROUND_JOBS, role=Role.RECRUITER))["backgroundJobs"]
    assert during["counts"]["running"] == before["counts"]["running"] + 2
    running = await gateway.execute(
        BACKGROUND_JOBS, {"filter": {"status": ["RUNNING"]}, "first": 1}
    )
    page = running["backgroundJobs"]["items"]
    assert page["totalCount"] == 2 and page["pageInfo"]["hasNextPage"] is True
    assert page["nodes"][0]["jobKey"] == f"sync:{ids[3]}", "newest first"
    assert running["backgroundJobs"]["counts"] == during["counts"], "counts ignore the filter"
    engine.gate.set()
    await _drain(gateway)
    after = (await gateway.execute(BACKGROUND_JOBS))["backgroundJobs"]["counts"]
    assert after["running"] == before["counts"]["running"]
    assert after["succeeded"] == before["counts"]["succeeded"] + 2


ITEMS_PAGED = """
query($first: Int, $after: String) {
  backgroundJobs {
    items(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } }
  }
}
"""
NODE = "query($id: ID!) { node(id: $id) { __typename id ... on BackgroundJob { jobType } } }"


async def test_queue_items_page_with_their_own_arguments_and_are_nodes(
    gateway: Gateway, engine: FakeEngine
) -> None:
    """Relay's @connection and Apollo's relayStylePagination key on the connection
    field's own arguments; each job is fetchable by node(id:)."""
    ids = await _integration_ids(gateway)
    for integration_id in ids[:3]:
        await gateway.execute(INTEGRATION_SYNC, {"id": _gid("Integration", integration_id)})
    await _drain(gateway)
    seen: list[str] = []
    after = None
    while True:
        page = (await gateway.execute(ITEMS_PAGED, {"first": 2, "after": after}))["backgroundJobs"][
            "items"
        ]
        seen += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    everything = await gateway.execute(BACKGROUND_JOBS, {"first": 100})
    assert seen == [node["id"] for node in everything["backgroundJobs"]["items"]["nodes"]]
    assert len(seen) >= 3 and len(set(seen)) == len(seen)
    found = (await gateway.execute(NODE, {"id": seen[0]}))["node"]
    assert found["__typename"] == "BackgroundJob" and found["id"] == seen[0]
    hidden = await gateway.execute(NODE, {"id": seen[0]}, tenant="other")
    assert hidden["node"] is None


async def test_background_job_retry_and_clear_are_admin_only(
    gateway: Gateway, engine: FakeEngine
) -> None:
    ids = await _integration_ids(gateway)
    engine.failing = True
    queued = (await gateway.execute(INTEGRATION_SYNC, {"id": _gid("Integration", ids[0])}))[
        "integrationSync"
    ]
    await _drain(gateway)
    job_id = queued["backgroundJob"]["id"]
    dead = await gateway.execute(BACKGROUND_JOBS, {"filter": {"status": ["DEAD"]}})
    node = next(n for n in dead["backgroundJobs"]["items"]["nodes"] if n["id"] == job_id)
    assert node["lastError"] == "RuntimeError: the ATS is down"
    assert node["attempts"] == 5
    assert len(engine.integration_calls) == 5

    denied = (await gateway.execute(RETRY, {"id": job_id}, role=Role.RECRUITER))[
        "backgroundJobRetry"
    ]
    assert denied == {"__typename": "PermissionDeniedError", "permission": "queue:manage"}
    elsewhere = (await gateway.execute(RETRY, {"id": job_id}, tenant="other"))["backgroundJobRetry"]
    assert elsewhere["__typename"] == "NotFoundError"

    engine.failing = False
    retried = (await gateway.execute(RETRY, {"id": job_id}))["backgroundJobRetry"]
    assert retried["__typename"] == "BackgroundJobRetrySuccess"
    assert (retried["queued"], retried["alreadyRunning"]) == (True, False)
    assert retried["backgroundJob"]["id"] == job_id
    await _drain(gateway)
    done = await gateway.execute(BACKGROUND_JOBS, {"filter": {"status": ["SUCCEEDED"]}})
    node = next(n for n in done["backgroundJobs"]["items"]["nodes"] if n["id"] == job_id)
    assert (node["attempts"], node["lastError"]) == (1, None)
    assert node["startedAt"] <= node["heartbeatAt"] <= node["finishedAt"]
    again = (await gateway.execute(RETRY, {"id": job_id}))["backgroundJobRetry"]
    assert again["__typename"] == "ValidationError"

    refused = (await gateway.execute(CLEAR, {"statuses": ["SUCCEEDED"]}, role=Role.RECRUITER))[
        "backgroundJobsClear"
    ]
    assert refused == {"__typename": "PermissionDeniedError", "permission": "queue:manage"}
    active = (await gateway.execute(CLEAR, {"statuses": ["RUNNING", "DEAD"]}))[
        "backgroundJobsClear"
    ]
    assert (active["__typename"], active["field"]) == ("ValidationError", "statuses")

    counts = (await gateway.execute(BACKGROUND_JOBS))["backgroundJobs"]["counts"]
    other_before = (await gateway.execute(BACKGROUND_JOBS, tenant="other"))["backgroundJobs"]
    cleared = (await gateway.execute(CLEAR, {"statuses": ["SUCCEEDED", "DEAD"]}))[
        "backgroundJobsClear"
    ]
    assert cleared == {
        "__typename": "BackgroundJobsClearSuccess",
        "deletedCount": counts["succeeded"] + counts["dead"],
    }
    after = (await gateway.execute(BACKGROUND_JOBS))["backgroundJobs"]["counts"]
    assert (after["succeeded"], after["dead"]) == (0, 0)
    other_after = (await gateway.execute(BACKGROUND_JOBS, tenant="other"))["backgroundJobs"]
    assert other_after == other_before
