"""The activity timeline, on SQLite and PostgreSQL: ``Job.activities``,
``Candidate.activities`` and ``Application.activities`` are the root ``activities`` of one
record, newest first, filtered per role and batched across parents; a sync records each
stage and status change it brings once, as the sync, and nothing when nothing changed;
a webhook's changes are recorded as the webhook."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa

from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.crypto import credentials_context, webhook_secret_context
from gateway.store.enums import ActorType, IntegrationStatus, Role
from gateway.store.models import (
    Activity,
    Application,
    Integration,
    Job,
    SyncRun,
    TenantSettings,
)
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from resolvers.relay import to_global_id
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import Backend

INBOUND_SECRET = "timeline-inbound-secret-17"

NESTED = {
    "jobs": """query($first: Int!) { jobs(first: $first) { nodes {
      activities(first: 3) { totalCount nodes { id action actorType createdAt } }
    } } }""",
    "candidates": """query($first: Int!) { candidates(first: $first) { nodes {
      activities(first: 3) { totalCount nodes { id action actorType createdAt } }
    } } }""",
    "applications": """query($first: Int!) { applications(first: $first) { nodes {
      activities(first: 3) { totalCount nodes { id action actorType createdAt } }
    } } }""",
}

ONE = {
    "Job": """query($id: ID!, $after: String) { node(id: $id) { ... on Job {
      activities(first: 100, after: $after) { totalCount nodes { id } } } } }""",
    "Candidate": """query($id: ID!, $after: String) { node(id: $id) { ... on Candidate {
      activities(first: 100, after: $after) { totalCount nodes { id } } } } }""",
    "Application": """query($id: ID!, $after: String) { node(id: $id) { ... on Application {
      activities(first: 100, after: $after) {
        totalCount
        nodes { id action actorType actorId actorName description metadata
                job { id } candidate { id } application { id } }
      } } } }""",
}

ROOT = """query($filter: ActivityFilter) {
  activities(first: 100, filter: $filter) { totalCount nodes { id } }
}"""

PAGED = """query($id: ID!, $after: String) { node(id: $id) { ... on Job {
  activities(first: 2, after: $after) {
    nodes { id createdAt }
    pageInfo { hasNextPage endCursor }
  } } } }"""

FILTER_KEYS = {"Job": "jobId", "Candidate": "candidateId", "Application": "applicationId"}


@dataclass
class World:
    gateway: Gateway
    fake: FakeRecruiterflow
    integration_id: int
    tenant_id: int

    async def scalar(self, query: Any) -> Any:
        async with self.gateway.app.state.session_factory() as session:
            return await session.scalar(query)

    async def rows(self, query: Any) -> list[Any]:
        async with self.gateway.app.state.session_factory() as session:
            return list((await session.execute(query)).all())

    async def activity_count(self) -> int:
        return int(
            await self.scalar(
                sa.select(sa.func.count())
                .select_from(Activity)
                .where(Activity.tenant_id == self.tenant_id)
            )
        )

    async def nested(self, kind: str, pk: int, role: Role = Role.ADMIN) -> list[str]:
        data = await self.gateway.execute(ONE[kind], {"id": to_global_id(kind, pk)}, role=role)
        connection = data["node"]["activities"]
        ids = [node["id"] for node in connection["nodes"]]
        assert connection["totalCount"] == len(ids)
        return ids

    async def root(self, kind: str, pk: int, role: Role = Role.ADMIN) -> list[str]:
        data = await self.gateway.execute(
            ROOT, {"filter": {FILTER_KEYS[kind]: to_global_id(kind, pk)}}, role=role
        )
        return [node["id"] for node in data["activities"]["nodes"]]

    async def sync(self) -> Any:
        """A full sync, and the resume analyses it queued, done before counting begins."""
        state = self.gateway.app.state
        outcome = await sync_integration(
            state.sync_deps, self.tenant_id, self.integration_id, mode=SyncMode.FULL
        )
        await state.queue.drain()
        return outcome

    async def synced_application(self, remote_key: tuple[int, int]) -> int:
        candidate, job = remote_key
        return int(
            await self.scalar(
                sa.select(Application.id).where(
                    Application.integration_id == self.integration_id,
                    Application.remote_id == f"{candidate}:{job}",
                )
            )
        )


@pytest.fixture(scope="module")
async def world(backend: Backend) -> AsyncIterator[World]:
    fake = FakeRecruiterflow()
    fake.seed(jobs=3, candidates=5, applications=8)
    client = httpx.AsyncClient(
        mounts={"https://api.recruiterflow.com": httpx.ASGITransport(app=fake.app)}
    )
    async with running_gateway(
        backend.url, http_client=client, webhook_sweep_interval_seconds=0
    ) as gateway:
        state = gateway.app.state
        tenant_id = gateway.tenants["demo"].tenant_id
        async with state.session_factory.begin() as session:
            integration = Integration(
                tenant_id=tenant_id,
                provider="recruiterflow",
                name="RF timeline",
                status=IntegrationStatus.ACTIVE,
                config={"rateLimitPerSecond": 10_000},
                credentials_encrypted=state.keyring.encrypt_json(
                    {"apiKey": fake.api_key}, context=credentials_context(tenant_id)
                ),
                webhook_secret_encrypted=state.keyring.encrypt(
                    INBOUND_SECRET.encode(), context=webhook_secret_context(tenant_id)
                ),
            )
            session.add(integration)
            await session.flush()
            integration_id = integration.id
            await session.execute(  # the demo's rank field is not in this fake's jobs
                sa.update(TenantSettings)
                .where(TenantSettings.tenant_id == tenant_id)
                .values(rank_custom_field=None)
            )
        world = World(gateway, fake, integration_id, tenant_id)
        outcome = await world.sync()
        assert outcome.error is None, outcome.error
        yield world
    await client.aclose()


BACKGROUND = ("webhook", "outbox")
"""Tables the gateway's background work (outbound deliveries of the fixture's sync
events) may read while a counted request runs: not the request's statements."""


async def counted(world: World, query: str, first: int) -> tuple[int, dict[str, Any]]:
    gateway = world.gateway
    await gateway.app.state.cache.invalidate(world.tenant_id)
    gateway.statements.reset()
    data = await gateway.execute(query, {"first": first})
    mine = [s for s in gateway.statements.statements if not any(t in s for t in BACKGROUND)]
    assert sum("FROM activities" in s for s in mine) <= 2, "one page query, one count query"
    return len(mine), data


@pytest.mark.parametrize("field", sorted(NESTED))
async def test_nested_timelines_cost_the_same_statements_for_any_number_of_parents(
    world: World, field: str
) -> None:
    few, few_data = await counted(world, NESTED[field], 2)
    many, many_data = await counted(world, NESTED[field], 40)
    assert len(few_data[field]["nodes"]) == 2
    parents = many_data[field]["nodes"]
    assert len(parents) > 2
    assert any(node["activities"]["nodes"] for node in parents), "no timeline to batch"
    assert few == many, (few, many)
    for node in parents:
        times = [a["createdAt"] for a in node["activities"]["nodes"]]
        assert times == sorted(times, reverse=True), "newest first"
        assert len(times) <= 3 and node["activities"]["totalCount"] >= len(times)


async def _busiest(world: World, column: Any) -> int:
    row = await world.scalar(
        sa.select(column)
        .where(Activity.tenant_id == world.tenant_id, column.is_not(None))
        .group_by(column)
        .order_by(sa.func.count().desc(), column)
        .limit(1)
    )
    return int(row)


@pytest.mark.parametrize("kind", ["Job", "Candidate", "Application"])
async def test_a_records_timeline_is_the_root_query_filtered_to_it(world: World, kind: str) -> None:
    column = {
        "Job": Activity.job_id,
        "Candidate": Activity.candidate_id,
        "Application": Activity.application_id,
    }[kind]
    pk = await _busiest(world, column)
    nested = await world.nested(kind, pk)
    assert nested, f"the seeded {kind} has activities"
    assert nested == await world.root(kind, pk)


async def test_the_timeline_pages_by_cursor(world: World) -> None:
    pk = await _busiest(world, Activity.job_id)
    seen: list[str] = []
    after = None
    while True:
        data = await world.gateway.execute(PAGED, {"id": to_global_id("Job", pk), "after": after})
        page = data["node"]["activities"]
        seen += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == await world.nested("Job", pk)


async def test_recruiters_see_the_timelines_of_requisitions_they_own(world: World) -> None:
    recruiter = world.gateway.tenants["demo"].recruiter_user_ids[0]
    owners = dict(
        await world.rows(
            sa.select(Job.id, Job.recruiter_id).where(
                Job.tenant_id == world.tenant_id,
                Job.id.in_(sa.select(Activity.job_id).where(Activity.job_id.is_not(None))),
            )
        )
    )
    mine = next(job for job, owner in owners.items() if owner == recruiter)
    theirs = next(job for job, owner in owners.items() if owner not in (recruiter, None))

    assert await world.nested("Job", mine, Role.RECRUITER) == await world.nested("Job", mine)
    assert await world.nested("Job", theirs, Role.RECRUITER) == []
    assert await world.nested("Job", theirs, Role.READONLY) == await world.nested("Job", theirs)

    candidate = int(
        await world.scalar(
            sa.select(Activity.candidate_id)
            .join(Job, Job.id == Activity.job_id)
            .where(
                Activity.tenant_id == world.tenant_id,
                Activity.candidate_id.is_not(None),
                Job.recruiter_id == recruiter,
            )
            .group_by(Activity.candidate_id)
            .order_by(sa.func.count().desc(), Activity.candidate_id)
            .limit(1)
        )
    )
    seen = await world.nested("Candidate", candidate, Role.RECRUITER)
    assert seen == await world.root("Candidate", candidate, Role.RECRUITER)
    assert seen
    jobs = await world.rows(
        sa.select(Job.recruiter_id)
        .join(Activity, Activity.job_id == Job.id)
        .where(Activity.id.in_([_pk(node) for node in seen]))
    )
    assert {row.recruiter_id for row in jobs} == {recruiter}
    everything = await world.nested("Candidate", candidate)
    assert set(seen) <= set(everything)


def _pk(global_id: str) -> int:
    from resolvers.relay import from_global_id

    return from_global_id(global_id)[1]


async def test_a_sync_records_each_change_once_as_the_sync(world: World) -> None:
    fake = world.fake
    key = next(k for k, a in fake.applications.items() if a.stage not in ("Offer", None))
    previous = fake.applications[key].stage
    fake._move(fake.applications[key], "Offer", fake.now(), fake.owner)
    job_remote = sorted(fake.jobs)[0]
    fake.jobs[job_remote]["job_status"] = {"color": "#000", "id": 9, "name": "On Hold"}
    fake.jobs[job_remote]["is_open"] = True
    fake.touch_job(job_remote)
    before = await world.activity_count()

    outcome = await world.sync()

    assert outcome.error is None, outcome.error
    added = await world.rows(
        sa.select(Activity).where(Activity.tenant_id == world.tenant_id).order_by(Activity.id)
    )
    added = [row[0] for row in added][before:]
    actions = sorted(a.action for a in added)
    assert actions == ["application.stage_changed", "job.status_changed", "sync.finished"]
    assert {a.actor_type for a in added} == {ActorType.SYNC}
    assert {a.actor_id for a in added} == {str(outcome.run_id)}
    moved = next(a for a in added if a.action == "application.stage_changed")
    application_id = await world.synced_application(key)
    assert (moved.subject_type, moved.subject_id, moved.application_id) == (
        "Application",
        application_id,
        application_id,
    )
    assert moved.job_id is not None and moved.candidate_id is not None
    assert moved.details == {
        "from": previous,
        "to": "Offer",
        "integrationId": world.integration_id,
        "remoteId": f"{key[0]}:{key[1]}",
    }
    status = next(a for a in added if a.action == "job.status_changed")
    assert status.details["to"] == "on_hold" and status.details["remoteId"] == str(job_remote)
    summary = next(a for a in added if a.action == "sync.finished")
    assert summary.details["runId"] == outcome.run_id
    assert summary.details["counts"]["applications"]["updated"] >= 1

    data = await world.gateway.execute(
        ONE["Application"], {"id": to_global_id("Application", application_id)}
    )
    [entry] = [
        n for n in data["node"]["activities"]["nodes"] if n["action"] == "application.stage_changed"
    ]
    assert entry["actorType"] == "SYNC" and entry["actorId"] == str(outcome.run_id)
    assert entry["metadata"]["to"] == "Offer"
    assert entry["application"]["id"] == to_global_id("Application", application_id)

    settled = await world.activity_count()
    again = await world.sync()
    assert again.error is None
    assert await world.activity_count() == settled, "an unchanged re-sync records nothing"
    run = await world.scalar(sa.select(SyncRun).where(SyncRun.id == again.run_id))
    assert run is not None and run.counts["applications"]["updated"] == 0


async def test_a_batch_of_changes_is_recorded_in_one_statement(world: World) -> None:
    fake = world.fake
    keys = [k for k, a in fake.applications.items() if a.stage != "Hired"][:3]
    assert len(keys) == 3
    for key in keys:
        fake._move(fake.applications[key], "Hired", fake.now(), fake.owner)
    before = await world.activity_count()
    world.gateway.statements.reset()

    outcome = await world.sync()

    assert outcome.error is None, outcome.error
    inserts = [
        s
        for s in world.gateway.statements.statements
        if s.lstrip().upper().startswith("INSERT INTO ACTIVITIES")
    ]
    assert len(inserts) == 2, "one for the batch's stage changes, one for the run's summary"
    added = await world.rows(
        sa.select(Activity.action, Activity.application_id)
        .where(Activity.tenant_id == world.tenant_id)
        .order_by(Activity.id)
        .offset(before)
    )
    moved = sorted(row.application_id for row in added if row.action == "application.stage_changed")
    assert moved == sorted([await world.synced_application(key) for key in keys])


async def test_a_webhook_records_its_changes_as_the_webhook(world: World) -> None:
    fake, gateway = world.fake, world.gateway
    key = next(k for k, a in fake.applications.items() if a.stage != "Client Interview")
    fake._move(fake.applications[key], "Client Interview", fake.now(), fake.owner)
    candidate_id, job_id = key
    body = orjson.dumps(
        {
            "id": uuid.uuid4().hex,
            "event": "candidate.stage_changed",
            "data": {"job_id": job_id, "candidate_id": candidate_id, "stage": "Client Interview"},
        }
    )
    signature = hmac.new(INBOUND_SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = await gateway.client.post(
        f"/webhooks/recruiterflow/{world.integration_id}",
        content=body,
        headers={"X-Recruiterflow-Signature": signature, "Content-Type": "application/json"},
    )
    assert response.status_code == 202, response.text
    application_id = await world.synced_application(key)
    query = sa.select(Activity).where(
        Activity.application_id == application_id, Activity.actor_type == ActorType.WEBHOOK
    )
    deadline = time.monotonic() + 10
    while (found := await world.scalar(query)) is None and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    assert found is not None, "the webhook's stage change left no activity"
    assert found.action == "application.stage_changed"
    assert found.details["to"] == "Client Interview"
    assert found.actor_id is not None and found.actor_id.isdigit()
    assert "webhook" in (found.actor_name or "")
