"""Loops that wait on Redis end when cancelled, even when redis-py swallows the
cancellation (it can, when the cancellation lands while it opens a connection:
redis/redis-py#2028, #2551), and a loop that never ends cannot hold up a shutdown.

Found as a ``talentgraph worker --burst`` that never exited: its webhook consumers were
cancelled while their first BRPOP connected, lost the cancellation, and the worker's
shutdown waited on them forever."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import pytest

from gateway.background_tasks import stop_all
from gateway.inbox import RedisInbox
from gateway.pubsub import RedisEventBus


async def _swallow_cancellation(seconds: float) -> None:
    """What redis-py does to a cancellation that arrives at the wrong moment."""
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.sleep(seconds)


async def _consume_forever(inbox: RedisInbox) -> None:
    while True:
        await inbox.take(limit=1, timeout=0.2)


async def test_a_consumer_of_the_inbox_ends_though_redis_swallowed_its_cancellation(
    redis_url: str, redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = RedisInbox("swallowed", redis_url, redis_prefix)

    async def brpop(keys: list[str], timeout: float) -> Any:  # noqa: ASYNC109
        await _swallow_cancellation(timeout)
        return None

    monkeypatch.setattr(inbox.redis, "brpop", brpop)
    try:
        consumer = asyncio.create_task(_consume_forever(inbox))
        await asyncio.sleep(0.05)
        consumer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(consumer, 2.0)
    finally:
        await inbox.close()


async def test_cancelled_blocking_reads_on_real_redis_always_end(
    redis_url: str, redis_prefix: str
) -> None:
    """The race itself, on the real client: cancel consumers at many moments of their
    first read (while connecting included); every one of them ends."""
    stuck = []
    for trial in range(48):
        inbox = RedisInbox(f"race{trial}", redis_url, redis_prefix)
        consumers = [asyncio.create_task(_consume_forever(inbox)) for _ in range(2)]
        for _ in range(trial % 8):
            await asyncio.sleep(0)
        await asyncio.sleep(0.0005 * (trial // 8))
        for consumer in consumers:
            consumer.cancel()
        _, pending = await asyncio.wait(consumers, timeout=3.0)
        if pending:
            stuck.append(trial)
            for consumer in pending:
                consumer.cancel()
        await inbox.close()
    assert stuck == []


async def test_the_event_bus_closes_though_redis_swallowed_its_listeners_cancellation(
    redis_url: str, redis_prefix: str
) -> None:
    bus = RedisEventBus(redis_url, f"{redis_prefix}swallowed-bus")
    await bus.start()
    assert bus.listener is not None
    listener = bus.listener
    pubsub: Any = listener.get_coro().cr_frame.f_locals["pubsub"]  # type: ignore[union-attr]
    get_message = pubsub.get_message

    async def swallowing_get_message(timeout: float) -> Any:  # noqa: ASYNC109
        await _swallow_cancellation(0.05)
        return await get_message(timeout=0)

    pubsub.get_message = swallowing_get_message
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await bus.close()
    assert listener.done()
    assert time.monotonic() - started < 2.0


async def test_stopping_leaves_behind_a_task_that_will_not_end(
    caplog: pytest.LogCaptureFixture,
) -> None:
    released = asyncio.Event()

    async def stubborn() -> None:
        while not released.is_set():
            await _swallow_cancellation(0.05)

    async def obedient() -> None:
        await asyncio.sleep(60)

    tasks = [
        asyncio.create_task(stubborn(), name="stubborn"),
        asyncio.create_task(obedient(), name="obedient"),
    ]
    await asyncio.sleep(0.01)
    started = time.monotonic()
    await stop_all(tasks, grace=0.3)
    assert 0.3 <= time.monotonic() - started < 2.0
    assert tasks[1].cancelled()
    assert not tasks[0].done()
    assert "stubborn did not stop within" in caplog.text
    released.set()
    await asyncio.wait_for(tasks[0], 1.0)
