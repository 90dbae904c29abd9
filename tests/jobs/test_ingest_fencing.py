"""Claims, leases, fenced settles and hand-offs of inbound webhook events, on PostgreSQL
against the Recruiterflow fake on a real loopback port.

- A live claim is exclusive: a second ingestor (or the sweep) leaves it alone.
- A claim whose lease ran out is taken over (a new attempt), and the slow first attempt,
  finishing late, changes nothing: neither after the takeover settled nor while it is
  still running. What the store ends with is what the second attempt read.
- An event id reaches the inbox only once its row is committed (the webhook route, and
  a retry by hand), so no consumer can look for a row that is not there yet.

The fake answers the refetch of a job from the data it holds when the request arrives
and can hold the answer back, which is how an attempt is made slow with stale data.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.crypto import Keyring
from gateway.inbox import Inbox
from gateway.services.activities import Actor
from gateway.services.webhook_events import retry_event
from gateway.store.base import utcnow
from gateway.store.enums import (
    ActorType,
    Provider,
    WebhookEventStatus,
)
from gateway.store.models import Job, WebhookEvent
from jobs.ingest import Ingestor
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from tests.support.gateway import Gateway, running_gateway
from tests.support.integrations import add_recruiterflow
from tests.support.serving import served_on_loopback

SECRET = "fencing-webhook-secret-7"
JOB = 1002
JOB_PATH = "/api/external/job"


@dataclass
class HeldAnswers:
    """ASGI middleware over the fake: the n-th refetch of one job (``GET /job``) is
    answered from the data read on arrival, ``holds[n]`` seconds later."""

    app: ASGIApp
    holds: list[float] = field(default_factory=list)
    served: int = 0
    """Refetches the fake has read its data for."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != JOB_PATH:
            await self.app(scope, receive, send)
            return
        hold = self.holds.pop(0) if self.holds else 0.0
        answer: list[Message] = []

        async def keep(message: Message) -> None:
            answer.append(message)

        await self.app(scope, receive, keep)
        self.served += 1
        await asyncio.sleep(hold)
        for message in answer:
            await send(message)


@dataclass
class World:
    gateway: Gateway
    fake: FakeRecruiterflow
    answers: HeldAnswers
    tenant_id: int
    integration_id: int

    @property
    def state(self) -> Any:
        return self.gateway.app.state

    def ingestor(self, name: str, *, lease: float) -> Ingestor:
        """An ingestor of our own on a private inbox, like another worker process."""
        settings = self.state.settings.model_copy(update={"webhook_lease_seconds": lease})
        return Ingestor(self.state.sync_deps, settings, Inbox(name), self.state.queue)

    def retitle(self, title: str) -> None:
        self.fake.jobs[JOB]["name"] = self.fake.jobs[JOB]["title"] = title

    async def stored_event(self) -> int:
        """A received ``job.updated`` for ``JOB``, stored as the route stores one but
        handed to nobody."""
        body = orjson.dumps(
            {"id": uuid.uuid4().hex, "event": "job.updated", "data": {"job_id": JOB}}
        )
        async with self.state.session_factory.begin() as session:
            event = WebhookEvent(
                tenant_id=self.tenant_id,
                integration_id=self.integration_id,
                provider=Provider.RECRUITERFLOW,
                body_sha256=hashlib.sha256(body).hexdigest(),
                event_type="job.updated",
                headers={},
                body=body,
                status=WebhookEventStatus.RECEIVED,
                attempts=0,
            )
            session.add(event)
            await session.flush()
            return event.id

    async def event(self, event_id: int) -> WebhookEvent:
        async with self.state.session_factory() as session:
            found = await session.get(WebhookEvent, event_id)
        assert found is not None
        return found

    async def title(self) -> str | None:
        async with self.state.session_factory() as session:
            return await session.scalar(
                sa.select(Job.title).where(
                    Job.integration_id == self.integration_id, Job.remote_id == str(JOB)
                )
            )

    async def until_served(self, count: int, within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while self.answers.served < count:
            assert time.monotonic() < deadline, "the fake was never asked"
            await asyncio.sleep(0.01)


@pytest.fixture
async def world(private_postgres_url: str) -> AsyncIterator[World]:
    fake = FakeRecruiterflow()
    fake.seed(jobs=4, candidates=4, applications=4)
    answers = HeldAnswers(fake.app)
    async with (
        served_on_loopback(answers) as loopback,
        running_gateway(
            private_postgres_url,
            webhook_sweep_interval_seconds=0,
            webhook_handoff_grace_seconds=60,
        ) as gateway,
    ):
        state = gateway.app.state
        keyring: Keyring = state.keyring
        tenant_id = gateway.tenants["demo"].tenant_id
        async with state.session_factory.begin() as session:
            integration_id = await add_recruiterflow(
                session,
                keyring,
                tenant_id,
                api_key=fake.api_key,
                config={"baseUrl": loopback.url},
                name="RF fencing",
                webhook_secret=SECRET,
            )
        outcome = await sync_integration(
            state.sync_deps, tenant_id, integration_id, mode=SyncMode.FULL
        )
        assert outcome.counts["jobs"]["created"] == 4, outcome.error
        yield World(gateway, fake, answers, tenant_id, integration_id)


# --- claims and leases -----------------------------------------------------------------


async def test_a_live_claim_is_left_alone_by_another_ingestor_and_the_sweep(world: World) -> None:
    first, second = world.ingestor("a", lease=30), world.ingestor("b", lease=30)
    event_id = await world.stored_event()
    world.retitle("Claimed once")
    world.answers.holds = [1.5]

    running = asyncio.create_task(first.process(event_id))
    await world.until_served(1)
    assert (await world.event(event_id)).status is WebhookEventStatus.PROCESSING

    assert await second.sweep() == 0, "the sweep hands on no event under a live claim"
    assert await second.process(event_id) is None, "a live claim is not taken"
    assert await running is WebhookEventStatus.PROCESSED

    event = await world.event(event_id)
    assert (event.status, event.attempts) == (WebhookEventStatus.PROCESSED, 1)
    assert world.answers.served == 1, "the job was refetched by one ingestor only"
    assert await world.title() == "Claimed once"


async def test_a_claim_holds_until_its_lease_runs_out_and_is_then_taken_over(
    world: World,
) -> None:
    first, second = world.ingestor("a", lease=1.0), world.ingestor("b", lease=30)
    event_id = await world.stored_event()
    world.retitle("Taken over")
    world.answers.holds = [4.0, 0.0]

    running = asyncio.create_task(first.process(event_id))
    await world.until_served(1)
    assert await second.process(event_id) is None, "within the lease the claim holds"
    await asyncio.sleep(1.2)

    assert await second.sweep() == 1, "the sweep hands on a claim whose lease ran out"
    assert await second.process(event_id) is WebhookEventStatus.PROCESSED
    assert await running is None, "the first attempt learns it was taken over"
    event = await world.event(event_id)
    assert (event.status, event.attempts) == (WebhookEventStatus.PROCESSED, 2)


# --- fenced settles --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_hold", "second_hold"),
    [(3.0, 0.0), (1.5, 3.0)],
    ids=["finishing-after-the-takeover-settled", "finishing-while-the-takeover-runs"],
)
async def test_a_slow_attempt_whose_claim_was_taken_over_changes_nothing(
    world: World, first_hold: float, second_hold: float
) -> None:
    lease = 0.5
    first, second = world.ingestor("a", lease=lease), world.ingestor("b", lease=lease)
    event_id = await world.stored_event()
    world.retitle("Read by the first attempt")
    world.answers.holds = [first_hold, second_hold]

    slow = asyncio.create_task(first.process(event_id))
    await world.until_served(1)
    world.retitle("Read by the second attempt")
    await asyncio.sleep(lease + 0.3)
    takeover = asyncio.create_task(second.process(event_id))

    assert await slow is None, "the taken-over attempt settles nothing"
    assert await takeover is WebhookEventStatus.PROCESSED
    event = await world.event(event_id)
    assert (event.status, event.attempts) == (WebhookEventStatus.PROCESSED, 2)
    assert event.processed_at is not None and event.claimed_until is None
    assert await world.title() == "Read by the second attempt", (
        "the stale first attempt's data never lands"
    )


# --- hand-offs after the commit ----------------------------------------------------------


class CommittedOnly(Inbox):
    """An inbox that, at each hand-off, looks for the rows from another connection:
    what a consumer in another process would see at that moment."""

    def __init__(self, inner: Inbox, session_factory: Any) -> None:
        super().__init__(inner.name)
        self.inner = inner
        self.session_factory = session_factory
        self.handed: list[tuple[list[int], dict[int, str]]] = []

    async def put(self, ids: Sequence[int]) -> None:
        async with self.session_factory() as session:
            rows = await session.execute(
                sa.select(WebhookEvent.id, WebhookEvent.status).where(WebhookEvent.id.in_(ids))
            )
            self.handed.append((list(ids), {row.id: str(row.status) for row in rows}))
        await self.inner.put(ids)

    async def take(self, *, limit: int, timeout: float) -> list[int]:  # noqa: ASYNC109
        return await self.inner.take(limit=limit, timeout=timeout)


async def settled(world: World, event_id: int, within: float = 15.0) -> WebhookEvent:
    deadline = time.monotonic() + within
    while True:
        event = await world.event(event_id)
        if event.status is WebhookEventStatus.PROCESSED or time.monotonic() > deadline:
            return event
        await asyncio.sleep(0.05)


async def test_an_event_is_handed_on_only_once_its_row_is_committed(world: World) -> None:
    state = world.state
    inbox = CommittedOnly(state.webhook_inbox, state.session_factory)
    state.runtime = dataclasses.replace(state.runtime, webhook_inbox=inbox)
    world.retitle("Handed on after the commit")
    body = orjson.dumps({"id": uuid.uuid4().hex, "event": "job.updated", "data": {"job_id": JOB}})
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()

    response = await world.gateway.client.post(
        f"/webhooks/recruiterflow/{world.integration_id}",
        content=body,
        headers={"X-Recruiterflow-Signature": signature, "Content-Type": "application/json"},
    )

    assert response.status_code == 202, response.text
    event_id = int(response.json()["id"])
    assert inbox.handed == [([event_id], {event_id: str(WebhookEventStatus.RECEIVED)})], (
        "the route hands the id on after the row is committed"
    )
    event = await settled(world, event_id)
    assert event.status is WebhookEventStatus.PROCESSED, "no sweep runs: the hand-off did it"
    assert event.attempts == 1

    async with state.session_factory.begin() as session:
        await session.execute(
            sa.update(WebhookEvent)
            .where(WebhookEvent.id == event_id)
            .values(status=WebhookEventStatus.FAILED, last_error="by hand", processed_at=utcnow())
        )
    world.retitle("Retried by hand")
    actor = Actor(world.tenant_id, ActorType.USER, "1", "Tester")
    await retry_event(state.session_factory, inbox, world.tenant_id, event_id, actor)

    assert inbox.handed[-1] == ([event_id], {event_id: str(WebhookEventStatus.RECEIVED)}), (
        "a retry by hand hands the id on after its reset is committed"
    )
    event = await settled(world, event_id)
    assert event.status is WebhookEventStatus.PROCESSED
    assert await world.title() == "Retried by hand"
