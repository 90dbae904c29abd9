"""A worker SIGKILLed while an outbound webhook's request is in flight: the delivery is
neither lost nor sent twice over. The receiver (a Standard Webhooks verifier on a
loopback port) holds the first request open; the worker dies with the delivery's claim
held; once that claim's lease has run out a new worker sends the message again, once,
under the same ``webhook-id``, and the delivery ends succeeded on its second attempt.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import sqlalchemy as sa

from gateway.store.enums import DeliveryStatus
from gateway.store.models import WebhookDelivery
from resolvers.relay import from_global_id
from tests.support.faults import (
    RECOVERY_SECONDS,
    WEBHOOK_LEASE_SECONDS,
    Stack,
    eventually,
    recovered,
)
from tests.support.receiver import Answer, Receiver, serving

ROW = "row 6: worker SIGKILLed mid delivery"
PATH = "/hooks/killed-mid-delivery"
HELD_SECONDS = 60.0
"""The first request is held open longer than the whole test takes."""
CREATE = """
mutation ($input: WebhookSubscriptionCreateInput!) {
  webhookSubscriptionCreate(input: $input) {
    __typename
    ... on WebhookSubscriptionCreateSuccess { secret webhookSubscription { id } }
  }
}
"""
DELETE = """
mutation ($id: ID!) { webhookSubscriptionDelete(input: {id: $id}) { __typename } }
"""


async def test_a_delivery_cut_off_by_a_killed_worker_is_sent_again_once_with_its_id(
    stack: Stack,
) -> None:
    receiver = Receiver()
    async with serving(receiver) as base_url:
        created = (
            await stack.data(
                ROW,
                CREATE,
                {
                    "input": {
                        "name": "killed mid delivery",
                        "url": base_url + PATH,
                        "events": ["JOB_CREATED"],
                        "timeoutMs": int(WEBHOOK_LEASE_SECONDS * 1000) - 1000,
                        "retryAttempts": 3,
                    }
                },
            )
        )["webhookSubscriptionCreate"]
        assert created["__typename"] == "WebhookSubscriptionCreateSuccess", f"[{ROW}] {created}"
        subscription_id = created["webhookSubscription"]["id"]
        receiver.expect(PATH, created["secret"])
        receiver.script(PATH, Answer(200, delay=HELD_SECONDS), Answer(200))
        try:
            await _delivered_again_after_the_kill(
                stack, receiver, from_global_id(subscription_id)[1]
            )
        finally:
            await stack.data(ROW, DELETE, {"id": subscription_id})


async def _delivered_again_after_the_kill(
    stack: Stack, receiver: Receiver, subscription_id: int
) -> None:
    integration_id = await stack.new_integration("killed mid delivery")
    response = await stack.webhook(integration_id, min(stack.fake.jobs))
    assert response.status_code == 202, f"[{ROW}] {response.status_code}: {response.text[:300]}"

    async def in_flight() -> bool | None:
        return True if receiver.at(PATH) else None

    await eventually(ROW, "the job's creation reaches the receiver", 30, in_flight, stack=stack)
    stack.kill_worker()
    [first] = receiver.at(PATH)
    [delivery] = await _deliveries(stack, subscription_id)
    assert (delivery.status, delivery.attempt) == (DeliveryStatus.DELIVERING.value, 1), (
        f"[{ROW}] the worker died holding the delivery's claim: {delivery.status} "
        f"attempt {delivery.attempt}"
    )

    stack.start_worker()
    ended = time.monotonic()

    async def succeeded() -> Any:
        [now] = await _deliveries(stack, subscription_id)
        return now if now.status == DeliveryStatus.SUCCEEDED.value else None

    done = await eventually(
        ROW,
        "a new worker sends the delivery again once the dead one's claim ran out",
        WEBHOOK_LEASE_SECONDS + RECOVERY_SECONDS,
        succeeded,
        stack=stack,
    )
    recovered(ROW, "(a new worker started) the delivery succeeded", ended)
    await asyncio.sleep(2)  # room for a third request, which must not come
    requests = receiver.at(PATH)
    assert len(requests) == 2, f"[{ROW}] sent again once, not {len(requests) - 1} times"
    second = requests[1]
    assert first.verified and second.verified, f"[{ROW}] both signed with the secret"
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == done.message_id, (
        f"[{ROW}] the same webhook-id on both: {first.headers} {second.headers}"
    )
    assert first.payload == second.payload, f"[{ROW}] the same message"
    assert second.at - first.at >= WEBHOOK_LEASE_SECONDS - 1, (
        f"[{ROW}] not taken over before the dead worker's lease ran out: "
        f"{second.at - first.at:.1f} s"
    )
    assert done.attempt == 2, f"[{ROW}] succeeded on its second attempt: {done.attempt}"
    assert stack.worker_alive(), f"[{ROW}] the new worker runs\n{stack.log_tails()}"


async def _deliveries(stack: Stack, subscription_id: int) -> list[Any]:
    return await stack.rows(
        sa.select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id)
        .order_by(WebhookDelivery.id)
    )
