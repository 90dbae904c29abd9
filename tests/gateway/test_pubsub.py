"""The event bus: tenant-scoped fan-out in process and across processes over Redis;
a slow subscriber loses its oldest events instead of holding up the rest."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from gateway import pubsub
from gateway.locks import LocalLocks, RedisLocks
from gateway.pubsub import Event, EventBus, RedisEventBus


async def take(events: AsyncIterator[Event], count: int) -> list[Event]:
    return [await anext(events) for _ in range(count)]


async def test_subscribers_get_their_tenants_events_only() -> None:
    bus = EventBus()
    mine, theirs = bus.subscribe(1), bus.subscribe(2)
    first = asyncio.ensure_future(take(mine, 2))
    second = asyncio.ensure_future(take(theirs, 1))
    await asyncio.sleep(0)
    await bus.publish(Event("job.created", 1, {"id": 1}))
    await bus.publish(Event("job.created", 2, {"id": 2}))
    await bus.publish(Event("job.updated", 1, {"id": 1}))
    got, other = await asyncio.wait_for(asyncio.gather(first, second), 2)
    assert [e.type for e in got] == ["job.created", "job.updated"]
    assert [e.data["id"] for e in other] == [2]
    await mine.aclose()
    await theirs.aclose()
    assert bus.fanout.queues == {}, "closed subscriptions free their queues"


async def test_a_slow_subscriber_keeps_only_the_newest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pubsub, "QUEUE_SIZE", 3)
    bus = EventBus()
    slow = bus.subscribe(1)
    waiting = asyncio.ensure_future(anext(slow))
    await asyncio.sleep(0)
    first = await asyncio.wait_for(asyncio.gather(waiting, bus.publish(Event("e", 1, {"n": 0}))), 2)
    for n in range(1, 10):
        await bus.publish(Event("e", 1, {"n": n}))
    rest = await take(slow, 3)
    assert first[0].data["n"] == 0
    assert [e.data["n"] for e in rest] == [7, 8, 9]
    await slow.aclose()


async def test_events_cross_processes_over_redis(redis_url: str, redis_prefix: str) -> None:
    channel = f"{redis_prefix}events"
    publisher, listener = RedisEventBus(redis_url, channel), RedisEventBus(redis_url, channel)
    await listener.start()
    try:
        stream = listener.subscribe(5)
        waiting = asyncio.ensure_future(take(stream, 2))
        await asyncio.sleep(0.05)
        await publisher.publish_many([Event("sync.progress", 5, {"n": 1}), Event("x", 6)])
        await publisher.publish(Event("sync.finished", 5, {"status": "succeeded"}))
        got = await asyncio.wait_for(waiting, 5)
        assert [e.type for e in got] == ["sync.progress", "sync.finished"]
        await stream.aclose()
    finally:
        await publisher.close()
        await listener.close()


@pytest.mark.parametrize("kind", ["local", "redis"])
async def test_locks_are_exclusive_and_expire(kind: str, redis_url: str, redis_prefix: str) -> None:
    locks = LocalLocks() if kind == "local" else RedisLocks(redis_url, redis_prefix.rstrip(":"))
    try:
        first = locks.lock("sync:1", ttl=0.2)
        second = locks.lock("sync:1", ttl=0.2)
        assert await first.acquire()
        assert not await second.acquire()
        assert await locks.held("sync:1")
        assert await first.extend()
        await asyncio.sleep(0.3)
        assert await second.acquire(), "a dead holder's lock expires"
        assert not await first.extend()
        await first.release()
        assert await locks.held("sync:1"), "releasing someone else's lock does nothing"
        await second.release()
        assert not await locks.held("sync:1")
    finally:
        await locks.close()


def test_an_event_carries_its_trace_between_processes() -> None:
    traced = Event("job.updated", 1, {"id": 2}, trace="00-" + "a" * 32 + "-" + "b" * 16 + "-01")
    assert Event.decode(traced.encode()).trace == traced.trace
    assert b"trace" not in Event("job.updated", 1).encode(), "untraced events stay as they were"
    assert Event.decode(b'{"type": "x", "tenant_id": 1, "at": "t", "trace": 5}').trace is None
