"""PostgreSQL down: ``serve`` answers 503 JSON with ``Retry-After`` and a request id on
``/graphql`` and on a webhook route (acknowledging nothing it did not store); once the
server is back everything answers normally again, without restarting anything, and the
worker, which lived through it, processes what arrives next.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from gateway.store.enums import WebhookEventStatus
from tests.support.faults import (
    OUTAGE_SECONDS,
    RECOVERY_SECONDS,
    TRAFFIC_INTERVAL_SECONDS,
    Stack,
    eventually,
    recovered,
)

ROW = "row 2: PostgreSQL down"
JOBS = "{ jobs(first: 2) { totalCount edges { node { id title } } } }"
PROMPT_CREATE = """
mutation ($name: String!) {
  promptCreate(input: {name: $name, promptType: INTERVIEW, templateContent: "Hello"}) {
    __typename
  }
}
"""


def assert_unavailable(what: str, response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 503, (
        f"[{ROW}] {what} answers 503 while PostgreSQL is down, not "
        f"{response.status_code}: {response.text[:300]}"
    )
    assert response.headers.get("content-type", "").startswith("application/"), (
        f"[{ROW}] {what}: JSON, not {response.headers.get('content-type')}"
    )
    assert response.headers.get("retry-after", "").isdigit(), (
        f"[{ROW}] {what}: Retry-After, got {dict(response.headers)}"
    )
    assert response.headers.get("x-request-id"), f"[{ROW}] {what}: a request id header"
    body: dict[str, Any] = response.json()
    return body


async def test_postgres_down_answers_503_and_everything_recovers_by_itself(stack: Stack) -> None:
    integration_id = await stack.new_integration("postgres down")
    job_id = min(stack.fake.jobs)

    stack.postgres.down("fast")
    down = time.monotonic()
    try:
        while True:
            query = assert_unavailable("a GraphQL query", await stack.graphql(JOBS))
            [error] = query["errors"]
            assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE", f"[{ROW}] {query}"
            assert error["extensions"].get("requestId"), f"[{ROW}] a request id: {query}"

            name = f"outage prompt {time.monotonic_ns()}"
            mutation = assert_unavailable(
                "a GraphQL mutation", await stack.graphql(PROMPT_CREATE, {"name": name})
            )
            extensions = mutation["errors"][0]["extensions"]
            assert extensions["code"] == "SERVICE_UNAVAILABLE", f"[{ROW}] {mutation}"
            assert extensions.get("outcome") in ("not_written", "unknown"), f"[{ROW}] {mutation}"

            hook = assert_unavailable("a webhook", await stack.webhook(integration_id, job_id))
            assert set(hook) >= {"error", "requestId"}, f"[{ROW}] webhook body: {hook}"
            assert hook.get("status") != "accepted", f"[{ROW}] nothing acknowledged: {hook}"

            if time.monotonic() - down > OUTAGE_SECONDS:
                break
            await asyncio.sleep(TRAFFIC_INTERVAL_SECONDS)
    finally:
        stack.postgres.up()
    ended = time.monotonic()

    async def graphql_back() -> Any:
        response = await stack.graphql(JOBS)
        if response.status_code == 200 and not response.json().get("errors"):
            return response.json()["data"]
        return None

    data = await eventually(
        ROW, "GraphQL answers normally again", RECOVERY_SECONDS, graphql_back, stack=stack
    )
    assert data["jobs"]["totalCount"] > 0, f"[{ROW}] {data}"
    recovered(ROW, "GraphQL answers normally", ended)

    async def webhook_back() -> Any:
        response = await stack.webhook(integration_id, job_id)
        return response.json()["id"] if response.status_code == 202 else None

    event_id = await eventually(
        ROW, "the webhook route acknowledges again", RECOVERY_SECONDS, webhook_back, stack=stack
    )
    recovered(ROW, "the webhook route acknowledges", ended)
    await eventually(ROW, "/readyz answers 200", RECOVERY_SECONDS, stack.ready, stack=stack)
    assert stack.worker_alive(), f"[{ROW}] the worker lived through it\n{stack.log_tails()}"
    assert stack.serve is not None and stack.serve.poll() is None, f"[{ROW}] serve still runs"

    async def processed() -> bool | None:
        status = await stack.webhook_status(int(event_id))
        return True if status == WebhookEventStatus.PROCESSED.value else None

    await eventually(
        ROW,
        "the worker processes a webhook accepted after the outage",
        RECOVERY_SECONDS,
        processed,
        stack=stack,
    )
