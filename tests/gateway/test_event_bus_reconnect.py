"""A process's subscribers get events again after its Redis connection is lost: the
listener subscribes again by itself (here the server kills the connection, as a Redis
restart does, or the server really stops and starts again). Meanwhile the bus says it
is interrupted, from the moment the connection is lost (before its first subscription
too) until it is subscribed again, and wakes whoever waits for an interruption, even
one that is over before the waiter runs."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from gateway import pubsub
from gateway.pubsub import Event, EventBus, RedisEventBus
from tests.support.restartable_redis import restartable_redis


async def heard_again(bus: RedisEventBus, queue: asyncio.Queue[Event], n: int) -> Event:
    """Publish until the queue hears it: the first publish after a restart may meet a
    connection the server closed."""
    async with asyncio.timeout(10):
        while True:
            with contextlib.suppress(RedisError, OSError):
                await bus.publish(Event("job.created", 1, {"id": n}))
            try:
                return await asyncio.wait_for(queue.get(), 0.3)
            except TimeoutError:
                continue


async def test_subscribers_hear_again_after_the_connection_is_lost(
    redis_url: str, redis_prefix: str
) -> None:
    bus = RedisEventBus(redis_url, f"{redis_prefix}:events")
    admin = aioredis.Redis.from_url(redis_url)
    await bus.start()
    try:
        async with bus.fanout.queue(1) as queue:
            await bus.publish(Event("job.created", 1, {"id": 1}))
            first = await asyncio.wait_for(queue.get(), 10)
            assert first.data == {"id": 1}
            waiting = asyncio.create_task(bus.wait_interrupted())

            assert await admin.client_kill_filter(_type="pubsub") >= 1

            event = await heard_again(bus, queue, 2)
            assert event.data == {"id": 2}
            assert bus.listener is not None and not bus.listener.done()
            assert bus.connected
            assert waiting.done(), "a blip over by now still woke the waiter"
    finally:
        await bus.close()
        await admin.aclose()


async def test_the_bus_is_interrupted_while_redis_is_down_and_not_after() -> None:
    with restartable_redis() as server:
        bus = RedisEventBus(server.url, "events")
        assert not bus.connected, "not connected before its first subscription"
        await bus.start()
        try:
            assert bus.connected and bus.interrupted_since is None
            waiting = asyncio.create_task(bus.wait_interrupted())
            async with bus.fanout.queue(1) as queue:
                await asyncio.sleep(0.05)
                assert not waiting.done()

                server.halt()
                await asyncio.wait_for(waiting, 5)
                since = bus.interrupted_since
                assert since is not None and not bus.connected
                assert abs((datetime.now(UTC) - since).total_seconds()) < 5
                await asyncio.wait_for(bus.wait_interrupted(), 0.1)  # at once while it is

                server.resume()
                event = await heard_again(bus, queue, 3)
                assert event.data == {"id": 3}
                assert bus.connected and bus.interrupted_since is None
                later = asyncio.create_task(bus.wait_interrupted())
                await asyncio.sleep(0.05)
                assert not later.done(), "waits for the next interruption"
                later.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await later
        finally:
            await bus.close()
        assert not bus.connected, "a closed bus hears nothing"


async def test_a_paused_redis_is_noticed_and_the_bus_listens_again_when_it_wakes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SIGSTOP keeps the server's sockets open and answers nothing, as a partition does:
    the listener asks after a quiet spell, gives up when no answer comes, and does not
    count itself listening again until Redis confirms a subscription."""
    monkeypatch.setattr(pubsub, "QUIET_SECONDS", 0.5)
    monkeypatch.setattr(pubsub, "POLL_SECONDS", 0.1)
    with restartable_redis() as server:
        bus = RedisEventBus(server.url, "events")
        await bus.start()
        try:
            async with bus.fanout.queue(1) as queue:
                os.kill(server.process.pid, signal.SIGSTOP)
                try:
                    await asyncio.wait_for(bus.wait_interrupted(), 5)
                    for _ in range(75):
                        await asyncio.sleep(0.02)
                        assert not bus.connected, "no subscription counts until confirmed"
                finally:
                    os.kill(server.process.pid, signal.SIGCONT)
                event = await heard_again(bus, queue, 4)
                assert event.data == {"id": 4}
                assert bus.connected
        finally:
            await bus.close()


async def test_the_in_process_bus_is_never_interrupted() -> None:
    bus = EventBus()
    assert bus.connected and bus.interrupted_since is None
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(bus.wait_interrupted(), 0.1)
