"""A process's subscribers get events again after its Redis connection is lost: the
listener subscribes again by itself (here the server kills the connection, as a Redis
restart does)."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from gateway.pubsub import Event, RedisEventBus


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

            assert await admin.client_kill_filter(_type="pubsub") >= 1

            async with asyncio.timeout(10):
                while True:
                    await bus.publish(Event("job.created", 1, {"id": 2}))
                    try:
                        event = await asyncio.wait_for(queue.get(), 0.3)
                    except TimeoutError:
                        continue
                    break
            assert event.data == {"id": 2}
            assert bus.listener is not None and not bus.listener.done()
    finally:
        await bus.close()
        await admin.aclose()
