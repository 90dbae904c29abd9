"""Redis down under traffic: ``serve`` goes on answering queries and mutations (Redis
holds nothing a request cannot do without), a committed mutation is reported committed
and is there exactly once, the worker outlives the outage and processes the webhooks
accepted during and after it and the work queued after it, and once Redis is back
(with what it held before) no cached answer from before the outage hides a write made
during it.

Live updates, over a WebSocket to the ``serve`` process: while Redis is down
``/readyz`` says so (503) and a running subscription is closed with 1013, which
graphql-ws clients retry; once Redis is back a new subscription on that same process
hears what the worker publishes (the sync it runs), without restarting anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import orjson
import sqlalchemy as sa
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from gateway.queue import job_sync_key
from gateway.store.enums import BackgroundJobStatus, WebhookEventStatus
from gateway.store.models import Job, Prompt
from resolvers.relay import to_global_id
from resolvers.ws import TRY_AGAIN_LATER
from tests.support.faults import (
    OUTAGE_SECONDS,
    RECOVERY_SECONDS,
    TRAFFIC_INTERVAL_SECONDS,
    Stack,
    eventually,
    recovered,
)

ROW = "row 1: Redis down under traffic"
JOBS = "{ jobs(first: 5) { totalCount edges { node { id title } } } }"
JOB = "query ($id: ID!) { job(id: $id) { id interviewInstructions } }"
JOB_UPDATE = """
mutation ($id: ID!, $text: String!) {
  jobUpdate(input: {id: $id, interviewInstructions: $text}) {
    __typename
    ... on JobUpdateSuccess { job { id interviewInstructions } }
  }
}
"""
PROMPT_CREATE = """
mutation ($name: String!) {
  promptCreate(input: {name: $name, promptType: INTERVIEW, templateContent: "Hello"}) {
    __typename
  }
}
"""
JOB_SYNC = """
mutation ($id: ID!) {
  jobSync(input: {jobId: $id}) { __typename ... on JobSyncSuccess { queued alreadyRunning } }
}
"""
CACHE_HITS = 'talentgraph_cache_hits_total{kind="job_detail"}'
SUBSCRIPTIONS_OPENED = "talentgraph_event_bus_subscriptions_opened_total"
SYNC_PROGRESS = """
subscription ($id: ID!) { syncProgress(integrationId: $id) { kind status runId } }
"""
INTEGRATION_SYNC = """
mutation ($id: ID!) {
  integrationSync(input: {integrationId: $id, mode: FULL}) {
    __typename ... on IntegrationSyncSuccess { queued }
  }
}
"""


async def metric(stack: Stack, name: str) -> float:
    text = (await stack.http.get(f"{stack.base}/metrics")).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


async def cache_hits(stack: Stack) -> float:
    return await metric(stack, CACHE_HITS)


@contextlib.asynccontextmanager
async def sync_progress(stack: Stack, integration_id: int) -> AsyncIterator[ClientConnection]:
    """A graphql-transport-ws socket to ``serve`` running ``syncProgress`` of the
    integration (operation id "1"), once the server's bus has opened its subscription."""
    opened = await metric(stack, SUBSCRIPTIONS_OPENED)
    url = f"ws://127.0.0.1:{stack.port}/graphql"
    async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as socket:
        init = {"authorization": f"Bearer {stack.token()}"}
        await socket.send(orjson.dumps({"type": "connection_init", "payload": init}).decode())
        assert (await message(socket))["type"] == "connection_ack"
        variables = {"id": to_global_id("Integration", integration_id)}
        payload = {"query": SYNC_PROGRESS, "variables": variables}
        await socket.send(
            orjson.dumps({"type": "subscribe", "id": "1", "payload": payload}).decode()
        )

        async def subscribed() -> bool | None:
            return True if await metric(stack, SUBSCRIPTIONS_OPENED) > opened else None

        await eventually(ROW, "the subscription is open on serve", 10, subscribed, stack=stack)
        yield socket


async def message(socket: ClientConnection, within: float = 10.0) -> dict[str, Any]:
    """The next message that is not a ping or pong."""
    while True:
        found: dict[str, Any] = orjson.loads(await asyncio.wait_for(socket.recv(), within))
        if found["type"] not in ("ping", "pong"):
            return found


def progress(update: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = update["payload"]["data"]["syncProgress"]
    return found


async def close_code(socket: ClientConnection, within: float) -> int | None:
    """How the server closes ``socket`` within ``within`` seconds (whatever it sends
    before); fails if it is still open."""
    deadline = time.monotonic() + within
    try:
        while (left := deadline - time.monotonic()) > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(socket.recv(), left)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    raise AssertionError(f"[{ROW}] the socket is still open after {within:g} s")


async def test_redis_down_under_traffic_costs_no_request_and_no_work(stack: Stack) -> None:
    integration_id = await stack.new_integration("redis down")
    remote_job = min(stack.fake.jobs)
    job_id = (await stack.data(ROW, JOBS))["jobs"]["edges"][0]["node"]["id"]

    async def instructions() -> str:
        found: str = (await stack.data(ROW, JOB, {"id": job_id}))["job"]["interviewInstructions"]
        return found

    before = f"before the outage {uuid.uuid4().hex[:8]}"
    await stack.data(ROW, JOB_UPDATE, {"id": job_id, "text": before})
    assert await instructions() == before
    hits = await cache_hits(stack)
    assert await instructions() == before
    assert await cache_hits(stack) > hits, f"[{ROW}] the job's answer is served from the cache"

    prompt = f"prompt written while Redis is down {uuid.uuid4().hex[:8]}"
    written = before
    during_webhook: int | None = None
    readiness: list[int] = []
    async with contextlib.AsyncExitStack() as outage:
        listening = await outage.enter_async_context(sync_progress(stack, integration_id))
        stack.redis.halt()
        outage.callback(stack.redis.resume)
        down = time.monotonic()
        code = await close_code(listening, within=RECOVERY_SECONDS)
        assert code == TRY_AGAIN_LATER, (
            f"[{ROW}] a running subscription is closed with 1013 (clients reconnect), not {code}"
        )
        rounds = 0
        while rounds == 0 or time.monotonic() - down < OUTAGE_SECONDS:
            rounds += 1
            assert (await stack.data(ROW, JOBS))["jobs"]["totalCount"] > 0
            text = f"written while Redis is down, round {rounds}"
            updated = (await stack.data(ROW, JOB_UPDATE, {"id": job_id, "text": text}))["jobUpdate"]
            assert updated["__typename"] == "JobUpdateSuccess", f"[{ROW}] {updated}"
            assert updated["job"]["interviewInstructions"] == text, f"[{ROW}] {updated}"
            written = text
            assert await instructions() == written, (
                f"[{ROW}] a read after a write during the outage sees the write"
            )
            if rounds == 1:
                created = (await stack.data(ROW, PROMPT_CREATE, {"name": prompt}))["promptCreate"]
                assert created["__typename"] == "PromptCreateSuccess", f"[{ROW}] {created}"
                response = await stack.webhook(integration_id, remote_job)
                assert response.status_code in (202, 503), (
                    f"[{ROW}] a webhook during the outage is stored (202) or refused (503), "
                    f"never {response.status_code}: {response.text[:300]}"
                )
                if response.status_code == 202:
                    during_webhook = int(response.json()["id"])
            readiness.append((await stack.http.get(f"{stack.base}/readyz")).status_code)
            await asyncio.sleep(TRAFFIC_INTERVAL_SECONDS)
    ended = time.monotonic()
    assert set(readiness) == {503}, f"[{ROW}] /readyz says Redis is down: {readiness}"

    assert await instructions() == written, (
        f"[{ROW}] after Redis is back, the job's cached answer from before the outage "
        f"({before!r}) is not served over the write made during it ({written!r})"
    )
    stored = await stack.scalar(sa.select(sa.func.count()).where(Prompt.name == prompt))
    assert stored == 1, f"[{ROW}] the mutation answered as committed is stored once: {stored}"

    await eventually(ROW, "/readyz answers 200", RECOVERY_SECONDS, stack.ready, stack=stack)
    recovered(ROW, "/readyz answers 200", ended)
    assert stack.worker_alive(), f"[{ROW}] the worker outlives the outage\n{stack.log_tails()}"

    after = await stack.webhook(integration_id, remote_job)
    assert after.status_code == 202, f"[{ROW}] {after.status_code}: {after.text[:300]}"
    accepted = [int(after.json()["id"])] + ([during_webhook] if during_webhook else [])

    async def processed() -> bool | None:
        statuses = [await stack.webhook_status(event_id) for event_id in accepted]
        done = all(status == WebhookEventStatus.PROCESSED.value for status in statuses)
        return True if done else None

    await eventually(
        ROW,
        f"the worker processes the webhooks accepted during and after the outage {accepted}",
        RECOVERY_SECONDS,
        processed,
        stack=stack,
    )

    recovered(ROW, "the webhooks accepted during and after it are processed", ended)
    synced_job = await stack.scalar(
        sa.select(Job.id).where(
            Job.integration_id == integration_id, Job.remote_id == str(remote_job)
        )
    )
    assert synced_job is not None, f"[{ROW}] the webhook brought the requisition in"
    queued = await stack.data(ROW, JOB_SYNC, {"id": to_global_id("Job", synced_job)})
    assert queued["jobSync"]["queued"], f"[{ROW}] a job sync is queued after the outage: {queued}"

    async def job_synced() -> bool | None:
        [record] = await stack.job_records(integration_id, key=job_sync_key(synced_job))
        return True if record.status is BackgroundJobStatus.SUCCEEDED else None

    await eventually(
        ROW,
        "the worker's queue runs a job queued after the outage",
        RECOVERY_SECONDS,
        job_synced,
        stack=stack,
    )
    assert stack.worker_alive(), f"[{ROW}] the worker is still running\n{stack.log_tails()}"

    async with sync_progress(stack, integration_id) as listening:
        gid = to_global_id("Integration", integration_id)
        synced = await stack.data(ROW, INTEGRATION_SYNC, {"id": gid})
        assert synced["integrationSync"]["queued"], f"[{ROW}] {synced}"
        heard = [await message(listening, within=RECOVERY_SECONDS)]
        while heard[-1]["type"] == "next" and progress(heard[-1])["kind"] != "FINISHED":
            heard.append(await message(listening, within=RECOVERY_SECONDS))
    kinds = [m["type"] for m in heard]
    assert set(kinds) == {"next"}, f"[{ROW}] only updates on the new subscription: {heard}"
    finished = progress(heard[-1])
    recovered(ROW, "a new subscription heard the worker's sync end", ended)
    assert finished["status"] == "SUCCEEDED", (
        f"[{ROW}] a subscription opened after the outage hears the worker's sync to its "
        f"end: {heard[:3]} ... {finished}"
    )
