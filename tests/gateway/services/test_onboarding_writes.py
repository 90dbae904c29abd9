"""Onboarding tasks created and reviewed directly through the service, in the BPOC fake
served over loopback HTTP: what is sent and as whom, the rows and events left behind,
the rules checked before any request, idempotency and tenant isolation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from demo.sandbox.bpoc import ADMIN_ID, MAIN_API_KEY, RECRUITER_ID, BpocFake
from gateway.auth import Principal
from gateway.crypto import credentials_context
from gateway.errors import NotFound, RecruiterLinkMissing, ValidationFailed
from gateway.pubsub import Event
from gateway.services.onboarding_writes import (
    MAX_TASKS,
    NewTask,
    create_tasks,
    review_task,
    task_ids,
)
from gateway.services.writeback import WriteDeps
from gateway.store.enums import ApplicationStatus, IntegrationStatus, OnboardingTaskStatus, Role
from gateway.store.models import Activity, Application, Integration, OnboardingTask, RecruiterLink
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from tests.support.gateway import Gateway
from tests.support.serving import served_on_loopback

IN_TWO_WEEKS = datetime.now(UTC).date() + timedelta(days=14)


@dataclass
class Hires:
    gateway: Gateway
    bpoc: BpocFake
    integration_id: int
    events: list[Event]

    @property
    def deps(self) -> WriteDeps:
        deps: WriteDeps = self.gateway.app.state.runtime.write_deps
        return deps

    def principal(self, slug: str = "demo", user: int | None = None) -> Principal:
        demo = self.gateway.tenants[slug]
        user_id = user or demo.recruiter_user_ids[0]
        return Principal(demo.tenant_id, slug, user_id, Role.RECRUITER, name="Recruiter")

    async def scalar(self, query: Any) -> Any:
        async with self.gateway.app.state.session_factory() as session:
            return await session.scalar(query)

    async def application(self, offset: int = 0) -> Application:
        found = await self.scalar(
            sa.select(Application)
            .where(
                Application.integration_id == self.integration_id,
                Application.status.not_in(
                    [ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN]
                ),
            )
            .order_by(Application.id)
            .offset(offset)
            .limit(1)
        )
        assert found is not None
        return found  # type: ignore[no-any-return]

    async def task(self, task_id: int) -> OnboardingTask:
        found = await self.scalar(sa.select(OnboardingTask).where(OnboardingTask.id == task_id))
        assert found is not None
        return found  # type: ignore[no-any-return]

    async def pending_task(self, offset: int = 0) -> OnboardingTask:
        found = await self.scalar(
            sa.select(OnboardingTask)
            .where(
                OnboardingTask.integration_id == self.integration_id,
                OnboardingTask.status == OnboardingTaskStatus.PENDING,
            )
            .order_by(OnboardingTask.id)
            .offset(offset)
            .limit(1)
        )
        assert found is not None
        return found  # type: ignore[no-any-return]

    async def settle(self) -> None:
        await asyncio.sleep(0.05)


async def add_bpoc(gateway: Gateway, base_url: str) -> int:
    state = gateway.app.state
    tenant_id = gateway.tenants["demo"].tenant_id
    async with state.session_factory.begin() as session:
        integration = Integration(
            tenant_id=tenant_id,
            provider="bpoc",
            name="BPOC hires",
            status=IntegrationStatus.ACTIVE,
            config={"rateLimitPerSecond": 10_000, "baseUrl": base_url},
            credentials_encrypted=state.keyring.encrypt_json(
                {"apiKey": MAIN_API_KEY}, context=credentials_context(tenant_id)
            ),
        )
        session.add(integration)
        await session.flush()
        demo = gateway.tenants["demo"]
        for user_id, remote_id in (
            (demo.admin_user_id, ADMIN_ID),
            (demo.recruiter_user_ids[0], RECRUITER_ID),
        ):
            session.add(
                RecruiterLink(
                    tenant_id=tenant_id,
                    user_id=user_id,
                    integration_id=integration.id,
                    remote_id=remote_id,
                )
            )
        return integration.id


@pytest.fixture(scope="module")
async def hires(gateway: Gateway) -> AsyncIterator[Hires]:
    bpoc = BpocFake()
    bpoc.seed(jobs=2, candidates=6, applications=12)
    events: list[Event] = []

    async def listen() -> None:
        async for event in gateway.app.state.runtime.bus.subscribe_all():
            events.append(event)

    async with served_on_loopback(bpoc.app) as served:
        integration_id = await add_bpoc(gateway, f"{served.url}/api/v1")
        outcome = await sync_integration(
            gateway.app.state.sync_deps,
            gateway.tenants["demo"].tenant_id,
            integration_id,
            mode=SyncMode.FULL,
        )
        assert outcome.error is None, outcome.error
        listener = asyncio.create_task(listen())
        await asyncio.sleep(0.01)
        try:
            yield Hires(gateway, bpoc, integration_id, events)
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener


async def test_tasks_are_created_in_the_source_as_the_caller_then_stored(hires: Hires) -> None:
    application = await hires.application()
    writes, seen = len(hires.bpoc.writes), len(hires.events)

    written = await create_tasks(
        hires.deps,
        hires.principal(),
        application_id=application.id,
        tasks=[
            NewTask("Submit NBI clearance", task_type="document", due_date=IN_TWO_WEEKS),
            NewTask("Sign contract", description="Both pages."),
        ],
        idempotency_key=None,
    )

    [write] = hires.bpoc.writes[writes:]
    assert (write.method, write.path) == ("POST", "/onboarding")
    assert write.body["applicationId"] == application.remote_id
    assert write.body["createdBy"] == RECRUITER_ID
    first, second = [await hires.task(pk) for pk in task_ids(written)]
    assert (first.title, first.task_type, first.due_date) == (
        "Submit NBI clearance",
        "document",
        IN_TWO_WEEKS,
    )
    assert (second.title, second.description) == ("Sign contract", "Both pages.")
    for task in (first, second):
        assert task.tenant_id == application.tenant_id
        assert task.application_id == application.id
        assert task.status is OnboardingTaskStatus.PENDING
        assert task.remote_id in hires.bpoc.tasks
        assert task.created_by_user_id == hires.principal().user_id
    await hires.settle()
    announced = [e for e in hires.events[seen:] if e.type == "onboarding_task.created"]
    assert sorted(e.data["id"] for e in announced) == sorted(task_ids(written))
    assert {e.tenant_id for e in announced} == {application.tenant_id}


@pytest.mark.parametrize(
    ("tasks", "field"),
    [
        ([], "tasks"),
        ([NewTask(f"Task {n}") for n in range(MAX_TASKS + 1)], "tasks"),
        ([NewTask("  ")], "tasks[0].title"),
        ([NewTask("Fine"), NewTask("Two\nlines")], "tasks[1].title"),
        ([NewTask("Fine", task_type="two words")], "tasks[0].taskType"),
        ([NewTask("Late", due_date=IN_TWO_WEEKS - timedelta(days=15))], "tasks[0].dueDate"),
        ([NewTask("Far", due_date=IN_TWO_WEEKS + timedelta(days=730))], "tasks[0].dueDate"),
    ],
)
async def test_bad_tasks_are_refused_before_any_request(
    hires: Hires, tasks: list[NewTask], field: str
) -> None:
    application = await hires.application()
    requests = hires.bpoc.faults.requests

    with pytest.raises(ValidationFailed) as refused:
        await create_tasks(
            hires.deps,
            hires.principal(),
            application_id=application.id,
            tasks=tasks,
            idempotency_key=None,
        )
    assert refused.value.field == field
    assert hires.bpoc.faults.requests == requests


async def test_another_tenants_application_is_not_found(hires: Hires) -> None:
    theirs = await hires.application()
    tasks_of = (
        sa.select(sa.func.count())
        .select_from(OnboardingTask)
        .where(OnboardingTask.application_id == theirs.id)
    )
    before, requests = await hires.scalar(tasks_of), hires.bpoc.faults.requests

    with pytest.raises(NotFound):
        await create_tasks(
            hires.deps,
            hires.principal("other"),
            application_id=theirs.id,
            tasks=[NewTask("Not yours")],
            idempotency_key=None,
        )
    assert hires.bpoc.faults.requests == requests
    assert await hires.scalar(tasks_of) == before


async def test_a_caller_without_a_recruiter_link_sends_nothing(hires: Hires) -> None:
    application = await hires.application(offset=1)
    unlinked = hires.gateway.tenants["demo"].recruiter_user_ids[1]
    requests = hires.bpoc.faults.requests

    with pytest.raises(RecruiterLinkMissing):
        await create_tasks(
            hires.deps,
            hires.principal(user=unlinked),
            application_id=application.id,
            tasks=[NewTask("Unattributed")],
            idempotency_key=None,
        )
    assert hires.bpoc.faults.requests == requests


async def test_a_review_is_sent_stored_and_not_repeated(hires: Hires) -> None:
    task = await hires.pending_task()
    writes, seen = len(hires.bpoc.writes), len(hires.events)
    caller = hires.principal()

    written = await review_task(
        hires.deps,
        caller,
        task_id=task.id,
        approve=True,
        notes="Clear scan",
        idempotency_key=None,
    )

    assert written.ids == {"task": task.id}
    [write] = hires.bpoc.writes[writes:]
    assert (write.method, write.path) == ("PUT", f"/onboarding/{task.remote_id}")
    assert write.body["action"] == "approve" and write.body["reviewedBy"] == RECRUITER_ID
    reviewed = await hires.task(task.id)
    assert reviewed.status is OnboardingTaskStatus.APPROVED
    assert reviewed.reviewed_by_user_id == caller.user_id
    assert reviewed.review_notes == "Clear scan"
    actions = sa.select(Activity.action).where(
        Activity.subject_type == "OnboardingTask", Activity.subject_id == task.id
    )
    assert await hires.scalar(actions) == "onboarding_task.approved"
    await hires.settle()
    [updated] = [e for e in hires.events[seen:] if e.type == "onboarding_task.updated"]
    assert updated.data["status"] == "approved" and updated.data["previousStatus"] == "pending"

    with pytest.raises(ValidationFailed, match="already approved"):
        await review_task(
            hires.deps, caller, task_id=task.id, approve=True, notes=None, idempotency_key=None
        )
    assert len(hires.bpoc.writes) == writes + 1


async def test_a_repeated_key_replays_the_first_review(hires: Hires) -> None:
    task = await hires.pending_task()
    caller = hires.principal()
    writes = len(hires.bpoc.writes)

    first = await review_task(
        hires.deps, caller, task_id=task.id, approve=False, notes=None, idempotency_key="rev-1"
    )
    again = await review_task(
        hires.deps, caller, task_id=task.id, approve=False, notes=None, idempotency_key="rev-1"
    )

    assert again.replayed and again.ids == first.ids
    assert len(hires.bpoc.writes) == writes + 1
    assert (await hires.task(task.id)).status is OnboardingTaskStatus.REJECTED


async def test_another_tenants_task_cannot_be_reviewed(hires: Hires) -> None:
    task = await hires.pending_task()
    requests = hires.bpoc.faults.requests

    with pytest.raises(NotFound):
        await review_task(
            hires.deps,
            hires.principal("other"),
            task_id=task.id,
            approve=True,
            notes=None,
            idempotency_key=None,
        )
    assert hires.bpoc.faults.requests == requests
    assert (await hires.task(task.id)).status is OnboardingTaskStatus.PENDING
