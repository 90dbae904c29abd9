"""Redis down under traffic: ``serve`` goes on answering queries and mutations (Redis
holds nothing a request cannot do without), a committed mutation is reported committed
and is there exactly once, the worker outlives the outage and processes the webhooks
accepted during and after it and the work queued after it, and once Redis is back
(with what it held before) no cached answer from before the outage hides a write made
during it.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import sqlalchemy as sa

from gateway.queue import job_sync_key
from gateway.store.enums import BackgroundJobStatus, WebhookEventStatus
from gateway.store.models import Job, Prompt
from resolvers.relay import to_global_id
from tests.support.faults import Stack, eventually

ROW = "row 1: Redis down under traffic"
OUTAGE_SECONDS = 4.0
RECOVERY_SECONDS = 30.0
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


async def cache_hits(stack: Stack) -> float:
    text = (await stack.http.get(f"{stack.base}/metrics")).text
    for line in text.splitlines():
        if line.startswith(CACHE_HITS + " "):
            return float(line.split()[1])
    return 0.0


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
    stack.redis.halt()
    down = time.monotonic()
    try:
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
            await asyncio.sleep(0.2)
    finally:
        stack.redis.resume()

    assert await instructions() == written, (
        f"[{ROW}] after Redis is back, the job's cached answer from before the outage "
        f"({before!r}) is not served over the write made during it ({written!r})"
    )
    stored = await stack.scalar(sa.select(sa.func.count()).where(Prompt.name == prompt))
    assert stored == 1, f"[{ROW}] the mutation answered as committed is stored once: {stored}"

    await eventually(ROW, "/readyz answers 200", RECOVERY_SECONDS, stack.ready, stack=stack)
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
