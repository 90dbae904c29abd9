"""No acknowledged webhook is lost or processed twice when the worker dies.

A gateway (PostgreSQL, Redis) acknowledges signed Recruiterflow deliveries while a
real ``talentgraph worker`` process processes them against the Recruiterflow fake on
a real port. Half the deliveries arrive while no worker runs; the worker is killed
with SIGKILL mid-way, more arrive while it is dead, and a new worker finishes the
work. Every acknowledged event ends processed, and each changed requisition is
announced on the bus under exactly one event id (never lost, even when the kill falls
between a commit and its publish: the staged event is published by the sweep).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa

from demo.sandbox.recruiterflow import FakeRecruiterflow
from gateway.crypto import Keyring
from gateway.pubsub import Event
from gateway.store.enums import WebhookEventStatus
from gateway.store.models import WebhookEvent
from jobs.sync import sync_integration
from jobs.sync_api import SyncMode
from tests.support.gateway import Gateway, running_gateway
from tests.support.integrations import add_recruiterflow
from tests.support.processes import process_env, served_recruiterflow, talentgraph

SECRET = "restart-webhook-secret-42"
JOBS = 24
LEASE_SECONDS = 2.0


@pytest.fixture
async def served_fake() -> AsyncIterator[tuple[FakeRecruiterflow, int]]:
    async with served_recruiterflow(jobs=JOBS, candidates=4, applications=4) as served:
        yield served


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return talentgraph(["worker"], env, log)


async def statuses(gateway: Gateway, ids: list[int]) -> dict[int, WebhookEventStatus]:
    async with gateway.app.state.session_factory() as session:
        rows = await session.execute(
            sa.select(WebhookEvent.id, WebhookEvent.status).where(WebhookEvent.id.in_(ids))
        )
        return {row.id: WebhookEventStatus(row.status) for row in rows}


async def wait_for(
    gateway: Gateway, ids: list[int], *, at_least: int, within: float
) -> dict[int, WebhookEventStatus]:
    deadline = time.monotonic() + within
    while True:
        found = await statuses(gateway, ids)
        done = sum(1 for s in found.values() if s is WebhookEventStatus.PROCESSED)
        if done >= at_least or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.05)


async def heard_every(announced: list[Event], remote_ids: set[str], *, within: float) -> None:
    """Give the listener the time to read what was published last: ``worker.wait``
    blocks this event loop while the worker stops, so announcements it made then are
    still unread when it exits."""
    deadline = time.monotonic() + within
    while not remote_ids <= {str(e.data["remoteId"]) for e in announced}:
        if time.monotonic() > deadline:
            return
        await asyncio.sleep(0.05)


@pytest.mark.timeout(300)
async def test_a_killed_worker_loses_nothing_and_repeats_nothing(
    private_postgres_url: str,
    redis_url: str,
    redis_prefix: str,
    served_fake: tuple[FakeRecruiterflow, int],
    tmp_path: Path,
) -> None:
    fake, port = served_fake
    postgres_url = private_postgres_url
    fake.faults.latency = 0.4
    prefix = f"{redis_prefix}restart-{uuid.uuid4().hex[:6]}"
    tuning = {
        "webhook_lease_seconds": LEASE_SECONDS,
        "webhook_sweep_interval_seconds": 0.3,
        "webhook_handoff_grace_seconds": 1.0,
        "outbox_grace_seconds": 1.0,
    }
    async with running_gateway(
        postgres_url, redis_url=redis_url, redis_prefix=prefix, **tuning
    ) as gateway:
        state = gateway.app.state
        assert state.ingestor is None, "with Redis, serve leaves processing to workers"
        keyring: Keyring = state.keyring
        tenant_id = gateway.tenants["demo"].tenant_id
        async with state.session_factory.begin() as session:
            integration_id = await add_recruiterflow(
                session,
                keyring,
                tenant_id,
                api_key=fake.api_key,
                config={"baseUrl": f"http://127.0.0.1:{port}"},
                name="RF on a real port",
                webhook_secret=SECRET,
            )
        fake.faults.latency = 0.0
        await sync_integration(state.sync_deps, tenant_id, integration_id, mode=SyncMode.FULL)
        fake.faults.latency = 0.4

        announced: list[Event] = []

        async def listen() -> None:
            async for event in state.bus.subscribe(tenant_id):
                if event.type == "job.updated":
                    announced.append(event)

        listener = asyncio.create_task(listen())
        job_ids = sorted(fake.jobs)

        async def deliver(job_id: int) -> int:
            fake.jobs[job_id]["name"] = fake.jobs[job_id]["title"] = f"Retitled {job_id}"
            body = orjson.dumps(
                {"id": uuid.uuid4().hex, "event": "job.updated", "data": {"job_id": job_id}}
            )
            signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            response = await gateway.client.post(
                f"/webhooks/recruiterflow/{integration_id}",
                content=body,
                headers={
                    "X-Recruiterflow-Signature": signature,
                    "Content-Type": "application/json",
                },
            )
            assert response.status_code == 202, response.text
            assert response.json()["status"] == "accepted"
            return int(response.json()["id"])

        env = process_env(postgres_url, redis_url, prefix, **tuning)
        env["TALENTGRAPH_LOG_LEVEL"] = "INFO"
        log = tmp_path / "worker.log"
        first_half = [await deliver(job_id) for job_id in job_ids[: JOBS // 2]]
        assert set((await statuses(gateway, first_half)).values()) == {
            WebhookEventStatus.RECEIVED
        }, "nothing runs them while no worker is up"

        worker = start_worker(env, log)
        try:
            seen = await wait_for(gateway, first_half, at_least=3, within=60)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
        done_at_kill = sum(1 for s in seen.values() if s is WebhookEventStatus.PROCESSED)
        assert 3 <= done_at_kill < len(first_half), log.read_text()[-3000:]

        second_half = [await deliver(job_id) for job_id in job_ids[JOBS // 2 :]]
        every = first_half + second_half

        worker = start_worker(env, log)
        try:
            final = await wait_for(gateway, every, at_least=len(every), within=90)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
        await heard_every(announced, {str(job_id) for job_id in job_ids}, within=10)
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener

        assert Counter(final.values()) == {WebhookEventStatus.PROCESSED: len(every)}, (
            log.read_text()[-3000:]
        )
        distinct = {event.id: event for event in announced}.values()
        per_job = Counter(event.data["remoteId"] for event in distinct)
        assert per_job == {str(job_id): 1 for job_id in job_ids}, (
            "each change announced once (a repeat after a kill keeps its event id)"
        )
        async with state.session_factory() as session:
            attempts = list(
                await session.scalars(
                    sa.select(WebhookEvent.attempts).where(WebhookEvent.id.in_(every))
                )
            )
        assert all(1 <= a <= 2 for a in attempts)
        retitled = await gateway.execute(
            '{ jobs(first: 100, filter: {search: "Retitled"}) { totalCount } }'
        )
        assert retitled["jobs"]["totalCount"] == JOBS
